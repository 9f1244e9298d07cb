"""Search a day cut into territories (``decompose.py``), in two phases.

1. A first plan for every territory, one after another: the day has a
   complete plan after a few seconds even at 10,000 accounts.
2. The rest of the search time shared out by size: each territory's search
   goes on from its first plan (OR-Tools restarts from its own assignment),
   or, if it had none, starts again.
3. Where the budget leaves time for it, each territory's chosen visits
   re-routed on their own (``reroute.py``), again shared out by size.

Each territory keeps its model between the phases; its accounts, routes and
drop reasons are its own, and the day's plan is their union.
"""

from __future__ import annotations

import time
from contextlib import nullcontext

from .budget import Budget
from .decompose import Territory
from .load import as_routes, start_from
from .model import build
from .params import SearchParams, lambda_for, search_parameters
from .progress import SearchMonitor
from .reroute import chosen_routes, reroute
from .search import NO_FIRST_PLAN, Outcome, Worker, finish

# Share of a territory's fair part of the search time its first plan may take in phase 1.
FIRST_PLAN_SHARE = 0.5


def search_territories(worker: Worker, problem, parts: list[Territory], budget: Budget,
                       params: SearchParams, progress: bool = False,
                       start: dict[str, list[str]] | None = None) -> Outcome:
    """Both phases over ``parts``; one :class:`Outcome` for all of them. With ``start``
    (agent id -> account ids: a plan of the day), phase 1 loads each territory's
    agents' routes of it rather than searching for a first plan (``decompose.recut``), and
    a territory whose search then serves less priority than those routes goes back to them
    (:func:`_keep_better_starts`; ``stats["kept_as_loaded"]`` counts them)."""
    began = time.monotonic()
    sizes = [max(1, len(p.accounts)) for p in parts]
    models, monitors, plans = [], [], []
    # Each territory's routes as loaded from ``start`` (a copy: the model cannot load them
    # again once a search has used up its time limit) and the priority they serve.
    loaded: list[tuple | None] = []
    status = None
    if progress:
        from rich.console import Console
        status = Console(stderr=True).status(f"first plans for {len(parts)} territories")
    with status or nullcontext():
        for k, part in enumerate(parts):                       # phase 1: a first plan each
            model = build(problem, part.accounts, part.agents, worker.seed)
            monitor = SearchMonitor(model.routing, 0, budget.began)
            model.routing.AddAtSolutionCallback(monitor.on_solution)
            given = start_from(model, as_routes(start, part.agents)) if start else None
            loaded.append((model.routing.solver().Assignment(given), served(model, given))
                          if given is not None else None)
            if given is None:
                fair = (budget.search_end - time.monotonic()) * sizes[k] / sum(sizes[k:])
                first = search_parameters(max(0.05, fair * FIRST_PLAN_SHARE), 1,
                                          worker.strategy)
                given = model.routing.SolveWithParameters(first)
                given = given if monitor.solutions > 0 else None  # else: none in time
            plans.append(given)
            models.append(model)
            monitors.append(monitor)
        complete = time.monotonic()
        for k, model in enumerate(models):                     # phase 2: search on
            left = budget.search_end - time.monotonic()
            if left <= 0.05:
                break
            slot = left * sizes[k] / sum(sizes[k:])
            search = search_parameters(slot, params.solution_limit, worker.strategy,
                                       lambda_for(params, model))
            seen = monitors[k].solutions
            if plans[k] is not None:
                better = model.routing.SolveFromAssignmentWithParameters(plans[k], search)
                plans[k] = better if better is not None else plans[k]
            else:
                fresh = model.routing.SolveWithParameters(search)
                plans[k] = fresh if monitors[k].solutions > seen else None
        saved = 0
        if budget.reroute:                                     # phase 3: shorter routes
            for k, part in enumerate(parts):
                left = budget.reroute_end - time.monotonic()
                end = time.monotonic() + left * sizes[k] / sum(sizes[k:])
                models[k], plans[k], less = reroute(problem, models[k], plans[k],
                                                    part.agents, end, worker.seed,
                                                    worker.strategy, params)
                saved += less
        kept = _keep_better_starts(models, plans, loaded)
    outcome = _merge(models, monitors, plans, budget, began, complete)
    outcome.stats["reroute_saved_s"] = saved
    if start:
        outcome.stats["kept_as_loaded"] = kept  # read (and removed) by solve._recut
    return outcome


def _keep_better_starts(models, plans, loaded) -> int:
    """Each territory whose search ended serving less than the routes it was given
    (:func:`served`: fewer promises kept, or as many and less priority; ``loaded[k]``:
    their assignment and what they serve, ``None`` where none loaded) goes back to them.
    Returns how many did.

    A territory's search lowers its objective, which on a day bound by time values travel
    more than the policy does (``solve.valued``): it may give up a visit for a shorter
    route. A plan is judged by the priority it serves, so such a territory keeps the
    routes it was given, and the others keep what their search found (1000-time, seed 3:
    the second cut served 1,355.0 where the first had 1,356.0, one territory down by 6.0
    and two up by 5.0; measured in benchmarks/README.md)."""
    kept = 0
    for k, start in enumerate(loaded):
        if start is None or plans[k] is None:
            continue
        assignment, given = start
        if less(served(models[k], plans[k]), given):
            plans[k] = assignment
            kept += 1
    return kept


def served(model, solution) -> tuple[int, float]:
    """What ``solution`` serves in ``model``: the promises it keeps (must-visit accounts
    visited), then the priority. Compared as a tuple, a plan that keeps a promise more is
    better whatever its priority, as the model's drop penalties make it."""
    account = {a.account_id: a for a in model.data.accounts}
    visited = [account[a] for _, stops in chosen_routes(model, solution) for a in stops]
    return sum(a.must_visit for a in visited), sum(a.priority for a in visited)


def less(one: tuple[int, float], other: tuple[int, float]) -> bool:
    """Whether ``one`` (as :func:`served` gives it) serves less than ``other``, the
    priority compared to within the error of sums of floats."""
    return one[0] < other[0] or (one[0] == other[0] and one[1] < other[1] - 1e-9)


def _merge(models, monitors, plans, budget: Budget, began: float, complete: float) -> Outcome:
    routes, unassigned, warnings = [], [], []
    objective, failed = 0, 0
    for k, (model, plan) in enumerate(zip(models, plans)):
        status = "TERRITORY_PLANNED" if plan is not None else NO_FIRST_PLAN
        part = finish(model, plan, status, {}, failed_detail=f" in territory {k + 1}")
        routes += part.routes
        unassigned += part.unassigned
        warnings += part.warnings
        objective += part.stats.get("objective", 0)
        failed += plan is None
    first = complete - budget.began if all(p is not None for p in plans) else None
    stats = dict(status=f"TERRITORIES_{len(models) - failed}_OF_{len(models)}_PLANNED",
                 build_s=round(began - budget.began, 3), parts=len(models),
                 first_solution_s=round(first, 3) if first is not None else None,
                 solutions=sum(m.solutions for m in monitors), objective=objective,
                 budget=budget.as_stats(first_plans=complete))
    return Outcome(routes, unassigned, stats, warnings)
