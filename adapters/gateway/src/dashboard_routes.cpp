// The dashboard: the public class, and the learned weights over time (which
// the runtime samples).

#include "dashboard_impl.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/ui_assets.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime_admin.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::gateway {

using namespace dashboard_detail;

void dashboard_routes::impl::learned_series(
  std::string_view query, const std::shared_ptr<http::response_writer>& w,
  const finish_fn& finish) {
  auto since
    = static_cast<std::int64_t>(query_number(query, "since").value_or(0));
  auto interval = rt.learned_sampling_interval();
  rt.learned_samples(
    since, [w, finish, interval](
             caf::expected<std::vector<storage::learned_sample_record>> got) {
      if (!got)
        return error(w, finish,
                     {503, "api_error", "unavailable",
                      "the learned samples cannot be read now: "
                        + error_message(got.error())});
      std::string out;
      engine::json_writer jw{out};
      jw.begin_object();
      jw.field("interval_ms", static_cast<std::int64_t>(interval.count()));
      jw.field("source", "learning actor snapshot, sampled into the store "
                         "(in memory only without a data dir)");
      jw.key("samples").begin_array();
      for (const auto& s : *got) {
        jw.begin_object().field("unix_ms", s.unix_ms);
        jw.key("cells").begin_array();
        for (const auto& c : s.cells) {
          jw.begin_object();
          jw.field("model", c.model);
          jw.field("task_type", engine::to_string(c.type));
          jw.field("success", c.success);
          jw.field("latency_ms", c.latency_ms);
          jw.field("feedback_weight", c.feedback_weight);
          jw.field("samples", c.samples);
          jw.field("confidence", c.confidence);
          jw.end_object();
        }
        jw.end_array().end_object();
      }
      jw.end_array().end_object();
      w->respond(200, json_headers(), std::move(out));
      finish(200);
    });
}

dashboard_routes::dashboard_routes(const gateway_config& cfg,
                                   runtime_admin& admin, const key_store& keys,
                                   dashboard_options opts)
    : impl_(std::make_unique<impl>(cfg, admin, keys, opts)) {
  // The learned state is sampled by the runtime (learned_sampling).
}

dashboard_routes::~dashboard_routes() {
  stop();
}

void dashboard_routes::stop() {
  // Nothing runs on its own: the runtime samples the learned state.
}

bool dashboard_routes::serve_ui(const http::server_request& req,
                                const std::shared_ptr<http::response_writer>& w,
                                const finish_fn& finish) {
  return impl_->serve_ui(req, w, finish);
}

bool dashboard_routes::has_session(const http::server_request& req) const {
  auto token = impl_->session_token(req);
  return token && !token->empty() && impl_->valid_session(*token);
}

bool dashboard_routes::serve_api(
  const http::server_request& req,
  const std::shared_ptr<http::response_writer>& w, bool admin,
  const finish_fn& finish) {
  return impl_->serve_api(req, w, admin, finish);
}

void dashboard_routes::on_task(const task_reply& r) {
  impl_->on_task(r);
}

} // namespace switchyard::gateway
