#include "instant_provider.hpp"

namespace switchyard::python {

engine::call_handle_ptr instant_provider::call(engine::call_request req,
                                               done_fn done) {
  engine::call_result r;
  r.model = req.model;
  r.text = "ok";
  r.finish_reason = "stop";
  r.input_tokens = 12;
  r.output_tokens = 2;
  done(std::move(r));
  return nullptr;
}

engine::call_handle_ptr instant_provider::stream(engine::call_request req,
                                                 chunk_fn on_chunk,
                                                 done_fn done) {
  engine::stream_chunk c;
  c.delta = "ok";
  c.finish_reason = "stop";
  on_chunk(c);
  return call(std::move(req), std::move(done));
}

} // namespace switchyard::python
