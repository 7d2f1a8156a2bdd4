// Answers in OpenAI's Chat Completions shape, plain and streamed, whichever
// provider made them.

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/stream_format.hpp"

#include <algorithm>

namespace switchyard::gateway {

namespace {

using engine::json_writer;
using engine::part_kind;

bool has_tool_calls(const task_reply& r) {
  return std::any_of(r.content.begin(), r.content.end(), [](const auto& p) {
    return p.kind == part_kind::tool_call;
  });
}

class openai_encoder final : public stream_encoder {
 public:
  openai_encoder(std::string id, std::string model, std::int64_t created,
                 bool include_usage)
      : id_(std::move(id)),
        model_(std::move(model)),
        created_(created),
        include_usage_(include_usage) {}

  std::string start(std::uint32_t) override {
    std::string json;
    json_writer w{json};
    open_chunk(w);
    w.key("delta").begin_object();
    w.field("role", "assistant");
    w.field("content", "");
    w.end_object();
    close_chunk(w, {});
    return sse_data(json);
  }

  std::string text(std::string_view delta) override {
    std::string json;
    json_writer w{json};
    open_chunk(w);
    w.key("delta").begin_object().field("content", delta).end_object();
    close_chunk(w, {});
    return sse_data(json);
  }

  std::string tool_call(std::uint32_t index, std::string_view id,
                        std::string_view name,
                        std::string_view arguments) override {
    saw_tool_call_ = true;
    std::string json;
    json_writer w{json};
    open_chunk(w);
    w.key("delta").begin_object().key("tool_calls").begin_array();
    w.begin_object();
    w.field("index", index);
    if (!id.empty()) {
      w.field("id", id);
      w.field("type", "function");
    }
    w.key("function").begin_object();
    if (!name.empty())
      w.field("name", name);
    w.field("arguments", arguments);
    w.end_object();
    w.end_object();
    w.end_array().end_object();
    close_chunk(w, {});
    return sse_data(json);
  }

  std::string reasoning(std::string_view, std::string_view,
                        std::string_view) override {
    return {}; // the model's own: not part of a chat completion
  }

  std::string redacted_reasoning(std::string_view, std::string_view) override {
    return {};
  }

  std::string finish(std::string_view finish_reason, std::uint32_t input_tokens,
                     std::uint32_t output_tokens) override {
    std::string json;
    json_writer w{json};
    open_chunk(w);
    w.key("delta").begin_object().end_object();
    close_chunk(w, client_finish_reason(finish_reason, saw_tool_call_));
    auto out = sse_data(json);
    if (include_usage_) {
      json.clear();
      json_writer u{json};
      u.begin_object();
      u.field("id", std::string_view{id_});
      u.field("object", "chat.completion.chunk");
      u.field("created", created_);
      u.field("model", std::string_view{model_});
      u.key("choices").begin_array().end_array();
      u.key("usage").begin_object();
      u.field("prompt_tokens", input_tokens);
      u.field("completion_tokens", output_tokens);
      u.field("total_tokens", input_tokens + output_tokens);
      u.end_object().end_object();
      out += sse_data(json);
    }
    out += "data: [DONE]\n\n";
    return out;
  }

  std::string error(std::string_view type, std::string_view message) override {
    std::string json;
    json_writer w{json};
    w.begin_object().key("error").begin_object();
    w.field("message", message);
    w.field("type", type);
    w.end_object().end_object();
    // No [DONE]: a client must not take an error for a complete answer.
    return sse_data(json);
  }

 private:
  /// Opens a `chat.completion.chunk` up to its one choice's `delta`.
  void open_chunk(json_writer& w) const {
    w.begin_object();
    w.field("id", std::string_view{id_});
    w.field("object", "chat.completion.chunk");
    w.field("created", created_);
    w.field("model", std::string_view{model_});
    w.key("choices").begin_array().begin_object();
    w.field("index", 0);
  }

  static void close_chunk(json_writer& w, std::string_view finish_reason) {
    w.key("finish_reason");
    if (finish_reason.empty())
      w.null();
    else
      w.value(finish_reason);
    w.end_object().end_array();
    w.end_object();
  }

  std::string id_;
  std::string model_;
  std::int64_t created_;
  bool include_usage_;
  bool saw_tool_call_ = false;
};

} // namespace

std::unique_ptr<stream_encoder>
make_openai_encoder(std::string id, std::string model, std::int64_t created,
                    bool include_usage) {
  return std::make_unique<openai_encoder>(std::move(id), std::move(model),
                                          created, include_usage);
}

std::string openai_completion_body(const task_reply& r,
                                   const engine::registry& reg,
                                   std::int64_t created) {
  std::string out;
  out.reserve(r.text.size() + 384);
  json_writer w{out};
  bool calls = has_tool_calls(r);
  w.begin_object();
  w.field("id", "chatcmpl-" + decision_ref(r.decision_id).substr(4));
  w.field("object", "chat.completion");
  w.field("created", created);
  w.field("model", std::string_view{reg.models[r.model].id});
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.key("content");
  if (r.text.empty() && calls)
    w.null();
  else
    w.value(std::string_view{r.text});
  if (calls) {
    w.key("tool_calls").begin_array();
    for (const auto& p : r.content) {
      if (p.kind != part_kind::tool_call)
        continue;
      w.begin_object();
      w.field("id", std::string_view{p.id});
      w.field("type", "function");
      w.key("function").begin_object();
      w.field("name", std::string_view{p.name});
      w.field("arguments", std::string_view{p.arguments.empty()
                                              ? std::string_view{"{}"}
                                              : std::string_view{p.arguments}});
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.key("logprobs").null();
  w.field("finish_reason", client_finish_reason(r.finish_reason, calls));
  w.end_object().end_array();
  w.key("usage").begin_object();
  w.field("prompt_tokens", r.input_tokens);
  w.field("completion_tokens", r.output_tokens);
  w.field("total_tokens", r.input_tokens + r.output_tokens);
  w.end_object();
  w.end_object();
  return out;
}

} // namespace switchyard::gateway
