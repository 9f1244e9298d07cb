"""Benchmark: plan quality on realistic collection days, as gaps to the best known plans.

For each day of ``days.SET`` and each time limit, ``visitplan.solve`` plans the day (the
production path, default workers); every plan is checked by ``visitplan.validate``. The
table gives priority served and travel, and their gaps to the day's best known plan
(``benchmarks/days/best/<day>.json``: the best plan any run of any configuration found,
kept with its routes). ``--baseline`` runs the plain OR-Tools model
(``plain_ortools.py``) at the given limits on the same days; ``--update`` records a run
that beats the best known (more priority; at equal priority, less travel).

    python benchmarks/quality.py --limits 10 30 60 --baseline 20 --out benchmarks/out/quality.csv
    python benchmarks/quality.py --limits 300 --update            # long runs: best known
    python benchmarks/quality.py --limits 30 --travel-check 120   # travel at the same priority

Each row carries how fast the machine was just before the run (``machine.py``): the
search stops on time, so a slower machine plans worse in the same limit.

With ``--travel-check`` and ``--update``, a re-routed plan (the same visits, less travel)
that beats the best known is kept too: its routes are a plan visitplan found, given longer.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import time
from dataclasses import replace
from pathlib import Path


import visitplan as vp
from days import BY_NAME, SET, Day, problem
from machine import speed
from plain_ortools import check, day_data, solve_plain
from table import show

BEST = Path(__file__).parent / "days" / "best"


def travel_s(data, routes: dict[str, list[str]]) -> float:
    """Travel seconds of ``routes`` on the day's matrices (start, visits, end)."""
    place = {a.account_id: data.options(k)[0] for k, a in enumerate(data.accounts)}
    total = 0.0
    for v, agent in enumerate(data.agents):
        stops = routes.get(agent.agent_id, [])
        if not stops:
            continue
        path = [data.start_node(v), *(place[s] for s in stops), data.end_node(v)]
        seconds = data.seconds[data.speeds[v]]
        total += float(sum(seconds[a, b] for a, b in zip(path, path[1:])))
    return total


def measure(data, routes: dict[str, list[str]]) -> dict:
    """Visits, priority served, promises kept (must-visit accounts visited) and travel."""
    priority = {a.account_id: a.priority for a in data.accounts}
    promised = {a.account_id for a in data.accounts if a.must_visit}
    visited = [s for stops in routes.values() for s in stops]
    return {"visits": len(visited), "priority": round(sum(priority[s] for s in visited), 3),
            "musts": len(promised.intersection(visited)),
            "travel_h": round(travel_s(data, routes) / 3600, 3)}


def run_visitplan(prob: vp.Problem, data, limit: float, workers: int | None, seed: int,
                  **search) -> dict:
    """``visitplan.solve`` with the policy's settings, ``search`` overriding some."""
    began = time.monotonic()
    params = replace(vp.SearchParams.from_policy(prob.policy), **search)
    plan = vp.solve(prob, params, time_limit=limit, workers=workers, seed=seed)
    wall = time.monotonic() - began
    routes = {r.agent_id: [v.account_id for v in r.visits] for r in plan.agent_routes}
    setting = ", ".join(f"{k}={v}" for k, v in search.items())
    return {"method": f"visitplan{f' ({setting})' if setting else ''}", "limit_s": limit,
            "workers": plan.stats.workers, "searched": plan.stats.searched,
            "parts": plan.stats.parts, "warm_start": plan.stats.warm_start,
            "wall_s": round(wall, 2), "valid": not vp.validate(prob, plan),
            **measure(data, routes), "routes": routes}


def same_priority_travel(prob: vp.Problem, data, routes: dict[str, list[str]], limit: float,
                         seed: int) -> dict:
    """The plan's travel against the least travel found for the same visits: the plan's
    accounts made must-visit (the others gone), searched for ``limit`` seconds from the
    plan itself, and for ``limit`` seconds more from nothing (where every route of a plan
    is full, moves from it find little that a fresh first plan finds: benchmarks/README.md,
    "Routes built again three at a time"); the shorter routing that serves every visit
    counts. The gap is how far the plan's routing is from converged at its priority."""
    chosen = {s for stops in routes.values() for s in stops}
    fixed = prob.model_copy(update={"accounts": tuple(
        a.model_copy(update={"must_visit": True}) for a in prob.accounts
        if a.account_id in chosen)})
    given = tuple((agent, tuple(stops)) for agent, stops in routes.items() if stops)
    base = replace(vp.SearchParams.from_policy(prob.policy), decompose="never", shortlist=None)
    found = []
    for params in (replace(base, start_from=given), base):
        plan = vp.solve(fixed, params, time_limit=limit, seed=seed)
        again = {r.agent_id: [v.account_id for v in r.visits] for r in plan.agent_routes}
        if not vp.validate(fixed, plan) and \
                {s for stops in again.values() for s in stops} == chosen:
            found.append(again)
    if not found:
        return {"travel_same_h": None, "travel_same_gap_pct": None}
    travel = measure(data, routes)["travel_h"]
    hours = [measure(data, again)["travel_h"] for again in found]  # measured once each
    k = min(range(len(found)), key=hours.__getitem__)
    least = min(hours[k], travel)
    return {"travel_same_h": least,
            "travel_same_gap_pct": round(100 * (travel - least) / least, 2),
            "rerouted": found[k] if least < travel else None}


def run_plain(data, limit: float) -> dict:
    began = time.monotonic()
    found = solve_plain(data, limit)
    wall = time.monotonic() - began
    routes = {agent: [a for a, _ in stops] for agent, stops in found.items()}
    return {"method": "plain OR-Tools", "limit_s": limit, "workers": 1,
            "wall_s": round(wall, 2), "valid": bool(found) and check(data, found),
            **measure(data, routes), "routes": routes}


def best_known(day: Day, data=None) -> dict | None:
    """The day's best known plan; with ``data``, its promises kept counted where a file
    written before they were recorded lacks them."""
    path = BEST / f"{day.name}.json"
    if not path.exists():
        return None
    best = json.loads(path.read_text())
    if "musts" not in best and data is not None:
        best["musts"] = measure(data, best["routes"])["musts"]
    return best


def better(row: dict, best: dict | None) -> bool:
    """A valid plan that keeps more promises (must-visit accounts: the model drops one
    only where no plan can make the visit), then serves more priority, then travels less."""
    if not row["valid"]:
        return False
    if best is None:
        return True
    return (row.get("musts", 0), row["priority"], -row["travel_h"]) > \
        (best.get("musts", 0), best["priority"], -best["travel_h"])


def keep(day: Day, row: dict, seed: int) -> None:
    BEST.mkdir(parents=True, exist_ok=True)
    record = {k: row[k] for k in ("priority", "musts", "travel_h", "visits", "method",
                                  "limit_s", "workers")}
    record.update(seed=seed, day=day.name, routes=row["routes"])
    (BEST / f"{day.name}.json").write_text(json.dumps(record, indent=1) + "\n")


def gaps(row: dict, best: dict | None) -> dict:
    """Priority below the best known, travel above it, in percent; promises the best
    known keeps that the plan does not."""
    if best is None:
        return {"priority_gap_pct": None, "travel_gap_pct": None, "musts_short": None}
    return {"priority_gap_pct": round(100 * (best["priority"] - row["priority"])
                                      / best["priority"], 2),
            "travel_gap_pct": round(100 * (row["travel_h"] - best["travel_h"])
                                    / best["travel_h"], 2),
            "musts_short": best.get("musts", 0) - row.get("musts", 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", nargs="+", default=[d.name for d in SET],
                        choices=list(BY_NAME), help="default: the set (days.SET); "
                        "days.HELD_OUT by name")
    parser.add_argument("--limits", type=float, nargs="+", default=[10, 30, 60])
    parser.add_argument("--baseline", type=float, nargs="*", default=[],
                        help="time limits for the plain OR-Tools model")
    parser.add_argument("--workers", type=int, default=None,
                        help="visitplan's workers (default: visitplan's own default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shortlist", default=None,
                        help="candidates per visit slot on cap-bound days, or 'off' "
                             "(default: visitplan's)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="another SearchParams setting, e.g. decompose=always, "
                             "territory_size=300 (repeatable)")
    parser.add_argument("--travel-check", type=float, default=None, metavar="SECONDS",
                        help="re-route each visitplan plan's own visits for SECONDS from the "
                             "plan and SECONDS from nothing, and report its travel gap at "
                             "the same priority")
    parser.add_argument("--update", action="store_true",
                        help="keep a run that beats the best known plan")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for name in args.days:
        day = BY_NAME[name]
        prob = problem(day)
        data = day_data(prob)
        search = {} if args.shortlist is None else {
            "shortlist": None if args.shortlist == "off" else float(args.shortlist)}
        for setting in args.set:
            key, _, value = setting.partition("=")
            try:  # numbers, None, tuples (a portfolio); else the string itself
                search[key] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                search[key] = value
        runs = [lambda lim=lim: run_visitplan(prob, data, lim, args.workers, args.seed,
                                              **search) for lim in args.limits]
        runs += [lambda lim=lim: run_plain(data, lim) for lim in args.baseline]
        for go in runs:
            machine = speed()  # how fast the machine is just now: see machine.py
            row = {**go(), **machine}
            if args.travel_check and row["method"].startswith("visitplan") and row["valid"]:
                row.update(same_priority_travel(prob, data, row["routes"], args.travel_check,
                                                args.seed))
            best = best_known(day, data)
            if args.update and better(row, best):
                keep(day, row, args.seed)
            rerouted = row.pop("rerouted", None)
            if args.update and rerouted:  # the same visits routed for longer: a plan too
                longer = {**row, **measure(data, rerouted), "routes": rerouted,
                          "method": f"{row['method']}, re-routed {args.travel_check:g} s"}
                if better(longer, best_known(day, data)):
                    keep(day, longer, args.seed)
            row.update(day=day.name, bound=day.bound, eligible=len(data.accounts),
                       **gaps(row, best_known(day, data) if args.update else best))
            row.pop("routes")
            rows.append(row)
            print({k: row[k] for k in ("day", "method", "limit_s", "visits", "priority",
                                       "musts", "musts_short",
                                       "travel_h", "priority_gap_pct", "travel_gap_pct",
                                       "travel_same_gap_pct", "valid", "wall_s", "python_s",
                                       "ortools_s")
                   if k in row}, flush=True)
    show(rows, args.out)


if __name__ == "__main__":
    os.chdir(Path(__file__).parent.parent)
    main()
