#!/usr/bin/env bash
# The main job: builds `switchyard` and routes the example tasks, printing the
# decision table, then one decision in full.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" switchyard >/dev/null
bin="$root/build/cli/switchyard"
echo "== switchyard route --examples"
"$bin" route --examples
echo
echo "== switchyard route \"Audit production deployment for security vulnerabilities\""
"$bin" route "Audit production deployment for security vulnerabilities"
