// Decoding the simulator's answers, one format at a time (see
// sim_wire_client.hpp).
#include "sim_wire_client.hpp"

namespace switchyard::testing {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;

void append_arguments(wire_answer& a, const std::string& piece) {
  if (a.calls.empty() || piece.empty())
    return;
  a.calls.back().arguments += piece;
  ++a.calls.back().fragments;
}

void fold_openai(bool stream, element e, wire_answer& a) {
  auto choice = e["choices"].at(0);
  if (choice.error())
    return; // the usage chunk
  auto message = choice[stream ? "delta" : "message"];
  a.text += str(message["content"]);
  array calls;
  if (!message["tool_calls"].get(calls))
    for (auto c : calls) {
      std::uint64_t index = a.calls.size();
      if (stream && c["index"].get(index))
        index = a.calls.size();
      if (!stream || index >= a.calls.size())
        a.calls.push_back({str(c["id"]), str(c["function"]["name"]), {}, 0});
      auto& call = a.calls[std::min<std::size_t>(index, a.calls.size() - 1)];
      auto args = str(c["function"]["arguments"]);
      if (!args.empty()) {
        call.arguments += args;
        ++call.fragments;
      }
    }
  auto finish = str(choice["finish_reason"]);
  if (!finish.empty())
    a.finish = finish;
}

void fold_anthropic(bool stream, element e, wire_answer& a) {
  if (!stream) {
    array blocks;
    if (!e["content"].get(blocks))
      for (auto b : blocks) {
        if (str(b["type"]) == "text")
          a.text += str(b["text"]);
        else if (str(b["type"]) == "tool_use")
          a.calls.push_back(
            {str(b["id"]), str(b["name"]), compact(b["input"]), 1});
      }
    a.finish = str(e["stop_reason"]);
    return;
  }
  auto type = str(e["type"]);
  if (type == "content_block_start"
      && str(e["content_block"]["type"]) == "tool_use") {
    a.calls.push_back(
      {str(e["content_block"]["id"]), str(e["content_block"]["name"]), {}, 0});
  } else if (type == "content_block_delta") {
    auto delta_type = str(e["delta"]["type"]);
    if (delta_type == "text_delta")
      a.text += str(e["delta"]["text"]);
    else if (delta_type == "input_json_delta")
      append_arguments(a, str(e["delta"]["partial_json"]));
  } else if (type == "message_delta") {
    a.finish = str(e["delta"]["stop_reason"]);
  }
}

void fold_gemini(element e, wire_answer& a) {
  auto candidate = e["candidates"].at(0);
  array parts;
  if (!candidate["content"]["parts"].get(parts))
    for (auto p : parts) {
      a.text += str(p["text"]);
      element call;
      if (!p["functionCall"].get(call))
        a.calls.push_back(
          {str(call["id"]), str(call["name"]), compact(call["args"]), 1});
    }
  auto finish = str(candidate["finishReason"]);
  if (!finish.empty())
    a.finish = finish;
}

void fold_cohere(bool stream, element e, wire_answer& a) {
  if (!stream) {
    array content;
    if (!e["message"]["content"].get(content))
      for (auto c : content)
        a.text += str(c["text"]);
    array calls;
    if (!e["message"]["tool_calls"].get(calls))
      for (auto c : calls)
        a.calls.push_back({str(c["id"]), str(c["function"]["name"]),
                           str(c["function"]["arguments"]), 1});
    a.finish = str(e["finish_reason"]);
    return;
  }
  auto type = str(e["type"]);
  auto message = e["delta"]["message"];
  if (type == "content-delta") {
    a.text += str(message["content"]["text"]);
  } else if (type == "tool-call-start") {
    auto call = message["tool_calls"];
    a.calls.push_back({str(call["id"]), str(call["function"]["name"]), {}, 0});
    append_arguments(a, str(call["function"]["arguments"]));
  } else if (type == "tool-call-delta") {
    append_arguments(a, str(message["tool_calls"]["function"]["arguments"]));
  } else if (type == "message-end") {
    a.finish = str(e["delta"]["finish_reason"]);
  }
}

void fold_ollama(element e, wire_answer& a) {
  a.text += str(e["message"]["content"]);
  array calls;
  if (!e["message"]["tool_calls"].get(calls))
    for (auto c : calls)
      a.calls.push_back({str(c["id"]), str(c["function"]["name"]),
                         compact(c["function"]["arguments"]), 1});
  auto finish = str(e["done_reason"]);
  if (!finish.empty())
    a.finish = finish;
}

} // namespace

void fold(engine::provider_kind kind, bool stream, element e, wire_answer& a) {
  switch (kind) {
    case engine::provider_kind::openai: return fold_openai(stream, e, a);
    case engine::provider_kind::anthropic: return fold_anthropic(stream, e, a);
    case engine::provider_kind::gemini: return fold_gemini(e, a);
    case engine::provider_kind::cohere: return fold_cohere(stream, e, a);
    case engine::provider_kind::ollama: return fold_ollama(e, a);
  }
}

} // namespace switchyard::testing
