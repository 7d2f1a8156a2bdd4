// The smallest program built with `pkg-config --cflags --libs switchyard`
// (tests/install): it must compile and link against the installed headers
// and library, and load the default registry.

#include <switchyard/embedded_runtime.hpp>

#include <cstdio>

int main() {
  auto started = switchyard::embedded_runtime::start({});
  if (!started) {
    std::fprintf(stderr, "%s\n",
                 switchyard::error_message(started.error()).c_str());
    return 1;
  }
  std::printf("pkg-config consumer: %zu models\n",
              (*started)->registry().models.size());
  return (*started)->registry().models.empty() ? 1 : 0;
}
