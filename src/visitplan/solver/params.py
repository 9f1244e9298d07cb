"""Search settings, apart from the legal policy (like PyVRP's ``SolveParams``).

A :class:`Policy` says what is lawful; :class:`SearchParams` says how hard
and in which way to look for a plan. ``policy.toml``'s ``[solver]`` table
gives the defaults (:meth:`SearchParams.from_policy`); the CLI's options
and the API's keyword arguments override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

# Workers by default: one per core this process may use, at most this many. Each is a
# forked search holding its own copy of the day's model, so memory grows with each; the
# portfolio alternates two strategies, and this machine (2 cores) could not measure more.
MAX_WORKERS = 4


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), at most ``MAX_WORKERS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


# Independent searches, one per worker: (first-solution strategy, metaheuristic).
# On the realistic days (benchmarks/README.md, "Quality on realistic days") guided local
# search stays near its first plan: parallel insertion's led to more priority on four days
# of six, local insertion's on the other two, so the workers take one each (and restart
# on a stall).
PORTFOLIO = (("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
             ("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"))
# The strategy of every territory of a day cut into several (each searched once, with a
# few seconds each): from parallel insertion the 1,000-account daily benchmark served 1.0
# to 1.5% less priority and the week about 2% less (benchmarks/README.md).
TERRITORY_STRATEGY = ("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH")
# Guided local search's lambda on a model where accounts may be left out. OR-Tools
# penalises an arc of a local optimum by lambda x its travel cost, but there most of the
# objective is the priority of the accounts left out (an hour of travel weighs a tenth of
# a priority point): at OR-Tools' 0.1 the penalties are too small to push a route of
# tight windows out of its local optimum, and its search stalls. Measured in
# benchmarks/README.md, "Guided local search's lambda on days that choose". A model where
# every account must be visited (Solomon, the re-routing) keeps OR-Tools' default, as does
# a re-plan (it searches on from the morning's routes, and values staying near them).
PRIZE_GLS_LAMBDA = 1.0

# Without a feasible PyVRP plan by this share of the search time, OR-Tools takes over.
GIVE_UP = 0.3
# ... on a must-visit-only day, where OR-Tools is the weaker fallback.
PATIENT = 0.85

# Eligible accounts above which "auto" cuts the day into territories, and their size:
# one model's first plan takes 1.2 s at 750 eligible accounts, 9 s at 1,150, none in a
# minute at 2,300 (benchmarks/README.md, "Scale"); and on the realistic days of about 760
# eligible accounts two territories served more priority in 30 s than one model in 300 s,
# while on 300-account days cutting lost (benchmarks/README.md, "Quality on realistic days").
DECOMPOSE_ABOVE = 600
# ... and above which even a re-plan, which needs one model to load the morning's routes,
# is cut: one model's first plan gets too slow.
ONE_MODEL_MAX = 900
# On a day bound by visit caps, the search keeps this many of the most urgent accounts
# per visit slot (solver/shortlist.py); measured in benchmarks/README.md.
SHORTLIST = 2.0
# A worker whose search has not improved for this share of its search time starts again
# from a new first plan (the next seed) and keeps the best of its rounds: on the
# realistic days guided local search stops improving within 5 to 10 s, and the seed
# moves the result by up to 2% (benchmarks/README.md).
RESTART_AFTER = 0.2
# On a day searched as one model and bound by time (not every working agent capped), a
# worker whose search stalls runs the pairs (RESELECT) in this many cycles: the first from
# the search's plan, each later one from the best plan so far with CYCLE_RUIN neighbouring
# routes cleared; the best plan is kept, and the re-routing's time goes to the cycles
# (search.cycles). There the pairs make most of the plan (on 300-time-tight, guided local
# search alone reached 12.65M to 14.3M in 16 s where the pairs after it end near 12.0M), and
# they settle on a plan that depends on where they start (from 4 s plans: 678.9 to 716.1
# priority). 300-time-tight, 30 s, seeds 0 to 7: 707.6 on the mean (lowest 702.8) against
# 700.2 (694.8) without cycles; 2 cycles 707.0, 3 cycles 708.4 (694.9); two cycles from a
# fresh first plan instead of a cleared best, 702.1 (benchmarks/README.md, "Cycles on a day
# bound by time"). Not on capped days: forced on 400-cap (seeds 0 to 3) they served 627.2
# against 628.2, and without the re-routing drove 35.1 to 37.9 h against 31.8 to 35.9 h.
CYCLES_BY_TIME = 5
CYCLE_RUIN = 3
# The first cycle's search: until it has not improved for CYCLE_STALL of the time, at
# most CYCLE_FIRST of it (as long as a day searched whole gives it otherwise). Only a
# search that stalls is followed by more cycles: where windows are long (mixed) guided
# local search keeps improving, and two cycles from fresh plans with 15% of each to the
# search served 2.8% less on a held-out day (held-400-mixed).
CYCLE_STALL = 0.1
CYCLE_FIRST = 0.55
# The share of the search time left, on a day with more accounts than visits, to re-route
# the visits the search chose (solver/reroute.py): re-routed for 6 s, the 400-cap day's
# plan needed 6% less travel (benchmarks/README.md, "Travel at the same priority"). With
# choosing again two routes at a time (below) a twentieth was tried: 400-cap's plan then
# needed 1.3% more travel for the same visits, and served no more (benchmarks/README.md,
# "Choosing again two routes at a time").
REROUTE = 0.2
# The share before it to choose again whom two neighbouring agents visit, and in which
# order (solver/reselect.py): at 20 s the 400-cap day served 627.0 where it had served
# 625.4, and over three seeds the time-bound days cut into territories 0.5% and 0.4% more;
# a quarter did better than 15% on all six of those runs, 35% worse (benchmarks/README.md,
# "Choosing again two routes at a time").
RESELECT = 0.25
# ... on a day bound by time cut into territories, where the pairs cross the borders and
# the second cut takes its time before them (RECUT_BY_TIME): there a pair searched for
# 0.04 s gains more than the territories' guided local search in that time. With the second
# cut's share at 0.6 (first cut 40% of the time) and the pairs' at 0.45 (and the pairs
# searched again when they settle, reselect.DEEPEN), over five seeds 3000-time-tight served
# +0.5% and 1000-time +0.7% on the mean (every seed better), the held-out days +0.0 to
# +2.3%. Days bound by caps did not gain (1000-cap -0.15% over three seeds, 3000-cap the
# same, the daily benchmark -0.3%): their routes are full, and a pair can only exchange
# visits. They keep RECUT and RESELECT (benchmarks/README.md, "More of the time to the pairs
# on a day bound by time").
RESELECT_BY_TIME = 0.45
# The share of the re-routing time (REROUTE) that may first route the chosen visits again
# three neighbouring routes at a time, from nothing (solver/regroup.py); the groups usually
# settle sooner, and re-routing all at once takes the rest: on the 400-cap day the 30 s
# plan's travel fell from 34.5 h to 32.8 h for the same visits (benchmarks/README.md,
# "Routes built again three at a time").
REGROUP = 0.8
# Territory size: on a day bound by visit caps each territory is shortlisted for its own
# agents (solver/shortlist.py), so its search is already small; on a day bound by time every
# eligible account is searched, and smaller territories converge faster: on the two
# time-bound 1,000 and 3,000-account days, 250 served more priority than 400 on every seed of
# three, by 0.8% and 1.8% on average, and 180 more than 250 on five runs of six, by 1.3% and
# 0.8% on average; 130 was worse again on the 3,000-account day (-2.3%), its first plans
# taking too much of the time. The cap-bound days did no better with smaller territories
# (benchmarks/README.md, "Territory size").
# A day cut into territories keeps this share of its time to cut the day again around
# its plan and search on from it: borders elsewhere, each agent with its visits. Over
# twelve runs on the set (four days cut, three seeds) and three held-out days, +0.4%
# priority on the mean; two of the fifteen lost, by 0.2% at most (benchmarks/README.md,
# "A second cut around the plan"). On a day bound by time, with the pairs' larger share
# there (RESELECT_BY_TIME), 0.6: the first cut gets 40% of the time, the second the few
# seconds before the pairs.
RECUT = 0.4
RECUT_BY_TIME = 0.6
TERRITORY_SIZE = 400
TERRITORY_SIZE_BY_TIME = 180
# On a day bound by time cut into territories, where the eligible accounts' service alone
# would fill the agents' working time (so time binds whatever the routes), the search values
# a priority point at this many minutes of travel, where the policy's weights say ten hours:
# at ten hours travel barely counts, and the search keeps plans that spend the agents' time
# driving, which leaves less of it for visits. At 30 s over five seeds, 1000-time served
# +1.0% and 3000-time-tight +1.2% on the mean, with less travel, and the held-out days -0.1
# to +2.2%; 60 and 30 minutes gained less (benchmarks/README.md, "Travel valued on a crowded
# day"). A day searched whole keeps the policy's values: over 18 seeds of the 300-account
# day 15 minutes served 0.1% more on the mean, half the seeds less (60: -0.2% over ten). So
# do days where agents have time to spare.
PRIORITY_MINUTES_BY_TIME = 15.0


@dataclass(frozen=True)
class SearchParams:
    """How to search.

    Attributes
    ----------
    time_limit
        Seconds for the whole solve, model building included.
    seed
        The search seed; the same inputs and seed give the same plan when the
        search ends the same way (``solution_limit``).
    solution_limit
        Stop OR-Tools after this many solutions (a deterministic stop; PyVRP,
        which stops on time only, is then not used).
    workers
        Independent searches in parallel processes; the best plan is kept. Default:
        :func:`default_workers` (the cores available, at most ``MAX_WORKERS``).
    warm_start
        PyVRP's plan as OR-Tools' start: ``auto`` (where it measured better),
        ``always`` or ``never``.
    warm_start_share
        PyVRP's share of the search time when OR-Tools searches on from its plan.
    portfolio
        (first-solution strategy, metaheuristic) per worker, in turn.
    territory_strategy
        (first-solution strategy, metaheuristic) of every territory of a day cut into
        several.
    give_up, patient
        Shares of the search time PyVRP may look for a first feasible plan
        before OR-Tools searches alone: on mixed days, and on worker 0 of a
        must-visit-only day.
    decompose, territory_size
        Cut the day into territories of about ``territory_size`` eligible
        accounts (``solver/decompose.py``): ``auto`` when it has more than
        ``DECOMPOSE_ABOVE`` of them, ``always``, or ``never``. ``territory_size``
        ``None`` (default): ``TERRITORY_SIZE`` on a day whose working agents all have a
        visit cap, ``TERRITORY_SIZE_BY_TIME`` on a day bound by time
        (:meth:`territory_size_for`).
    start_from
        A plan to search on from: ``(agent_id, (account_id, ...))`` per agent, in
        visit order (a re-plan: the morning routes). Worker 0 of a whole-day model
        loads what of it still fits and searches from there instead of PyVRP's
        plan; the other workers search as usual.
    shortlist
        On a day whose working agents are all capped, search only the most urgent
        ``shortlist x`` (visits the caps allow) accounts and every must-visit one; the
        others are ``CAPACITY``. ``None``: search every eligible account. Not used with
        ``start_from``.
    gls_lambda
        OR-Tools' guided local search lambda coefficient; ``None``: ``PRIZE_GLS_LAMBDA``
        on a model with accounts that may be left out, OR-Tools' default on one where
        every account must be visited and in a re-plan (:func:`lambda_for`).
    restart_after
        A worker's OR-Tools search that has not improved for this share of its search
        time starts again from the first plan of the next seed (``seed + rounds x
        workers``) while that much time is left; the best plan of its rounds is kept.
        ``None``: one search. Not with ``solution_limit`` (a deterministic stop), a
        PyVRP start or ``start_from``; not in territories.
    reroute
        On a day with optional accounts, the share of the search time left to re-route
        the chosen visits alone (``solver/reroute.py``); the priority served does not
        change, the travel only shortens. ``None``: no re-routing. Not with
        ``solution_limit`` (a deterministic stop) or ``start_from`` (a re-plan keeps
        the morning's routes where it can).
    reroute_territories
        Re-route the chosen visits of a day cut into territories too (a third phase,
        ``solver/parts.py``). Off by default: there the search for the plan is still
        improving at 30 s, and the time it gave up cost more priority than the travel it
        saved (benchmarks/README.md, "Re-routing the chosen visits").
    reselect
        On a day with optional accounts, the share of the search time left (before the
        re-routing) to choose again whom two neighbouring agents visit and in which
        order, a pair at a time (``solver/reselect.py``); on a day cut into territories
        the pairs cross the borders, in ``workers`` bands side by side. ``None``: off.
        Not with ``solution_limit`` or ``start_from``, as ``reroute``.
    reselect_by_time
        ``reselect`` on a day bound by time (not every working agent capped) cut into
        territories (``RESELECT_BY_TIME``).
    cycles_by_time
        On a day searched as one model and bound by time (not every working agent
        capped), where the pairs run (``reselect``): a worker whose search stalls runs
        the pairs this many times, the first from its plan, each later one from the best
        plan so far with ``CYCLE_RUIN`` neighbouring routes cleared; the best plan is
        kept and nothing is re-routed (``CYCLES_BY_TIME``; ``search.cycles``). ``None``
        or 1: one search, the pairs, then the re-routing.
    regroup
        The share of the re-routing time (``reroute``) that may first go to routing the
        chosen visits again a few neighbouring routes at a time, each group from a fresh
        first plan (``solver/regroup.py``); it ends sooner when every group has settled.
        ``None``: off. Only where ``reroute`` runs, on a day searched as one model.
    priority_minutes_by_time
        On a day cut into territories and bound by time (not every working agent capped)
        whose eligible accounts' service alone would fill the working agents' time, the
        minutes of travel a priority point is worth to the search, if fewer than the
        policy's ``weights.priority_minutes`` (``PRIORITY_MINUTES_BY_TIME``). ``None``: the
        policy's. Not in a re-plan (``start_from``), which keeps the morning's routes where
        it can.
    recut
        On a day cut into territories, the share of the time left to cut it again
        around the plan found (other borders, each agent with its visits) and search on
        from it (``decompose.recut``, ``solve._recut``); ``RECUT`` by default.
        ``None``: one cut. Not with ``solution_limit`` or ``start_from``. On a day whose
        working agents all have a visit cap; on a day bound by time, ``recut_by_time``
        (``RECUT_BY_TIME``).
    place
        With ``start_from``: accounts to put into that plan first, each where it adds
        the least travel (a re-plan: the accounts of an agent who stopped).
    """

    time_limit: float = 30.0
    seed: int = 0
    solution_limit: int | None = None
    workers: int = field(default_factory=default_workers)
    warm_start: Literal["auto", "always", "never"] = "auto"
    warm_start_share: float = 0.8
    portfolio: tuple[tuple[str, str], ...] = PORTFOLIO
    territory_strategy: tuple[str, str] = TERRITORY_STRATEGY
    give_up: float = GIVE_UP
    patient: float = PATIENT
    decompose: Literal["auto", "always", "never"] = "auto"
    territory_size: int | None = None
    shortlist: float | None = SHORTLIST
    gls_lambda: float | None = None
    restart_after: float | None = RESTART_AFTER
    reroute: float | None = REROUTE
    reroute_territories: bool = False
    recut: float | None = RECUT
    recut_by_time: float | None = RECUT_BY_TIME
    reselect: float | None = RESELECT
    reselect_by_time: float | None = RESELECT_BY_TIME
    priority_minutes_by_time: float | None = PRIORITY_MINUTES_BY_TIME
    regroup: float | None = REGROUP
    cycles_by_time: int | None = CYCLES_BY_TIME
    start_from: tuple[tuple[str, tuple[str, ...]], ...] = ()
    place: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.shortlist is not None and self.shortlist < 1:
            raise ValueError("shortlist must be at least 1 (or None)")
        if self.cycles_by_time is not None and self.cycles_by_time < 1:
            raise ValueError("cycles_by_time must be at least 1 (or None)")
        if self.restart_after is not None and not 0 < self.restart_after < 1:
            raise ValueError("restart_after must be between 0 and 1 (or None)")
        if self.reroute is not None and not 0 < self.reroute < 1:
            raise ValueError("reroute must be between 0 and 1 (or None)")
        for name in ("reselect", "reselect_by_time", "recut", "recut_by_time"):
            share = getattr(self, name)
            if share is not None and not 0 < share < 1:
                raise ValueError(f"{name} must be between 0 and 1 (or None)")
        if self.priority_minutes_by_time is not None and self.priority_minutes_by_time <= 0:
            raise ValueError("priority_minutes_by_time must be positive (or None)")
        if self.regroup is not None and not 0 < self.regroup <= 1:
            raise ValueError("regroup must be above 0 and at most 1 (or None)")
        if self.territory_size is not None and self.territory_size < 1:
            raise ValueError("territory_size must be at least 1 (or None)")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError("solution_limit must be at least 1")

    def territory_size_for(self, capped: bool) -> int:
        """The territory size of a day whose working agents all have a visit cap
        (``capped``) or not: ``territory_size`` if set, else by the day's bound."""
        if self.territory_size is not None:
            return self.territory_size
        return TERRITORY_SIZE if capped else TERRITORY_SIZE_BY_TIME

    @classmethod
    def from_policy(cls, policy, **overrides) -> "SearchParams":
        """The policy's ``[solver]`` settings, with ``overrides`` that are not ``None``."""
        s = policy.solver
        params = cls(time_limit=s.time_limit_s, seed=s.seed, warm_start=s.warm_start,
                     warm_start_share=s.warm_start_share)
        return replace(params, **{k: v for k, v in overrides.items() if v is not None})


def lambda_for(params: SearchParams, model) -> float | None:
    """Guided local search's lambda for ``model`` (a ``RoutingModel``): the one set in
    ``params``, else ``PRIZE_GLS_LAMBDA`` where an account may be left out, else
    ``None`` (OR-Tools' default). A re-plan (``start_from``) keeps the default too: it
    searches on from the morning's routes, and what it values is staying near them,
    which a harder push out of each local optimum works against."""
    if params.gls_lambda is not None:
        return params.gls_lambda
    if params.start_from or all(a.must_visit for a in model.data.accounts):
        return None
    return PRIZE_GLS_LAMBDA


def search_parameters(time_limit: float, solution_limit: int | None = None,
                      strategy: tuple[str, str] = PORTFOLIO[0],
                      gls_lambda: float | None = None):
    """OR-Tools' search parameters: ``strategy`` (first-solution strategy,
    metaheuristic) for ``time_limit`` seconds, stopped after ``solution_limit``
    solutions if given."""
    first, meta = strategy
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, meta)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    if gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = gls_lambda
    return params
