#!/usr/bin/env bash
# End-to-end checks of `simrun serve` over real HTTP on loopback, with curl and with standard decoders from PyPI
# (bolt11, pymacaroons) for the L402 challenge. Prints "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SIMRUN=${SIMRUN:-.build/debug/simrun}
[ -x "$SIMRUN" ] || { echo "e2e: $SIMRUN is not built (run: swift build --product simrun)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() { # check "what" actual expected
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); echo "ok    $1"
  else failed=$((failed + 1)); echo "FAIL  $1: got '$2', expected '$3'"; fi
}
J='Content-Type: application/json'

# Python decoders in a project-local virtual environment (PyPI); bitstring<5 because bolt11 2.x needs ConstBitStream.
venv=.build/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import bolt11, pymacaroons' 2>/dev/null; then
  echo "e2e: installing bolt11 and pymacaroons into $venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q 'bolt11==2.*' 'bitstring<5' 'pymacaroons==0.13.*' \
    || { echo "e2e: could not install the Python decoders from PyPI" >&2; exit 1; }
fi

start() { # start MODE DB -> sets B, PID
  local port; port=$(free_port)
  "$SIMRUN" serve --port "$port" --db "$2" --mode "$1" >"$work/serve-$port.log" 2>&1 &
  PID=$!; pids+=("$PID"); B="http://127.0.0.1:$port"
  wait_for "$B/healthz"
}
stop() { kill -TERM "$1"; wait "$1" 2>/dev/null; }

TASK_BODY='{"task_type":"verify","title":"Is this URL still live?","input":{"url":"https://example.com","question":"Does it return 200?"},"budget_sats":100,"worker_type":"human","trust_mode":"proof_required"}'

echo "== seed flow with the demo token (demo mode)"
start demo "$work/market.sqlite"
bash scripts/seed-flow.sh "$B" >"$work/seed.txt" 2>&1; check "seed flow script ran" "$?" "0"
WORKER=$(curl -s -X POST "$B/api/workers" -H "$J" -d '{"display_name":"Bob","lightning_address":"bob@example.com","type":"human"}' | json 'd["worker"]["id"]')
check "402 without Authorization" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/tasks?budget_sats=100" -H "$J" -d "$TASK_BODY")" "402"
TASK=$(curl -s -X POST "$B/api/tasks?budget_sats=100" -H "$J" -H 'Authorization: L402 sim_token:sim_valid_preimage' -d "$TASK_BODY" | json 'd["task"]["id"]')
check "feed lists the task" "$(curl -s "$B/api/workers/feed?task_type=verify&worker_type=human&budget_min=100" | json "'$TASK' in [t['id'] for t in d['tasks']]")" "true"
check "claim" "$(curl -s -X POST "$B/api/tasks/$TASK/claim" -H "$J" -d "{\"worker_id\":\"$WORKER\"}" | json 'd["task"]["status"]')" "claimed"
check "submit" "$(curl -s -X POST "$B/api/tasks/$TASK/submit" -H "$J" -d "{\"worker_id\":\"$WORKER\",\"answer_json\":{\"answer\":\"yes\"},\"confidence\":0.95,\"proof_url\":\"https://example.com/proof.png\"}" | json 'd["task"]["status"]')" "submitted"
sleep 0.6
check "auto-release completed the task" "$(curl -s "$B/api/tasks/$TASK" | json 'd["task"]["status"]')" "completed"
P1=$(curl -s "$B/api/tasks/$TASK" | json 'd["task"]["payout"]["id"]')
check "release again returns the same payout" "$(curl -s -X POST "$B/api/tasks/$TASK/release" | json 'd["payout"]["id"]')" "$P1"
check "70 sats to a fresh worker" "$(curl -s "$B/api/workers/$WORKER/payouts" | json 'd["total_earned_sats"]')" "70"
check "malformed JSON is a 400" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/workers" -H "$J" -d '{bad')" "400"
check "oversized body is a 413" "$(head -c 2000000 /dev/zero | tr '\0' 'a' | curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/workers" -H "$J" --data-binary @-)" "413"

echo "== real L402: pay the invoice on the simulated network, retry with the credential"
R=$(curl -s -D "$work/h.txt" -X POST "$B/api/tasks?budget_sats=250" -H "$J" -d "${TASK_BODY/\"budget_sats\":100/\"budget_sats\":250}")
MAC=$(echo "$R" | json 'd["error"]["macaroon"]'); INV=$(echo "$R" | json 'd["error"]["invoice"]')
check "WWW-Authenticate carries the same invoice" "$(grep -ic "invoice=\"$INV\"" "$work/h.txt")" "1"
"$venv/bin/python" scripts/crosscheck-l402.py "$MAC" "$INV" 250 >"$work/cross.json"; check "bolt11 + pymacaroons accept the challenge (amount, hash)" "$?" "0"
WALLET=$(curl -s -X POST "$B/sim/lightning/wallets" -H "$J" -d '{"balance_sats": 1000}' | json 'd["wallet"]["id"]')
PAY=$(curl -s -X POST "$B/sim/lightning/pay" -H "$J" -d "{\"invoice\":\"$INV\",\"wallet_id\":\"$WALLET\"}")
PRE=$(echo "$PAY" | json 'd["preimage"]'); HASH=$(echo "$PAY" | json 'd["payment_hash"]')
check "payment succeeded" "$(echo "$PAY" | json 'd["status"]')" "succeeded"
check "sha256(preimage) == payment hash" "$(python3 -c "import hashlib,sys; print(hashlib.sha256(bytes.fromhex('$PRE')).hexdigest())")" "$HASH"
BODY250="${TASK_BODY/\"budget_sats\":100/\"budget_sats\":250}"
check "underpaid (budget mismatch) is a 401" "$(curl -s -X POST "$B/api/tasks?budget_sats=300" -H "$J" -H "Authorization: L402 $MAC:$PRE" -d "${BODY250/\"budget_sats\":250/\"budget_sats\":300}" | json 'd["error"]["code"]')" "budget_mismatch"
C1=$(curl -s -w '\n%{http_code}' -X POST "$B/api/tasks?budget_sats=250" -H "$J" -H "Authorization: L402 $MAC:$PRE" -d "$BODY250")
check "L402 credential creates the task" "$(echo "$C1" | tail -1)" "201"
T1=$(echo "$C1" | head -1 | json 'd["task"]["id"]')
C2=$(curl -s -w '\n%{http_code}' -X POST "$B/api/tasks?budget_sats=250" -H "$J" -H "Authorization: L402 $MAC:$PRE" -d "$BODY250")
check "identical retry returns the same task" "$(echo "$C2" | head -1 | json 'd["task"]["id"]')" "$T1"
C3=$(curl -s -X POST "$B/api/tasks?budget_sats=250" -H "$J" -H "Authorization: L402 $MAC:$PRE" -d "${BODY250/still live/still up}")
check "spent token on a different task gets a fresh 402 token_spent" "$(echo "$C3" | json 'd["error"]["code"]')" "token_spent"
FORGED="${MAC:0:40}A${MAC:41}"
check "forged macaroon is a 401" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/tasks?budget_sats=250" -H "$J" -H "Authorization: L402 $FORGED:$PRE" -d "$BODY250")" "401"
check "wrong preimage is a 401" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/tasks?budget_sats=250" -H "$J" -H "Authorization: L402 $MAC:$(printf '%064d' 7)" -d "$BODY250")" "401"

echo "== restart on the same database keeps committed data"
stop "$PID"
start demo "$work/market.sqlite"
check "worker survives a restart" "$(curl -s "$B/api/workers/$WORKER" | json 'd["worker"]["completed_jobs"]')" "1"
check "payout survives a restart" "$(curl -s "$B/api/tasks/$TASK" | json 'd["task"]["payout"]["id"]')" "$P1"
stop "$PID"

echo "== strict mode accepts only real credentials"
start strict "$work/strict.sqlite"
check "demo token refused in strict mode" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/tasks?budget_sats=100" -H "$J" -H 'Authorization: L402 sim_token:sim_valid_preimage' -d "$TASK_BODY")" "401"
stop "$PID"

echo "== simrun serve scenarios/demo.json --pace: agents and people share one market"
port=$(free_port)
"$SIMRUN" serve scenarios/demo.json --pace 3000 --port "$port" --db :memory: --out "$work/demo-reports" --transcript none >"$work/demo.log" 2>&1 &
PID=$!; pids+=("$PID"); B="http://127.0.0.1:$port"
wait_for "$B/healthz"
check "a person registers while the agents trade" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/workers" -H "$J" -d '{"display_name":"Bob","lightning_address":"bob@example.com","type":"human"}')" "201"
for _ in $(seq 1 150); do grep -q "scenario has ended" "$work/demo.log" && break; sleep 0.2; done
check "the scenario ran to its end with a balanced ledger" "$(grep -c 'BALANCED' "$work/demo.log")" "1"
M=$(curl -s "$B/api/market")
check "the served market shows the agents' completed tasks" "$(echo "$M" | json 'd["tasks"]["completed"] > 10')" "true"
check "latest agent-to-agent events are recorded" "$(echo "$M" | json 'len(d["latest_events"]) > 0')" "true"
check "the chart history has snapshots" "$(echo "$M" | json 'len(d["history"]) >= 2')" "true"
check "the agents' workers have tiers" "$(echo "$M" | json 'd["top_workers"][0]["tier"] in ("trusted", "expert")')" "true"
W2=$(curl -s -X POST "$B/api/workers" -H "$J" -d '{"display_name":"Carol","lightning_address":"carol@example.com","type":"human"}' | json 'd["worker"]["id"]')
T2=$(curl -s -X POST "$B/api/tasks?budget_sats=100" -H "$J" -H 'Authorization: L402 sim_token:sim_valid_preimage' -d "$TASK_BODY" | json 'd["task"]["id"]')
curl -s -o /dev/null -X POST "$B/api/tasks/$T2/claim" -H "$J" -d "{\"worker_id\":\"$W2\"}"
curl -s -o /dev/null -X POST "$B/api/tasks/$T2/submit" -H "$J" -d "{\"worker_id\":\"$W2\",\"answer_json\":{\"answer\":\"yes\"},\"confidence\":0.9,\"proof_url\":\"https://example.com/p.png\"}"
sleep 1.2
check "after the scenario, time runs on: auto-release completes a person's task" "$(curl -s "$B/api/tasks/$T2" | json 'd["task"]["status"]')" "completed"
kill -INT "$PID"; wait "$PID" 2>/dev/null; check "Ctrl-C stops the served scenario cleanly" "$?" "0"
check "the served scenario wrote its reports" "$(test -s "$work/demo-reports/summary.json" && echo yes)" "yes"

echo "== the dashboard in headless Chromium"
bash scripts/browser-test.sh; check "browser test (scripts/browser-test.sh)" "$?" "0"

echo "== schemathesis against the served OpenAPI description"
bash scripts/fuzz-api.sh; check "schema-driven fuzzing (scripts/fuzz-api.sh)" "$?" "0"

echo
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
