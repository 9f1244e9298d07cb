"""Benchmark: a 1,000-account, 25-agent day in Shanghai.

Records, for each time limit, the time to build the model, the time to
the first feasible plan, the wall time (the limit must hold within 10%),
and the plan's quality: accounts planned, priority served, travel.

    python benchmarks/daily.py --limits 10 30 60 --out benchmarks/out/daily.csv \
        [--workers 2] [--warm-start auto|always|never]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


import visitplan as vp
from visitplan.demo import DEMO_DATE, generate_accounts, generate_agents
from table import show


def day(accounts: int, agents: int, seed: int) -> vp.Problem:
    return vp.read_frames(generate_accounts(accounts, seed), generate_agents(agents, seed),
                                  date=DEMO_DATE)


def with_warm_start(problem: vp.Problem, mode: str) -> vp.Problem:
    solver = problem.policy.solver.model_copy(update={"warm_start": mode})
    return problem.model_copy(update={"policy": problem.policy.model_copy(
        update={"solver": solver})})


def run(problem: vp.Problem, limit: float, seed: int, workers: int = 1) -> dict:
    began = time.monotonic()
    plan = vp.solve(problem, time_limit=limit, seed=seed, workers=workers)
    wall = time.monotonic() - began
    kpis = plan.kpis
    violations = vp.validate(problem, plan)
    return {
        "time_limit_s": limit, "wall_s": round(wall, 2),
        "limit_kept": wall <= 1.1 * limit,
        "build_s": plan.stats.build_s, "first_solution_s": plan.stats.first_solution_s,
        "planned": kpis["accounts"]["planned"], "eligible_priority": kpis["priority"]["available"],
        "priority_served": kpis["priority"]["served"], "served_pct": kpis["priority"]["served_pct"],
        "travel_km": kpis["travel"]["km"], "objective": plan.stats.objective,
        "solutions": plan.stats.solutions, "violations": len(violations),
        "workers": workers, "warm_start": problem.policy.solver.warm_start,
        "warm_start_used": plan.stats.warm_start == "used",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument("--limits", type=float, nargs="+", default=[10, 30, 60])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--warm-start", choices=["auto", "always", "never"], default="auto",
                        help="policy solver.warm_start (PyVRP's plan as OR-Tools' start)")
    args = parser.parse_args()
    problem = with_warm_start(day(args.accounts, args.agents, seed=7), args.warm_start)
    rows = [run(problem, limit, args.seed, args.workers) for limit in args.limits]
    show(rows, args.out)


if __name__ == "__main__":
    main()
