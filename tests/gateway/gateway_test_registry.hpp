#pragma once

// A small registry for the gateway's unit tests: one OpenAI-format and one
// Anthropic-format model, no process environment.

#include "switchyard/engine/registry.hpp"

namespace switchyard::testing {

inline engine::registry gateway_test_registry() {
  engine::registry reg;
  engine::provider_spec openai;
  openai.id = "openai";
  openai.kind = engine::provider_kind::openai;
  engine::provider_spec anthropic;
  anthropic.id = "anthropic";
  anthropic.kind = engine::provider_kind::anthropic;
  reg.providers = {openai, anthropic};
  engine::model_spec mini;
  mini.id = "gpt-mini";
  mini.provider = "openai";
  mini.upstream = "gpt-4o-mini";
  mini.provider_index = 0;
  engine::model_spec claude;
  claude.id = "claude";
  claude.provider = "anthropic";
  claude.upstream = "claude-sonnet-4";
  claude.provider_index = 1;
  reg.models = {mini, claude};
  return reg;
}

} // namespace switchyard::testing
