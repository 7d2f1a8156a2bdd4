// Reading requests whose content is typed blocks (Anthropic) or parts
// (Gemini).
#include "request_readers.hpp"

namespace switchyard::sim::detail {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;

// -- Anthropic
// ------------------------------------------------------------------

/// An image block: `{type: image, source: {type: base64, data} | {type:
/// url, url}}`.
void count_anthropic_image(element block, image_tally& t) {
  auto source = block["source"];
  auto type = string_or_empty(source["type"]);
  if (type == "base64") {
    ++t.inline_images;
    t.inline_bytes += base64_decoded_size(string_or_empty(source["data"]));
  } else if (type == "url") {
    ++t.url_images;
  }
}

/// Images inside a tool_result's content (only Anthropic carries them).
void count_nested_images(element block, image_tally& t) {
  array content;
  if (block["content"].get(content))
    return;
  for (auto b : content)
    if (string_or_empty(b["type"]) == "image")
      count_anthropic_image(b, t);
}

bool is_image_mime(std::string_view mime) noexcept {
  return mime.empty() || mime.substr(0, 6) == "image/";
}

} // namespace

void read_anthropic(element doc, parsed_request& out) {
  array messages;
  if (!doc["messages"].get(messages)) {
    std::size_t i = 0;
    bool last_has_result = false;
    for (auto m : messages) {
      last_has_result = false;
      array blocks;
      if (!m["content"].get(blocks)) {
        std::size_t j = 0;
        for (auto b : blocks) {
          auto type = string_or_empty(b["type"]);
          if (type == "image") {
            count_anthropic_image(b, out.images);
          } else if (type == "tool_result") {
            last_has_result = true;
            count_nested_images(b, out.images);
            out.tool_results.push_back(
              {std::string{string_or_empty(b["tool_use_id"])},
               {},
               "messages." + std::to_string(i) + ".content."
                 + std::to_string(j)});
          }
          ++j;
        }
      }
      ++i;
    }
    out.ends_with_tool_result = last_has_result;
  }
  array tools;
  if (!doc["tools"].get(tools))
    for (auto t : tools) {
      tool_decl d;
      d.name = std::string{string_or_empty(t["name"])};
      element schema;
      if (!t["input_schema"].get(schema))
        d.parameters = minified(schema);
      out.tools.push_back(std::move(d));
    }
  element choice;
  if (!doc["tool_choice"].get(choice)) {
    auto type = string_or_empty(choice["type"]);
    if (type == "none") {
      out.choice = tool_mode::none;
    } else if (type == "any") {
      out.choice = tool_mode::required;
    } else if (type == "tool") {
      out.choice = tool_mode::required;
      out.allowed.emplace_back(string_or_empty(choice["name"]));
    }
  }
}

// -- Gemini
// ---------------------------------------------------------------------

void read_gemini(element doc, parsed_request& out) {
  array contents;
  if (!doc["contents"].get(contents)) {
    std::size_t i = 0;
    bool last_has_response = false;
    for (auto c : contents) {
      last_has_response = false;
      array parts;
      if (!c["parts"].get(parts)) {
        std::size_t j = 0;
        for (auto p : parts) {
          element x;
          if (!either(p, "inlineData", "inline_data").get(x)) {
            if (is_image_mime(
                  string_or_empty(either(x, "mimeType", "mime_type")))) {
              ++out.images.inline_images;
              out.images.inline_bytes
                += base64_decoded_size(string_or_empty(x["data"]));
            }
          } else if (!either(p, "fileData", "file_data").get(x)) {
            if (is_image_mime(
                  string_or_empty(either(x, "mimeType", "mime_type"))))
              ++out.images.url_images;
          } else if (!either(p, "functionResponse", "function_response")
                        .get(x)) {
            last_has_response = true;
            out.tool_results.push_back({{},
                                        std::string{string_or_empty(x["name"])},
                                        "contents[" + std::to_string(i)
                                          + "].parts[" + std::to_string(j)
                                          + "].function_response.name"});
          }
          ++j;
        }
      }
      ++i;
    }
    out.ends_with_tool_result = last_has_response;
  }
  array tools;
  if (!doc["tools"].get(tools))
    for (auto t : tools) {
      array decls;
      if (either(t, "functionDeclarations", "function_declarations").get(decls))
        continue;
      for (auto f : decls) {
        tool_decl d;
        d.name = std::string{string_or_empty(f["name"])};
        element schema;
        if (!f["parameters"].get(schema)
            || !either(f, "parametersJsonSchema", "parameters_json_schema")
                  .get(schema))
          d.parameters = minified(schema);
        out.tools.push_back(std::move(d));
      }
    }
  element tool_config;
  element config;
  if (!either(doc, "toolConfig", "tool_config").get(tool_config)
      && !either(tool_config, "functionCallingConfig",
                 "function_calling_config")
            .get(config)) {
    auto mode = string_or_empty(config["mode"]);
    // VALIDATED may call or answer, as AUTO does; ANY must call. Allowed
    // names apply to those two only.
    if (mode == "NONE")
      out.choice = tool_mode::none;
    else if (mode == "ANY")
      out.choice = tool_mode::required;
    array names;
    if ((mode == "ANY" || mode == "VALIDATED")
        && !either(config, "allowedFunctionNames", "allowed_function_names")
              .get(names))
      for (auto n : names)
        out.allowed.emplace_back(string_or_empty(n));
  }
  element generation;
  if (!either(doc, "generationConfig", "generation_config").get(generation)) {
    if (string_or_empty(
          either(generation, "responseMimeType", "response_mime_type"))
        == "application/json")
      out.form = answer_form::json;
    element schema;
    if (!either(generation, "responseSchema", "response_schema").get(schema)
        || !either(generation, "responseJsonSchema", "response_json_schema")
              .get(schema))
      out.schema = minified(schema);
  }
}

} // namespace switchyard::sim::detail
