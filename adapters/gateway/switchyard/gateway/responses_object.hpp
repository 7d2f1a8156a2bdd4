#pragma once

// The OpenAI Responses API `response` object, shared by the plain body
// (responses_render.cpp) and the stream (responses_stream.cpp), so that a
// streamed response.completed and a plain answer are the same object.

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/api_formats.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::gateway {

/// One entry of a response's `output`: an assistant message (its text as
/// one output_text part) or a function call.
struct responses_output_item {
  enum class item_kind : std::uint8_t { message, function_call };

  item_kind kind = item_kind::message;
  /// `msg_...` or `fc_...`: unique within the response, which the official
  /// SDK checks while it accumulates a stream.
  std::string id;
  /// message: the text so far.
  std::string text;
  /// function_call: the id the client answers with (function_call_output).
  std::string call_id;
  std::string name;
  /// function_call: the arguments' JSON text so far.
  std::string arguments;
  /// Whether the item is finished (`completed`, or `incomplete` when the
  /// answer was cut); an unfinished one renders as `in_progress`.
  bool done = false;
  bool incomplete = false;
};

/// `prefix` + "_" + the response id's hex + "_" + the output index: unique
/// within the response and the same in the body and the stream.
[[nodiscard]] std::string responses_item_id(std::string_view prefix,
                                            std::string_view response_id,
                                            std::size_t output_index);

/// The request fields a response object echoes (the official SDK types
/// declare them), rendered once per request as JSON values.
struct responses_echo {
  std::string tools = "[]";
  std::string tool_choice = "\"auto\"";
  std::string text = R"({"format":{"type":"text"}})";
  std::string reasoning = "null";
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::uint32_t> max_output_tokens;
  bool parallel_tool_calls = true;
  std::string user;
  /// The request's `instructions`; empty: echoed as null.
  std::string instructions;

  [[nodiscard]] static responses_echo from(const chat_request& req);
};

enum class responses_status : std::uint8_t {
  in_progress,
  completed,
  incomplete,
  failed
};

/// Everything one rendering of the response object needs.
struct responses_snapshot {
  std::string_view id;
  std::string_view model;
  std::int64_t created = 0;
  responses_status status = responses_status::in_progress;
  /// incomplete: "max_output_tokens" or "content_filter".
  std::string_view incomplete_reason;
  /// failed: the ResponseError code and message.
  std::string_view error_code;
  std::string_view error_message;
  const std::vector<responses_output_item>* output = nullptr;
  /// Unset while in progress (`usage: null`).
  std::optional<std::uint32_t> input_tokens;
  std::uint32_t output_tokens = 0;
};

/// The status and incomplete reason a normalised finish reason maps to:
/// "length" is incomplete (max_output_tokens), "content_filter" incomplete
/// (content_filter), anything else completed.
[[nodiscard]] std::pair<responses_status, std::string_view>
responses_status_for(std::string_view finish_reason) noexcept;

/// Writes one output item. An unfinished message has no content yet and an
/// unfinished function call no arguments: that is the shape the SDK
/// expects in response.output_item.added, before the deltas fill them.
void write_responses_item(engine::json_writer& w,
                          const responses_output_item& item, bool as_added);

/// Writes the whole `response` object.
void write_responses_object(engine::json_writer& w, const responses_snapshot& s,
                            const responses_echo& echo);

} // namespace switchyard::gateway
