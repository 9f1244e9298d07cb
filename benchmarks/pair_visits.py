"""Why two-agent visits are pre-formed pairs, not linked copies (issue: two-agent visits).

Builds a small OR-Tools routing model (40 optional visits, 4 vehicles) in which two
visits must each be made by two agents together: two copies of the visit whose
activity and start times are linked and whose vehicles must differ. Prints whether
the search ever performs the linked pairs.

    python benchmarks/pair_visits.py --time-limit 3

Result on 2026-11-28 (OR-Tools 9.15, LOCAL_CHEAPEST_INSERTION + GLS, 3 s): both pairs
left out (vehicles -1/-1) although each copy alone fits easily, because the insertion
heuristics and local-search operators move one node at a time and every single move
breaks the link. visitplan therefore plans pairs as one route (``pair_with``).
"""

from __future__ import annotations

import argparse

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n, vehicles = 40, 4
    points = np.vstack([rng.random((n, 2)) * 10, np.repeat([[5.0, 5.0]], 2 * vehicles, axis=0)])
    travel = np.rint(10 * np.hypot(*(points[:, None] - points[None, :]).transpose(2, 0, 1)))
    travel = travel.astype(int)
    starts = list(range(n, n + vehicles))
    ends = list(range(n + vehicles, n + 2 * vehicles))
    manager = pywrapcp.RoutingIndexManager(len(points), vehicles, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(travel.tolist()))
    service = np.array([10] * n + [0] * (2 * vehicles))
    transit = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    routing.AddDimension(transit, 1000, 1000, False, "time")
    time = routing.GetDimensionOrDie("time")
    for node in range(n):
        routing.AddDisjunction([manager.NodeToIndex(node)], 100_000)
    pairs = [(0, 1), (2, 3)]  # node b is the second agent's copy of visit a
    solver = routing.solver()
    for a, b in pairs:
        ia, ib = manager.NodeToIndex(a), manager.NodeToIndex(b)
        solver.Add(routing.ActiveVar(ia) == routing.ActiveVar(ib))
        solver.Add(time.CumulVar(ia) == time.CumulVar(ib))
        solver.Add(solver.IsDifferentVar(routing.VehicleVar(ia), routing.VehicleVar(ib))
                   >= routing.ActiveVar(ia))
    for v in range(vehicles):
        time.CumulVar(routing.End(v)).SetMax(200)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromSeconds(args.time_limit)
    solution = routing.SolveWithParameters(params)
    for a, b in pairs:
        ia, ib = manager.NodeToIndex(a), manager.NodeToIndex(b)
        print(f"pair {a}/{b}: vehicles {solution.Value(routing.VehicleVar(ia))}/"
              f"{solution.Value(routing.VehicleVar(ib))}")
    served = sum(solution.Value(routing.NextVar(manager.NodeToIndex(i))) != manager.NodeToIndex(i)
                 for i in range(n))
    print(f"{served} of {n} visits performed")


if __name__ == "__main__":
    main()
