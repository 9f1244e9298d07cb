"""A national batch on Dask: 20 regions x 2,500 accounts, on 1 and on 2 workers.

    .venv/bin/python benchmarks/batch.py --regions 20 --accounts 2500 --agents 50 \
        --limit 15 --workers 1 2 --out benchmarks/out/batch.csv

Each region is the example generator (its own seed) moved to its own city; every region
is one Dask task on a LocalCluster of N single-threaded worker processes. Reports the
batch's wall time against the sum of the regions' own solve times (the speed-up).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd


def batch(regions: int, accounts: int, agents: int):
    import visitplan as vp
    from visitplan.demo import DEMO_DATE, generate_accounts, generate_agents

    acc, ag = [], []
    for r in range(regions):
        a = generate_accounts(accounts, seed=100 + r)
        g = generate_agents(agents, seed=100 + r)
        for frame, lat, lon in ((a, "lat", "lon"), (g, "start_lat", "start_lon")):
            frame[lat] = frame[lat] + 0.5 * (r // 5)   # a grid of cities, 50 km apart
            frame[lon] = frame[lon] + 0.5 * (r % 5)
            frame["region"] = f"city{r:02d}"
        a["account_id"] = a["account_id"] + f"-{r:02d}"
        g["agent_id"] = g["agent_id"] + f"-{r:02d}"
        a["preferred_agent"] = ""
        acc.append(a)
        ag.append(g)
    return vp.read_frames(pd.concat(acc), pd.concat(ag), date=DEMO_DATE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=2500)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--limit", type=float, default=15)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    import visitplan as vp
    from visitplan.batch import solve_regions

    problem = batch(args.regions, args.accounts, args.agents)
    rows = []
    for n in args.workers:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            began = time.monotonic()
            plan = solve_regions(problem, vp.SearchParams(time_limit=args.limit),
                                 client=client)
            wall = time.monotonic() - began
        violations = vp.validate(problem, plan)
        region_s = sum(r["solver"]["wall_s"] for r in plan.regions.values() if "solver" in r)
        rows.append({"workers": n, "regions": args.regions, "accounts": len(problem.accounts),
                     "limit_per_region_s": args.limit, "wall_s": round(wall, 1),
                     "sum_region_s": round(region_s, 1), "speed_up": round(region_s / wall, 2),
                     "planned": len(plan.visits), "failed_regions": sum(
                         "failed" in r for r in plan.regions.values()),
                     "violations": len(violations)})
        print(rows[-1], flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
