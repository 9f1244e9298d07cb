"""Benchmark: a week of 1,500 accounts and 20 agents, 10% due within the five days.

The horizon (``visitplan plan --days 5``) against "rolling daily" (plan day 1, remove what
was planned, plan day 2, ...: the same days without the horizon's urgency), with the same
total time limit. Each plan is validated (``validate_horizon``).

    python benchmarks/horizon.py --seeds 0 1 2 --limit 120 --out benchmarks/out/horizon.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import visitplan as vp
from visitplan.demo import DEMO_DATE, generate_accounts, generate_agents
from visitplan.horizon import plan_horizon
from visitplan.validation import validate_horizon
from table import show


def week(accounts: int, agents: int, days: int, seed: int, due_share: float) -> vp.Problem:
    frame = generate_accounts(accounts, seed)
    rng = np.random.default_rng(seed)
    due = rng.choice(len(frame), int(due_share * len(frame)), replace=False)
    frame["due_date"] = ""
    frame.loc[due, "due_date"] = [(DEMO_DATE + pd.Timedelta(days=int(k))).isoformat()
                                  for k in rng.integers(0, days, len(due))]
    staff = generate_agents(agents, seed)
    staff["off_dates"] = ""
    off = rng.choice(len(staff), max(1, agents // 10), replace=False)
    staff.loc[off, "off_dates"] = (DEMO_DATE + pd.Timedelta(days=2)).isoformat()
    return vp.enrich(vp.read_frames(frame, staff, date=DEMO_DATE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1500)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--due-share", type=float, default=0.10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--limit", type=float, default=120)
    parser.add_argument("--methods", nargs="+", default=["horizon", "rolling"],
                        choices=["horizon", "rolling", "must"],
                        help="must: the horizon with due_must_visit = true")
    parser.add_argument("--due-boost", type=float, default=None,
                        help="[horizon] due_boost for the horizon methods (default: policy)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        problem = week(args.accounts, args.agents, args.days, seed, args.due_share)
        due = sum(a.due_date is not None for a in problem.accounts)
        for method in args.methods:
            rules = problem.policy.horizon.model_copy(update={
                "due_must_visit": method == "must",
                **({"due_boost": args.due_boost} if args.due_boost is not None else {})})
            planned = problem.model_copy(update={"policy": problem.policy.model_copy(
                update={"horizon": rules})})
            horizon = plan_horizon(planned, args.days, time_limit=args.limit, seed=seed,
                                   aware=method != "rolling")
            violations = validate_horizon(planned, horizon)
            rows.append({
                "seed": seed, "method": {"horizon": "horizon", "rolling": "rolling daily",
                                         "must": "horizon, must-visit on due date"}[method],
                "due_boost": rules.due_boost if method != "rolling" else None,
                "limit_s": args.limit, "wall_s": horizon.wall_s,
                "first_plan_s": round(horizon.first_plan_s or -1, 2),
                "visits": len(horizon.visits),
                "priority_served": round(horizon.priority_served(problem), 1),
                "discounted": round(horizon.priority_served(
                    problem, problem.policy.horizon.discount_per_day), 1),
                "due_in_horizon": due, "missed_due_date": len(horizon.missed_due()),
                "violations": len(violations)})
            print(rows[-1], flush=True)
    show(rows, args.out)


if __name__ == "__main__":
    main()
