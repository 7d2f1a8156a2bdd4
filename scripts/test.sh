#!/usr/bin/env bash
# Builds everything and runs every test.
#   scripts/test.sh                          -> build/
#   SWITCHYARD_SANITIZE=1 scripts/test.sh    -> build-sanitize/ under ASan+UBSan
# Among the tests (ctest): tests/install installs the build into a fresh
# prefix (<build>/tests/install/prefix), builds examples/consumer against it
# with find_package and a program with pkg-config, and runs them against
# sim-upstream; tests/python then runs pytest (Debian's /usr/bin/python3)
# against the Python module installed there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
if [ "${SWITCHYARD_SANITIZE:-0}" = "1" ]; then
  dir="$root/build-sanitize"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
  dir="$root/build"
fi
# The SDK tests' npm packages, pinned by tests/sdk/package-lock.json and
# installed into the build tree beside the copied test.
sdk="$dir/tests/sdk"
if [ -f "$sdk/package-lock.json" ] && { [ ! -d "$sdk/node_modules" ] \
     || [ "$sdk/package-lock.json" -nt "$sdk/node_modules" ]; }; then
  (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$sdk/node_modules"
fi
# The dashboard test's playwright-core, pinned by tests/ui/package-lock.json;
# it drives Debian's Chromium (scripts/install-deps.sh), never a download.
ui="$dir/tests/ui"
if [ -f "$ui/package-lock.json" ] && { [ ! -d "$ui/node_modules" ] \
     || [ "$ui/package-lock.json" -nt "$ui/node_modules" ]; }; then
  (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$ui/node_modules"
fi
cd "$dir"
ctest --output-on-failure -j "${SWITCHYARD_JOBS:-2}"
