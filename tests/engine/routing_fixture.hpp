#pragma once

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/router.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace switchyard::test {

/// The default registry with the router over it; no process environment.
struct routing_fixture {
  engine::registry reg = load();
  engine::keyword_classifier classifier;
  engine::router router{reg, classifier};
  engine::routing_state state;

  static engine::registry load() {
    auto r = config::parse_registry(config::default_registry_yaml(),
                                    "config/models.yaml",
                                    [](std::string_view) {
                                      return std::optional<std::string>{};
                                    });
    if (!r.registry) {
      for (const auto& e : r.errors)
        UNSCOPED_INFO(e.to_string());
      FAIL("the default registry does not load");
    }
    return std::move(*r.registry);
  }

  engine::decision route(engine::route_request req) const {
    return router.route(req, state);
  }

  engine::decision route(std::string_view text) const {
    engine::route_request req;
    req.text = text;
    return route(req);
  }

  const engine::model_spec& model(std::uint16_t i) const {
    return reg.models.at(i);
  }

  const engine::model_spec& chosen(const engine::decision& d) const {
    REQUIRE(d.has_model());
    return reg.models.at(d.model);
  }

  std::uint16_t index(std::string_view id) const {
    auto i = reg.model_index(id);
    REQUIRE(i);
    return *i;
  }

  /// Opens the breaker of every local provider.
  std::vector<std::uint8_t> local_breakers_open() const {
    std::vector<std::uint8_t> open(reg.providers.size(), 0);
    for (std::size_t i = 0; i < reg.providers.size(); ++i)
      open[i] = reg.providers[i].local ? 1 : 0;
    return open;
  }
};

} // namespace switchyard::test
