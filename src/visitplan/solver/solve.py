"""Solve one planning day: screen, build, search, extract, explain."""

from __future__ import annotations

import multiprocessing
import time
from contextlib import nullcontext
from queue import Empty

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..compliance import prepare, screen
from ..models import Problem
from ..plan import Plan, Reason, Route, SolverStats, Unassigned
from . import warm
from .data import build_data
from .extract import extract_routes
from .model import build_model
from .progress import SearchMonitor

# The share of the time limit kept back for building the output after the search.
RESERVE = 0.03


def reserve(nodes: int) -> float:
    """Share of the limit kept back: more on large days, where one local-search
    pass can run for seconds past OR-Tools' own limit (Homberger 1000: +15 s at 120 s)."""
    return RESERVE + min(0.10, nodes / 10_000)


# Kept from PyVRP for loading its plan into OR-Tools when no OR-Tools search follows.
LOAD_SHARE = 0.02

# Without a feasible PyVRP plan by this share of the search time, OR-Tools takes over.
GIVE_UP = 0.3
# ... on a must-visit-only day, where OR-Tools is the weaker fallback.
PATIENT = 0.85

# Independent searches, one per worker: (first-solution strategy, metaheuristic).
# The first is the best alone on the 1,000-account day; the second complements it
# on Solomon's R and RC classes (benchmarks/README.md).
PORTFOLIO = (("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
             ("PARALLEL_CHEAPEST_INSERTION", "TABU_SEARCH"))


def search_parameters(time_limit: float, solution_limit: int | None = None,
                      strategy: tuple[str, str] = PORTFOLIO[0]):
    first, meta = strategy
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, meta)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def solve(problem: Problem, time_limit: float | None = None, seed: int | None = None,
          progress: bool = False, solution_limit: int | None = None, workers: int = 1) -> Plan:
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
    workers
        Independent searches run in parallel processes, each starting from a
        different first plan (``PORTFOLIO``) and seed; the best plan is kept
        (ties go to the lower worker), so the result stays reproducible.

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
        if workers > 1:
            routes, dropped, stats = _portfolio(problem, eligible, agents, began, time_limit,
                                                seed, progress, solution_limit, workers)
        else:
            routes, dropped, stats = _search(
                problem, eligible, agents, began, time_limit, seed, progress, solution_limit,
                PORTFOLIO[0], warm_start_patience(problem, eligible, worker=0, workers=1))
        unassigned += dropped
    stats["wall_s"] = round(time.monotonic() - began, 3)
    return Plan(
        date=problem.date, agent_routes=tuple(routes), unassigned_accounts=tuple(unassigned),
        stats=SolverStats(**stats), accounts_in=len(problem.accounts) + len(problem.rejected),
        priority_available=sum(a.priority for a in eligible),
        must_visit_ids=tuple(a.account_id for a in problem.accounts if a.must_visit),
        working_agents=tuple(a.agent_id for a in agents), checks=checks, notes=problem.notes)


def _portfolio(problem, eligible, agents, began, time_limit, seed, progress, solution_limit,
               workers):
    """Run ``workers`` searches in forked processes and keep the best plan.

    A search that overruns the deadline (a first-solution heuristic that does
    not check the clock, say) is stopped, so the time limit holds; if none has
    finished by then, the first to finish is taken.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    jobs = [(problem, eligible, agents, began, time_limit, seed + k, False, solution_limit,
             PORTFOLIO[k % len(PORTFOLIO)], warm_start_patience(problem, eligible, k, workers))
            for k in range(workers)]
    processes = [context.Process(target=_search_job, args=(k, job, queue), daemon=True)
                 for k, job in enumerate(jobs)]
    status = None
    if progress:
        from rich.console import Console
        status = Console(stderr=True).status(f"searching with {workers} workers")
    results: dict[int, tuple] = {}
    deadline = began + time_limit * (1 - RESERVE / 2)
    with status or nullcontext():
        for process in processes:
            process.start()
        while len(results) < workers:
            wait = deadline - time.monotonic()
            if wait <= 0 and results:
                break
            try:
                k, result = queue.get(timeout=max(wait, 0.05) if wait > 0 else None)
            except Empty:
                continue
            results[k] = result
    for process in processes:
        if process.is_alive():
            process.terminate()
        process.join()
    best = min(results, key=lambda k: (results[k][2].get("objective") is None,
                                       results[k][2].get("objective") or 0, k))
    routes, dropped, stats = results[best]
    stats["solutions"] = sum(r[2]["solutions"] for r in results.values())
    firsts = [r[2]["first_solution_s"] for r in results.values()
              if r[2]["first_solution_s"] is not None]
    stats["first_solution_s"] = min(firsts) if firsts else None
    stats["seed"] = seed
    return routes, dropped, stats


def warm_start_patience(problem: Problem, eligible, worker: int,
                        workers: int) -> float | None:
    """Whether this worker starts from PyVRP's plan (policy ``solver.warm_start``),
    and for what share of the time PyVRP may look for a first feasible plan
    before OR-Tools searches alone; ``None``: no PyVRP.

    PyVRP's search is far ahead of OR-Tools' when every visit is required
    (Solomon 10 s: 0.14% against 3.4% above the best known) but behind when
    valuable accounts compete for too little time (the 1,000-account day,
    10 s: objective 51.4M against 47.6M; benchmarks/README.md), so "auto"
    uses it on every worker of a must-visit-only day, otherwise on every
    second worker of a portfolio. On a must-visit-only day OR-Tools is the
    weaker fallback (Homberger 1000: PyVRP's first plan can take 90 s of
    120), so PyVRP is given longer there, except on a second worker, which
    falls back early for variety.
    """
    mode = problem.policy.solver.warm_start
    must_only = all(a.must_visit for a in eligible)
    if mode == "never" or (mode == "auto" and not must_only and worker % 2 == 0):
        return None
    return PATIENT if must_only and worker % 2 == 0 else GIVE_UP


def polishes(model) -> bool:
    """Whether OR-Tools searches on from PyVRP's plan.

    Only where the OR-Tools model weighs something PyVRP does not (the soft
    preferred agent). Elsewhere polishing measured no gain (Homberger 200,
    30 s: the same costs with 5% or 20% of the time for it) and on 1,000
    customers one OR-Tools pass from a good plan overran its limit by 30 s;
    with breaks OR-Tools cannot restart from a loaded plan at all.
    """
    # HasDimension rejects a Python str in this wheel; the names list does not.
    return "preference" in model.routing.GetAllDimensionNames() and not model.breaks


def _warm_start(model, ends, seed, patience):
    """PyVRP's plan (``warm.py``), loaded into the OR-Tools model.

    ``ends`` is ``(hard, search)``: when the whole search must end, and when
    an OR-Tools search must end (earlier: it can overrun). Returns the
    assignment (or ``None``) and when PyVRP's first feasible plan appeared.
    """
    now = time.monotonic()
    hard, search = ends
    if polishes(model):
        deadline = now + (search - now) * model.data.problem.policy.solver.warm_start_share
    else:
        deadline = hard - (hard - now) * LOAD_SHARE
    clock = warm.Clock(deadline=deadline, give_up=now + (search - now) * patience)
    routes = warm.search(model.data, model.penalties, clock, seed)
    start = warm.to_assignment(model, routes) if routes is not None else None
    return start, clock.first_feasible if start is not None else None


def _run(model, monitor, ends, seed, solution_limit, strategy, patience):
    """PyVRP's plan (unless ``patience`` is ``None``), then OR-Tools' search
    from it or from scratch.

    Returns the assignment (``None`` if no plan), the status, and the warm
    start's statistics.
    """
    start, first_feasible, warm_s = None, None, 0.0
    # A solution limit asks for OR-Tools' deterministic stop; PyVRP stops on time.
    tried = patience is not None and solution_limit is None
    if tried:
        monitor.phase("PyVRP")
        began = time.monotonic()
        start, first_feasible = _warm_start(model, ends, seed, patience)
        warm_s = time.monotonic() - began
        monitor.phase("OR-Tools")
    warm_stats = dict(warm_start_s=round(warm_s, 3),
                      warm_start="used" if start is not None else
                      ("none found" if tried else "off"))
    if first_feasible is not None:  # PyVRP's first feasible plan: earlier than OR-Tools'
        warm_stats["first_solution_s"] = round(first_feasible - monitor.began, 3)
    params = search_parameters(max(0.1, ends[1] - time.monotonic()), solution_limit, strategy)
    if start is None:
        return model.routing.SolveWithParameters(params), _status(model), warm_stats
    if polishes(model):
        solution = model.routing.SolveFromAssignmentWithParameters(start, params)
        if solution is not None:
            return solution, _status(model), warm_stats
    return start, "PYVRP_PLAN_LOADED", warm_stats


def _status(model) -> str:
    return routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())


def _search_job(k, job, queue):
    queue.put((k, _search(*job)))


def _search(problem, eligible, agents, began, time_limit, seed, progress, solution_limit,
            strategy, patience):
    from .reasons import explain_drops

    data = build_data(problem, eligible, agents, seed)
    model = build_model(data)
    build_s = time.monotonic() - began
    remaining = max(0.1, time_limit * (1 - reserve(data.num_nodes)) - build_s)
    # PyVRP stops on time; OR-Tools' search needs the size-dependent reserve.
    ends = (began + time_limit * (1 - RESERVE), time.monotonic() + remaining)
    monitor = SearchMonitor(model.routing, remaining, began)
    model.routing.AddAtSolutionCallback(monitor.on_solution)
    with monitor if progress else nullcontext():
        solution, status, warm_stats = _run(model, monitor, ends, seed, solution_limit,
                                            strategy, patience)
    stats = dict(status=status, seed=seed, time_limit_s=time_limit, build_s=round(build_s, 3),
                 first_solution_s=monitor.first_solution_s, solutions=monitor.solutions)
    stats.update(warm_stats)
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
