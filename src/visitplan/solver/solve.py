"""Solve one planning day: one straight recipe.

``solve`` prepares the policy's requirements, screens every account,
sets the time :class:`~.budget.Budget`, runs the search (one worker in this
process, or a portfolio of workers in forked processes), and assembles the
:class:`~visitplan.plan.Plan`. Each worker builds the numbers
(``data.py``), the OR-Tools model (``model.py``), optionally gets PyVRP's
plan first (``warm.py``), searches, extracts the routes (``extract.py``)
and explains every account it left out (``reasons.py``).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from queue import Empty

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..compliance import input_warnings, prepare, screen, start_intervals
from ..models import Account, Agent, Problem
from ..plan import Plan, Reason, Route, SolverStats, Unassigned
from . import warm
from .budget import Budget
from .data import build_data, merge
from .extract import extract_routes
from .model import build_model
from .params import SearchParams
from .progress import SearchMonitor
from .reasons import explain_drops

log = logging.getLogger("visitplan")


@dataclass(frozen=True)
class Worker:
    """One independent search of a portfolio.

    ``strategy`` is OR-Tools' (first-solution strategy, metaheuristic);
    ``patience`` the share of the search time PyVRP may take to find a first
    feasible plan (``None``: OR-Tools searches alone).
    """

    index: int
    strategy: tuple[str, str]
    patience: float | None
    seed: int

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


def solve(problem: Problem, params: SearchParams | None = None, *,
          time_limit: float | None = None, seed: int | None = None, progress: bool = False,
          solution_limit: int | None = None, workers: int | None = None) -> Plan:
    """Plan the day.

    Parameters
    ----------
    problem
        The problem, read and enriched (history, scores).
    params
        Search settings; default from the policy's ``[solver]`` table. The
        keyword arguments below override single settings.
    time_limit, seed, solution_limit, workers
        See :class:`~visitplan.solver.params.SearchParams`.
    progress
        Show a live display of the search on stderr.

    Returns
    -------
    Plan
        Every account of the problem appears in it once: visited, or unassigned
        with a reason. A search that found no plan says so: its eligible
        accounts are ``SOLVER_FAILED`` and ``plan.found_plan`` is false.
    """
    began = time.monotonic()
    params = params or SearchParams.from_policy(problem.policy)
    params = _override(params, time_limit=time_limit, seed=seed,
                       solution_limit=solution_limit, workers=workers)
    prepared = prepare(problem)                      # the policy's derived requirements
    eligible, screened_out, checks = screen(prepared)  # every rule, recorded per account
    agents = prepared.working_agents()
    outcome = Outcome([], [], dict(status="NOTHING_TO_PLAN"))
    if eligible and agents:
        budget = Budget(began, params.time_limit, day_size(prepared, eligible, agents))
        team = workers_for(prepared, eligible, params)
        if len(team) > 1:
            outcome = _portfolio(prepared, eligible, agents, budget, params, team, progress)
        else:
            outcome = _search(team[0], prepared, eligible, agents, budget, params, progress)
    stats = {**outcome.stats, "seed": params.seed, "time_limit_s": params.time_limit,
             "wall_s": round(time.monotonic() - began, 3)}
    return Plan(
        date=prepared.date, agent_routes=tuple(outcome.routes),
        unassigned_accounts=tuple(list(prepared.rejected) + screened_out + outcome.unassigned),
        stats=SolverStats(**stats), accounts_in=len(prepared.accounts) + len(prepared.rejected),
        priority_available=sum(a.priority for a in eligible),
        must_visit_ids=tuple(a.account_id for a in prepared.accounts if a.must_visit),
        working_agents=tuple(a.agent_id for a in agents), checks=checks, notes=prepared.notes,
        warnings=tuple(input_warnings(prepared) + outcome.warnings))


def _override(params: SearchParams, **values) -> SearchParams:
    from dataclasses import replace
    return replace(params, **{k: v for k, v in values.items() if v is not None})


def day_size(problem: Problem, eligible: list[Account], agents: list[Agent]) -> int:
    """Routing nodes of the day: one per visit option, two per agent."""
    options = sum(len(merge(start_intervals(a, problem))) for a in eligible)
    return options + 2 * len(agents)


def workers_for(problem: Problem, eligible: list[Account], params: SearchParams) -> list[Worker]:
    """The portfolio: worker ``k`` takes strategy ``k`` (in turn) and seed ``seed + k``."""
    return [Worker(index=k, strategy=params.portfolio[k % len(params.portfolio)],
                   patience=warm_start_patience(problem, eligible, k, params),
                   seed=params.seed + k)
            for k in range(params.workers)]


def warm_start_patience(problem: Problem, eligible, worker: int,
                        params: SearchParams) -> float | None:
    """Whether this worker starts from PyVRP's plan (``params.warm_start``),
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
    falls back early for variety. A solution limit asks for OR-Tools'
    deterministic stop, and PyVRP stops on time only, so it is left out.
    """
    mode = params.warm_start
    must_only = all(a.must_visit for a in eligible)
    if params.solution_limit is not None or mode == "never" or (
            mode == "auto" and not must_only and worker % 2 == 0):
        return None
    return params.patient if must_only and worker % 2 == 0 else params.give_up


def search_parameters(time_limit: float, solution_limit: int | None = None,
                      strategy: tuple[str, str] = SearchParams().portfolio[0]):
    first, meta = strategy
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, meta)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


# -- the portfolio --------------------------------------------------------------------

def _portfolio(problem, eligible, agents, budget: Budget, params: SearchParams,
               team: list[Worker], progress: bool) -> Outcome:
    """Run the workers in forked processes and keep the best plan (ties: the lower worker).

    A worker that crashes (an exception, or a process that dies) is logged
    with its number and the exception's class only, and the others' plans are
    kept. Workers still running at the deadline are stopped, so the time limit
    holds; if none has a plan by then, every eligible account is SOLVER_FAILED.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = {w.index: context.Process(
        target=_worker_main, args=(w, problem, eligible, agents, budget, params, queue),
        daemon=True) for w in team}
    status = None
    if progress:
        from rich.console import Console
        status = Console(stderr=True).status(f"searching with {len(team)} workers")
    results: dict[int, Outcome] = {}
    crashed: dict[int, str] = {}
    with status or nullcontext():
        for process in processes.values():
            process.start()
        _collect(processes, queue, budget, results, crashed)
    for process in processes.values():
        if process.is_alive():
            process.terminate()
        process.join()
    warnings = [f"search worker {k} crashed ({why}); the other workers' plans were kept"
                for k, why in sorted(crashed.items())]
    for line in warnings:
        log.warning(line)
    if not results:
        return _failed(eligible, "every search worker failed or ran out of time"
                       + (f" ({'; '.join(warnings)})" if warnings else ""),
                       "ALL_WORKERS_FAILED", crashed, budget)
    best = min(results, key=lambda k: (results[k].stats.get("objective") is None,
                                       results[k].stats.get("objective") or 0, k))
    outcome = results[best]
    firsts = [r.stats["first_solution_s"] for r in results.values()
              if r.stats.get("first_solution_s") is not None]
    outcome.stats.update(solutions=sum(r.stats.get("solutions", 0) for r in results.values()),
                         first_solution_s=min(firsts) if firsts else None,
                         crashed_workers=crashed)
    outcome.warnings = warnings + outcome.warnings
    return outcome


def _collect(processes, queue, budget: Budget, results: dict, crashed: dict) -> None:
    """Receive the workers' outcomes until all have answered or died, or time is up."""
    hard_stop = budget.began + budget.limit
    while len(results) + len(crashed) < len(processes):
        now = time.monotonic()
        if (now >= budget.portfolio_end and results) or now >= hard_stop:
            return
        if _receive(queue, 0.1, results, crashed):
            continue
        for k, process in processes.items():
            if k in results or k in crashed or process.is_alive():
                continue
            # Dead without an answer seen: its answer may still be in the pipe.
            while _receive(queue, 0.5, results, crashed):
                pass
            if k not in results and k not in crashed:
                crashed[k] = f"process ended with exit code {process.exitcode}"


def _receive(queue, timeout: float, results: dict, crashed: dict) -> bool:
    try:
        kind, k, payload = queue.get(timeout=timeout)
    except Empty:
        return False
    (results if kind == "ok" else crashed)[k] = payload
    return True


def _worker_main(worker: Worker, problem, eligible, agents, budget, params, queue) -> None:
    try:
        outcome = _search(worker, problem, eligible, agents, budget, params, False)
    except BaseException as exc:  # reported to the parent, which keeps the others
        queue.put(("crashed", worker.index, type(exc).__name__))
        return
    queue.put(("ok", worker.index, outcome))


def _failed(eligible, detail: str, status: str, crashed: dict, budget: Budget) -> Outcome:
    failed = [Unassigned(account_id=a.account_id, reason=Reason.SOLVER_FAILED, detail=detail)
              for a in eligible]
    return Outcome([], failed, dict(status=status, crashed_workers=crashed,
                                    budget=budget.as_stats()))


# -- one search -----------------------------------------------------------------------

def _search(worker: Worker, problem, eligible, agents, budget: Budget, params: SearchParams,
            progress: bool) -> Outcome:
    """Build, search (PyVRP first where the worker says), extract, explain."""
    data = build_data(problem, eligible, agents, worker.seed)
    model = build_model(data)
    built = time.monotonic()
    monitor = SearchMonitor(model.routing, max(0.1, budget.search_end - built), budget.began)
    model.routing.AddAtSolutionCallback(monitor.on_solution)
    with monitor if progress else nullcontext():
        solution, status, warm_stats = _run(model, monitor, budget, params, worker)
    deadlines = warm_stats.pop("deadlines")
    stats = dict(status=status, build_s=round(built - budget.began, 3),
                 first_solution_s=monitor.first_solution_s, solutions=monitor.solutions,
                 budget=budget.as_stats(built=built, **deadlines))
    stats.update(warm_stats)
    if solution is None:
        detail = f"the search found no plan in the time limit ({status})"
        return Outcome([], [Unassigned(account_id=a.account_id, reason=Reason.SOLVER_FAILED,
                                       detail=detail) for a in data.accounts], stats)
    stats["objective"] = solution.ObjectiveValue()
    extracted = extract_routes(model, solution)
    routed = {v.account_id for r in extracted.routes for v in r.visits}
    dropped = [i for i, a in enumerate(data.accounts) if a.account_id not in routed]
    removed = dict(extracted.removed)
    warnings = [f"agent {agent_id}: the break did not fit around the solver's route; visit to "
                f"{data.accounts[i].account_id} taken off to make room"
                for i, agent_id in extracted.removed]
    return Outcome(extracted.routes, explain_drops(data, dropped, extracted.routes, removed),
                   stats, warnings)


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
    tried = worker.patience is not None
    if tried:
        monitor.phase("PyVRP")
        began = time.monotonic()
        start, first_feasible, deadlines = _warm_start(model, budget, params, worker)
        warm_s = time.monotonic() - began
        monitor.phase("OR-Tools")
    warm_stats = dict(warm_start_s=round(warm_s, 3), deadlines=deadlines,
                      warm_start="used" if start is not None else
                      ("none found" if tried else "off"))
    if first_feasible is not None:  # PyVRP's first feasible plan: earlier than OR-Tools'
        warm_stats["first_solution_s"] = round(first_feasible - budget.began, 3)
    search = search_parameters(max(0.1, budget.search_end - time.monotonic()),
                               params.solution_limit, worker.strategy)
    if start is None:
        return model.routing.SolveWithParameters(search), _status(model), warm_stats
    if polishes(model):
        solution = model.routing.SolveFromAssignmentWithParameters(start, search)
        if solution is not None:
            return solution, _status(model), warm_stats
    return start, "PYVRP_PLAN_LOADED", warm_stats


def _status(model) -> str:
    return routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())
