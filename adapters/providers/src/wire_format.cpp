#include "switchyard/providers/wire_format.hpp"

#include "switchyard/providers/anthropic/anthropic_format.hpp"
#include "switchyard/providers/cohere/cohere_format.hpp"
#include "switchyard/providers/gemini/gemini_format.hpp"
#include "switchyard/providers/ollama/ollama_format.hpp"
#include "switchyard/providers/openai/openai_format.hpp"

namespace switchyard::providers {

std::unique_ptr<wire_format> make_wire_format(engine::provider_kind kind) {
  switch (kind) {
    case engine::provider_kind::openai:
      return std::make_unique<openai_format>();
    case engine::provider_kind::anthropic:
      return std::make_unique<anthropic_format>();
    case engine::provider_kind::gemini:
      return std::make_unique<gemini_format>();
    case engine::provider_kind::cohere:
      return std::make_unique<cohere_format>();
    case engine::provider_kind::ollama:
      return std::make_unique<ollama_format>();
  }
  return std::make_unique<openai_format>();
}

} // namespace switchyard::providers
