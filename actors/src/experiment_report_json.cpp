#include "switchyard/actors/experiment_report_json.hpp"

#include "switchyard/engine/json_writer.hpp"

namespace switchyard::actors {

std::string experiment_reports_json(const std::vector<experiment_report>& reports) {
  std::string out;
  engine::json_writer w{out};
  w.begin_array();
  for (const auto& r : reports) {
    const auto& s = r.state;
    w.begin_object();
    w.field("id", std::string_view{s.spec.id});
    w.field("task_type", to_string(s.spec.type));
    w.field("running", s.running);
    w.field("metric", to_string(s.spec.metric));
    w.field("traffic_share", s.spec.traffic_share);
    w.field("min_samples_per_arm", s.spec.min_samples_per_arm);
    w.field("significance", s.spec.significance);
    w.field("seed", static_cast<std::uint64_t>(s.spec.seed));
    w.field("started_unix_s", static_cast<std::int64_t>(s.started_unix_s));
    w.key("stopped_unix_s");
    if (s.running)
      w.null();
    else
      w.value(static_cast<std::int64_t>(s.stopped_unix_s));
    w.key("arms").begin_array();
    for (std::size_t i = 0; i < s.spec.arms.size() && i < s.arms.size();
         ++i) {
      w.begin_object();
      w.field("name", std::string_view{s.spec.arms[i].name});
      w.key("model");
      if (s.spec.arms[i].model.empty())
        w.null();
      else
        w.value(std::string_view{s.spec.arms[i].model});
      w.field("n", static_cast<std::uint64_t>(s.arms[i].n));
      w.field("mean", s.arms[i].mean());
      w.key("p_vs_leader");
      if (i == r.result.leader || i >= r.result.versus_leader.size())
        w.null();
      else
        w.value(r.result.versus_leader[i].p_value);
      w.end_object();
    }
    w.end_array();
    w.field("verdict", to_string(r.result.verdict));
    w.key("winner");
    if (r.result.verdict == engine::experiment_verdict::winner)
      w.value(std::string_view{s.spec.arms[r.result.leader].name});
    else
      w.null();
    w.key("leader");
    if (s.spec.arms.empty())
      w.null();
    else
      w.value(std::string_view{s.spec.arms[r.result.leader].name});
    w.field("p_value", r.result.p_value);
    w.field("threshold", r.result.threshold);
    w.end_object();
  }
  w.end_array();
  return out;
}

} // namespace switchyard::actors
