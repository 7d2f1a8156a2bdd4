#!/usr/bin/env bash
# Configures and builds switchyard in a fixed directory.
#   scripts/build.sh [TARGET...]            -> build/
#   SWITCHYARD_SANITIZE=1 scripts/build.sh  -> build-sanitize/ (ASan + UBSan)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"

if [ "${SWITCHYARD_SANITIZE:-0}" = "1" ]; then
  dir="$root/build-sanitize"
  extra=(-DSWITCHYARD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
else
  dir="$root/build"
  extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
jobs="${SWITCHYARD_JOBS:-2}"

# uPlot for the /ui dashboard's charts, pinned by ui/package-lock.json and
# installed into the build tree, where CMake embeds it into the binary.
deps="$dir/ui-deps"
if [ ! -d "$deps/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$deps/node_modules" ]; then
  mkdir -p "$deps"
  cp "$root/ui/package.json" "$root/ui/package-lock.json" "$deps/"
  (cd "$deps" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$deps/node_modules"
  # Configure (again) so that CMake sees uPlot.
  cmake -S "$root" -B "$dir" -G Ninja "${extra[@]}" >/dev/null
fi

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$root" -B "$dir" -G Ninja "${extra[@]}" >/dev/null
fi
if [ $# -gt 0 ]; then
  cmake --build "$dir" -j "$jobs" --target "$@"
else
  cmake --build "$dir" -j "$jobs"
fi
