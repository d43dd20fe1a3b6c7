#!/usr/bin/env bash
# The benchmark command: kernel events/s, full-contract simulation throughput and peak memory at 10^4, 10^5 and
# 10^6 tasks (the million-task scenario, cut short with --until for the smaller rows), the sweep's speed-up from
# one core to all, and the SimPy peer on the same market loop.
# Usage: bench/run.sh [--quick]      (--quick: 10^4 and 10^5 tasks only, a 20-run sweep, a 10^5-task SimPy peer)
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
c=$("$bin" crypto --count 20000); echo "$c" >> "$out"
echo "$c" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("%-44s %14s %14s %12s %10s" % ("BOLT11 sign / decode+verify (us each)", "%s / %s" % (d["bolt11_sign_us"], d["bolt11_decode_verify_us"]), "-", "-", "-"))
print("%-44s %14s %14s %12s %10s" % ("macaroon mint / verify (us each)", "%s / %s" % (d["macaroon_mint_us"], d["macaroon_verify_us"]), "-", "-", "-"))'
# 10^4 and 10^5 tasks: the first 1/100 and 1/10 of the million-task scenario; 10^6: the whole run with its drain.
slices="144:4 1440:5"
[ "$quick" = 0 ] && slices="144:4 1440:5 full:6"
for slice in $slices; do
  until=${slice%%:*}; power=${slice##*:}
  if [ "$until" = full ]; then r=$("$bin" run scenarios/million.json); else r=$("$bin" run scenarios/million.json --until "$until"); fi
  echo "$r" >> "$out"
  echo "$r" | POWER="$power" python3 -c '
import json, os, sys
d = json.load(sys.stdin)
name = "full contract 10^%s: %d tasks (%d virtual s)" % (os.environ["POWER"], d["tasks_created"], d["virtual_seconds"])
print("%-44s %14s %14s %12s %10s" % (name, d["tasks_per_second"], d["events_per_second"], d["peak_rss_mib"], d["wall_seconds"]))
assert d["ledger_balanced"], "ledger broken"'
done
# The sweep's speed-up: the same small sweep (fee-sweep, one seed per point) on one thread and on every core.
cores=$(nproc)
sweep_args="--seeds 1"; [ "$quick" = 1 ] && sweep_args="--seeds 1 --shard 0/5"
for jobs in 1 "$cores"; do
  r=$("$bin" sweep scenarios/fee-sweep.json --jobs "$jobs" $sweep_args); echo "$r" >> "$out"
  echo "$r" | python3 -c '
import json, sys
d = json.load(sys.stdin)
name = "sweep, %d runs on %d thread%s" % (d["runs"], d["jobs"], "" if d["jobs"] == 1 else "s")
print("%-44s %14s %14s %12s %10s" % (name, "%s runs/s" % d["runs_per_second"], "-", d["peak_rss_mib"], d["wall_seconds"]))'
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
sweeps = sorted((r for r in rows if r["measurement"] == "sweep"), key=lambda r: r["jobs"])
if len(sweeps) >= 2:
    one, many = sweeps[0], sweeps[-1]
    print("sweep speed-up, 1 -> %d threads on %d cores: %.2fx (%.1f s -> %.1f s for %d runs)" % (many["jobs"], many["cores"], one["wall_seconds"] / many["wall_seconds"], one["wall_seconds"], many["wall_seconds"], many["runs"]))
PY
