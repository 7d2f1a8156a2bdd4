#pragma once

#include "json_support.hpp"
#include "switchyard/engine/tool_call_assembler.hpp"
#include "switchyard/providers/provider_client.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::providers::detail {

/// Decodes an answer's tool calls, whole or streamed, from whatever a wire
/// format sends: fragments numbered by `index` (OpenAI, Cohere, Anthropic's
/// content blocks), fragments matched by id or position (OpenAI-compatible
/// servers that omit `index`), and calls sent whole (Gemini, Ollama). The
/// engine's tool_call_assembler places each one; every fragment goes on as
/// a chunk the moment it is placed. The answer's other non-text parts
/// (reasoning) keep their place among the calls, so every format hands
/// `result.content` over the same way.
class tool_call_decoder {
 public:
  using fragment = engine::tool_call_assembler::fragment;
  using placement = engine::tool_call_assembler::placement;

  // -- reading calls in OpenAI's shape ----------------------------------------

  /// Reads one call object in OpenAI's shape, `{"index", "id", "type",
  /// "function": {"name", "arguments"}}`: the stream fragments of OpenAI and
  /// Cohere, and whole calls from OpenAI, Cohere and Ollama. `arguments` is
  /// JSON text in a string; an object (Ollama, a few OpenAI-compatible
  /// servers) is taken as it is. The views point into the document. A call
  /// not in this shape fails `result` as malformed, naming the field, and
  /// its error is returned.
  static error_code read(od::value& call, fragment& out,
                         engine::call_result& result);

  /// Reads `calls`, an array of such calls (null for none), calling
  /// `on_call(fragment&)` for each in order.
  template<class OnCall>
  static error_code
  read_each(od::value& calls, engine::call_result& result, OnCall&& on_call) {
    if (is_null(calls))
      return simdjson::SUCCESS;
    od::array items;
    if (auto e = calls.get_array().get(items))
      return fail_read(result, "tool_calls is not an array", e);
    return for_each_element(items, [&](od::value& call) -> error_code {
      fragment f;
      if (auto e = read(call, f, result))
        return e;
      on_call(f);
      return simdjson::SUCCESS;
    });
  }

  // -- placing calls ----------------------------------------------------------

  /// Places a fragment (by `index`, else by id, else it continues the newest
  /// call) and passes it on when it starts a call or carries arguments.
  placement add(const fragment& f, const chunk_callback& on_chunk);

  /// Places a call sent whole (its `index` is not read): always a new call,
  /// named `call_<position>` when it came without an id (unique within the
  /// answer), with arguments "{}" when it has none. `signature` is a
  /// provider's signature on the call (Gemini's thought signature), kept to
  /// be sent back.
  placement add_whole(const fragment& f, const chunk_callback& on_chunk,
                      std::string_view signature = {});

  // -- the answer's other parts -----------------------------------------------

  /// Adds a part (reasoning) after the calls started so far; returns its
  /// slot for `part`.
  std::size_t add_part(engine::content_part p);

  [[nodiscard]] engine::content_part& part(std::size_t slot) {
    return parts_[slot];
  }

  /// The newest addition when it is a part, not a call; else null.
  [[nodiscard]] engine::content_part* newest_part() noexcept;

  // -- the answer -------------------------------------------------------------

  [[nodiscard]] bool has_calls() const noexcept {
    return !calls_.empty();
  }

  /// Turns a normalised "stop" into "tool_calls" once calls were made
  /// (Gemini, Cohere and some OpenAI-compatible servers say stop after
  /// calling tools).
  void adjust_finish_reason(std::string& reason) const;

  /// Appends the parts and the finished calls (arguments "{}" where none
  /// came) to `out`, in the order they started; leaves the decoder empty.
  void take_into(std::vector<engine::content_part>& out);

 private:
  /// Fails `result` as malformed: "<what> (<simdjson's reason>)".
  static error_code fail_read(engine::call_result& result,
                              std::string_view what, error_code e);

  /// Passes a placed fragment on: the call's position, its id and name when
  /// the fragment started it, and `arguments` (the piece that came).
  void emit(placement at, std::string_view arguments,
            const chunk_callback& on_chunk) const;

  engine::tool_call_assembler calls_;
  std::vector<engine::content_part> parts_;
  /// Each call's signature by position; shorter when the last have none.
  std::vector<std::string> signatures_;
  /// The calls and parts in the order they started: (is a call, position
  /// in calls_ or slot in parts_).
  std::vector<std::pair<bool, std::size_t>> order_;
};

} // namespace switchyard::providers::detail
