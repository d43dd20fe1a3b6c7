#!/usr/bin/env bash
# Schema-driven fuzzing of `simrun serve` with schemathesis (PyPI), from the served OpenAPI description
# (GET /api/openapi.json), on loopback only. Bounded: FUZZ_EXAMPLES test cases per operation (default 20) and a
# fixed seed, so it stops by itself and reruns alike. Fails on any 5xx, any undocumented status or content type,
# and any response that breaks its documented schema.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SIMRUN=${SIMRUN:-.build/debug/simrun}
[ -x "$SIMRUN" ] || { echo "fuzz-api: $SIMRUN is not built (run: swift build --product simrun)" >&2; exit 1; }
venv=.build/venv-fuzz
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "fuzz-api: installing schemathesis into $venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q 'schemathesis==4.32.*' \
    || { echo "fuzz-api: could not install schemathesis from PyPI" >&2; exit 1; }
fi
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(free_port)
"$SIMRUN" serve --port "$port" --db "$work/fuzz.sqlite" --mode demo >"$work/serve.log" 2>&1 &
pid=$!
B="http://127.0.0.1:$port"
wait_for "$B/healthz" || { cat "$work/serve.log" >&2; exit 1; }
mkdir -p .build/fuzz-report
echo "fuzz-api: schemathesis against $B/api/openapi.json (${FUZZ_EXAMPLES:-20} examples per operation)"
# Run from the scratch directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
fuzz="$PWD/$venv/bin/schemathesis"; report="$PWD/.build/fuzz-report/junit.xml"
(cd "$work" && "$fuzz" run "$B/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${FUZZ_EXAMPLES:-20}" --seed "${FUZZ_SEED:-8402}" --workers 1 --request-timeout 10 \
  --generation-database none --no-color --output-truncate true \
  --report junit --report-junit-path "$report")
rc=$?
if [ "$rc" -ne 0 ]; then echo "fuzz-api: FAILED (schemathesis exit $rc)"; else echo "fuzz-api: passed"; fi
exit "$rc"
