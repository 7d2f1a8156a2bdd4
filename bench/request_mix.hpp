#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::bench {

/// The built-in request mix: OpenAI chat bodies with model "auto", of
/// mixed task types and lengths.
[[nodiscard]] std::vector<std::string> builtin_request_mix(bool stream);

/// The whole HTTP/1.1 request to 127.0.0.1:`port` around `body` (with
/// `Authorization: Bearer key` unless `key` is empty).
[[nodiscard]] std::string http_request(std::uint16_t port,
                                       const std::string& body,
                                       const std::string& key);

/// The same body for the upstream: `model` names one of its models in place
/// of "auto".
[[nodiscard]] std::string for_upstream(std::string body,
                                       const std::string& model);

} // namespace switchyard::bench
