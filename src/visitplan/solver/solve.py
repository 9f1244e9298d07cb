"""Solve one planning day: screen, build, search, extract, explain."""

from __future__ import annotations

import time
from contextlib import nullcontext

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..compliance import prepare, screen
from ..models import Problem
from ..plan import Plan, Reason, Route, SolverStats, Unassigned
from .data import build_data
from .extract import extract_routes
from .model import build_model
from .progress import SearchMonitor

# The share of the time limit kept back for building the output after the search.
RESERVE = 0.03


def search_parameters(time_limit: float, solution_limit: int | None = None):
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def solve(problem: Problem, time_limit: float | None = None, seed: int | None = None,
          progress: bool = False, solution_limit: int | None = None) -> Plan:
    """Plan the day.

    Parameters
    ----------
    problem
        The validated problem.
    time_limit
        Seconds for the whole call, model building included; default from the policy.
    seed
        Orders the accounts before the search; the same inputs and seed give the
        same plan when the search ends the same way (converged, or ``solution_limit``).
    progress
        Show a live display of the search on stderr.
    solution_limit
        Stop after this many improving solutions (a deterministic stop).

    Returns
    -------
    Plan
        Every account of the problem appears in it once: visited or unassigned with a reason.
    """
    began = time.monotonic()
    time_limit = problem.policy.solver.time_limit_s if time_limit is None else time_limit
    seed = problem.policy.solver.seed if seed is None else seed
    problem = prepare(problem)
    eligible, unassigned, checks = screen(problem)
    unassigned = list(problem.rejected) + unassigned
    agents = problem.working_agents()
    stats = dict(status="NOTHING_TO_PLAN", seed=seed, time_limit_s=time_limit)
    routes: list[Route] = []
    if eligible and agents:
        routes, dropped, stats = _search(problem, eligible, agents, began, time_limit, seed,
                                         progress, solution_limit)
        unassigned += dropped
    stats["wall_s"] = round(time.monotonic() - began, 3)
    return Plan(
        date=problem.date, agent_routes=tuple(routes), unassigned_accounts=tuple(unassigned),
        stats=SolverStats(**stats), accounts_in=len(problem.accounts) + len(problem.rejected),
        priority_available=sum(a.priority for a in eligible),
        must_visit_ids=tuple(a.account_id for a in problem.accounts if a.must_visit),
        working_agents=tuple(a.agent_id for a in agents), checks=checks, notes=problem.notes)


def _search(problem, eligible, agents, began, time_limit, seed, progress, solution_limit):
    from .reasons import explain_drops

    data = build_data(problem, eligible, agents, seed)
    model = build_model(data)
    build_s = time.monotonic() - began
    remaining = max(0.1, time_limit * (1 - RESERVE) - build_s)
    monitor = SearchMonitor(model.routing, remaining, began, enabled=progress)
    model.routing.AddAtSolutionCallback(monitor.on_solution)
    with monitor if progress else nullcontext():
        solution = model.routing.SolveWithParameters(search_parameters(remaining, solution_limit))
    status = routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())
    stats = dict(status=status, seed=seed, time_limit_s=time_limit, build_s=round(build_s, 3),
                 first_solution_s=monitor.first_solution_s, solutions=monitor.solutions)
    if solution is None:
        failed = [Unassigned(account_id=a.account_id, reason=Reason.SOLVER_FAILED,
                             detail=f"the solver found no plan ({status})")
                  for a in data.accounts]
        return [], failed, stats
    stats["objective"] = solution.ObjectiveValue()
    routes = extract_routes(model, solution)
    routed = {v.account_id for r in routes for v in r.visits}
    dropped = [i for i, a in enumerate(data.accounts) if a.account_id not in routed]  # indices
    return routes, explain_drops(data, dropped, routes), stats
