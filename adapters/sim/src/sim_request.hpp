#pragma once

// What the simulator reads from a request in any of the five wire formats:
// enough to answer it the way the real API would (a tool call, a text
// answer to a tool result, JSON for a schema) and to count what reached it.

#include "switchyard/engine/registry.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim::detail {

/// A tool the request offers.
struct tool_decl {
  std::string name;
  /// Its parameters' JSON schema, minified; empty when it declares none.
  std::string parameters;
};

/// A tool result in the conversation and where it sits, for the error
/// that refuses it.
struct tool_result_ref {
  /// The call id it answers; empty in Gemini and Ollama, which have none.
  std::string id;
  /// The tool it names (Gemini's functionResponse.name, Ollama's
  /// tool_name); empty where the format names none.
  std::string name;
  /// The field, in the format's own error notation (e.g.
  /// "messages.[3].tool_call_id" for OpenAI, "messages.2.content.0" for
  /// Anthropic).
  std::string where;
};

/// Whether the answer may or must call a tool.
enum class tool_mode : std::uint8_t {
  automatic, ///< at the model's `tool_call_rate`
  none,      ///< never
  required,  ///< always (OpenAI required or named, Anthropic any or tool,
             ///< Gemini ANY, Cohere REQUIRED)
};

/// The answer's form, from the request's structured-output field.
enum class answer_form : std::uint8_t { text, json };

/// Images received, counted apart by how they came.
struct image_tally {
  /// Base64 images, and their decoded size.
  std::uint64_t inline_images = 0;
  std::uint64_t inline_bytes = 0;
  /// Images sent by URL (or Gemini file reference), never fetched.
  std::uint64_t url_images = 0;
};

struct parsed_request {
  engine::provider_kind kind = engine::provider_kind::openai;
  std::string model;
  bool stream = false;
  /// OpenAI's stream_options.include_usage.
  bool include_usage = false;
  /// The request's output limit; 0 when it set none.
  std::uint32_t max_tokens = 0;
  /// Estimated from the message text (4 bytes a token).
  std::uint32_t input_tokens = 0;

  std::vector<tool_decl> tools;
  tool_mode choice = tool_mode::automatic;
  /// The tools a call may pick (a named choice is a list of one); empty
  /// for all of them.
  std::vector<std::string> allowed;
  /// Every tool result in the conversation, in order.
  std::vector<tool_result_ref> tool_results;
  /// The last turn holds a tool result: the answer is text.
  bool ends_with_tool_result = false;

  answer_form form = answer_form::text;
  /// The requested JSON schema, minified; empty for "any JSON object".
  std::string schema;

  image_tally images;
};

/// The wire format served at `path`, if any.
bool route(std::string_view path, engine::provider_kind& kind);

/// Reads what the simulator needs from a request; false with `why` when
/// the body is not what the format expects.
bool parse_request(engine::provider_kind kind, std::string_view path,
                   std::string_view body, parsed_request& out,
                   std::string& why);

/// A request the real API would refuse before generating anything.
struct refusal {
  std::string message;
  /// OpenAI's `param`; empty for null.
  std::string param;
};

/// Checks the request's tool_choice against its tools; false with `out`
/// when it names a tool the request does not offer.
bool check_tool_choice(const parsed_request& req, refusal& out);

/// Decodes the length of a base64 text without decoding it (padding,
/// whitespace and both alphabets allowed).
std::uint64_t base64_decoded_size(std::string_view text) noexcept;

} // namespace switchyard::sim::detail
