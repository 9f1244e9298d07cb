"""A public anchor for prize-collecting with windows: the team orienteering problem with time
windows (TOPTW) on Solomon's instances.

The TOPTW instances of the literature (Montemanni & Gambardella; Vansteenwegen et al.) are
Solomon's 100-customer VRPTW instances read as: profit = demand, Tmax = the depot's closing
time, m = 1 to 4 routes, no capacity, distances truncated to one decimal. The shared
``solomon_100`` files already give ``floor(10 x distance)`` (``FLOOR_2D``, ``SCALE 10``): the
same truncation, in tenths. Each instance goes through the public API (optional accounts,
priority = profit, m agents from the depot between its opening and closing time, the
instance's matrix as ``visitplan.Matrix``) and ``visitplan.solve``; every plan is re-checked
from the instance data (windows, Tmax, each customer at most once) and scored. The plain
OR-Tools model (``plain_ortools.py``) runs on the same problems for comparison.

    python benchmarks/toptw.py --instances C101 C201 R101 R201 RC101 RC201 --routes 1 2 3 4 \
        --time-limit 10 --out benchmarks/out/toptw.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import visitplan as vp
from plain_ortools import day_data, solve_plain
from vrptw import Instance, read_instance
from vrptw import to_problem as vrptw_problem
from table import show

SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "vrptw" / "solomon_100"
# One profit point must outweigh every minute of travel: TOPTW maximises profit alone.
PRIORITY_MINUTES = 10_000


def to_problem(inst: Instance, routes: int) -> vp.Problem:
    """The TOPTW instance as a visitplan problem: the VRPTW harness's problem
    (``vrptw.to_problem``) with optional accounts worth their demand, ``routes`` agents
    and no capacity."""
    vrptw = vrptw_problem(inst)
    accounts = tuple(a.model_copy(update={"must_visit": False, "priority": float(a.load)})
                     for a in vrptw.accounts)
    agents = tuple(a.model_copy(update={"capacity": None}) for a in vrptw.agents[:routes])
    weights = vrptw.policy.weights.model_copy(update={"priority_minutes": PRIORITY_MINUTES})
    return vrptw.model_copy(update={"accounts": accounts, "agents": agents,
                                    "policy": vrptw.policy.model_copy(
                                        update={"weights": weights})})


def score(inst: Instance, routes: list[list[int]], allowed: int) -> tuple[int, list[str]]:
    """Profit of ``routes`` and what is wrong with them, from the instance data alone."""
    problems = []
    seen = [c for r in routes for c in r]
    if len(seen) != len(set(seen)):
        problems.append("a customer visited twice")
    if len([r for r in routes if r]) > allowed:
        problems.append(f"more than {allowed} routes")
    for k, route in enumerate(routes):
        t, here = int(inst.ready[0]), 0
        for c in route:
            t = max(t + int(inst.matrix[here, c]), int(inst.ready[c]))
            if t > inst.due[c]:
                problems.append(f"route {k + 1}: customer {c} at {t} > due {inst.due[c]}")
            t, here = t + inst.service, c
        if t + inst.matrix[here, 0] > inst.due[0]:
            problems.append(f"route {k + 1} back after Tmax")
    return int(np.sum(inst.demand[seen])) if seen else 0, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="+",
                        default=["C101", "C201", "R101", "R201", "RC101", "RC201"])
    parser.add_argument("--routes", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--time-limit", type=float, default=10)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--baseline", action="store_true", help="also the plain OR-Tools model")
    parser.add_argument("--dir", type=Path, default=SOLOMON)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for name in args.instances:
        path = next(args.dir.glob(f"{name}.100.*.vrptw"))
        inst = read_instance(path)
        for m in args.routes:
            prob = to_problem(inst, m)
            plan = vp.solve(prob, time_limit=args.time_limit, workers=args.workers)
            routes = [[int(v.account_id) for v in r.visits] for r in plan.agent_routes]
            profit, problems = score(inst, routes, m)
            row = {"instance": name, "m": m, "limit_s": args.time_limit,
                   "visitplan": profit, "visits": sum(map(len, routes)),
                   "valid": not problems and not vp.validate(prob, plan),
                   "total_profit": int(inst.demand[1:].sum())}
            if args.baseline:
                found = solve_plain(day_data(prob), args.time_limit)
                plain = [[int(a) for a, _ in stops] for stops in found.values()]
                row["plain_ortools"], wrong = score(inst, plain, m)
                row["plain_valid"] = not wrong
            rows.append(row)
            print(row, flush=True)
    show(rows, args.out)


if __name__ == "__main__":
    main()
