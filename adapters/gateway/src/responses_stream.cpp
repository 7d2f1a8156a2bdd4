#include "switchyard/engine/tool_call_ids.hpp"
#include "switchyard/gateway/responses_api.hpp"
#include "switchyard/gateway/responses_object.hpp"
#include "switchyard/messages/decision_id.hpp"

#include <optional>
#include <vector>

namespace switchyard::gateway {

namespace {

using engine::json_writer;
using item_kind = responses_output_item::item_kind;

/// The Responses API's typed server-sent events. Items are sequential, as
/// OpenAI sends them: an item is finished (`...done` events) when the next
/// one starts, so text written before the tool calls is one message item
/// and each call is its own function_call item. Text written after a call
/// opens a new message item. A fragment of a call that was already
/// finished (a provider interleaving two calls) still goes out as an
/// arguments delta, which the SDK appends to the finished item, and
/// response.completed carries the whole arguments either way.
class responses_stream_encoder final : public stream_encoder {
 public:
  responses_stream_encoder(std::string response_id, std::string model,
                           std::int64_t created, const chat_request& request)
      : id_(std::move(response_id)),
        model_(std::move(model)),
        created_(created),
        echo_(responses_echo::from(request)) {}

  std::string start(std::uint32_t input_tokens) override {
    input_tokens_ = input_tokens;
    started_ = true;
    std::string out;
    lifecycle(out, "response.created", responses_status::in_progress);
    lifecycle(out, "response.in_progress", responses_status::in_progress);
    return out;
  }

  std::string text(std::string_view delta) override {
    std::string out;
    if (delta.empty())
      return out;
    if (!open_ || items_[*open_].kind != item_kind::message)
      open_message(out);
    auto index = *open_;
    items_[index].text.append(delta);
    auto w = begin_event(out, "response.output_text.delta");
    w.field("item_id", std::string_view{items_[index].id});
    w.field("output_index", index);
    w.field("content_index", 0);
    w.field("delta", delta);
    w.key("logprobs").begin_array().end_array();
    end_event(w, out);
    return out;
  }

  std::string tool_call(std::uint32_t index, std::string_view id,
                        std::string_view name,
                        std::string_view arguments) override {
    std::string out;
    if (index >= calls_.size())
      calls_.resize(index + 1);
    if (!calls_[index])
      calls_[index] = open_call(out, index, id, name);
    auto item = *calls_[index];
    auto& call = items_[item];
    if (call.name.empty())
      call.name.assign(name);
    if (arguments.empty())
      return out;
    call.arguments.append(arguments);
    auto w = begin_event(out, "response.function_call_arguments.delta");
    w.field("item_id", std::string_view{call.id});
    w.field("output_index", item);
    w.field("delta", arguments);
    end_event(w, out);
    return out;
  }

  std::string reasoning(std::string_view, std::string_view,
                        std::string_view) override {
    return {}; // see responses_api.hpp: no reasoning items
  }

  std::string redacted_reasoning(std::string_view, std::string_view) override {
    return {};
  }

  std::string finish(std::string_view finish_reason, std::uint32_t input_tokens,
                     std::uint32_t output_tokens) override {
    std::string out;
    auto [status, reason] = responses_status_for(finish_reason);
    // An empty answer still gets the one message item clients read, as
    // the plain body does.
    if (items_.empty())
      open_message(out);
    if (status == responses_status::incomplete)
      items_.back().incomplete = true;
    if (open_)
      close(out, *open_);
    if (input_tokens != 0)
      input_tokens_ = input_tokens;
    output_tokens_ = output_tokens;
    lifecycle(out,
              status == responses_status::completed ? "response.completed"
                                                    : "response.incomplete",
              status, reason);
    return out;
  }

  std::string error(std::string_view type, std::string_view message) override {
    std::string out;
    // ResponseError's codes: only these two fit a routed call's failure.
    std::string_view code = type == "rate_limit_error" ? "rate_limit_exceeded"
                                                       : "server_error";
    if (started_)
      lifecycle(out, "response.failed", responses_status::failed, {}, code,
                message);
    // The `error` event is what makes the SDK's stream throw; it carries
    // the fields flat (the published event type) and nested (first-party).
    auto w = begin_event(out, "error");
    w.field("code", type);
    w.field("message", message);
    w.key("param").null();
    w.key("error").begin_object();
    w.field("type", type);
    w.field("code", type);
    w.field("message", message);
    w.key("param").null();
    w.end_object();
    end_event(w, out);
    return out;
  }

 private:
  /// Writes `event: <type>` and opens the data object with its type and
  /// sequence number; end_event closes it.
  json_writer begin_event(std::string& out, std::string_view type) {
    out += "event: ";
    out += type;
    out += "\ndata: ";
    json_writer w{out};
    w.begin_object();
    w.field("type", type);
    w.field("sequence_number", sequence_++);
    return w;
  }

  static void end_event(json_writer& w, std::string& out) {
    w.end_object();
    out += "\n\n";
  }

  void lifecycle(std::string& out, std::string_view type,
                 responses_status status, std::string_view reason = {},
                 std::string_view error_code = {},
                 std::string_view error_message = {}) {
    responses_snapshot s;
    s.id = id_;
    s.model = model_;
    s.created = created_;
    s.status = status;
    s.incomplete_reason = reason;
    s.error_code = error_code;
    s.error_message = error_message;
    s.output = &items_;
    if (status != responses_status::in_progress) {
      s.input_tokens = input_tokens_;
      s.output_tokens = output_tokens_;
    }
    auto w = begin_event(out, type);
    w.key("response");
    write_responses_object(w, s, echo_);
    end_event(w, out);
  }

  /// Finishes the open item, then adds `item` and announces it.
  std::size_t add_item(std::string& out, responses_output_item item) {
    if (open_)
      close(out, *open_);
    auto index = items_.size();
    items_.push_back(std::move(item));
    open_ = index;
    auto w = begin_event(out, "response.output_item.added");
    w.field("output_index", index);
    w.key("item");
    write_responses_item(w, items_[index], true);
    end_event(w, out);
    return index;
  }

  void open_message(std::string& out) {
    responses_output_item m;
    m.id = responses_item_id("msg", id_, items_.size());
    auto index = add_item(out, std::move(m));
    auto w = begin_event(out, "response.content_part.added");
    w.field("item_id", std::string_view{items_[index].id});
    w.field("output_index", index);
    w.field("content_index", 0);
    write_part(w, {});
    end_event(w, out);
  }

  std::size_t open_call(std::string& out, std::uint32_t position,
                        std::string_view id, std::string_view name) {
    responses_output_item c;
    c.kind = item_kind::function_call;
    c.id = responses_item_id("fc", id_, items_.size());
    // The gateway hands over client-visible ids; a provider that sent none
    // still needs one the client can answer (the SDK requires call_id).
    c.call_id = id.empty() ? engine::tool_call_ids::tag(
                  engine::tool_call_ids::synthesize(decision_id(), position),
                  model_)
                           : std::string{id};
    c.name.assign(name);
    return add_item(out, std::move(c));
  }

  static void write_part(json_writer& w, std::string_view text) {
    w.key("part").begin_object();
    w.field("type", "output_text");
    w.field("text", text);
    w.key("annotations").begin_array().end_array();
    w.end_object();
  }

  /// The `...done` events of item `index`, in the official order.
  void close(std::string& out, std::size_t index) {
    auto& item = items_[index];
    item.done = true;
    if (open_ == index)
      open_.reset();
    if (item.kind == item_kind::message) {
      auto w = begin_event(out, "response.output_text.done");
      w.field("item_id", std::string_view{item.id});
      w.field("output_index", index);
      w.field("content_index", 0);
      w.field("text", std::string_view{item.text});
      w.key("logprobs").begin_array().end_array();
      end_event(w, out);
      auto p = begin_event(out, "response.content_part.done");
      p.field("item_id", std::string_view{item.id});
      p.field("output_index", index);
      p.field("content_index", 0);
      write_part(p, item.text);
      end_event(p, out);
    } else {
      auto w = begin_event(out, "response.function_call_arguments.done");
      w.field("item_id", std::string_view{item.id});
      w.field("output_index", index);
      w.field("name", std::string_view{item.name});
      w.field("arguments", item.arguments.empty()
                             ? std::string_view{"{}"}
                             : std::string_view{item.arguments});
      end_event(w, out);
    }
    auto w = begin_event(out, "response.output_item.done");
    w.field("output_index", index);
    w.key("item");
    write_responses_item(w, item, false);
    end_event(w, out);
  }

  /// The decision id inside `resp_<hex>`, for synthesised call ids.
  [[nodiscard]] std::uint64_t decision_id() const {
    auto hex = std::string_view{id_};
    if (hex.substr(0, 5) == "resp_")
      hex.remove_prefix(5);
    return parse_decision_id("dec_" + std::string{hex}).value_or(0);
  }

  std::string id_;
  std::string model_;
  std::int64_t created_;
  responses_echo echo_;
  std::vector<responses_output_item> items_;
  /// The output index of each tool call, by its position in the answer.
  std::vector<std::optional<std::size_t>> calls_;
  /// The item still receiving deltas, if any.
  std::optional<std::size_t> open_;
  std::uint64_t sequence_ = 0;
  std::uint32_t input_tokens_ = 0;
  std::uint32_t output_tokens_ = 0;
  bool started_ = false;
};

} // namespace

std::unique_ptr<stream_encoder>
make_responses_encoder(std::string response_id, std::string model,
                       std::int64_t created, const chat_request& request) {
  return std::make_unique<responses_stream_encoder>(
    std::move(response_id), std::move(model), created, request);
}

} // namespace switchyard::gateway
