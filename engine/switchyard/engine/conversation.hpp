#pragma once

// The one model of an agent conversation (../shared/DESIGN.md,
// "Conversations"). Every ingress API parses into it, every provider adapter
// writes its own format from it and parses its answer back into it, and the
// decision log stores it. std only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

// -- content parts -------------------------------------------------------------

enum class part_kind : std::uint8_t {
  text,
  /// `url` (http(s)), or base64 `data` with its `media_type`.
  image,
  /// `id`, `name`, `arguments` (JSON text).
  tool_call,
  /// `id` (the call it answers), `content` (parts), `is_error`.
  tool_result,
  /// `text` (the thinking), `signature` (Anthropic's, sent back next turn);
  /// `redacted` keeps Anthropic's redacted_thinking `data` opaque.
  reasoning,
};

inline constexpr std::string_view part_kind_names[] = {
  "text", "image", "tool_call", "tool_result", "reasoning"};

[[nodiscard]] constexpr std::string_view to_string(part_kind k) noexcept {
  return part_kind_names[static_cast<std::size_t>(k)];
}

/// One ordered piece of a message. A flat record rather than a variant, so
/// that it serialises (CAF, the decision log) with one field list; the
/// comments on `part_kind` say which fields each kind uses.
struct content_part {
  part_kind kind = part_kind::text;
  std::string text;
  /// image: an http(s) URL, empty when the bytes are inline.
  std::string url;
  /// image: "image/png", ...; required with `data`.
  std::string media_type;
  /// image: base64 bytes; reasoning: redacted_thinking's opaque data.
  std::string data;
  /// image: OpenAI's `detail` hint (auto, low, high); empty when unset.
  std::string detail;
  /// tool_call: the call id; tool_result: the id of the call it answers.
  std::string id;
  /// tool_call: the tool's name; tool_result: the tool's name when the
  /// ingress gave it (Gemini matches results by name).
  std::string name;
  /// tool_call: the arguments as a JSON text ("{}" when none).
  std::string arguments;
  /// tool_result: what the tool returned (text and images).
  std::vector<content_part> content;
  bool is_error = false;
  /// reasoning: Anthropic's signature, or Gemini's thought signature.
  std::string signature;
  bool redacted = false;
  /// Anthropic's `cache_control` object as JSON text; empty when unset.
  /// A hint: carried to Anthropic upstreams only.
  std::string cache_control;

  [[nodiscard]] static content_part make_text(std::string s) {
    content_part p;
    p.text = std::move(s);
    return p;
  }

  [[nodiscard]] static content_part
  make_tool_call(std::string id, std::string name, std::string arguments) {
    content_part p;
    p.kind = part_kind::tool_call;
    p.id = std::move(id);
    p.name = std::move(name);
    p.arguments = std::move(arguments);
    return p;
  }

  friend bool operator==(const content_part&, const content_part&) = default;
};

// -- messages ------------------------------------------------------------------

enum class message_role : std::uint8_t { system, developer, user, assistant, tool };

inline constexpr std::string_view message_role_names[] = {
  "system", "developer", "user", "assistant", "tool"};

[[nodiscard]] constexpr std::string_view to_string(message_role r) noexcept {
  return message_role_names[static_cast<std::size_t>(r)];
}

[[nodiscard]] std::optional<message_role>
parse_message_role(std::string_view s) noexcept;

/// One turn. A `tool` message holds tool_result parts (one per call it
/// answers); an `assistant` message may hold reasoning, text and tool_call
/// parts, in the order the model wrote them.
struct chat_message {
  message_role role = message_role::user;
  std::vector<content_part> parts;
  /// OpenAI's optional participant `name`.
  std::string name;

  [[nodiscard]] static chat_message make(message_role r, std::string text) {
    chat_message m;
    m.role = r;
    if (!text.empty())
      m.parts.push_back(content_part::make_text(std::move(text)));
    return m;
  }

  /// The text parts, joined by newlines (tool results and calls excluded).
  [[nodiscard]] std::string text() const;

  [[nodiscard]] bool is_instruction() const noexcept {
    return role == message_role::system || role == message_role::developer;
  }

  friend bool operator==(const chat_message&, const chat_message&) = default;
};

// -- request options -------------------------------------------------------------

/// A function the model may call.
struct tool_definition {
  std::string name;
  std::string description;
  /// The JSON Schema of the arguments, as JSON text; empty when absent.
  std::string parameters;
  std::optional<bool> strict;
  /// Anthropic's cache_control as JSON text (a hint; Anthropic only).
  std::string cache_control;

  friend bool operator==(const tool_definition&, const tool_definition&)
    = default;
};

enum class tool_choice_mode : std::uint8_t { unset, auto_, none, required, named };

inline constexpr std::string_view tool_choice_mode_names[] = {
  "unset", "auto", "none", "required", "named"};

struct tool_choice {
  tool_choice_mode mode = tool_choice_mode::unset;
  /// The tool's name when `named`.
  std::string name;

  friend bool operator==(const tool_choice&, const tool_choice&) = default;
};

enum class response_format_kind : std::uint8_t {
  unset,
  text,
  json_object,
  json_schema
};

inline constexpr std::string_view response_format_kind_names[] = {
  "unset", "text", "json_object", "json_schema"};

struct response_format {
  response_format_kind kind = response_format_kind::unset;
  /// json_schema: its name, the schema as JSON text, strict, description.
  std::string name;
  std::string schema;
  std::optional<bool> strict;
  std::string description;

  friend bool operator==(const response_format&, const response_format&)
    = default;
};

/// Everything a request asks of the model besides its messages, the output
/// limit, temperature and stop sequences (which task_spec and call_request
/// already carry).
struct request_options {
  std::vector<tool_definition> tools;
  tool_choice choice;
  std::optional<bool> parallel_tool_calls;
  response_format format;
  std::optional<std::int64_t> seed;
  std::optional<double> top_p;
  std::optional<std::uint32_t> top_k;
  std::optional<bool> logprobs;
  std::optional<std::uint32_t> top_logprobs;
  /// OpenAI's reasoning_effort (minimal, low, medium, high); empty when unset.
  std::string reasoning_effort;
  /// Anthropic's extended thinking budget in tokens; unset for off.
  std::optional<std::uint32_t> thinking_budget;
  /// The end user's id, for the provider's abuse monitoring.
  std::string user;
  /// Anthropic's cache_control on the system prompt, as JSON text.
  std::string system_cache_control;

  friend bool operator==(const request_options&, const request_options&)
    = default;
};

// -- what a conversation asks for ------------------------------------------------

/// A request field that not every upstream can express. The router filters
/// models that cannot express one a request uses (fail closed), and a forced
/// model that cannot is a 400 naming the field.
enum class request_field : std::uint8_t {
  tools,
  tool_choice_required,
  parallel_tool_calls_off,
  image_url,
  image_base64,
  json_object,
  json_schema,
  seed,
  top_k,
  logprobs,
  reasoning_effort,
  thinking,
  tool_result_image,
  /// tool_choice naming one tool (tool_choice_required is "must call one").
  tool_choice_named,
  /// tool_choice none while tools are offered.
  tool_choice_none,
  /// strict: true on a tool definition (schema-exact arguments).
  tool_strict,
};

inline constexpr std::string_view request_field_names[] = {
  "tools",           "tool_choice",        "parallel_tool_calls",
  "image_url",       "image (base64)",     "response_format.json_object",
  "response_format.json_schema", "seed",    "top_k",
  "logprobs",        "reasoning_effort",   "thinking",
  "tool_result image", "tool_choice (a named tool)", "tool_choice none",
  "tools[].strict"};

inline constexpr std::size_t request_field_count
  = sizeof(request_field_names) / sizeof(request_field_names[0]);

[[nodiscard]] constexpr std::string_view to_string(request_field f) noexcept {
  return request_field_names[static_cast<std::size_t>(f)];
}

/// The request fields a conversation uses, as a bit mask.
class request_field_set {
public:
  constexpr request_field_set() noexcept = default;
  constexpr explicit request_field_set(std::uint32_t bits) noexcept
    : bits_(bits) {
  }

  constexpr request_field_set& add(request_field f) noexcept {
    bits_ |= 1u << static_cast<unsigned>(f);
    return *this;
  }

  [[nodiscard]] constexpr bool has(request_field f) const noexcept {
    return (bits_ >> static_cast<unsigned>(f)) & 1u;
  }

  [[nodiscard]] constexpr bool empty() const noexcept {
    return bits_ == 0;
  }

  [[nodiscard]] constexpr std::uint32_t bits() const noexcept {
    return bits_;
  }

  friend constexpr bool operator==(request_field_set, request_field_set)
    = default;

  template <class Inspector>
  friend auto inspect(Inspector& f, request_field_set& x) {
    return f(x.bits_);
  }

private:
  std::uint32_t bits_ = 0;
};

/// Which fields of `options` and `messages` a request uses.
[[nodiscard]] request_field_set
used_fields(const std::vector<chat_message>& messages,
            const request_options& options) noexcept;

/// Whether the conversation already holds a tool call (an agent loop).
[[nodiscard]] bool holds_tool_calls(const std::vector<chat_message>& messages)
  noexcept;

/// The newest user turn's text: what the classifier reads (not the whole
/// transcript); empty when there is none.
[[nodiscard]] std::string
newest_user_text(const std::vector<chat_message>& messages);

/// Bytes of text a conversation sends: message text, tool calls' arguments,
/// tool results' text, and the tools' names, descriptions and schemas.
/// Images are counted by `image_count`, not here.
[[nodiscard]] std::size_t
conversation_text_bytes(const std::vector<chat_message>& messages,
                        const request_options& options) noexcept;

/// How many images the conversation holds (tool results included).
[[nodiscard]] std::size_t
image_count(const std::vector<chat_message>& messages) noexcept;

} // namespace switchyard::engine
