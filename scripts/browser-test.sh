#!/usr/bin/env bash
# The dashboard in headless Chromium (Debian's `chromium` package), against `simrun serve` on loopback.
# The page's own test harness (/?autotest=1) clicks through the API console like a person: the ten seed cards in
# order, then the real L402 path (pay the 402's invoice, retry with the credential). This script reads what it
# wrote into the DOM (--dump-dom after a virtual-time budget) and checks it, and cross-checks the market with curl.
#
#   scripts/browser-test.sh                 the test (desktop and phone widths, including a layout check)
#   scripts/browser-test.sh --screenshots   also refresh docs/screenshots/ from a paced demo scenario
#
# Chromium missing: installed with apt-get when possible; otherwise the test is SKIPPED with a message, or fails
# when REQUIRE_CHROMIUM=1 (as `make test` sets). Prints "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SIMRUN=${SIMRUN:-.build/debug/simrun}
[ -x "$SIMRUN" ] || { echo "browser-test: $SIMRUN is not built (run: swift build --product simrun)" >&2; exit 1; }
screenshots=0
[ "${1:-}" = "--screenshots" ] && screenshots=1

find_chromium() { command -v chromium || command -v chromium-browser || true; }
CHROMIUM=$(find_chromium)
if [ -z "$CHROMIUM" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo -n"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "browser-test: installing Debian's chromium (apt-get install chromium)"
    $SUDO apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1
    CHROMIUM=$(find_chromium)
  fi
fi
if [ -z "$CHROMIUM" ]; then
  if [ "${REQUIRE_CHROMIUM:-0}" = "1" ]; then
    echo "browser-test: FAILED: chromium is not installed and could not be installed (apt-get install chromium)" >&2; exit 1
  fi
  echo "browser-test: SKIPPED: chromium is not installed and could not be installed here (apt-get install chromium)"
  exit 0
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() { # check "what" actual expected
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); echo "ok    $1"
  else failed=$((failed + 1)); echo "FAIL  $1: got '$2', expected '$3'"; fi
}
chrome() { # chrome WIDTH OUT-FLAG URL: headless, loopback only, no profile state, no outside network
  local size=$1; shift
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --no-default-browser-check \
    --disable-extensions --disable-background-networking --disable-component-update --disable-sync --metrics-recording-only \
    --hide-scrollbars --user-data-dir="$work/profile-$RANDOM" --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --window-size="$size" --virtual-time-budget=30000 "$@" 2>>"$work/chromium.log"
}
result() { # result DOMFILE -> the autotest JSON
  python3 - "$1" <<'PY'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8", errors="replace").read()
m = re.search(r'<pre id="autotest-result"[^>]*>(.*?)</pre>', dom, re.S)
print(html.unescape(m.group(1)) if m and m.group(1).strip() else "{}")
PY
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); v=$1; print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)"; }

port=$(free_port)
"$SIMRUN" serve --port "$port" --db :memory: >"$work/serve.log" 2>&1 &
pids+=("$!")
B="http://127.0.0.1:$port"
wait_for "$B/healthz" || { echo "browser-test: simrun serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }

echo "== the page is self-contained"
curl -s "$B/" >"$work/page.html"
check "GET / is HTML" "$(curl -s -o /dev/null -w '%{content_type}' "$B/")" "text/html; charset=utf-8"
check "no outside references (src/href/url()/@import)" \
  "$(grep -Eo '(src|href)="[^"]*"|url\([^)]*\)|@import' "$work/page.html" | grep -Ev '^(href="data:,"|href="/api/openapi.json")$' | wc -l | tr -d ' ')" "0"
check "a CSP forbids outside fetches" "$(curl -s -D - -o /dev/null "$B/" | grep -ic "^content-security-policy: default-src 'none'")" "1"

echo "== the console runs the seed flow by clicking (desktop, 1280 px)"
chrome 1280,2000 --dump-dom "$B/?autotest=1" >"$work/desktop.html"
R=$(result "$work/desktop.html")
echo "$R" >"$work/desktop.json"
check "harness finished" "$(echo "$R" | field 'd.get("done")')" "true"
[ "$(echo "$R" | field 'd.get("done")')" = "true" ] || { echo "harness said: $R"; tail -20 "$work/chromium.log"; }
check "card statuses in seed order, then pay and paid" \
  "$(echo "$R" | field '" ".join("%s=%s" % (k, d["cards"][k]) for k in ["register","profile","gate","create","feed","status","claim","submit","release","payouts","pay","paid"])')" \
  "register=201 profile=200 gate=402 create=201 feed=200 status=200 claim=200 submit=200 release=200 payouts=200 pay=200 paid=201"
W=$(echo "$R" | field 'd["saved"]["worker_id"]'); T=$(echo "$R" | field 'd["seed_task_id"]')
check "worker_id saved from Register worker" "$(echo "$W" | grep -c '^wrk_')" "1"
check "task_id saved from Create L402 task" "$(echo "$T" | grep -c '^task_')" "1"
for c in claimUsedSavedIds feedListsTask gateHasWWWAuthenticate releaseCompleted payoutListed paidTaskIsL402 marketChanged; do
  check "harness: $c" "$(echo "$R" | field "d['checks'].get('$c')")" "true"
done
check "70 sats earned by the fresh worker" "$(echo "$R" | field 'd["total_earned_sats"]')" "70"
check "profile after the flow shows 1 completed job" "$(echo "$R" | field 'd["completed_jobs_after"]')" "1"
check "market: +1 completed" "$(echo "$R" | field 'd["after"]["completed"] - d["before"]["completed"]')" "1"
check "market: +200 sats volume (seed task + L402 task)" "$(echo "$R" | field 'd["after"]["volume_msat"] - d["before"]["volume_msat"]')" "200000"
check "market: +30 sats platform fees" "$(echo "$R" | field 'd["after"]["platform_fees_msat"] - d["before"]["platform_fees_msat"]')" "30000"
check "market: +70 sats worker earnings" "$(echo "$R" | field 'd["after"]["worker_earnings_msat"] - d["before"]["worker_earnings_msat"]')" "70000"
check "the page shows the new figures" "$(echo "$R" | field 'd["dom"]["completed"]')" "$(curl -s "$B/api/market" | json 'd["tasks"]["completed"]')"
check "server agrees: worker completed 1 job" "$(curl -s "$B/api/workers/$W" | json 'd["worker"]["completed_jobs"]')" "1"
check "server agrees: seed task completed with the console's payout" \
  "$(curl -s "$B/api/tasks/$T" | json 'd["task"]["status"] + " " + d["task"]["payout"]["id"]')" "completed $(echo "$R" | field 'd["payout_id"]')"
check "server agrees: L402 task paid over l402" \
  "$(curl -s "$B/api/tasks/$(echo "$R" | field 'd["paid_task_id"]')" | json 'd["task"]["payment"]["method"]')" "l402"
check "no layout problems at 1280 px" "$(echo "$R" | field 'd.get("layout")')" "[]"

echo "== the same at phone width (390 px)"
chrome 500,2200 --dump-dom "$B/?autotest=1&frame=390" >"$work/phone.html"
R=$(result "$work/phone.html")
check "harness finished at 390 px" "$(echo "$R" | field 'd.get("done")')" "true"
check "viewport is 390 px" "$(echo "$R" | field 'd.get("viewport")')" "390"
check "no layout problems at 390 px" "$(echo "$R" | field 'd.get("layout")')" "[]"

if [ "$screenshots" = 1 ]; then
  echo "== screenshots of a paced demo (docs/screenshots/)"
  sport=$(free_port)
  "$SIMRUN" serve scenarios/demo.json --pace 900 --port "$sport" --db :memory: --out "$work/reports" --transcript none >"$work/demo.log" 2>&1 &
  pids+=("$!")
  wait_for "http://127.0.0.1:$sport/healthz"
  for _ in $(seq 1 100); do grep -q "scenario has ended" "$work/demo.log" && break; sleep 0.2; done
  mkdir -p docs/screenshots
  chrome 1280,2000 --screenshot="$PWD/docs/screenshots/dashboard-desktop.png" "http://127.0.0.1:$sport/?autotest=1" >/dev/null
  chrome 390,2000 --screenshot="$PWD/docs/screenshots/dashboard-phone.png" "http://127.0.0.1:$sport/?autotest=1" >/dev/null
  chrome 390,7600 --screenshot="$PWD/docs/screenshots/dashboard-phone-console.png" "http://127.0.0.1:$sport/?autotest=1" >/dev/null
  check "desktop screenshot written" "$(test -s docs/screenshots/dashboard-desktop.png && echo yes)" "yes"
  check "phone screenshot written" "$(test -s docs/screenshots/dashboard-phone.png && echo yes)" "yes"
fi

echo
echo "browser-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
