#pragma once

#include "switchyard/engine/provider_client.hpp"

#include <string>

namespace switchyard::test {

/// Answers every call at once, on the caller's thread: 100 tokens in, 50
/// out, 1,000 nanos, 5 ms.
class answering_provider : public engine::provider_client {
public:
  engine::call_handle_ptr call(engine::call_request req, done_fn done) override {
    engine::call_result r;
    r.model = req.model;
    r.text = "answer from " + req.model;
    r.finish_reason = "stop";
    r.input_tokens = 100;
    r.output_tokens = 50;
    r.cost_nanos = 1000;
    r.latency_ms = 5.0;
    done(std::move(r));
    return nullptr;
  }

  engine::call_handle_ptr stream(engine::call_request req, chunk_fn,
                                 done_fn done) override {
    return call(std::move(req), std::move(done));
  }
};

} // namespace switchyard::test
