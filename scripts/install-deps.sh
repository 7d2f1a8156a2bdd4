#!/usr/bin/env bash
# Installs the Debian 12 packages switchyard builds with; a no-op when they
# are all present. Everything comes from Debian's archive: nothing is
# downloaded at build or run time.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libcaf-dev          # actors and their network layer (CAF 0.17)
  libsimdjson-dev     # JSON parsing
  libyaml-cpp-dev     # configuration
  libssl-dev          # TLS, and SHA-256 for stored API keys
  openssl             # the CLI: tests/cluster makes its TLS certificates
  librocksdb-dev      # the node's store (storage/)
  libboost-dev        # Beast and Asio (header-only) for HTTP
  libjemalloc-dev     # the binary's allocator (see cli/CMakeLists.txt)
  libcli11-dev        # the commands' flag parser (header-only; cli/command_line.cpp)
  catch2              # tests (v2, prebuilt main)
  chromium            # the /ui dashboard's end-to-end test (tests/ui)
  nginx               # `bench gateway --reference nginx` and its test (tests/bench)
  pybind11-dev        # the Python module (python/)
  python3-dev         # ... built for Debian's /usr/bin/python3
  python3-pytest      # its tests (tests/python)
)
# Node.js and npm run the official SDKs' compatibility tests; an image that
# already has them (outside dpkg) is left alone.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
