"""Solver quality on the standard VRPTW benchmarks (Solomon, Gehring & Homberger).

    python benchmarks/vrptw.py ../shared/benchmarks/vrptw/solomon_100 --time-limit 10 \
        --out benchmarks/out/solomon [--seed 0] [--workers 1]

Each instance (LKH-3 CVRPTW format, see ../shared/NOTES.md) becomes a visitplan
``Problem`` through the public API: customers are must-visit accounts with one
window, demand is ``load``, vehicles are agents with ``capacity``, the depot is
every agent's start and end, and the instance's integer matrix is an explicit
travel matrix in the instance's own time unit. It is solved by ``visitplan.solve``
(the production path). Each solution is checked here, independently of the
solver, and its cost recomputed from the routes: an infeasible or miscounted
solution is reported as such, never as a gap.

Writes ``DIR/<instance>.sol`` (VRPLIB style) and one row per instance in
``DIR/results.csv``: set, instance, vehicles, cost, reference_cost, gap_pct,
seconds, feasible.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import visitplan as vp

DATE = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    service: int
    matrix: np.ndarray          # integer arc costs = travel times, node 0 is the depot
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray

    @property
    def customers(self) -> int:
        return len(self.demand) - 1


def read_instance(path: Path) -> Instance:
    header, sections, current = {}, {}, None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("SECTION"):
            current = sections.setdefault(line, [])
        elif ":" in line and current is None:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
        elif current is not None:
            current.append([float(x) for x in line.split()])
    coords = np.array(sections["NODE_COORD_SECTION"])[:, 1:]
    windows = np.array(sections["TIME_WINDOW_SECTION"])[:, 1:]
    demand = np.array(sections["DEMAND_SECTION"])[:, 1].astype(np.int64)
    depot = int(sections["DEPOT_SECTION"][0][0])
    if depot != 1:
        raise ValueError(f"{path.name}: the depot must be node 1")
    euclid = np.hypot(*(coords[:, None, :] - coords[None, :, :]).transpose(2, 0, 1))
    kind = header["EDGE_WEIGHT_TYPE"]
    if kind == "FLOOR_2D":
        scale = float(header.get("SCALE", 1))
        matrix = np.floor(scale * euclid + 1e-9)
    elif kind == "EXACT_2D":
        scale = float(header.get("SCALE", 1000))
        matrix = np.rint(scale * euclid)
    else:
        raise ValueError(f"{path.name}: unsupported EDGE_WEIGHT_TYPE {kind}")
    return Instance(
        name=path.name.removesuffix(".vrptw"), vehicles=int(header["VEHICLES"]),
        capacity=int(header["CAPACITY"]), service=round(float(header["SERVICE_TIME"]) * scale),
        matrix=matrix.astype(np.int64), demand=demand,
        ready=np.rint(windows[:, 0] * scale).astype(np.int64),
        due=np.rint(windows[:, 1] * scale).astype(np.int64))


def to_problem(inst: Instance) -> vp.Problem:
    """The instance as a visitplan problem, through the public API."""
    horizon = int(inst.due[0])
    unit_s = 86400 / horizon  # the instance's horizon is the problem's day
    policy = vp.Policy(visiting_hours={"start": "00:00", "end": "24:00"},
                       max_visits_7d=1, max_visits_30d=1, min_days_between_visits=0)
    accounts = tuple(
        vp.Account(account_id=str(i), lat=0, lon=0, must_visit=True, load=int(inst.demand[i]),
                   service_min=max(inst.service, 1),
                   windows=(vp.TimeWindow(start=int(inst.ready[i]), end=int(inst.due[i])),))
        for i in range(1, inst.customers + 1))
    agents = tuple(
        vp.Agent(agent_id=f"v{k}", start_lat=0, start_lon=0, shift_start=int(inst.ready[0]),
                 shift_end=horizon, capacity=inst.capacity, days=frozenset(range(7)))
        for k in range(inst.vehicles))
    index = {str(i): i for i in range(1, inst.customers + 1)}
    for agent in agents:
        index[f"start:{agent.agent_id}"] = index[f"end:{agent.agent_id}"] = 0
    travel = vp.Matrix(inst.matrix, index, unit_s=unit_s)
    return vp.Problem(accounts=accounts, agents=agents, policy=policy, date=DATE,
                      travel=travel, time_unit_s=unit_s)


def routes_of(plan: vp.Plan) -> list[list[int]]:
    return [[int(v.account_id) for v in r.visits] for r in plan.agent_routes if r.visits]


def check(inst: Instance, routes: list[list[int]]) -> tuple[bool, int, list[str]]:
    """Independent feasibility check and cost, from the instance data alone."""
    problems, cost = [], 0
    seen = [c for r in routes for c in r]
    if sorted(seen) != list(range(1, inst.customers + 1)):
        missing = set(range(1, inst.customers + 1)) - set(seen)
        problems.append(f"customers served {len(seen)} times in all, "
                        f"{len(set(seen))} distinct, {len(missing)} missing")
    if len(routes) > inst.vehicles:
        problems.append(f"{len(routes)} routes for {inst.vehicles} vehicles")
    for k, route in enumerate(routes):
        if inst.demand[route].sum() > inst.capacity:
            problems.append(f"route {k + 1} carries {inst.demand[route].sum()} > {inst.capacity}")
        t, here = int(inst.ready[0]), 0
        for c in route:
            t = max(t + int(inst.matrix[here, c]), int(inst.ready[c]))
            if t > inst.due[c]:
                problems.append(f"route {k + 1}: customer {c} served at {t} > due {inst.due[c]}")
            t += inst.service
            cost += int(inst.matrix[here, c])
            here = c
        cost += int(inst.matrix[here, 0])
        if t + inst.matrix[here, 0] > inst.due[0]:
            problems.append(f"route {k + 1} back at {t + inst.matrix[here, 0]} > {inst.due[0]}")
    return not problems, cost, problems


def write_solution(path: Path, routes: list[list[int]], cost: int) -> None:
    lines = [f"Route #{k}: {' '.join(map(str, r))}" for k, r in enumerate(routes, start=1)]
    path.write_text("\n".join(lines + [f"Cost {cost}"]) + "\n")


def references(root: Path) -> dict[str, int]:
    table = root / "references.csv"
    if not table.exists():
        return {}
    with table.open() as f:
        return {row["instance"]: int(row["reference_cost"]) for row in csv.DictReader(f)}


def run(path: Path, time_limit: float, seed: int, workers: int, out: Path,
        refs: dict[str, int]) -> dict:
    inst = read_instance(path)
    began = time.monotonic()
    plan = vp.solve(to_problem(inst), time_limit=time_limit, seed=seed, workers=workers)
    seconds = time.monotonic() - began
    routes = routes_of(plan)
    feasible, cost, problems = check(inst, routes)
    write_solution(out / f"{inst.name}.sol", routes, cost)
    ref = refs.get(inst.name)
    gap = round(100 * (cost - ref) / ref, 3) if feasible and ref else None
    for problem in problems[:5]:
        print(f"  {inst.name}: {problem}", file=sys.stderr)
    return {"set": path.parent.name, "instance": inst.name, "vehicles": len(routes), "cost": cost,
            "reference_cost": ref, "gap_pct": gap, "seconds": round(seconds, 2),
            "feasible": feasible}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--time-limit", type=float, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    files = sorted(f for p in args.paths for f in ([p] if p.is_file() else p.glob("*.vrptw")))
    args.out.mkdir(parents=True, exist_ok=True)
    fields = ["set", "instance", "vehicles", "cost", "reference_cost", "gap_pct", "seconds",
              "feasible"]
    rows = []
    with (args.out / "results.csv").open("w", newline="") as table:
        writer = csv.DictWriter(table, fieldnames=fields)
        writer.writeheader()
        for path in files:
            row = run(path, args.time_limit, args.seed, args.workers, args.out,
                      references(path.parent.parent))
            writer.writerow(row)
            table.flush()
            rows.append(row)
            print(f"{row['instance']:<22} cost {row['cost']:>9} ref {row['reference_cost']} "
                  f"gap {row['gap_pct']}% feasible {row['feasible']} {row['seconds']}s", flush=True)
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    infeasible = sum(not r["feasible"] for r in rows)
    if gaps:
        print(f"mean gap {np.mean(gaps):.2f}%  median {np.median(gaps):.2f}%  worst "
              f"{max(gaps):.2f}%  infeasible {infeasible}/{len(rows)}")
    else:
        print(f"no gaps; infeasible {infeasible}/{len(rows)}")


if __name__ == "__main__":
    main()
