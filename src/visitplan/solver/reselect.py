"""Choose again whom two neighbouring agents visit, and in which order.

Guided local search on a whole day changes a plan one move at a time. Where
the agents' visit caps bind, serving a more urgent account means taking a
less urgent one off a full route *and* re-ordering the route around the
newcomer: two or three moves, each worse on its own, which the search
rarely strings together (on the 400-account day the 30 s plan and the best
known differed by two such exchanges; benchmarks/README.md). Here the plan
is searched a neighbourhood at a time: two neighbouring routes, their visits
and the most urgent of the unvisited accounts nearest them, as a model of its
own with the same rules (windows, shifts, breaks, caps, skills, preferences),
searched from the two routes as they are and from a fresh first plan of its
own. A neighbourhood whose search lowers its objective changes the plan, and
the day's objective falls by as much: the other routes and accounts are
untouched. On a day cut into territories the neighbourhoods cross the
territories' borders.

:func:`improve` works on a plan as routes of account ids; :func:`reselect`
on an assignment of a day's model, loaded back and kept only if its
objective there is lower.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..models import Account, Agent, Problem
from .decompose import flat_km
from .load import as_routes, start_from
from .model import RoutingModel, build, build_model, preference_seconds
from .params import SearchParams, lambda_for, search_parameters
from .reach import Reach, serves
from .reroute import MIN_SECONDS, chosen_routes, visit_count

# Unvisited accounts offered to a neighbourhood, per route in it: the most urgent of the
# POOL x CANDIDATES nearest its stops. The nearest alone are mostly the cheap accounts a
# route passes by; an urgent one a little further off is what a pair can bring in. At
# 30 s, seeds 0 / 1, the most urgent of the 3x nearest served more on 10 runs of 12
# across the set, with the five-seed means +0.2% (1,000-time) and +0.5% (3,000 tight);
# of the 5x nearest, +0.6% on the latter but -0.5% on the former (benchmarks/README.md,
# "Urgent candidates for the pairs").
CANDIDATES = 10
POOL = 3
# Partners of each agent: the agents whose routes' centres lie nearest its own.
PARTNERS = 3
# Seconds of search per neighbourhood: its model has a few dozen nodes. Half goes to a
# search from the routes as they stand, half to a search from a fresh first plan of the
# neighbourhood's own, built one route at a time (FRESH); the better plan is kept. From
# the routes alone guided local search stays near them: from the same 24 s plans, 8 s of
# pairs served +3.0 and +1.6 priority on the 1,000 and 3,000-account time-bound days;
# with the fresh half +18.5 and +17.2, and in slots of 0.04 s instead of 0.15 s (more
# pairs searched) +24.2 and +47.7 (benchmarks/README.md, "A fresh start for each pair").
SLOT = 0.04
# The fresh first plan: built one route at a time (regroup.py builds its groups so too).
FRESH = ("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH")
# When every pair of agents has settled before the time is up, each pair is searched again
# with DEEPEN times the slot (and the next seed for its fresh plan), up to DEEPER times. On
# 1000-time, with the larger share of the time the pairs have on a day bound by time
# (params.RESELECT_BY_TIME), they settled with 3 to 5 s left; searching them again served
# more on five seeds of five, +0.8% on the mean (benchmarks/README.md, "More of the time to
# the pairs on a day bound by time"). Groups of three agents as the deeper step did worse.
DEEPEN = 2
DEEPER = 2
# Where agents have visit caps, the last FILL_SHARE of the pairs' time fills free slots
# first: each agent under its cap is searched alone from its route, offered the
# FILL_OFFER unvisited accounts it may serve nearest its stops, for up to FILL_SLOT
# seconds; the pairs then go on with the time left. A pair offers only the most urgent
# accounts near its stops, and placing a promise may cost a route visits: on 1000-cap
# seed 2 the pairs ended with 245 visits of 250 slots, and each of the five agents under
# its cap, searched so for 0.2 s, filled its slots (+20.3 priority in all;
# benchmarks/README.md, "The machine's speed, routes remembered, free slots filled").
FILL_SHARE = 0.15
FILL_SLOT = 0.2
FILL_OFFER = 100  # the unvisited accounts offered: those nearest the agent's stops

Plan = dict[str, list[str]]  # agent id -> account ids in visit order


@dataclass
class Tally:
    """What :func:`improve` did: neighbourhoods searched, those that improved, and by
    how much in all (the objective's units)."""

    searched: int = 0
    improved: int = 0
    saved: int = 0
    unit: str = "pairs"  # what was searched: "pairs" here, "groups" in regroup.py
    filled: int = 0      # free slots filled (:func:`fill`)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.searched + other.searched, self.improved + other.improved,
                     self.saved + other.saved, self.unit, self.filled + other.filled)

    def __str__(self) -> str:
        """As ``plan.stats.reselect`` (``regroup``) shows it."""
        said = f"{self.improved} of {self.searched} {self.unit} better"
        return said + (f", {self.filled} free slots filled" if self.filled else "")


def reselect(problem: Problem, model: RoutingModel, solution, end: float, seed: int,
             strategy: tuple[str, str], params: SearchParams):
    """``solution`` improved neighbourhood by neighbourhood until ``end``
    (``time.monotonic()``). Returns ``(model, solution, saved, tally)``: as
    ``reroute.reroute``, the better plan in a new model of the same numbers (or the
    arguments unchanged, ``saved`` 0), and what :func:`improve` did."""
    return on_model(model, solution, end, lambda plan, accounts, agents: improve(
        problem, plan, accounts, agents, end, seed, strategy, params))


def on_model(model: RoutingModel, solution, end: float, step):
    """``step(plan, accounts, agents) -> (plan, tally)`` applied to ``solution``'s plan,
    the result loaded into a new model of the same numbers and kept if its objective
    there is lower. Returns ``(model, solution, saved, tally)`` as :func:`reselect`."""
    unchanged = model, solution, 0
    if solution is None or end - time.monotonic() < MIN_SECONDS:
        return unchanged + (Tally(),)
    data = model.data
    plan = {agent_id: list(stops) for agent_id, stops in chosen_routes(model, solution)}
    plan, tally = step(plan, data.accounts, data.agents)
    if not tally.improved:
        return unchanged + (tally,)
    again = build_model(data)
    back = start_from(again, as_routes(plan, data.agents))
    if back is None or back.ObjectiveValue() >= solution.ObjectiveValue():
        return unchanged + (tally,)
    return again, back, solution.ObjectiveValue() - back.ObjectiveValue(), tally


def improve(problem: Problem, plan: Plan, accounts: list[Account], agents: list[Agent],
            end: float, seed: int, strategy: tuple[str, str],
            params: SearchParams) -> tuple[Plan, Tally]:
    """Search the pairs of neighbouring routes of ``plan`` in a seeded order, each from
    its routes as they stand and from a fresh first plan (``_search``), until ``end``.
    When no pair has changed since it was last searched, each agent's next nearest
    partner joins (the time would go unused otherwise), until every pair of agents has
    settled; then every pair is searched again with ``DEEPEN`` times the slot and the
    next seed, up to ``DEEPER`` times. Where an agent has a visit cap, the last
    ``FILL_SHARE`` of the time goes to :func:`fill` first, and the pairs go on after it
    until ``end``. ``accounts``: every account the plan may visit (the others of them
    are the candidates). Returns the plan (a new dict) and a :class:`Tally`."""
    plan = {g.agent_id: list(plan.get(g.agent_id, ())) for g in agents}
    places = Places(accounts, agents, frozenset(g.agent_id for g in problem.working_agents()))
    tried: set[tuple] = set()
    tally = Tally()
    rng = np.random.default_rng(seed)
    partners, slot, deeper = PARTNERS, SLOT, 0

    def pairs_until(until: float) -> None:
        nonlocal partners, slot, deeper
        while time.monotonic() + slot / 2 < until:
            pairs = [p for p in places.pairs(plan, partners)
                     if as_it_stands(plan, p) not in tried]
            if not pairs:
                if partners < len(agents) - 1:
                    partners += 1  # every near pair settled: look one neighbour further
                    continue
                if deeper == DEEPER:
                    return
                tried.clear()  # every pair settled: search them all again, longer
                partners, slot, deeper = PARTNERS, slot * DEEPEN, deeper + 1
                continue
            sweep(plan, pairs, lambda pair, seconds: _search(
                problem, plan, places, pair, seconds, seed + deeper, strategy, params),
                until, slot, rng, tried, tally)

    if any(g.max_visits is not None for g in agents):
        pairs_until(end - FILL_SHARE * max(0.0, end - time.monotonic()))
        fill(problem, plan, places, end, seed, strategy, params, tally)
    pairs_until(end)  # the time the filling left
    return plan, tally


def fill(problem: Problem, plan: Plan, places: "Places", end: float, seed: int,
         strategy: tuple[str, str], params: SearchParams, tally: Tally) -> None:
    """Each agent of ``places`` under its visit cap, the most free slots first, searched
    alone from its route with the ``FILL_OFFER`` unvisited accounts it may serve nearest
    its stops offered, for up to ``FILL_SLOT`` seconds each, until ``end``; a better
    route is written into ``plan`` (``_search``) and ``tally`` counts the slots filled."""
    short = [g for g in places.agents
             if g.max_visits is not None and len(plan[g.agent_id]) < g.max_visits]
    short.sort(key=lambda g: len(plan[g.agent_id]) - g.max_visits)
    for agent in short:
        left = end - time.monotonic()
        # The model's build and reload take time beyond the search: at most a third of
        # what is left goes to searching, so a short budget (a 1 s plan) still ends on time.
        if left < FILL_SLOT:
            return
        before = len(plan[agent.agent_id])
        tally.searched += 1
        # From its route only: one agent's fresh plan of 100 accounts in a fraction of a
        # second would not beat the route it has.
        saved = _search(problem, plan, places, (agent,), min(FILL_SLOT, left / 3), seed,
                        strategy, params, places.unvisited(plan, (agent,), FILL_OFFER),
                        fresh_too=False)
        if saved:
            tally.improved += 1
            tally.saved += saved
            tally.filled += max(0, len(plan[agent.agent_id]) - before)


def ruin(plan: Plan, accounts: list[Account], agents: list[Agent], count: int,
         seed: int) -> Plan:
    """``plan`` (a new dict) with the routes of a random agent (``seed``) and of the
    ``count - 1`` agents whose routes' centres lie nearest its own cleared, their
    accounts left unvisited for the pairs to choose again (``search.cycles``). One
    route at least is kept: a plan with none left is no start to load."""
    plan = {g.agent_id: list(plan.get(g.agent_id, ())) for g in agents}
    count = min(count, len(agents) - 1)
    if count < 1:
        return plan
    places = Places(accounts, agents)
    v = int(np.random.default_rng(seed).integers(len(agents)))
    for w in places.nearest(plan, count - 1)[v]:
        plan[agents[w].agent_id] = []
    return plan


def sweep(plan: Plan, hoods: list, search, end: float, slot: float, rng, tried: set,
          tally: Tally) -> None:
    """Each neighbourhood of ``hoods`` (lists of agents) in a seeded order, unless
    ``tried`` as it now stands, searched by ``search(hood, seconds)`` (which writes a
    better plan into ``plan`` and returns its saving, 0 for none) for up to ``slot``
    seconds, until ``end``; ``tried`` and ``tally`` are updated."""
    for k in rng.permutation(len(hoods)):
        left = end - time.monotonic()
        if left < slot / 2:
            break
        key = as_it_stands(plan, hoods[k])
        if key in tried:  # searched already as it now stands
            continue
        tried.add(key)
        tally.searched += 1
        saved = search(hoods[k], min(slot, left))
        if saved:
            tally.improved += 1
            tally.saved += saved


def as_it_stands(plan: Plan, hood) -> tuple:
    """A neighbourhood as it stands: its agents (in their order) and their routes."""
    return tuple((g.agent_id, tuple(plan[g.agent_id])) for g in hood)


class Places:
    """Where the accounts and agents are, on a flat local projection (km), and which
    agents work today."""

    def __init__(self, accounts: list[Account], agents: list[Agent],
                 working: frozenset[str] = frozenset()):
        self.accounts = list(accounts)
        self.agents = list(agents)
        self.index = {a.account_id: k for k, a in enumerate(self.accounts)}
        self.working = working  # the ids of the day's working agents
        lat0 = float(np.mean([a.lat for a in self.accounts] or [0.0]))
        self.points = flat_km(np.array([a.lat for a in self.accounts], dtype=float),
                              np.array([a.lon for a in self.accounts], dtype=float), lat0)
        self.starts = flat_km(np.array([g.start_lat for g in self.agents], dtype=float),
                              np.array([g.start_lon for g in self.agents], dtype=float), lat0)
        self.position = {g.agent_id: v for v, g in enumerate(self.agents)}
        self.must = np.array([a.must_visit for a in self.accounts], dtype=bool)
        self._able: dict[int, np.ndarray] = {}
        # Routes that loaded whole, for start_from's memo: a pair loads routes that other
        # pairs of its agents loaded already (checking them again stop by stop took an
        # eighth of the pairs' time on 1000-time).
        self.loaded: dict = {}

    def able(self, v: int) -> np.ndarray:
        """Which accounts agent ``v`` may serve: worked out once per agent, as every
        neighbourhood of the agent asks again."""
        if v not in self._able:
            agent = self.agents[v]
            self._able[v] = np.array([agent.can_serve(a) for a in self.accounts], dtype=bool)
        return self._able[v]

    def stops(self, plan: Plan, v: int) -> np.ndarray:
        """Agent ``v``'s start and visits."""
        rows = [self.index[a] for a in plan[self.agents[v].agent_id]]
        return np.vstack([self.starts[v:v + 1], self.points[rows]])

    def centres(self, plan: Plan) -> np.ndarray:
        """The centre of each agent's start and visits."""
        return np.array([self.stops(plan, v).mean(axis=0) for v in range(len(self.agents))])

    def nearest(self, plan: Plan, count: int) -> list[list[int]]:
        """For each agent, itself and the ``count`` agents whose routes' centres lie
        nearest its own (fewer if there are fewer), by index."""
        centres = self.centres(plan)
        near = []
        for v in range(len(self.agents)):
            far = ((centres - centres[v]) ** 2).sum(axis=1)
            far[v] = -1.0  # itself first
            near.append([int(w) for w in np.argsort(far, kind="stable")[:count + 1]])
        return near

    def pairs(self, plan: Plan, partners: int = PARTNERS) -> list[tuple[Agent, Agent]]:
        """Each agent with the ``partners`` agents whose routes' centres lie nearest its own."""
        pairs = {tuple(sorted((v, w))) for v, *others in self.nearest(plan, partners)
                 for w in others}
        return [(self.agents[v], self.agents[w]) for v, w in sorted(pairs)]

    def unvisited(self, plan: Plan, hood, count: int) -> list[Account]:
        """The ``count`` accounts nearest ``hood``'s stops that no route visits and one
        of its agents may serve."""
        free = np.flatnonzero(self._open(plan, hood))
        return [self.accounts[free[i]] for i in self._nearest_to(plan, hood, free)[:count]]

    def candidates(self, plan: Plan, pair: tuple[Agent, Agent]) -> list[Account]:
        """The unvisited accounts one of the pair's agents may serve: every must-visit one
        (a promise outweighs any other visit, and the pair's model drops one it cannot
        reach), then ``CANDIDATES`` per agent: the most urgent of the ``POOL`` times as
        many nearest the pair's stops."""
        open_ = self._open(plan, pair)
        promised = [self.accounts[i] for i in np.flatnonzero(open_ & self.must)]
        free = np.flatnonzero(open_ & ~self.must)
        wanted = CANDIDATES * len(pair)
        nearest = self._nearest_to(plan, pair, free)[: wanted * POOL]
        # The most urgent first; among equals, the nearer (a stable sort keeps that order).
        urgent = sorted(nearest, key=lambda i: -self.accounts[free[i]].priority)[:wanted]
        return promised + [self.accounts[free[i]] for i in urgent]

    def _open(self, plan: Plan, hood) -> np.ndarray:
        """Which accounts no route of ``plan`` visits and one of ``hood``'s agents may
        serve."""
        open_ = np.logical_or.reduce([self.able(self.position[g.agent_id]) for g in hood])
        open_[np.fromiter((self.index[a] for stops in plan.values() for a in stops
                           if a in self.index), dtype=np.int64)] = False  # visited
        return open_

    def _nearest_to(self, plan: Plan, hood, rows: np.ndarray) -> np.ndarray:
        """Positions in ``rows`` (account rows), nearest ``hood``'s stops first."""
        if not len(rows):
            return np.array([], dtype=np.int64)
        stops = np.vstack([self.stops(plan, self.position[g.agent_id]) for g in hood])
        gaps = ((self.points[rows][:, None, :] - stops[None, :, :]) ** 2).sum(axis=2)
        return np.argsort(gaps.min(axis=1), kind="stable")


def _search(problem, plan: Plan, places: Places, pair, seconds: float, seed: int,
            strategy, params, offered: list[Account] | None = None,
            fresh_too: bool = True) -> int:
    """Search the neighbourhood of ``pair`` (its agents, their visits and ``offered``,
    by default ``places.candidates``) from its routes and, with ``fresh_too``, from a
    fresh first plan too (each half the time); write a better plan of it into ``plan``.
    Returns what it saved in the objective's units (0: nothing)."""
    members = [places.accounts[places.index[a]] for g in pair for a in plan[g.agent_id]]
    offered = places.candidates(plan, pair) if offered is None else offered
    sub = build(problem, members + offered, list(pair), seed)
    start = start_from(sub, as_routes(plan, list(pair)), memo=places.loaded)
    if start is None or visit_count(sub, start) != len(members):
        return 0  # the routes do not load as they are: nothing to compare with
    half = max(0.02, seconds / 2 if fresh_too else seconds)
    lam = lambda_for(params, sub)
    kept = sub.routing.SolveFromAssignmentWithParameters(
        start, search_parameters(half, None, strategy, lam))
    fresh = sub.routing.SolveWithParameters(search_parameters(half, None, FRESH, lam)) \
        if fresh_too else None
    found = [s for s in (kept, fresh) if s is not None]
    if not found:
        return 0
    better = min(found, key=lambda s: s.ObjectiveValue())
    before, searched = chosen_routes(sub, start), chosen_routes(sub, better)
    if searched == before:
        return 0  # the routes as they were (most pairs): no reload to find that out
    unseen = _unseen_preferences(problem, places, pair, before)
    if start.ObjectiveValue() - better.ObjectiveValue() + unseen <= 0:
        return 0  # no saving, whatever the preferences outside the pair
    cost, after = loadable(sub, searched, places.loaded)
    if cost is None:
        return 0
    saved = (start.ObjectiveValue() - cost + unseen
             - _unseen_preferences(problem, places, pair, after))
    if saved <= 0:
        return 0
    for agent_id, stops in after:
        plan[agent_id] = list(stops)
    return saved


# Seconds of search for a promise in one or two agents' routes: a first plan that
# places the promise before their other visits (local cheapest insertion takes the
# highest penalty first), then guided local search; PROMISE_SEEDS first plans in turn
# (from another order of the accounts each) until one keeps the promise.
PROMISE_SLOT = 0.05
PROMISE_SEEDS = 4
# Agents tried for each promise: the nearest of those who could make it, alone and then
# two at a time.
PROMISE_AGENTS = 4


def keep_promises(problem: Problem, plan: Plan, accounts: list[Account], agents: list[Agent],
                  known: Reach, end: float, seed: int,
                  params: SearchParams) -> int:
    """Each unvisited must-visit account of ``accounts`` that an agent could make
    (``known``, ``reach.py``) tried in the routes of the agents who could make it,
    nearest first (``PROMISE_AGENTS``): each alone, then two at a time; their visits and
    the promise as a model of their own, the routes giving up their least valuable visits
    if they must. The first routes that take it are written into ``plan``. Returns how
    many promises were placed.

    The pairs are offered every unvisited promise too, but where several promises need
    the same few evening agents, their 0.04 s often end with one promise fewer than the
    agents can make (1000-cap seed 2: a promise four agents could make stayed out through
    150 pairs; it fits only where two of them swap their evening visits, and half the
    seeds of a pair's search miss that even in 0.3 s; benchmarks/README.md, "Promises
    kept")."""
    places = Places(accounts, agents)
    visited = {a for stops in plan.values() for a in stops}
    placed = 0
    for k, account in enumerate(places.accounts):
        able = [v for v, g in enumerate(places.agents)
                if g.agent_id in known.get(account.account_id, ())]
        if not account.must_visit or account.account_id in visited or not able:
            continue
        centres = places.centres(plan)
        able.sort(key=lambda v: float(((centres[v] - places.points[k]) ** 2).sum()))
        near = [places.agents[v] for v in able[:PROMISE_AGENTS]]
        hoods = [[g] for g in near] + [[g, h] for i, g in enumerate(near) for h in near[i + 1:]]
        for hood in hoods:
            if time.monotonic() + PROMISE_SLOT > end:
                return placed
            if _take_promise(problem, plan, places, hood, account, seed, params, end):
                placed += 1
                break
    return placed


def _take_promise(problem, plan: Plan, places: Places, hood: list[Agent], promise: Account,
                  seed: int, params: SearchParams, end: float) -> bool:
    """Whether the routes of ``hood``, searched with ``promise`` added, make the visit at
    a lower objective; if so the new routes are written into ``plan``."""
    members = [places.accounts[places.index[a]] for g in hood for a in plan[g.agent_id]]
    for attempt in range(PROMISE_SEEDS):
        if time.monotonic() + PROMISE_SLOT > end:
            return False
        sub = build(problem, members + [promise], hood, seed + attempt)
        start = start_from(sub, as_routes(plan, hood)) if members else None
        if members and (start is None or visit_count(sub, start) != len(members)):
            return False  # the routes do not load as they are: nothing to compare with
        found = sub.routing.SolveWithParameters(
            search_parameters(PROMISE_SLOT, None, FRESH, lambda_for(params, sub)))
        if found is None or (start is not None
                             and found.ObjectiveValue() >= start.ObjectiveValue()):
            continue
        cost, after = loadable(sub, chosen_routes(sub, found))
        if cost is None or not any(promise.account_id in stops for _, stops in after):
            continue
        for agent_id, stops in after:
            plan[agent_id] = list(stops)
        return True
    return False


def loadable(model: RoutingModel, routes, memo: dict | None = None) -> tuple[int | None, tuple]:
    """``routes`` as they load into a new model of ``model``'s numbers: ``(objective,
    routes)``, or ``(None, ())`` if nothing loads. (The objective, not the assignment: an
    assignment dies with the model that holds it.)

    OR-Tools may rest an agent in the middle of a travel leg, which a route sheet cannot
    show (``schedule.py``); such a route loads with a visit fewer, as the plan's
    extraction would make it. A pair's plan kept only as OR-Tools found it would then not
    load back into the day's model, and every pair's gain would be lost with it (one run
    in 18 on the time-bound days, 2 to 4% of its priority: benchmarks/README.md,
    "Pairs that load"). A visit that does not load where it was is put back where it
    fits, the most valuable first (``start_from``'s ``mend``): otherwise the visit lost is
    whichever first fails to fit, a promise as readily as the cheapest visit. ``memo``:
    as ``start_from``'s."""
    again = build_model(model.data)
    solution = start_from(again, routes, mend=True, memo=memo)
    if solution is None:
        return None, ()
    return solution.ObjectiveValue(), chosen_routes(again, solution)


def _unseen_preferences(problem, places: Places, pair, routes) -> int:
    """What the day's model charges for ``routes`` that the pair's model does not: a
    visit to an account whose preferred agent works today outside the pair (the pair's
    model only knows its own two agents, so it charges none)."""
    inside = {g.agent_id for g in pair}
    cost = 0
    for _, stops in routes:
        for account_id in stops:
            account = places.accounts[places.index[account_id]]
            if account.preferred_agent in places.working - inside:
                cost += preference_seconds(problem, account)
    return cost


def split(plan: Plan, accounts: list[Account], agents: list[Agent],
          groups: int, known: Reach | None = None) -> list[tuple[list[Account], list[Agent]]]:
    """The plan's agents in ``groups`` bands across the day's longest extent (by their
    routes' centres), each with the accounts it visits and the unvisited accounts whose
    nearest route (among agents who may serve them, ``reach.serves`` with ``known``) is
    in it: neighbourhoods of different bands share no agent and no account, so bands can
    be searched side by side. An account no agent may serve is in none."""
    plan = {g.agent_id: list(plan.get(g.agent_id, ())) for g in agents}
    places = Places(accounts, agents)
    centres = places.centres(plan)
    spread = centres - centres.mean(axis=0)
    axis = np.linalg.svd(spread, full_matrices=False)[2][0] if len(agents) > 1 else np.ones(2)
    bands = np.array_split(np.argsort(spread @ axis, kind="stable"), groups)
    band = {agents[v].agent_id: k for k, members in enumerate(bands) for v in members}
    owner = {a: band[g] for g, stops in plan.items() for a in stops}
    out: list[tuple[list[Account], list[Agent]]] = [
        ([], [agents[v] for v in members]) for members in bands]
    for k, account in enumerate(accounts):
        if account.account_id in owner:
            out[owner[account.account_id]][0].append(account)
            continue
        able = [v for v, g in enumerate(agents) if serves(g, account, known)]
        if able:
            gaps = ((centres[able] - places.points[k]) ** 2).sum(axis=1)
            out[band[agents[able[int(np.argmin(gaps))]].agent_id]][0].append(account)
    return [(accs, ags) for accs, ags in out if ags]
