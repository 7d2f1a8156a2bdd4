#!/usr/bin/env bash
# install_test.sh BUILD PREFIX CONSUMER_SRC WORK CXXFLAGS PYTHON PYTHON_DIR
#                 VERSION ASAN_RUNTIME
# (tests/install/CMakeLists.txt). Fails on the first step that fails.
# PYTHON empty: the build has no Python module. ASAN_RUNTIME set: the build
# is instrumented, and Python runs with it preloaded.
set -euo pipefail
build=$1 prefix=$2 consumer=$3 work=$4 cxxflags=$5 python=$6 pydir=$7
version=$8 asan_runtime=${9:-}

rm -rf "$prefix" "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"

# Nothing internal: the API's headers, not the actors', storage's or the
# adapters'.
test -f "$prefix/include/switchyard/embedded_runtime.hpp"
for internal in storage providers http gateway actors; do
  if [ -d "$prefix/include/switchyard/$internal" ]; then
    echo "install: include/switchyard/$internal is internal" >&2
    exit 1
  fi
done
test -x "$prefix/bin/switchyard"
test -f "$prefix/share/switchyard/models.yaml"

# find_package(switchyard 0.2 CONFIG) -> switchyard::runtime
cmake -S "$consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$cxxflags" \
  >"$work/consumer-configure.log"
cmake --build "$work/consumer" >"$work/consumer-build.log"
# Another minor version is another API (0.x): it must not be found.
mkdir -p "$work/wrong-version"
cat >"$work/wrong-version/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(wrong_version LANGUAGES CXX)
find_package(switchyard 0.1 CONFIG QUIET)
if(switchyard_FOUND)
  message(FATAL_ERROR "switchyard ${switchyard_VERSION} claimed to be 0.1")
endif()
CMAKE
cmake -S "$work/wrong-version" -B "$work/wrong-version/build" \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/wrong-version.log"

# pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
test "$(pkg-config --modversion switchyard)" = "$version"
# shellcheck disable=SC2046
g++ $cxxflags "$consumer/pkg_config_consumer.cpp" -o "$work/pkg-config-consumer" \
  $(pkg-config --cflags --libs switchyard)
"$work/pkg-config-consumer"

# A real sim-upstream on port 0: its first stdout line names the port.
coproc SIM { exec "$prefix/bin/switchyard" sim-upstream --listen 127.0.0.1:0 \
  --zero-delay 2>"$work/sim.err"; }
sim_pid=$SIM_PID
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT
read -r line <&"${SIM[0]}"
port=${line##*:}
sim="http://127.0.0.1:$port"
export OPENAI_BASE_URL="$sim/v1" MISTRAL_BASE_URL="$sim/v1" \
  LMSTUDIO_BASE_URL="$sim/v1" OPENROUTER_BASE_URL="$sim/v1" \
  ANTHROPIC_BASE_URL="$sim" GEMINI_BASE_URL="$sim/v1beta" \
  COHERE_BASE_URL="$sim/v2" OLLAMA_BASE_URL="$sim" \
  OPENAI_API_KEY=x ANTHROPIC_API_KEY=x GEMINI_API_KEY=x MISTRAL_API_KEY=x \
  COHERE_API_KEY=x OPENROUTER_API_KEY=x
"$work/consumer/consumer" "$prefix/share/switchyard/models.yaml"

# import switchyard from the prefix, and only from there.
if [ -n "$python" ]; then
  preload=()
  if [ -n "$asan_runtime" ]; then
    preload=(env "LD_PRELOAD=$asan_runtime" PYTHONMALLOC=malloc
             "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
  fi
  PYTHONPATH="$prefix/$pydir" "${preload[@]}" "$python" -c '
import sys, switchyard
assert switchyard.__file__.startswith(sys.argv[1]), switchyard.__file__
with switchyard.Runtime() as rt:
    print("python: route ->", rt.route("say hello").model)
' "$prefix"
fi
echo "install: ok"
