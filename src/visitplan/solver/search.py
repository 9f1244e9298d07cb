"""One search: build the model, search (PyVRP's plan first where the worker says),
extract the routes and explain every account left out."""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from ortools.constraint_solver import routing_enums_pb2

from ..models import Problem
from ..plan import Reason, Route, Unassigned
from . import warm
from .budget import Budget
from .extract import extract_routes
from .load import as_routes, start_from
from .model import RoutingModel, build
from .params import (CYCLE_FIRST, CYCLE_RUIN, CYCLE_STALL, SearchParams, lambda_for,
                     search_parameters)
from .progress import SearchMonitor
from .reasons import explain_drops
from .regroup import regroup
from .reroute import chosen_routes, reroute
from .reselect import Tally, on_model, reselect, ruin


@dataclass(frozen=True)
class Worker:
    """One independent search of a portfolio.

    ``strategy`` is OR-Tools' (first-solution strategy, metaheuristic);
    ``patience`` the share of the search time PyVRP may take to find a first
    feasible plan (``None``: OR-Tools searches alone); ``cycles`` how many cycles of
    the pairs may follow a search that stalls (:func:`cycles`; 1: the usual phases).
    """

    index: int
    strategy: tuple[str, str]
    patience: float | None
    seed: int
    cycles: int = 1  # cycles of the pairs after a search that stalls (see cycles())

    @property
    def engine(self) -> str:
        return "OR-Tools" if self.patience is None else "PyVRP, then OR-Tools"


@dataclass
class Outcome:
    """What a search brings back: routes, the eligible accounts it left out
    (explained), its statistics and what a supervisor should know."""

    routes: list[Route]
    unassigned: list[Unassigned]
    stats: dict
    warnings: list[str] = field(default_factory=list)


def warm_start_patience(problem: Problem, eligible, worker: int,
                        params: SearchParams) -> float | None:
    """Whether this worker starts from PyVRP's plan (``params.warm_start``),
    and for what share of the time PyVRP may look for a first feasible plan
    before OR-Tools searches alone; ``None``: no PyVRP.

    PyVRP's search is far ahead of OR-Tools' when every visit is required
    (Solomon 10 s: 0.14% against 3.4% above the best known) but behind when
    valuable accounts compete for too little time (the 1,000-account day,
    10 s: objective 51.4M against 47.6M), and PyVRP only approximates breaks:
    on the realistic days, all with breaks, its plan never won a portfolio,
    while on TOPTW (optional accounts, no breaks) it did (benchmarks/README.md).
    So "auto" uses it on every worker of a must-visit-only day, on every
    second worker of a day without breaks, and not otherwise. On a
    must-visit-only day OR-Tools is the weaker fallback (Homberger 1000: PyVRP's first plan can take 90 s of
    120), so PyVRP is given longer there, except on a second worker, which
    falls back early for variety. A solution limit asks for OR-Tools'
    deterministic stop, and PyVRP stops on time only, so it is left out.
    """
    mode = params.warm_start
    must_only = all(a.must_visit for a in eligible)
    breaks = any(agent.break_rule for agent in problem.agents)
    if params.solution_limit is not None or mode == "never" or (
            mode == "auto" and not must_only and (breaks or worker % 2 == 0)):
        return None
    return params.patient if must_only and worker % 2 == 0 else params.give_up


def run_worker(worker: Worker, problem, eligible, agents, budget: Budget, params: SearchParams,
               progress: bool) -> Outcome:
    """Build, search (PyVRP first where the worker says), extract, explain."""
    model = build(problem, eligible, agents, worker.seed)
    built = time.monotonic()
    search_s = max(0.1, budget.search_end - built)
    stall = params.restart_after * search_s if restarts(params, worker) else None
    monitor = SearchMonitor(model.routing, search_s, budget.began, stall)
    model.routing.AddAtSolutionCallback(monitor.on_solution)
    rounds, saved, chose, grouped = 1, 0, "off", "off"
    if cycling(params, worker, budget):
        with monitor if progress else nullcontext():
            model, solution, status, rounds, tally = cycles(
                worker, problem, eligible, agents, model, budget, params, monitor)
        chose, warm_stats = str(tally), dict(warm_start_s=0.0, warm_start="off", deadlines={})
    else:
        with monitor if progress else nullcontext():
            solution, status, warm_stats = _run(model, monitor, budget, params, worker)
            while monitor.stalled and budget.search_end - time.monotonic() > stall:
                # Guided local search stays near its first plan: start again from another.
                other = build(problem, eligible, agents, worker.seed + rounds * params.workers)
                monitor.watch(other.routing)
                search = search_parameters(max(0.1, budget.search_end - time.monotonic()),
                                           None, worker.strategy, lambda_for(params, other))
                again, again_status = solve_fresh(other, search, monitor)
                rounds += 1
                if again is not None and (solution is None or
                                          again.ObjectiveValue() < solution.ObjectiveValue()):
                    model, solution, status = other, again, again_status
            if budget.reselect:
                monitor.phase("choosing again, two routes at a time")
                model, solution, _, tally = reselect(problem, model, solution,
                                                     budget.reselect_end, worker.seed,
                                                     worker.strategy, params)
                chose = str(tally)
            if budget.reroute and params.regroup:
                monitor.phase("routing again three routes at a time")
                end = budget.regroup_end(params.regroup)
                model, solution, _, tally = on_model(
                    model, solution, end, lambda plan, accounts, group_agents: regroup(
                        problem, plan, accounts, group_agents, end, worker.seed))
                grouped = str(tally)
            if budget.reroute:
                monitor.phase("re-routing the chosen visits")
                model, solution, saved = reroute(problem, model, solution, agents,
                                                 budget.reroute_end, worker.seed,
                                                 worker.strategy, params)
    deadlines = warm_stats.pop("deadlines")
    stats = dict(status=status, build_s=round(built - budget.began, 3),
                 first_solution_s=monitor.first_solution_s, solutions=monitor.solutions,
                 budget=budget.as_stats(built=built, **deadlines), rounds=rounds,
                 reroute_saved_s=saved, reselect=chose, regroup=grouped)
    stats.update(warm_stats)
    return finish(model, solution, status, stats)


def cycling(params: SearchParams, worker: Worker, budget: Budget) -> bool:
    """Whether ``worker`` searches in cycles (``worker.cycles``, see :func:`cycles`):
    only where it could restart (:func:`restarts`) and the pairs run."""
    return worker.cycles > 1 and restarts(params, worker) and bool(budget.reselect)


def cycles(worker: Worker, problem, eligible, agents, model: RoutingModel, budget: Budget,
           params: SearchParams, monitor: SearchMonitor):
    """Guided local search, then the pairs (``reselect.py``); where the search stalled,
    up to ``worker.cycles - 1`` times more: the best plan with a few neighbouring routes
    cleared (``reselect.ruin``), then the pairs again, until ``budget.reroute_end``
    (nothing is re-routed after the cycles). The best plan is kept.

    The search runs until it has not improved for ``CYCLE_STALL`` of the time, or for
    ``CYCLE_FIRST`` of it. Still improving then, it is the day's search, and the pairs
    take the rest of the time: one cycle. Stalled, the pairs take an equal share of
    what is left per cycle. Where guided local search stalls, the pairs settle within
    seconds on a plan that depends on where they started (``params.CYCLES_BY_TIME``);
    clearing a few routes of the best plan lets them settle elsewhere near it. Each
    cycle loads its start into a model of the next seed. Returns ``(model, solution,
    status, cycles run, the pairs' tally)``; the solution ``None`` if no plan was found."""
    # The re-routing's share goes to the cycles: up to its end, not the pairs' usual one.
    began, last = time.monotonic(), budget.reroute_end
    monitor.stall_s = CYCLE_STALL * (last - began)
    monitor.phase("cycle 1: OR-Tools")
    lam = lambda_for(params, model)
    solution, status = solve_fresh(model, search_parameters(
        max(0.1, (last - began) * CYCLE_FIRST), None, worker.strategy, lam), monitor)
    stalled = monitor.stalled
    if solution is None:  # no first plan yet: the rest of the time to find one
        solution, status = solve_fresh(model, search_parameters(
            max(0.1, last - time.monotonic()), None, worker.strategy, lam), monitor)
    if solution is None:
        return model, None, status, 1, Tally()
    best, tally, ran = None, Tally(), 0
    for c in range(worker.cycles if stalled else 1):
        now = time.monotonic()
        seed = worker.seed + c * params.workers
        if c:
            model = build(problem, eligible, agents, seed)
            cleared = ruin(dict(chosen_routes(*best)), model.data.accounts, model.data.agents,
                           CYCLE_RUIN, seed)
            solution = start_from(model, as_routes(cleared, model.data.agents))
            if solution is None:
                continue
        ran += 1
        monitor.phase(f"cycle {c + 1}: two routes at a time")
        model, solution, _, more = reselect(problem, model, solution,
                                            now + (last - now) / (worker.cycles - c)
                                            if stalled else last, seed,
                                            worker.strategy, params)
        tally = tally + more
        if best is None or solution.ObjectiveValue() < best[1].ObjectiveValue():
            best = (model, solution)
    return best + (status, ran, tally)


def restarts(params: SearchParams, worker: Worker) -> bool:
    """Whether a stalled search may start again (``SearchParams.restart_after``): only
    OR-Tools searching from its own first plan, and never under a solution limit, the
    deterministic stop a stall clock would break."""
    return (params.restart_after is not None and params.solution_limit is None
            and worker.patience is None and not (params.start_from and worker.index == 0))


def failed(accounts, detail: str, stats: dict) -> Outcome:
    """No plan: every one of ``accounts`` SOLVER_FAILED with ``detail`` (no drop reasons)."""
    return Outcome([], [Unassigned(account_id=a.account_id, reason=Reason.SOLVER_FAILED,
                                   detail=detail) for a in accounts], stats)


def finish(model: RoutingModel, solution, status: str, stats: dict,
           failed_detail: str = "") -> Outcome:
    """Routes and explained drops of ``solution``; every account SOLVER_FAILED if it is
    ``None`` (a search that found no plan gives no drop reasons)."""
    data = model.data
    if solution is None:
        return failed(data.accounts, "the search found no plan in the time limit "
                      f"({status}){failed_detail}", stats)
    stats["objective"] = solution.ObjectiveValue()
    extracted = extract_routes(model, solution)
    routed = {v.account_id for r in extracted.routes for v in r.visits}
    dropped = [i for i, a in enumerate(data.accounts) if a.account_id not in routed]
    warnings = [f"agent {agent_id}: the break did not fit around the solver's route; visit to "
                f"{data.accounts[i].account_id} taken off to make room"
                for i, agent_id in extracted.removed]
    unassigned = explain_drops(data, dropped, extracted.routes, dict(extracted.removed))
    return Outcome(extracted.routes, unassigned, stats, warnings)


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


def _warm_start(model, budget: Budget, params: SearchParams, worker: Worker):
    """PyVRP's plan (``warm.py``), loaded into the OR-Tools model.

    Returns the assignment (or ``None``), when PyVRP's first feasible plan
    appeared, and PyVRP's deadlines.
    """
    now = time.monotonic()
    end, give_up = budget.pyvrp(now, polishes(model), params.warm_start_share, worker.patience)
    stop = warm.Stop(end=end, give_up=give_up)
    routes = warm.search(model.data, model.penalties, stop, worker.seed)
    start = warm.to_assignment(model, routes) if routes is not None else None
    deadlines = {"pyvrp_end": end, "pyvrp_give_up": give_up}
    return start, (stop.first_feasible if start is not None else None), deadlines


def _run(model, monitor, budget: Budget, params: SearchParams, worker: Worker):
    """PyVRP's plan (where the worker uses it), then OR-Tools' search from it or
    from scratch. Returns the assignment (``None``: no plan), the status, and
    the warm start's statistics."""
    start, first_feasible, warm_s, deadlines = None, None, 0.0, {}
    given = start_from(model, params.start_from, params.place) \
        if params.start_from and worker.index == 0 else None
    tried = worker.patience is not None and given is None
    if given is not None:
        start = given
    elif tried:
        monitor.phase("PyVRP")
        began = time.monotonic()
        start, first_feasible, deadlines = _warm_start(model, budget, params, worker)
        warm_s = time.monotonic() - began
        monitor.phase("OR-Tools")
    warm_stats = dict(warm_start_s=round(warm_s, 3), deadlines=deadlines,
                      warm_start="given plan" if given is not None else "used"
                      if start is not None else ("none found" if tried else "off"))
    if first_feasible is not None:  # PyVRP's first feasible plan: earlier than OR-Tools'
        warm_stats["first_solution_s"] = round(first_feasible - budget.began, 3)
    search = search_parameters(max(0.1, budget.search_end - time.monotonic()),
                               params.solution_limit, worker.strategy,
                               lambda_for(params, model))
    if start is None:
        solution, status = solve_fresh(model, search, monitor)
        if (solution is None and params.solution_limit is None
                and budget.reroute_end - time.monotonic() > 0.1):
            # No first plan by the search's end (a short limit on a slow machine): the
            # time kept for polishing a plan is of no use without one, so it goes to
            # finding one, as in cycles().
            solution, status = solve_fresh(model, search_parameters(
                budget.reroute_end - time.monotonic(), None, worker.strategy,
                lambda_for(params, model)), monitor)
        return solution, status, warm_stats
    if polishes(model) or given is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(start, search)
        if solution is not None:
            return solution, _status(model), warm_stats
    return start, "PYVRP_PLAN_LOADED", warm_stats


NO_FIRST_PLAN = "NO_FIRST_PLAN_IN_TIME"


def solve_fresh(model: RoutingModel, search, monitor: SearchMonitor) -> tuple:
    """OR-Tools from scratch: ``(solution, status)``, the solution ``None`` when the
    first-solution heuristic did not finish in time. OR-Tools then still hands back
    an assignment that leaves every account out and calls it a success: an empty
    day that is not a plan (a search's first plan always reaches the monitor)."""
    seen = monitor.solutions
    solution = model.routing.SolveWithParameters(search)
    if solution is not None and monitor.solutions == seen:
        return None, NO_FIRST_PLAN
    return solution, _status(model)


def _status(model) -> str:
    return routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())
