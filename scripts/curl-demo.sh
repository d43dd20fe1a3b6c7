#!/usr/bin/env bash
# The live demo: start the market, walk the seed page's flow with curl, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SIMRUN=${SIMRUN:-.build/release/simrun}
work=$(mktemp -d)
port=$(free_port)
"$SIMRUN" serve --port "$port" --db "$work/demo.sqlite" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
wait_for "http://127.0.0.1:$port/healthz"
bash scripts/seed-flow.sh "http://127.0.0.1:$port"
