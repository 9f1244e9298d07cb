"""Why PyVRP loses on days of optional accounts: its plan against OR-Tools' on the same day.

For each day and variant, PyVRP (as ``visitplan``'s warm start builds it) searches the
day alone for ``--limit`` seconds; its plan is loaded into ``visitplan``'s OR-Tools model
(every rule) and scored there: priority served, travel, objective. OR-Tools alone (worker
0 of the portfolio) gets the same time on the same model. Variants change only what
PyVRP is given:

- ``prizes xK``: each account's prize is its drop penalty times K (the objective PyVRP
  optimises then weighs travel K times more against priority);
- ``shortlist``: PyVRP sees only the accounts the shortlist keeps (solver/shortlist.py);
- ``penalties from xS``: PyVRP's penalties for a broken rule (time warp, load: the visit
  cap and the breaks) start at S x the mean prize instead of PyVRP's default, the midpoint
  of its range (``warm.solve_params`` sets the top at 100 x the largest prize, so the
  midpoint is 50 x the largest prize).

    python benchmarks/pyvrp_prizes.py --days 400-cap 1000-time --limit 20 --out benchmarks/out/pyvrp.csv
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import pyvrp

from days import BY_NAME, SET, problem
from plain_ortools import day_data
from visitplan.solver import search as one_search
from visitplan.solver import warm
from visitplan.solver.data import build_data
from visitplan.solver.model import build_model
from visitplan.solver.params import SearchParams
from visitplan.solver.progress import SearchMonitor
from visitplan.solver.shortlist import shortlist
from table import show


@dataclass
class StartAt(pyvrp.PenaltyParams):
    """PyVRP's penalty parameters, its penalties starting at ``start`` (not the midpoint)."""

    start: float = 1.0

    def midpoint_penalties(self, data):
        return [self.start] * data.num_load_dimensions, self.start, self.start


ORIGINAL = warm.solve_params


def starting_at(share: float | None):
    """``warm.solve_params`` with penalties starting at ``share`` x the mean prize."""

    def params(problem):
        chosen = ORIGINAL(problem)
        if share is None:
            return chosen
        prizes = [c.prize for c in problem.clients() if not c.required] or [1]
        start = share * sum(prizes) / len(prizes)
        penalty = StartAt(**{**vars(chosen.penalty), "start": start})
        return pyvrp.SolveParams(penalty=penalty)
    return params


def score(model, assignment) -> dict:
    """Priority served, travel hours and objective of an assignment of ``model``."""
    if assignment is None:
        return {"priority": None, "travel_h": None, "objective": None, "visits": 0}
    data, routing, manager = model.data, model.routing, model.manager
    priority, travel, visits = 0.0, 0.0, 0
    for v in range(len(data.agents)):
        index = routing.Start(v)
        seconds = data.seconds[data.speeds[v]]
        while not routing.IsEnd(index):
            nxt = assignment.Value(routing.NextVar(index))
            travel += seconds[manager.IndexToNode(index), manager.IndexToNode(nxt)]
            if not routing.IsEnd(nxt):
                priority += data.accounts[data.owner[manager.IndexToNode(nxt)]].priority
                visits += 1
            index = nxt
    return {"priority": round(priority, 2), "travel_h": round(float(travel) / 3600, 2),
            "objective": assignment.ObjectiveValue(), "visits": visits}


def run_pyvrp(model, limit: float, seed: int, factor: float,
              start: float | None = None) -> dict:
    warm.solve_params = starting_at(start)
    penalties = [max(1, int(p * factor)) if not a.must_visit else p
                 for p, a in zip(model.penalties, model.data.accounts)]
    began = time.monotonic()
    stop = warm.Stop(end=began + limit, give_up=began + 0.9 * limit)
    routes = warm.search(model.data, penalties, stop, seed)
    assignment = warm.to_assignment(model, routes) if routes is not None else None
    return {**score(model, assignment), "wall_s": round(time.monotonic() - began, 1)}


def run_ortools(model, limit: float) -> dict:
    began = time.monotonic()
    monitor = SearchMonitor(model.routing, limit, began)
    model.routing.AddAtSolutionCallback(monitor.on_solution)  # counts the plans it finds
    search = one_search.search_parameters(limit, None, SearchParams().portfolio[0])
    solution, _ = one_search.solve_fresh(model, search, monitor)
    return {**score(model, solution), "wall_s": round(time.monotonic() - began, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", nargs="+", default=["400-cap", "1000-time"],
                        choices=[d.name for d in SET])
    parser.add_argument("--limit", type=float, default=20)
    parser.add_argument("--factors", type=float, nargs="+", default=[1.0, 0.1, 0.01])
    parser.add_argument("--starts", type=float, nargs="*", default=[],
                        help="PyVRP's penalties start at these multiples of the mean prize")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for name in args.days:
        prob = problem(BY_NAME[name])
        data = day_data(prob, args.seed)
        kept, _ = shortlist(data.accounts, data.agents, SearchParams().shortlist)
        small = build_data(data.problem, kept, data.agents, args.seed)
        for label, day in (("all accounts", data), ("shortlist", small)):
            if label == "shortlist" and len(kept) == len(data.accounts):
                continue
            runs = [("OR-Tools GLS", lambda d=day: run_ortools(build_model(d), args.limit))]
            runs += [(f"PyVRP, prizes x{f:g}",
                      lambda d=day, f=f: run_pyvrp(build_model(d), args.limit, args.seed, f))
                     for f in args.factors]
            runs += [(f"PyVRP, penalties from x{st:g}",
                      lambda d=day, st=st: run_pyvrp(build_model(d), args.limit, args.seed,
                                                     1.0, st)) for st in args.starts]
            for engine, go in runs:
                rows.append({"day": name, "accounts": label, "engine": engine,
                             "limit_s": args.limit, **go()})
                print(rows[-1], flush=True)
    show(rows, args.out)


if __name__ == "__main__":
    main()
