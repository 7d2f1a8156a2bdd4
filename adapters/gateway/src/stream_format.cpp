#include "switchyard/gateway/stream_format.hpp"

#include "switchyard/engine/json_writer.hpp"

namespace switchyard::gateway {

namespace {

using engine::json_writer;

std::string data_line(const std::string& json) {
  return "data: " + json + "\n\n";
}

std::string event(std::string_view name, const std::string& json) {
  std::string out = "event: ";
  out.append(name);
  out += "\ndata: ";
  out += json;
  out += "\n\n";
  return out;
}

} // namespace

void sse_encoder::open_openai_chunk(engine::json_writer& w) const {
  w.begin_object();
  w.field("id", std::string_view{id_});
  w.field("object", "chat.completion.chunk");
  w.field("created", created_);
  w.field("model", std::string_view{model_});
}

std::string sse_encoder::start(std::uint32_t input_tokens) const {
  std::string json;
  json_writer w{json};
  if (format_ == api::openai) {
    open_openai_chunk(w);
    w.key("choices").begin_array().begin_object();
    w.field("index", 0);
    w.key("delta").begin_object();
    w.field("role", "assistant");
    w.field("content", "");
    w.end_object();
    w.key("finish_reason").null();
    w.end_object().end_array();
    w.end_object();
    return data_line(json);
  }
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
  auto out = event("message_start", json);
  json.clear();
  json_writer b{json};
  b.begin_object();
  b.field("type", "content_block_start");
  b.field("index", 0);
  b.key("content_block").begin_object();
  b.field("type", "text");
  b.field("text", "");
  b.end_object().end_object();
  out += event("content_block_start", json);
  return out;
}

std::string sse_encoder::delta(std::string_view text) const {
  std::string json;
  json_writer w{json};
  if (format_ == api::openai) {
    open_openai_chunk(w);
    w.key("choices").begin_array().begin_object();
    w.field("index", 0);
    w.key("delta").begin_object().field("content", text).end_object();
    w.key("finish_reason").null();
    w.end_object().end_array();
    w.end_object();
    return data_line(json);
  }
  w.begin_object();
  w.field("type", "content_block_delta");
  w.field("index", 0);
  w.key("delta").begin_object();
  w.field("type", "text_delta");
  w.field("text", text);
  w.end_object().end_object();
  return event("content_block_delta", json);
}

std::string sse_encoder::finish(std::string_view finish_reason,
                                std::uint32_t input_tokens,
                                std::uint32_t output_tokens) const {
  std::string json;
  json_writer w{json};
  if (format_ == api::openai) {
    open_openai_chunk(w);
    w.key("choices").begin_array().begin_object();
    w.field("index", 0);
    w.key("delta").begin_object().end_object();
    w.field("finish_reason", finish_reason == "length" ? "length" : "stop");
    w.end_object().end_array();
    w.end_object();
    auto out = data_line(json);
    if (include_usage_) {
      json.clear();
      json_writer u{json};
      open_openai_chunk(u);
      u.key("choices").begin_array().end_array();
      u.key("usage").begin_object();
      u.field("prompt_tokens", input_tokens);
      u.field("completion_tokens", output_tokens);
      u.field("total_tokens", input_tokens + output_tokens);
      u.end_object().end_object();
      out += data_line(json);
    }
    out += "data: [DONE]\n\n";
    return out;
  }
  w.begin_object();
  w.field("type", "content_block_stop");
  w.field("index", 0);
  w.end_object();
  auto out = event("content_block_stop", json);
  json.clear();
  json_writer d{json};
  d.begin_object();
  d.field("type", "message_delta");
  d.key("delta").begin_object();
  d.field("stop_reason", finish_reason == "length" ? "max_tokens" : "end_turn");
  d.key("stop_sequence").null();
  d.end_object();
  d.key("usage").begin_object().field("output_tokens", output_tokens).end_object();
  d.end_object();
  out += event("message_delta", json);
  out += event("message_stop", R"({"type":"message_stop"})");
  return out;
}

std::string sse_encoder::error(std::string_view type,
                               std::string_view message) const {
  std::string json;
  json_writer w{json};
  if (format_ == api::openai) {
    w.begin_object().key("error").begin_object();
    w.field("message", message);
    w.field("type", type);
    w.end_object().end_object();
    // No [DONE]: a client must not take an error for a complete answer.
    return data_line(json);
  }
  w.begin_object();
  w.field("type", "error");
  w.key("error").begin_object();
  w.field("type", type);
  w.field("message", message);
  w.end_object().end_object();
  return event("error", json);
}

} // namespace switchyard::gateway
