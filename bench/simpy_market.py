"""The market loop of scenarios/million.json in SimPy: the performance peer of the Swift simulator.

Requesters post tasks by Poisson arrivals with uniform budgets; AI resolvers poll an open-task list every
`poll` seconds, claim one of the oldest five, work 2-14 s, submit; the task is released at once with the
payout math of SPEC section 3 (70% share, 1.1x bonus above a score of 10) and the worker's score moves.
No API, no JSON, no persistence, no Lightning: the peer does only the economics, as the issue describes.

Usage: python bench/simpy_market.py [--tasks N] [--seed S]   -> one JSON line on stdout
"""
import argparse
import json
import random
import resource
import time

import simpy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--resolvers", type=int, default=1200)
    ap.add_argument("--rate-per-second", type=float, default=250000 / 3600)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    env = simpy.Environment()
    open_tasks = []  # budgets in msat, oldest first
    scores = [0] * args.resolvers
    totals = {"created": 0, "completed": 0, "worker_msat": 0, "platform_msat": 0}

    def split(budget_msat, score):
        m = 1_100_000 if score > 10 else 1_000_000
        worker = min(budget_msat * 700_000 * m // 10**12, budget_msat)
        return worker, budget_msat - worker

    def requesters():
        while totals["created"] < args.tasks:
            yield env.timeout(rng.expovariate(args.rate_per_second))
            open_tasks.append(rng.randint(20, 200) * 1000)
            totals["created"] += 1

    def resolver(i):
        yield env.timeout(rng.uniform(0, 10))
        while True:
            if not open_tasks:
                if totals["created"] >= args.tasks:
                    return
                yield env.timeout(10)
                continue
            k = rng.randrange(min(5, len(open_tasks)))
            budget = open_tasks.pop(k)
            yield env.timeout(rng.uniform(2, 14))
            worker, platform = split(budget, scores[i])
            scores[i] += 1
            totals["completed"] += 1
            totals["worker_msat"] += worker
            totals["platform_msat"] += platform
            yield env.timeout(1)

    env.process(requesters())
    for i in range(args.resolvers):
        env.process(resolver(i))
    start = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - start
    print(json.dumps({
        "measurement": "simpy",
        "tasks_created": totals["created"],
        "tasks_completed": totals["completed"],
        "wall_seconds": round(seconds, 3),
        "tasks_per_second": int(totals["created"] / seconds),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
