// Answers in Anthropic's Messages shape, plain and streamed, whichever
// provider made them: tool calls as tool_use blocks, and thinking blocks
// only for reasoning an Anthropic upstream made (its signature means
// nothing elsewhere).

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/request_parsing.hpp"
#include "switchyard/gateway/stream_format.hpp"

#include <algorithm>
#include <vector>

namespace switchyard::gateway {

namespace {

using engine::json_writer;
using engine::part_kind;

constexpr std::string_view anthropic_source = "anthropic";

std::string_view stop_reason(std::string_view finish, bool has_tool_calls) {
  auto f = client_finish_reason(finish, has_tool_calls);
  if (f == "length")
    return "max_tokens";
  if (f == "tool_calls")
    return "tool_use";
  if (f == "content_filter")
    return "refusal";
  return "end_turn";
}

class anthropic_encoder final : public stream_encoder {
 public:
  anthropic_encoder(std::string id, std::string model)
      : id_(std::move(id)), model_(std::move(model)) {}

  std::string start(std::uint32_t input_tokens) override {
    std::string json;
    json_writer w{json};
    w.begin_object();
    w.field("type", "message_start");
    w.key("message").begin_object();
    w.field("id", std::string_view{id_});
    w.field("type", "message");
    w.field("role", "assistant");
    w.field("model", std::string_view{model_});
    w.key("content").begin_array().end_array();
    w.key("stop_reason").null();
    w.key("stop_sequence").null();
    w.key("usage").begin_object();
    w.field("input_tokens", input_tokens);
    w.field("output_tokens", 0);
    w.end_object();
    w.end_object().end_object();
    return sse_event("message_start", json);
  }

  std::string text(std::string_view delta) override {
    std::string out;
    if (open_ != block::text)
      out += open_block(block::text, [](json_writer& w) {
        w.field("type", "text");
        w.field("text", "");
      });
    out += delta_event([delta](json_writer& w) {
      w.field("type", "text_delta");
      w.field("text", delta);
    });
    return out;
  }

  std::string tool_call(std::uint32_t index, std::string_view id,
                        std::string_view name,
                        std::string_view arguments) override {
    saw_tool_call_ = true;
    std::string out;
    if (index >= tool_blocks_.size())
      tool_blocks_.resize(index + 1, -1);
    if (tool_blocks_[index] < 0) {
      out += open_block(block::tool, [id, name](json_writer& w) {
        w.field("type", "tool_use");
        w.field("id", id);
        w.field("name", name);
        w.key("input").begin_object().end_object();
      });
      tool_blocks_[index] = open_index_;
    }
    if (!arguments.empty())
      // A fragment of a call whose block another block already closed
      // (fragments of several calls interleaved) still names its own
      // block's index.
      out += delta_event(
        [arguments](json_writer& w) {
          w.field("type", "input_json_delta");
          w.field("partial_json", arguments);
        },
        tool_blocks_[index]);
    return out;
  }

  std::string reasoning(std::string_view delta, std::string_view signature,
                        std::string_view source) override {
    if (source != anthropic_source)
      return {}; // the model's own, or another provider's signed block
    std::string out;
    if (open_ != block::thinking)
      out += open_block(block::thinking, [](json_writer& w) {
        w.field("type", "thinking");
        w.field("thinking", "");
      });
    if (!delta.empty())
      out += delta_event([delta](json_writer& w) {
        w.field("type", "thinking_delta");
        w.field("thinking", delta);
      });
    if (!signature.empty()) {
      out += delta_event([signature](json_writer& w) {
        w.field("type", "signature_delta");
        w.field("signature", signature);
      });
      // The signature ends the block: more thinking is a new one.
      out += close_block();
    }
    return out;
  }

  std::string redacted_reasoning(std::string_view data,
                                 std::string_view source) override {
    if (source != anthropic_source)
      return {};
    auto out = open_block(block::redacted, [data](json_writer& w) {
      w.field("type", "redacted_thinking");
      w.field("data", data);
    });
    out += close_block();
    return out;
  }

  std::string finish(std::string_view finish_reason, std::uint32_t input_tokens,
                     std::uint32_t output_tokens) override {
    auto out = close_block();
    std::string json;
    json_writer d{json};
    d.begin_object();
    d.field("type", "message_delta");
    d.key("delta").begin_object();
    d.field("stop_reason", stop_reason(finish_reason, saw_tool_call_));
    d.key("stop_sequence").null();
    d.end_object();
    d.key("usage").begin_object();
    d.field("input_tokens", input_tokens);
    d.field("output_tokens", output_tokens);
    d.end_object();
    d.end_object();
    out += sse_event("message_delta", json);
    out += sse_event("message_stop", R"({"type":"message_stop"})");
    return out;
  }

  std::string error(std::string_view type, std::string_view message) override {
    std::string json;
    json_writer w{json};
    w.begin_object();
    w.field("type", "error");
    w.key("error").begin_object();
    w.field("type", type);
    w.field("message", message);
    w.end_object().end_object();
    return sse_event("error", json);
  }

 private:
  enum class block { none, text, tool, thinking, redacted };

  /// Closes the open block and opens the next one, whose fields `fill`
  /// writes into `content_block`.
  template<class Fill>
  std::string open_block(block kind, Fill fill) {
    auto out = close_block();
    open_ = kind;
    open_index_ = next_index_++;
    std::string json;
    json_writer w{json};
    w.begin_object();
    w.field("type", "content_block_start");
    w.field("index", open_index_);
    w.key("content_block").begin_object();
    fill(w);
    w.end_object().end_object();
    out += sse_event("content_block_start", json);
    return out;
  }

  std::string close_block() {
    if (open_ == block::none)
      return {};
    open_ = block::none;
    std::string json;
    json_writer w{json};
    w.begin_object();
    w.field("type", "content_block_stop");
    w.field("index", open_index_);
    w.end_object();
    return sse_event("content_block_stop", json);
  }

  template<class Fill>
  std::string delta_event(Fill fill, int index = -1) {
    std::string json;
    json_writer w{json};
    w.begin_object();
    w.field("type", "content_block_delta");
    w.field("index", index < 0 ? open_index_ : index);
    w.key("delta").begin_object();
    fill(w);
    w.end_object().end_object();
    return sse_event("content_block_delta", json);
  }

  std::string id_;
  std::string model_;
  block open_ = block::none;
  int open_index_ = -1;
  int next_index_ = 0;
  /// The block index of each tool call (by its index in the answer).
  std::vector<int> tool_blocks_;
  bool saw_tool_call_ = false;
};

} // namespace

std::unique_ptr<stream_encoder> make_anthropic_encoder(std::string id,
                                                       std::string model) {
  return std::make_unique<anthropic_encoder>(std::move(id), std::move(model));
}

rendered_body anthropic_message_body(const task_reply& r,
                                     const engine::registry& reg) {
  std::string out;
  out.reserve(r.text.size() + 320);
  json_writer w{out};
  bool calls = false;
  w.begin_object();
  w.field("id", "msg_" + decision_ref(r.decision_id).substr(4));
  w.field("type", "message");
  w.field("role", "assistant");
  w.field("model", std::string_view{reg.models[r.model].id});
  w.key("content").begin_array();
  bool any = false;
  for (const auto& p : r.content) {
    if (p.kind != part_kind::reasoning || p.name != anthropic_source)
      continue;
    w.begin_object();
    if (p.redacted) {
      w.field("type", "redacted_thinking");
      w.field("data", std::string_view{p.data});
    } else {
      w.field("type", "thinking");
      w.field("thinking", std::string_view{p.text});
      w.field("signature", std::string_view{p.signature});
    }
    w.end_object();
    any = true;
  }
  bool has_calls = std::any_of(r.content.begin(), r.content.end(),
                               [](const auto& p) {
                                 return p.kind == part_kind::tool_call;
                               });
  if (!r.text.empty() || (!any && !has_calls)) {
    w.begin_object();
    w.field("type", "text");
    w.field("text", std::string_view{r.text});
    w.end_object();
  }
  for (const auto& p : r.content) {
    if (p.kind != part_kind::tool_call)
      continue;
    std::string_view input = p.arguments.empty()
                               ? std::string_view{"{}"}
                               : std::string_view{p.arguments};
    if (!is_json_object(input))
      return api_error{502, "api_error", "upstream_error",
                       "model returned invalid tool arguments (not a JSON "
                       "object) for tool '"
                         + p.name + "'"};
    w.begin_object();
    w.field("type", "tool_use");
    w.field("id", std::string_view{p.id});
    w.field("name", std::string_view{p.name});
    w.key("input").raw(input);
    w.end_object();
    calls = true;
  }
  w.end_array();
  w.field("stop_reason", stop_reason(r.finish_reason, calls));
  w.key("stop_sequence").null();
  w.key("usage").begin_object();
  w.field("input_tokens", r.input_tokens);
  w.field("output_tokens", r.output_tokens);
  w.end_object();
  w.end_object();
  return out;
}

} // namespace switchyard::gateway
