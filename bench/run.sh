#!/usr/bin/env bash
# The benchmark command: kernel events/s, full-contract simulation throughput and peak memory on the
# million-task scenario (and scaled-down slices of it), and the SimPy peer on the same market loop.
# Usage: bench/run.sh [--quick]      (--quick: 1/100 and 1/10 of the million-task run only)
# Prints a table; raw JSON lines go to bench/results/latest.ndjson.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = "--quick" ] && quick=1
bash scripts/setup.sh
swift build -c release --product simbench >/dev/null
bin=.build/release/simbench
mkdir -p bench/results
out=bench/results/latest.ndjson
: > "$out"
venv=.build/venv-bench
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import simpy' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q simpy
fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(swift --version 2>&1 | head -1)"
echo
printf '%-44s %14s %14s %12s %10s\n' "measurement" "tasks/s" "events/s" "peak MiB" "wall s"
k=$("$bin" kernel --events 10000000); echo "$k" >> "$out"
printf '%-44s %14s %14s %12s %10s\n' "kernel alone (10M events, 10k pending)" "-" "$(echo "$k" | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel_events_per_second"])')" "-" "-"
slices="144 1440"
[ "$quick" = 0 ] && slices="144 1440 14400"
for until in $slices; do
  r=$("$bin" run scenarios/million.json --until "$until"); echo "$r" >> "$out"
  echo "$r" | python3 -c '
import json, sys
d = json.load(sys.stdin)
name = "full contract, %d tasks (%d virtual s)" % (d["tasks_created"], d["virtual_seconds"])
print("%-44s %14s %14s %12s %10s" % (name, d["tasks_per_second"], d["events_per_second"], d["peak_rss_mib"], d["wall_seconds"]))
assert d["ledger_balanced"], "ledger broken"'
done
n=1000000; [ "$quick" = 1 ] && n=100000
p=$("$venv/bin/python" bench/simpy_market.py --tasks "$n"); echo "$p" >> "$out"
echo "$p" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("%-44s %14s %14s %12s %10s" % ("SimPy peer, %d tasks (economics only)" % d["tasks_created"], d["tasks_per_second"], "-", d["peak_rss_mib"], d["wall_seconds"]))'
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
runs = [r for r in rows if r["measurement"] == "run"]
peer = [r for r in rows if r["measurement"] == "simpy"][0]
big = max(runs, key=lambda r: r["tasks_created"])
print()
print("full contract / SimPy peer: %.3fx (%d vs %d tasks/s)" % (big["tasks_per_second"] / peer["tasks_per_second"], big["tasks_per_second"], peer["tasks_per_second"]))
PY
