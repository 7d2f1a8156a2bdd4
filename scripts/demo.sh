#!/usr/bin/env bash
# The main job: builds switchyard, starts the simulated provider fleet and the
# gateway in front of it (config/demo.yaml), sends a mixed workload of a few
# hundred tasks through the OpenAI API, and prints every decision and a
# summary. The simulator injects faults (500s, 429s, resets, truncated
# streams), so some tasks fall back.
#   DEMO_TASKS=N scripts/demo.sh     (default 300)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" switchyard >/dev/null
bin="$root/build/cli/switchyard"
work="$(mktemp -d /tmp/switchyard-demo.XXXXXX)"
cleanup() {
  [ -n "${gateway_pid:-}" ] && kill -TERM "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null || true
  [ -n "${sim_pid:-}" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT

first_port() { # waits for "listening on HOST:PORT" in $1
  for _ in $(seq 1 200); do
    if [ -s "$1" ]; then sed -n '1s/.*://p' "$1"; return 0; fi
    sleep 0.05
  done
  echo "demo: $2 did not start; see ${1%.out}.err" >&2
  exit 1
}

"$bin" sim-upstream --listen 127.0.0.1:0 --seed 42 >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
sim_port=$(first_port "$work/sim.out" sim-upstream)

export SWITCHYARD_SIM_URL="http://127.0.0.1:$sim_port"
# The simulator accepts any key; the adapters need one set per provider.
for v in OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY MISTRAL_API_KEY \
         COHERE_API_KEY OPENROUTER_API_KEY; do
  export "$v=${!v:-sk-demo-simulated}"
done
export SWITCHYARD_ADMIN_KEY="${SWITCHYARD_ADMIN_KEY:-sk-demo-admin-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}"
"$bin" serve --config "$root/config/demo.yaml" --listen 127.0.0.1:0 \
  --data-dir "$work/data" \
  >"$work/gateway.out" 2>"$work/gateway.log" &
gateway_pid=$!
gateway_port=$(first_port "$work/gateway.out" gateway)

echo "== sim-upstream on 127.0.0.1:$sim_port, gateway on 127.0.0.1:$gateway_port"
echo "== sending ${DEMO_TASKS:-300} tasks through POST /v1/chat/completions"
status=0
"$bin" demo-client --gateway "http://127.0.0.1:$gateway_port" \
  --config "$root/config/demo.yaml" --tasks "${DEMO_TASKS:-300}" || status=$?
cleanup
gateway_pid= sim_pid=
echo
echo "gateway log (JSON lines, one per request): $work/gateway.log"
echo "every decision is logged in $work/data; for example:"
echo "  $bin explain ID --data-dir $work/data     (ID: from the DECISION column)"
echo "  $bin replay ID --data-dir $work/data"
echo "  $bin analytics costs --data-dir $work/data"
exit $status
