#include "switchyard/engine/abandoned_call.hpp"
#include "switchyard/engine/call_admission.hpp"
#include "switchyard/engine/cancel_token.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchyard::engine;

TEST_CASE("a call starts while a slot is free, waits while the queue has "
          "room, and is refused after",
          "[admission]") {
  provider_spec p;
  p.max_concurrency = 2;
  p.max_queued = 1;
  CHECK(admit_call(p, 0, 0) == admission::start);
  CHECK(admit_call(p, 1, 0) == admission::start);
  CHECK(admit_call(p, 2, 0) == admission::queue);
  CHECK(admit_call(p, 2, 1) == admission::refuse);
  p.max_queued = 0;
  CHECK(admit_call(p, 2, 0) == admission::refuse);
  CHECK(admit_call(p, 1, 0) == admission::start);
}

TEST_CASE("remote providers admit thousands of calls, local servers a few",
          "[admission]") {
  provider_spec remote;
  CHECK(remote.max_concurrency >= 3000);
  CHECK(remote.max_queued > 0);
  CHECK(provider_spec::local_max_concurrency < remote.max_concurrency);
  CHECK(provider_spec::local_max_queued < remote.max_queued);
}

TEST_CASE("an abandoned call is charged its input and what it streamed",
          "[admission]") {
  call_request req;
  req.messages.push_back(
    chat_message::make(message_role::user, std::string(400, 'x')));
  req.max_tokens = 50;
  auto nothing_streamed = abandoned_call_tokens(req, 0);
  CHECK(nothing_streamed.input == estimate_input_tokens(400, 0));
  CHECK(nothing_streamed.output == 0);
  CHECK(abandoned_call_tokens(req, 40).output == 10);
  CHECK(abandoned_call_tokens(req, 41).output == 11);
  // Never more output than the call could have made.
  CHECK(abandoned_call_tokens(req, 1'000'000).output == 50);
  // An image counts as the router counts one: 1,600 tokens.
  auto with_image = req;
  content_part image;
  image.kind = part_kind::image;
  image.url = "https://example.com/a.png";
  with_image.messages[0].parts.push_back(image);
  CHECK(abandoned_call_tokens(with_image, 0).input
        == nothing_streamed.input + 1'600);
}

TEST_CASE("a cancel token runs each action once, and refuses late ones",
          "[admission]") {
  cancel_token token;
  int runs = 0;
  CHECK(token.on_cancel([&runs] { ++runs; }));
  CHECK(token.on_cancel([&runs] { ++runs; }));
  CHECK_FALSE(token.cancelled());
  token.cancel();
  CHECK(token.cancelled());
  CHECK(runs == 2);
  token.cancel();
  CHECK(runs == 2);
  // Too late: the caller gives up at once instead.
  CHECK_FALSE(token.on_cancel([&runs] { ++runs; }));
  CHECK(runs == 2);
}
