"""Benchmark: an upper bound on the priority a day of the quality set can serve.

No plan can serve more than this bound, so it says how much room a best known plan
leaves. It is the optimum of a relaxation of the day, an assignment of accounts to
agents (HiGHS through ``scipy.optimize.milp``):

- ``x[a, g] = 1``: agent ``g`` visits account ``a``; a pair exists only if the agent
  may serve the account (skills, region) and could reach it from the start of its
  shift, start the visit inside one of the account's windows and still get to its end
  place by the end of the shift;
- each account is visited at most once, each agent within its visit cap;
- each agent's visits take no more than its shift less its break: a visit counts its
  service and the shortest trip into it from any other place of the day (every visit
  is entered by some trip, so no route needs less).

Travel order, the break's window and the windows of consecutive visits are dropped:
every plan of the day is a solution of the relaxation, so its optimum bounds them all.

    python benchmarks/bound.py --days 400-cap 1000-cap --out benchmarks/out/bound.csv
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from days import BY_NAME, SET, problem
from plain_ortools import day_data
from quality import best_known
from table import show


def pairs(data) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The (account, agent) pairs a plan could use, and each pair's minimum time."""
    service = data.service_ticks()
    found, cost = [], []
    for g, agent in enumerate(data.agents):
        ticks = data.travel_ticks(data.speeds[g])
        start, end = data.start_node(g), data.end_node(g)
        into = ticks[: data.n + len(data.agents), : data.n].copy()
        for a in range(len(data.accounts)):  # an account's own options are no way in
            own = data.options(a)
            into[np.ix_(own, own)] = np.iinfo(np.int64).max
        for a, account in enumerate(data.accounts):
            if not agent.can_serve(account):
                continue
            options = data.options(a)
            if not any(_reachable(data, ticks, o, start, end, agent) for o in options):
                continue
            entry = min(int(into[:, o].min()) for o in options)
            found.append((a, g))
            cost.append(int(service[options[0]]) + entry)
    return found, np.array(cost, dtype=float)


def _reachable(data, ticks, option: int, start: int, end: int, agent) -> bool:
    low, high = data.windows[option]
    begin = max(low, agent.shift_start + int(ticks[start, option]))
    finish = begin + int(data.service_ticks()[option]) + int(ticks[option, end])
    return begin <= high and finish <= agent.shift_end


def bound(data, time_limit: float) -> dict:
    found, cost = pairs(data)
    n, m = len(data.accounts), len(data.agents)
    priority = np.array([data.accounts[a].priority for a, _ in found])
    rows_a = [a for a, _ in found]
    rows_g = [g for _, g in found]
    cols = np.arange(len(found))
    once = csr_matrix((np.ones(len(found)), (rows_a, cols)), shape=(n, len(found)))
    count = csr_matrix((np.ones(len(found)), (rows_g, cols)), shape=(m, len(found)))
    busy = csr_matrix((cost, (rows_g, cols)), shape=(m, len(found)))
    caps = [a.max_visits if a.max_visits is not None else n for a in data.agents]
    hours = [a.shift_end - a.shift_start - (a.break_rule.duration if a.break_applies() else 0)
             for a in data.agents]
    constraints = [LinearConstraint(once, 0, 1), LinearConstraint(count, 0, caps),
                   LinearConstraint(busy, 0, hours)]
    began = time.monotonic()
    result = milp(-priority, constraints=constraints, integrality=np.ones(len(found)),
                  bounds=Bounds(0, 1), options={"time_limit": time_limit})
    upper = -getattr(result, "mip_dual_bound", np.nan)
    if result.status == 0:  # solved: the optimum is the bound
        upper = -result.fun
    return {"pairs": len(found), "bound": round(float(upper), 3),
            "relaxation_best": round(-float(result.fun), 3) if result.x is not None else None,
            "solved": result.status == 0, "bound_s": round(time.monotonic() - began, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", nargs="+", default=[d.name for d in SET],
                        choices=[d.name for d in SET])
    parser.add_argument("--time-limit", type=float, default=120)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for name in args.days:
        day = BY_NAME[name]
        data = day_data(problem(day))
        row = {"day": name, "accounts": len(data.accounts), **bound(data, args.time_limit)}
        best = best_known(day)
        if best is not None:
            row["best_known"] = best["priority"]
            row["room_pct"] = round(100 * (row["bound"] - best["priority"]) / row["bound"], 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    show(rows, args.out)


if __name__ == "__main__":
    main()
