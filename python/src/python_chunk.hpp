#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace switchyard::python {

/// One piece of a streamed answer (switchyard.Chunk), copied out of the
/// provider client's buffers.
struct python_chunk {
  std::string text;
  std::string reasoning;
  std::optional<std::uint32_t> tool_index;
  std::string tool_id;
  std::string tool_name;
  std::string tool_arguments;
  std::string finish_reason;
  std::string model;
};

} // namespace switchyard::python
