#!/usr/bin/env bash
# The seed page's flow, in its order, with curl: register, profile, 402, create with the sim token, feed,
# status, claim, submit (auto-release), release again (same payout), payout history.
# Usage: scripts/seed-flow.sh http://127.0.0.1:8402
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
B=${1:-http://127.0.0.1:8402}
J='Content-Type: application/json'
step() { printf '\n\033[1m%s\033[0m\n' "$*"; }

step "1. Register worker  POST /api/workers"
W=$(curl -sS -X POST "$B/api/workers" -H "$J" -d '{"display_name":"Alice Tester","lightning_address":"alice@getalby.com","type":"human"}')
echo "$W"
WORKER=$(echo "$W" | json 'd["worker"]["id"]')

step "2. Worker profile  GET /api/workers/$WORKER"
curl -sS "$B/api/workers/$WORKER"

TASK_BODY='{"task_type":"verify","title":"Is this URL still live?","input":{"url":"https://example.com","question":"Does it return 200?","context":"The agent needs a worker to verify the external page state.","instructions":"Open the URL, confirm the response and attach proof if required.","image_url":"https://example.com/screenshot.png","attachments":[{"type":"image","url":"https://example.com/screenshot.png","label":"Reference screenshot"}]},"budget_sats":100,"worker_type":"human","trust_mode":"proof_required"}'

step "3. Payment gate  POST /api/tasks?budget_sats=100 (no Authorization)"
curl -sS -i -X POST "$B/api/tasks?budget_sats=100" -H "$J" -d "$TASK_BODY" | grep -iE '^(HTTP|www-authenticate)' | cut -c1-160

step "4. Create L402 task  Authorization: L402 sim_token:sim_valid_preimage"
T=$(curl -sS -X POST "$B/api/tasks?budget_sats=100" -H "$J" -H 'Authorization: L402 sim_token:sim_valid_preimage' -d "$TASK_BODY")
TASK=$(echo "$T" | json 'd["task"]["id"]')
echo "task $TASK status $(echo "$T" | json 'd["task"]["status"]')"

step "5. Open task feed  GET /api/workers/feed?task_type=verify&worker_type=human&budget_min=100"
curl -sS "$B/api/workers/feed?task_type=verify&worker_type=human&budget_min=100" | json '[t["id"] for t in d["tasks"]]'

step "6. Task status  GET /api/tasks/$TASK"
curl -sS "$B/api/tasks/$TASK" | json 'd["task"]["status"]'

step "7. Claim task"
curl -sS -X POST "$B/api/tasks/$TASK/claim" -H "$J" -d "{\"worker_id\":\"$WORKER\"}" | json '(d["task"]["status"], d["task"]["worker"]["id"])'

step "8. Submit result (auto-release follows)"
curl -sS -X POST "$B/api/tasks/$TASK/submit" -H "$J" -d "{\"worker_id\":\"$WORKER\",\"answer_json\":{\"answer\":\"yes\",\"notes\":\"URL returns 200, verified manually\"},\"confidence\":0.95,\"proof_url\":\"https://example.com/proof.png\"}" | json 'd["task"]["status"]'
sleep 0.5
curl -sS "$B/api/tasks/$TASK" | json '(d["task"]["status"], d["task"]["payout"]["id"], d["task"]["payout"]["amount_sats"])'

step "9. Release payout (again: idempotent, same payout)"
curl -sS -X POST "$B/api/tasks/$TASK/release" | json '(d["payout"]["id"], d["payout"]["amount_sats"], d["payout"]["platform_fee_sats"], d["payout"]["status"])'

step "10. Payout history"
curl -sS "$B/api/workers/$WORKER/payouts" | json '("total_earned_sats", d["total_earned_sats"], "pending", len(d["pending"]), "failed", len(d["failed"]))'
curl -sS "$B/api/workers/$WORKER" | json '("reputation_score", d["worker"]["reputation_score"], "completed_jobs", d["worker"]["completed_jobs"], "tier", d["worker"]["tier"])'
