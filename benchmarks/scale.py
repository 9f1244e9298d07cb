"""City-scale days: time to the first plan, memory, visits, wall time.

    .venv/bin/python benchmarks/scale.py --sizes 1000:25 3000:60 --limit 60
    .venv/bin/python benchmarks/scale.py --sizes 10000:200 --limit 120 --out benchmarks/out/scale.csv

Each size runs in its own process (peak memory is the process's ru_maxrss). The day
is the example generator scaled up (Shanghai districts, mixed windows, breaks,
caps, skills; the agents' offices spread over the city for large teams).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(accounts: int, agents: int, limit: float, workers: int, seed: int,
        decompose: str) -> dict:
    import visitplan as vp
    from visitplan.demo import DEMO_DATE, generate_accounts, generate_agents

    began = time.monotonic()
    problem = vp.read_frames(generate_accounts(accounts, seed), generate_agents(agents, seed),
                             date=DEMO_DATE)
    read_s = time.monotonic() - began
    params = vp.SearchParams(time_limit=limit, workers=workers, seed=0, decompose=decompose)
    began = time.monotonic()
    plan = vp.solve(problem, params)
    wall = time.monotonic() - began
    violations = vp.validate(problem, plan)
    kpis = plan.kpis
    return {
        "accounts": accounts, "agents": agents, "limit_s": limit, "workers": workers,
        "decompose": decompose, "parts": plan.stats.parts, "read_s": round(read_s, 2),
        "build_s": plan.stats.build_s, "first_plan_s": plan.stats.first_solution_s,
        "wall_s": round(wall, 2), "limit_kept": wall <= limit,
        "peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "planned": kpis["accounts"]["planned"], "priority_served": kpis["priority"]["served"],
        "served_pct": kpis["priority"]["served_pct"], "travel_km": kpis["travel"]["km"],
        "found_plan": plan.found_plan, "violations": len(violations),
        "status": plan.stats.status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1000:25", "3000:60"],
                        help="ACCOUNTS:AGENTS")
    parser.add_argument("--limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--decompose", default="auto", choices=["auto", "always", "never"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child run: one size, its result as JSON on stdout
        accounts, agents = map(int, args.one.split(":"))
        print(json.dumps(one(accounts, agents, args.limit, args.workers, args.seed,
                             args.decompose)))
        return
    rows = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", size, "--limit",
                              str(args.limit), "--workers", str(args.workers), "--seed",
                              str(args.seed), "--decompose", args.decompose],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    if args.out and rows:
        import pandas as pd
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
