"""Solve one planning day: one straight recipe.

``solve`` prepares the policy's requirements, screens every account, sets
the time :class:`~.budget.Budget`, and searches the eligible accounts:

- one worker in this process, or a portfolio of independent workers in
  forked processes (``processes.py``), the best plan kept;
- a large day cut into territories (``decompose.py``), searched in two
  phases (``parts.py``), with several workers side by side, then cut again
  around its plan; where time binds whatever the routes, with travel valued
  more than the policy does (:func:`valued`);
- at the end, a day with optional accounts chosen again two neighbouring
  routes at a time (``reselect.py``), then its chosen visits re-routed
  (``reroute.py``).

Each search builds the numbers (``data.py``) and the OR-Tools model
(``model.py``), optionally gets PyVRP's plan first (``warm.py``), searches,
extracts the routes (``extract.py``) and explains every account it left
out (``reasons.py``); see ``search.py``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from ..compliance import input_warnings, prepare, screen, start_intervals
from ..models import Account, Agent, Problem
from ..plan import Plan, Reason, SolverStats
from . import parts as territory_search
from . import reselect
from . import search as one_search
from .budget import Budget
from .data import merge
from .decompose import Territory, recut, territories
from .forecast import finest_likeliest
from .load import as_routes, start_from
from .model import build
from .params import DECOMPOSE_ABOVE, ONE_MODEL_MAX, SearchParams
from .processes import run_jobs
from .reach import Reach, across_the_day, must_reach
from .reroute import visit_count
from .search import Outcome, Worker, warm_start_patience
from .shortlist import room, shortlist

log = logging.getLogger("visitplan")


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
    params = replace(params, **{k: v for k, v in dict(
        time_limit=time_limit, seed=seed, solution_limit=solution_limit,
        workers=workers).items() if v is not None})
    prepared = prepare(problem)                        # the policy's derived requirements
    eligible, screened_out, checks = screen(prepared)  # every rule, recorded per account
    agents = prepared.working_agents()
    factor = None if params.start_from else params.shortlist
    outcome, no_room = Outcome([], [], dict(status="NOTHING_TO_PLAN")), []
    searched, valued_day = 0, prepared
    if eligible and agents:
        if decomposes(params, eligible):
            by_time = room(agents) is None  # not every working agent capped
            # The search's values (the plan keeps the policy's): see valued().
            valued_day = valued(prepared, eligible, agents, params, by_time)
            size = params.territory_size_for(capped=not by_time)
            # Who could make each promised visit, across the whole day: see reach.py.
            known = must_reach(prepared, eligible, agents)
            cut_seed, parts = _first_cut(valued_day, eligible, agents, size, params.seed,
                                         known, by_time)
            parts, no_room = _shortlisted(parts, factor)
            searched = sum(len(p.accounts) for p in parts)
            # OR-Tools' overrun grows with the model: a territory's, not the day's.
            largest = max(day_size(prepared, p.accounts, p.agents) for p in parts)
            reroutes = rerouting(params, eligible) if params.reroute_territories else 0.0
            share = recutting(params, by_time)
            last = Budget(began, params.time_limit, largest, reroutes,
                          reselecting(params, eligible, by_time))
            budget = Budget(began, params.time_limit * (1 - share), largest, reroutes) \
                if share else last
            if 1 < params.workers and len(parts) <= CUTS_UP_TO * params.workers:
                outcome, no_room, searched, cut_seed = _cuts(
                    valued_day, eligible, agents, size, factor, (parts, no_room), cut_seed,
                    budget, params, progress, known)
            else:
                outcome = _territories(valued_day, parts, budget, params, progress)
            left_out = {u.account_id for u in no_room}
            kept = [a for a in eligible if a.account_id not in left_out]
            if share:
                outcome = _recut(valued_day, kept, agents, size, outcome, last, params,
                                 progress, known)
            if last.reselect:
                # The pairs' models are small: they may bring in any eligible account, one
                # the territories' shortlists left out too, where an agent has room for it.
                outcome = _reselect_day(valued_day, eligible, agents, outcome, last, params,
                                        known)
                no_room = _still_out(no_room, outcome)
            outcome.unassigned = across_the_day(prepared, agents, outcome.unassigned, known)
            outcome.stats["cut_seed"] = cut_seed
        else:
            kept, no_room = shortlist(eligible, agents, factor)
            searched = len(kept)
            budget = Budget(began, params.time_limit, day_size(prepared, kept, agents),
                            rerouting(params, kept), reselecting(params, kept))
            outcome = _whole_day(prepared, kept, agents, budget, params, progress,
                                 cycles_for(params, kept, agents))
    sites, bases = prepared.places()
    stats = {**outcome.stats, "seed": params.seed, "time_limit_s": params.time_limit,
             "workers": params.workers, "searched": searched,
             "priority_minutes": valued_day.policy.weights.priority_minutes,
             "wall_s": round(time.monotonic() - began, 3)}
    return Plan(
        date=prepared.date, agent_routes=tuple(outcome.routes),
        unassigned_accounts=tuple(list(prepared.rejected) + screened_out + no_room
                                  + outcome.unassigned),
        stats=SolverStats(**stats), accounts_in=len(prepared.accounts) + len(prepared.rejected),
        priority_available=sum(a.priority for a in eligible),
        must_visit_ids=tuple(a.account_id for a in prepared.accounts if a.must_visit),
        working_agents=tuple(a.agent_id for a in agents), checks=checks, notes=prepared.notes,
        warnings=tuple(input_warnings(prepared) + outcome.warnings),
        travel=describe_travel(prepared), sites=sites, bases=bases)


def describe_travel(problem: Problem) -> dict:
    """The travel model, as ``plan.json`` records it."""
    model = problem.travel
    if hasattr(model, "describe"):
        return model.describe()
    if model is None:
        t = problem.policy.travel
        return {"model": "straight", "speed_kmh": t.speed_kmh, "detour_factor": t.detour_factor}
    return {"model": type(model).__name__}


def decomposes(params: SearchParams, eligible: list[Account]) -> bool:
    """Whether the day is cut into territories (``params.decompose``): "auto" cuts a
    large day with optional accounts, never one where every account must be visited. A
    re-plan (``start_from``) searches on from the morning's routes, which only a
    whole-day model loads: it is cut only where one model's first plan would be too
    slow."""
    if params.decompose == "auto":
        if all(a.must_visit for a in eligible):
            # A plain VRPTW: PyVRP searches the whole day (Homberger 1000: 0.56% above the
            # best known at 120 s); territories would fix each one's share of the fleet.
            return False
        above = ONE_MODEL_MAX if params.start_from else DECOMPOSE_ABOVE
        return len(eligible) > above
    return params.decompose == "always"


def valued(problem: Problem, eligible: list[Account], agents: list[Agent],
           params: SearchParams, by_time: bool) -> Problem:
    """The day cut into territories as the search values it: where it is bound ``by_time``
    (not every working agent capped), a priority point worth
    ``params.priority_minutes_by_time`` minutes of travel where the policy says more, if
    the eligible accounts' service alone would fill the agents' working time
    (:func:`service_load` at least 1), so that time binds whatever the routes and travel
    saved is room for visits. Elsewhere, and in a re-plan, ``problem`` as it is. Where
    agents would have time to spare, a far account worth fewer minutes than its detour
    must still be visited, which only the policy's value does."""
    minutes = params.priority_minutes_by_time
    weights = problem.policy.weights
    if (not by_time or minutes is None or minutes >= weights.priority_minutes
            or params.start_from or service_load(eligible, agents) < 1):
        return problem
    policy = problem.policy.model_copy(update={
        "weights": weights.model_copy(update={"priority_minutes": minutes})})
    return problem.model_copy(update={"policy": policy})


def service_load(eligible: list[Account], agents: list[Agent]) -> float:
    """The eligible accounts' service time over the agents' working time (their shifts
    less their breaks): at 1 or more, not every account fits even without travel."""
    working = sum(g.working_time() for g in agents)
    return sum(a.service_min for a in eligible) / working if working > 0 else float("inf")


def rerouting(params: SearchParams, eligible: list[Account]) -> float:
    """The share of the search time left to re-route the chosen visits
    (``params.reroute``; 0: none): only where the search chooses whom to visit, and
    neither under a solution limit (a deterministic stop) nor in a re-plan."""
    return (params.reroute or 0.0) if _polishes(params, eligible) else 0.0


def reselecting(params: SearchParams, eligible: list[Account], by_time: bool = False) -> float:
    """The share of the search time left to choose again two routes at a time
    (``params.reselect``, or ``params.reselect_by_time`` on a day cut into territories
    and bound ``by_time``; 0: none), where :func:`rerouting` would re-route."""
    share = params.reselect_by_time if by_time else params.reselect
    return (share or 0.0) if _polishes(params, eligible) else 0.0


def cycles_for(params: SearchParams, eligible: list[Account], agents: list[Agent]) -> int:
    """How many cycles of the pairs each worker of a day searched as one model may run
    after a search that stalls (``params.cycles_by_time``, ``search.cycles``): only on a
    day bound by time (not every working agent capped) where the pairs run
    (:func:`reselecting`); 1 elsewhere."""
    if room(agents) is not None or not reselecting(params, eligible):
        return 1
    return params.cycles_by_time or 1


def _polishes(params: SearchParams, eligible: list[Account]) -> bool:
    """Whether the end of the search may change a plan found: only where the search
    chooses whom to visit, and neither under a solution limit (a deterministic stop)
    nor in a re-plan (it keeps the morning's routes where it can)."""
    return not (params.solution_limit is not None or params.start_from
                or all(a.must_visit for a in eligible))


def recutting(params: SearchParams, by_time: bool = False) -> float:
    """The share of the time left to a second cut of a day cut into territories
    (``params.recut``, or ``params.recut_by_time`` on one bound ``by_time``; 0: none);
    not under a solution limit (a deterministic stop) nor in a re-plan."""
    share = params.recut_by_time if by_time else params.recut
    if share is None or params.solution_limit is not None or params.start_from:
        return 0.0
    return share


def day_size(problem: Problem, eligible: list[Account], agents: list[Agent]) -> int:
    """Routing nodes of the day: one per visit option, two per agent."""
    options = sum(len(merge(start_intervals(a, problem))) for a in eligible)
    return options + 2 * len(agents)


def workers_for(problem: Problem, eligible: list[Account], params: SearchParams,
                cycles: int = 1) -> list[Worker]:
    """The portfolio: worker ``k`` takes strategy ``k`` (in turn) and seed ``seed + k``,
    each with ``cycles`` (:func:`cycles_for`)."""
    return [Worker(index=k, strategy=params.portfolio[k % len(params.portfolio)],
                   patience=warm_start_patience(problem, eligible, k, params),
                   seed=params.seed + k, cycles=cycles)
            for k in range(params.workers)]


# -- one model for the whole day --------------------------------------------------------

def _whole_day(problem, eligible, agents, budget: Budget, params: SearchParams,
               progress: bool, cycles: int = 1) -> Outcome:
    team = workers_for(problem, eligible, params, cycles)
    if len(team) == 1:
        outcome = one_search.run_worker(team[0], problem, eligible, agents, budget, params,
                                        progress)
        outcome.stats["best_worker"] = 0
        return outcome
    return _portfolio(problem, eligible, agents, budget, params, team, progress)


def _portfolio(problem, eligible, agents, budget: Budget, params: SearchParams,
               team: list[Worker], progress: bool) -> Outcome:
    """Run the workers in forked processes and keep the best plan (ties: the lower worker).

    A worker that crashes (an exception, or a process that dies) is logged
    with its number and the exception's class only, and the others' plans are
    kept. Workers still running at the deadline are stopped, so the time limit
    holds; if none has a plan by then, every eligible account is SOLVER_FAILED.
    """
    jobs = {w.index: (_run_worker, (w, problem, eligible, agents, budget, params))
            for w in team}
    results, crashed = run_jobs(jobs, budget, f"searching with {len(team)} workers"
                                if progress else None)
    warnings = _crash_warnings(crashed, "search worker")
    if not results:
        return _all_failed(eligible, warnings, crashed, budget)
    best = min(results, key=lambda k: (_no_plan(results[k]),
                                       results[k].stats.get("objective") or 0, k))
    outcome = results[best]
    firsts = [r.stats["first_solution_s"] for r in results.values()
              if r.stats.get("first_solution_s") is not None]
    outcome.stats.update(solutions=sum(r.stats.get("solutions", 0) for r in results.values()),
                         first_solution_s=min(firsts) if firsts else None,
                         crashed_workers=crashed, best_worker=best)
    outcome.warnings = warnings + outcome.warnings
    return outcome


def _run_worker(*args) -> Outcome:
    # Looked up at call time, so that tests can stand in for a worker's search.
    return one_search.run_worker(*args, False)


def _no_plan(outcome: Outcome) -> bool:
    return any(u.reason == Reason.SOLVER_FAILED for u in outcome.unassigned)


# -- a day cut into territories ---------------------------------------------------------

def _territories(problem, parts: list[Territory], budget: Budget, params: SearchParams,
                 progress: bool, start: dict[str, list[str]] | None = None) -> Outcome:
    """One process searches the territories in turn; with more workers, groups of
    territories (balanced by size) are searched side by side in forked processes.
    ``start``: a plan to search on from (see ``parts.search_territories``)."""
    worker = _territory_worker(params, 0)
    groups = _balanced(parts, params.workers)
    if len(groups) == 1:
        return territory_search.search_territories(worker, problem, parts, budget, params,
                                                   progress, start)
    jobs = {k: (_run_territories, (replace(worker, index=k), problem, group, budget, params,
                                   False, start))
            for k, group in enumerate(groups)}
    results, crashed = run_jobs(jobs, budget, f"searching {len(parts)} territories with "
                                f"{len(groups)} workers" if progress else None,
                                wait_for_all=True)
    outcomes = [results[k] for k in sorted(results)]
    for k in sorted(crashed):
        outcomes.append(_failed([a for p in groups[k] for a in p.accounts],
                                f"the worker searching territories {k} crashed "
                                f"({crashed[k]})", "WORKER_CRASHED", {}, budget))
    routes = [r for o in outcomes for r in o.routes]
    unassigned = [u for o in outcomes for u in o.unassigned]
    firsts = [o.stats.get("first_solution_s") for o in outcomes]
    stats = dict(status=f"TERRITORIES_IN_{len(groups)}_WORKERS", parts=len(parts),
                 build_s=min(o.stats.get("build_s", 0.0) for o in outcomes),
                 first_solution_s=None if None in firsts or crashed else max(firsts),
                 solutions=sum(o.stats.get("solutions", 0) for o in outcomes),
                 objective=sum(o.stats.get("objective", 0) for o in outcomes),
                 reroute_saved_s=sum(o.stats.get("reroute_saved_s", 0) for o in outcomes),
                 crashed_workers=crashed, budget=outcomes[0].stats.get("budget", {}))
    if start:
        stats["kept_as_loaded"] = sum(o.stats.get("kept_as_loaded", 0) for o in outcomes)
    warnings = _crash_warnings(crashed, "territory worker") + \
        [w for o in outcomes for w in o.warnings]
    return Outcome(routes, unassigned, stats, warnings)


def _territory_worker(params: SearchParams, index: int, seed: int | None = None) -> Worker:
    """A worker searching territories: OR-Tools alone (no PyVRP), the territory
    strategy, worker 0's seed unless given."""
    return Worker(index=index, strategy=params.territory_strategy, patience=None,
                  seed=params.seed if seed is None else seed)


# A day cut into at most this many territories per worker is cut once per worker, each
# worker searching its own cut whole (see _cuts).
CUTS_UP_TO = 2
CUT_TRIES = 8  # seeded cuts a day bound by time chooses its first from (forecast.py)


def _first_cut(problem, eligible, agents, size: int, seed: int, known: Reach | None,
               by_time: bool) -> tuple[int, list[Territory]]:
    """The day's first cut and its seed: the cut with ``seed``; where time binds, the
    finest and likeliest (``forecast.py``) of the ``CUT_TRIES`` cuts with seeds from
    ``seed`` on."""
    tries = CUT_TRIES if by_time else 1
    cuts = [territories(eligible, agents, size, seed + k, known) for k in range(tries)]
    k = finest_likeliest(problem, cuts) if tries > 1 else 0
    return seed + k, cuts[k]


def _cuts(problem, eligible, agents, size: int, factor, first, first_seed: int,
          budget: Budget, params: SearchParams, progress: bool = False,
          known: Reach | None = None):
    """Worker ``k`` searches the whole day cut with seed ``first_seed + k`` (its
    territories in turn); the plan that keeps the most promises, then serves the most
    priority, then travels least, is kept (:func:`_route_score`).

    Where a day has few territories, where the borders fall moves the priority served by
    up to 2% (1000-cap: 1,291.2 with one cut, seed 1; 1,316.0 as the better of two; other
    days within 0.1%: benchmarks/README.md, "A cut per worker"). ``first`` is the
    first cut (``_first_cut``) and its shortlist, made already, with ``first_seed``.
    Returns the outcome, the accounts its shortlists left out, how many it searched, and
    the seed of the cut kept.
    """
    cuts = [first] + [_shortlisted(territories(eligible, agents, size, first_seed + k, known),
                                   factor) for k in range(1, params.workers)]
    jobs = {k: (_run_territories, (_territory_worker(params, k, seed=params.seed + k),
                                   problem, cuts[k][0], budget, params))
            for k in range(params.workers)}
    results, crashed = run_jobs(jobs, budget, f"searching {len(jobs)} cuts of the day"
                                if progress else None, wait_for_all=True)
    warnings = _crash_warnings(crashed, "territory worker")
    if not results:
        return _all_failed(eligible, warnings, crashed, budget), [], 0, first_seed
    promised = _promised(eligible)
    best = min(results, key=lambda k: _cut_score(results[k], k, promised))
    outcome = results[best]
    outcome.stats.update(best_worker=best, crashed_workers=crashed)
    outcome.warnings = warnings + outcome.warnings
    return (outcome, cuts[best][1], sum(len(p.accounts) for p in cuts[best][0]),
            first_seed + best)


def _cut_score(outcome: Outcome, k: int, promised: frozenset[str] = frozenset()) -> tuple:
    """Smaller is better: a plan that failed last, then as :func:`_route_score`."""
    return (_no_plan(outcome), *_route_score(outcome.routes, promised), k)


def _route_score(routes, promised: frozenset[str] = frozenset()) -> tuple:
    """Smaller is better: more of the ``promised`` accounts (must-visit) visited, then
    more priority served, then less travel. A promise comes first, as the model's drop
    penalties put it: a plan that breaks one to serve more is not the better plan."""
    kept = sum(v.account_id in promised for r in routes for v in r.visits)
    served = sum(v.priority for r in routes for v in r.visits)
    return -kept, -round(served, 6), sum(r.travel_s for r in routes)


def _promised(accounts) -> frozenset[str]:
    """The ids of the must-visit accounts among ``accounts``."""
    return frozenset(a.account_id for a in accounts if a.must_visit)


def _still_out(no_room: list, outcome: Outcome) -> list:
    """The shortlists' left-out accounts that ``outcome`` neither visits nor explains
    itself."""
    there = {v.account_id for r in outcome.routes for v in r.visits} | \
        {u.account_id for u in outcome.unassigned}
    return [u for u in no_room if u.account_id not in there]


def _shortlisted(parts: list[Territory], factor: float | None):
    """Each territory's shortlist for its own agents' visit caps (solver/shortlist.py)."""
    kept, left = [], []
    for part in parts:
        accounts, no_room = shortlist(part.accounts, part.agents, factor,
                                      area=len(parts) > 1)
        kept.append(replace(part, accounts=accounts))
        left += no_room
    return kept, left


def _run_territories(worker, problem, parts, budget, params, progress=False,
                     start=None) -> Outcome:
    return territory_search.search_territories(worker, problem, parts, budget, params,
                                               progress, start)


# The second cut's k-means seed is the search seed plus this: borders other than the
# first cut's (whose seeds are seed + worker).
RECUT_SEED = 1000


def _recut(problem, accounts, agents, size: int, first: Outcome, budget: Budget,
           params: SearchParams, progress: bool, known: Reach | None = None) -> Outcome:
    """The day cut again around the first cut's plan (``decompose.recut``) and searched
    on from it until ``budget``'s end (a territory whose search served less than the
    routes it was given keeps those: ``parts.search_territories``); the second plan is
    kept if it serves more (:func:`_route_score`: promises, priority, then less travel),
    the first otherwise, or if a worker crashed or a territory got no plan."""
    if _no_plan(first):
        return first
    routes = {r.agent_id: [v.account_id for v in r.visits] for r in first.routes}
    parts = recut(accounts, agents, routes, size, params.seed + RECUT_SEED, known)
    second = _territories(problem, parts, budget, params, progress, start=routes)
    as_loaded = second.stats.pop("kept_as_loaded", 0)
    crashed = second.stats.get("crashed_workers") or {}
    if crashed or _no_plan(second):
        why = "; ".join(f"territory worker {k} crashed ({c})" for k, c in sorted(crashed.items()))
        first.stats["recut"] = "failed"
        first.warnings = first.warnings + [
            f"the second cut of the day failed ({why or 'a territory got no plan'}); "
            "the first cut's plan was kept"]
        return first
    promised = _promised(accounts)
    if _cut_score(second, 0, promised) >= _cut_score(first, 0, promised):
        first.stats["recut"] = "no better"
        return first
    kept = f"kept ({as_loaded} of {len(parts)} territories as they were)" if as_loaded \
        else "kept"
    second.stats.update(recut=kept, parts=first.stats.get("parts", len(parts)),
                        solutions=second.stats.get("solutions", 0)
                        + first.stats.get("solutions", 0),
                        first_solution_s=first.stats.get("first_solution_s"),
                        build_s=first.stats.get("build_s", 0.0))
    return second


def _reselect_day(problem, accounts, agents, outcome: Outcome, budget: Budget,
                  params: SearchParams, known: Reach | None = None) -> Outcome:
    """The plan of a day cut into territories, chosen again two neighbouring routes at
    a time until ``budget.reselect_end`` (``reselect.py``): pairs across the
    territories' borders too. The agents whose routes changed are rebuilt as one model
    of their visits and the accounts they gave up, for their routes and those accounts'
    reasons; the other routes and reasons stand as they were."""
    if _no_plan(outcome):
        return outcome
    plan = {r.agent_id: [v.account_id for v in r.visits] for r in outcome.routes}
    start = {g.agent_id: list(plan.get(g.agent_id, [])) for g in agents}
    promises = reselect.keep_promises(problem, start, accounts, agents, known or {},
                                      budget.reselect_end, params.seed, params)
    new, tally, crashed = _improve_bands(problem, start, accounts, agents, budget, params,
                                         known)
    tally.improved += promises  # each promise placed is a neighbourhood that did better
    tally.searched += promises
    outcome.stats["reselect"] = str(tally)
    # The day's deadlines, not those of the cut whose plan stood.
    outcome.stats["budget"] = {**outcome.stats.get("budget", {}), **budget.as_stats()}
    outcome.warnings = outcome.warnings + _crash_warnings(crashed, "reselect worker")
    changed = [g for g in agents if new[g.agent_id] != plan.get(g.agent_id, [])]
    if not changed:
        return outcome
    involved = {a for g in changed for a in plan.get(g.agent_id, []) + new[g.agent_id]}
    model = build(problem, [a for a in accounts if a.account_id in involved], changed,
                  params.seed)
    ids = {g.agent_id for g in changed}
    part, short = _loaded(model, start_from(model, as_routes(new, changed)),
                          sum(len(new[g.agent_id]) for g in changed),
                          [r for r in outcome.routes if r.agent_id in ids])
    if part is None:
        outcome.warnings = outcome.warnings + [
            "the plan chosen again two routes at a time did not load; the plan before it "
            "was kept"]
        outcome.stats["reselect"] += ", not loaded"
        return outcome
    if short:
        outcome.stats["reselect"] += f", {short} visits did not load"
    mine = {r.agent_id: r for r in part.routes}
    routes = [mine.pop(r.agent_id, None) if r.agent_id in ids else r for r in outcome.routes]
    routes = [r for r in routes if r is not None] + list(mine.values())
    # The accounts the changed agents now visit leave the unassigned; those they gave up
    # (visited before, so not among them) get their reasons from this model.
    unassigned = [u for u in outcome.unassigned if u.account_id not in involved] \
        + part.unassigned
    stats = {**outcome.stats, "objective": outcome.stats.get("objective", 0) - tally.saved}
    return Outcome(routes, unassigned, stats, outcome.warnings + part.warnings)


def _loaded(model, solution, wanted: int, before) -> tuple[Outcome | None, int]:
    """The changed routes as ``solution`` loaded them, and how many of the ``wanted``
    visits did not load. ``None`` for the routes if nothing loaded, or if some visits did
    not and the rest serve no more than the routes ``before``.

    A guard: the pairs hand back routes as they load (``reselect.loadable``), and a route
    loads alike in every model of the day's numbers, so none should be short here; if one
    is, the pairs' gain elsewhere is kept rather than thrown away whole."""
    if solution is None:
        return None, wanted
    short = wanted - visit_count(model, solution)
    part = one_search.finish(model, solution, "RESELECTED", {})
    promised = _promised(model.data.accounts)
    if short and _route_score(part.routes, promised) >= _route_score(before, promised):
        return None, short
    return part, short


def _improve_bands(problem, plan, accounts, agents, budget: Budget, params: SearchParams,
                   known: Reach | None = None):
    """``reselect.improve`` on ``params.workers`` bands of the day side by side (one in
    this process if one worker). Returns the plan, the :class:`reselect.Tally` of all
    bands, and the crashed bands (their routes stay as they were)."""
    end, strategy = budget.reselect_end, params.territory_strategy
    bands = reselect.split(plan, accounts, agents, params.workers, known)
    if len(bands) == 1:
        new, tally = reselect.improve(problem, plan, accounts, agents, end, params.seed,
                                      strategy, params)
        return new, tally, {}
    jobs = {k: (reselect.improve, (problem, plan, accs, ags, end, params.seed + k, strategy,
                                   params))
            for k, (accs, ags) in enumerate(bands)}
    results, crashed = run_jobs(jobs, budget, None, wait_for_all=True)
    new, tally = {g.agent_id: list(plan.get(g.agent_id, [])) for g in agents}, reselect.Tally()
    for k in sorted(results):
        part, counts = results[k]
        new.update(part)
        tally += counts
    return new, tally, crashed


def _balanced(parts: list[Territory], workers: int) -> list[list[Territory]]:
    """Territories in ``workers`` groups of about equal size (largest first, to the
    lightest group)."""
    groups: list[list[Territory]] = [[] for _ in range(min(workers, len(parts)))]
    load = [0] * len(groups)
    for part in sorted(parts, key=lambda p: -len(p.accounts)):
        k = load.index(min(load))
        groups[k].append(part)
        load[k] += len(part.accounts)
    return groups


# -- failures -----------------------------------------------------------------------------

def _crash_warnings(crashed: dict[int, str], what: str) -> list[str]:
    lines = [f"{what} {k} crashed ({why}); the other workers' plans were kept"
             for k, why in sorted(crashed.items())]
    for line in lines:
        log.warning(line)
    return lines


def _all_failed(accounts, warnings: list[str], crashed: dict, budget: Budget) -> Outcome:
    """No worker has a plan: every account ``SOLVER_FAILED``, with the crashes said."""
    return _failed(accounts, "every search worker failed or ran out of time"
                   + (f" ({'; '.join(warnings)})" if warnings else ""),
                   "ALL_WORKERS_FAILED", crashed, budget)


def _failed(accounts, detail: str, status: str, crashed: dict, budget: Budget) -> Outcome:
    return one_search.failed(accounts, detail, dict(status=status, crashed_workers=crashed,
                                                    budget=budget.as_stats()))
