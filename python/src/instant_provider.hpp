#pragma once

#include "switchyard/engine/provider_client.hpp"

namespace switchyard::python {

/// Answers every call at once, in-process, with a short canned text: the
/// provider for measuring what the runtime and the binding cost per task
/// (bench/python_embed.py), with no network in the figure.
class instant_provider : public engine::provider_client {
public:
  engine::call_handle_ptr call(engine::call_request req,
                               done_fn done) override;

  engine::call_handle_ptr stream(engine::call_request req, chunk_fn on_chunk,
                                 done_fn done) override;
};

} // namespace switchyard::python
