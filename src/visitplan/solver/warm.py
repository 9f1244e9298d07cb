"""A first plan from PyVRP's iterated local search, handed to OR-Tools.

OR-Tools' local search plateaus a few percent above the best known plans
on time-window instances and often cannot fit fleet-tight days at all
(benchmarks/README.md); PyVRP's search gets within a fraction of a percent
in the same time. So PyVRP searches the day as far as it can express it,
and its plan is loaded into the OR-Tools model, which holds every rule,
checks the plan and, where it weighs more than PyVRP, searches on from it
(``solve.polishes``).

What PyVRP sees, per option node of ``SolverData``:

- one client per visit option, the options of an account in one
  mutually exclusive group, so at most one window is used;
- the drop penalty as the prize of an optional account; must-visit
  accounts required;
- one vehicle type per kind of agent: start and end place, shift, visit
  cap and work-unit capacity;
- one routing profile per (speed, skills) pair: arcs into an account an
  agent may not serve are made too long for any shift;
- each agent's break as a required client that only agents with that
  kind of break can take (one load dimension per kind, capacity 1), at a
  place reached from and left towards each place at the cost of a leg to
  a near neighbour (a break has no place of its own); the real break is
  checked before loading (``fits``) and a route without room for it loses
  visits;
- the soft preferred agent is left out (OR-Tools' search weighs it).

PyVRP starts from a random plan; when that finds nothing feasible in time
(fleet-tight days), it starts again from routes built one after another
(``construct.py``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pyvrp
from pyvrp import PenaltyParams
from pyvrp.search import PerturbationParams
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime, MultipleCriteria

from .construct import best_construction
from .data import SolverData
from .model import RoutingModel
from .schedule import fits

# Prizes enter PyVRP's int64 cost sums; keep their total far from overflow.
MAX_PRIZE = 2**40
# How far PyVRP's penalty for a broken rule may grow past the largest prize.
PENALTY_OVER_PRIZE = 100


# Most clients PyVRP's search moves at random before each local search, on
# days of short routes (PyVRP's default is 25). On fleet-tight Homberger days
# (200 customers, 18 routes) 25 undid more than a 30-second search repairs: 15
# cut the RC1 class's gap from 2.72% to 0.96%; but on days of a few long routes
# (RC2: 4 routes of 50) it doubled the gap, so there PyVRP keeps its default
# (benchmarks/README.md, "PyVRP's perturbation").
MAX_PERTURBATIONS = 15
# Clients per vehicle up to which a day counts as one of short routes.
SHORT_ROUTES = 20

# A break has no place of its own. Its client is entered from a place, and
# left towards a place, at the cost of a leg to that place's NEIGHBOURS-th
# nearest place: close to the real leg it interrupts, and too dear to serve
# as a shortcut across town.
NEIGHBOURS = 8


def to_pyvrp(data: SolverData,
             penalties: list[int]) -> tuple[pyvrp.ProblemData, list[list[int]]]:
    """PyVRP's view of the day, and the agents behind each vehicle type.

    Locations ``0..num_nodes-1`` are the nodes of ``data``; then one place
    per break kind (a break has no place of its own). Clients are the visit
    options in account order, then one required break client per agent
    with a break. Agents that PyVRP cannot tell apart (same places, shift,
    limits, break and profile) share one vehicle type: its search handles
    a fleet of one type better than many types of one vehicle each.
    """
    num_agents = len(data.agents)
    kinds = _break_kinds(data)
    locations = [pyvrp.Location(x=0, y=0) for _ in range(data.num_nodes + len(kinds))]
    depots = [pyvrp.Depot(location=data.start_node(v)) for v in range(num_agents)]
    depots += [pyvrp.Depot(location=data.end_node(v)) for v in range(num_agents)]
    demands, capacities = _load_dims(data, kinds)
    clients, groups = _visit_clients(data, penalties, demands, len(kinds))
    for v, agent in enumerate(data.agents):
        if agent.break_applies():
            rule, kind = agent.break_rule, kinds.index(_kind(agent))
            clients.append(pyvrp.Client(
                location=data.num_nodes + kind, service_duration=rule.duration,
                tw_early=rule.earliest, tw_late=rule.latest, required=True,
                delivery=[0] * len(demands) + [int(k == kind) for k in range(len(kinds))]))
    profiles, distances, durations = _profiles(data, len(kinds))
    fleet = _fleet(data, profiles, distances, durations, capacities)
    vehicle_types = []
    for agents in fleet:
        v, agent = agents[0], data.agents[agents[0]]
        vehicle_types.append(pyvrp.VehicleType(
            num_available=len(agents), capacity=capacities[v], start_depot=v,
            end_depot=num_agents + v, tw_early=agent.shift_start, tw_late=agent.shift_end,
            profile=profiles[v]))
    problem = pyvrp.ProblemData(locations=locations, clients=clients, depots=depots,
                                vehicle_types=vehicle_types, distance_matrices=distances,
                                duration_matrices=durations, groups=groups)
    return problem, fleet


def _fleet(data: SolverData, profiles, distances, durations, capacities) -> list[list[int]]:
    """Agents grouped by everything PyVRP sees of them, in agent order."""
    groups: dict[tuple, list[int]] = {}
    for v, agent in enumerate(data.agents):
        p, start, end = profiles[v], data.start_node(v), data.end_node(v)
        places = tuple(m[start].tobytes() + m[:, end].tobytes()
                       for m in (distances[p], durations[p]))
        key = (p, places, tuple(capacities[v]), agent.shift_start, agent.shift_end)
        groups.setdefault(key, []).append(v)
    return list(groups.values())


def _visit_clients(data: SolverData, penalties: list[int], demands: list[list[int]],
                   num_kinds: int):
    """One client per visit option; an account's options form one group."""
    service = data.service_ticks()
    clients, groups = [], []
    for account, options in enumerate(_grouped(data)):
        acc = data.accounts[account]
        single = len(options) == 1
        if not single:
            groups.append(pyvrp.ClientGroup(
                clients=list(range(len(clients), len(clients) + len(options))),
                required=acc.must_visit))
        for node in options:
            low, high = data.windows[node]
            clients.append(pyvrp.Client(
                location=node, delivery=[d[node] for d in demands] + [0] * num_kinds,
                service_duration=int(service[node]), tw_early=low, tw_late=high,
                prize=min(MAX_PRIZE, penalties[account]),
                required=acc.must_visit and single,
                group=None if single else len(groups) - 1))
    return clients, groups


def _kind(agent) -> tuple[int, int, int]:
    rule = agent.break_rule
    return rule.earliest, rule.latest, rule.duration


def _break_kinds(data: SolverData) -> list[tuple[int, int, int]]:
    """Distinct break rules among the agents who take a break today."""
    return sorted({_kind(a) for a in data.agents if a.break_applies()})


def _grouped(data: SolverData) -> list[list[int]]:
    """Option nodes per account, in node order (clients are numbered in this order)."""
    return [data.options(a) for a in range(len(data.accounts))]


def _load_dims(data: SolverData, kinds: list) -> tuple[list[list[int]], list[list[int]]]:
    """Per-node demands and per-agent capacities: the agents' count limits
    (``SolverData.limits``), then one dimension per break kind, capacity 1
    for the agents with that break, so that each agent takes exactly its own."""
    limits = data.limits()
    demands = [demand for _, demand, _ in limits]
    capacities = [[caps[v] for _, _, caps in limits] for v in range(len(data.agents))]
    for kind in kinds:
        for v, agent in enumerate(data.agents):
            capacities[v].append(int(agent.break_applies() and _kind(agent) == kind))
    return demands, capacities


def _profiles(data: SolverData, num_kinds: int):
    """One profile per (speed, barred accounts) pair; returns the profile of
    each agent and the distance and duration matrices of each profile."""
    keys, index, distances, durations = [], {}, [], []
    service = data.service_ticks()
    too_long = int(data.problem.day_units) * 4 + int(service.max(initial=0)) + 1
    for v, agent in enumerate(data.agents):
        speed = data.speeds[v]
        barred = tuple(node for node, owner in enumerate(data.owner)
                       if not agent.can_serve(data.accounts[owner]))
        key = (speed, barred)
        if key not in index:
            index[key] = len(distances)
            distance = _with_breaks(np.asarray(data.seconds[speed], dtype=np.int64), num_kinds)
            duration = _with_breaks(np.asarray(data.travel_ticks(speed), dtype=np.int64),
                                    num_kinds)
            if barred:
                distance[:, list(barred)] = too_long * max(1, int(distance.max()))
                duration[:, list(barred)] = too_long
            np.fill_diagonal(distance, 0)
            np.fill_diagonal(duration, 0)
            distances.append(distance)
            durations.append(duration)
        keys.append(index[key])
    return keys, distances, durations


def _with_breaks(matrix: np.ndarray, num_kinds: int) -> np.ndarray:
    """``matrix`` with rows and columns for the break places appended."""
    size = len(matrix)
    out = np.zeros((size + num_kinds, size + num_kinds), dtype=np.int64)
    out[:size, :size] = matrix
    if num_kinds:
        k = min(NEIGHBOURS, size - 1)
        near = np.partition(matrix, k, axis=0)[k] if k > 0 else np.zeros(size, np.int64)
        # Entering a break from a place and leaving it towards a place each cost
        # a leg to a near neighbour: a break is taken near where the agent is.
        out[size:, :size] = near
        out[:size, size:] = near[:, None]
    return out


def solve_params(problem: pyvrp.ProblemData) -> pyvrp.SolveParams:
    """PyVRP's defaults but two: penalties that can grow past the largest
    prize (with PyVRP's cap, 1e5 per unit of excess, leaving a break or the
    visit cap unkept can pay for itself on a day of valuable accounts), and
    fewer clients perturbed per iteration on days of short routes
    (``perturbation``)."""
    prizes = [c.prize for c in problem.clients() if not c.required]
    cap = max(PenaltyParams().max_penalty, PENALTY_OVER_PRIZE * max(prizes, default=0))
    return pyvrp.SolveParams(penalty=PenaltyParams(max_penalty=cap),
                             perturbation=perturbation(problem))


def perturbation(problem: pyvrp.ProblemData) -> PerturbationParams:
    """At most ``MAX_PERTURBATIONS`` clients perturbed per iteration on a day of
    short routes (``SHORT_ROUTES``), PyVRP's default otherwise."""
    if problem.num_clients <= SHORT_ROUTES * problem.num_vehicles:
        return PerturbationParams(max_perturbations=MAX_PERTURBATIONS)
    return PerturbationParams()


INFEASIBLE = 2**62


class FeasibleSeen:
    """A PyVRP stopping criterion that never stops: it records when PyVRP's best
    plan first became feasible (PyVRP reports an infeasible best as the largest
    cost it can hold)."""

    def __init__(self) -> None:
        self.at: float | None = None

    def __call__(self, best_cost: float) -> bool:
        if self.at is None and best_cost < INFEASIBLE:
            self.at = time.monotonic()
        return False


class NoFeasibleBy:
    """A PyVRP stopping criterion: stop at ``give_up`` if no feasible plan has been seen."""

    def __init__(self, seen: FeasibleSeen, give_up: float) -> None:
        self.seen, self.give_up = seen, give_up

    def __call__(self, best_cost: float) -> bool:
        return self.seen.at is None and time.monotonic() >= self.give_up


class Stop:
    """When PyVRP stops: at ``end`` (``pyvrp.stop.MaxRuntime``), or at ``give_up``
    without a feasible plan (``search`` then tries a constructed start, and
    OR-Tools takes over if that fails too); the criteria combined with
    ``pyvrp.stop.MultipleCriteria``, one set per PyVRP run."""

    def __init__(self, end: float, give_up: float) -> None:
        self.end, self.give_up = end, give_up
        self.seen = FeasibleSeen()

    def criteria(self) -> MultipleCriteria:
        remaining = max(0.0, self.end - time.monotonic())
        runtime = MaxRuntime(remaining)
        # MaxRuntime starts its clock at its first call, which PyVRP makes only after
        # building its first plans (a second or more on 1,000 clients): start it now,
        # or PyVRP runs past its end and the portfolio has to stop it, plan and all.
        runtime(INFEASIBLE)
        # The recorder first: MultipleCriteria asks them in order and stops at the first yes.
        return MultipleCriteria([self.seen, runtime, NoFeasibleBy(self.seen, self.give_up)])

    @property
    def first_feasible(self) -> float | None:
        return self.seen.at

    def expired(self) -> bool:
        return time.monotonic() >= self.end


def _solve(problem: pyvrp.ProblemData, stop: Stop, seed: int,
           start: pyvrp.Solution | None = None) -> pyvrp.Solution:
    with warnings.catch_warnings():
        # Raised on days where a must-visit account cannot fit; OR-Tools explains those.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(problem, stop=stop.criteria(), seed=seed, collect_stats=False,
                             display=False, params=solve_params(problem),
                             initial_solution=start)
    return result.best


def search(data: SolverData, penalties: list[int], stop: Stop,
           seed: int) -> list[list[int]] | None:
    """Run PyVRP until ``stop`` stops it; the routes found, as option nodes
    per agent, or ``None`` when it found no plan within every rule it models.

    When ``stop`` gives up on PyVRP's random start, the search starts
    again from a constructed plan (``construct.py``) if that plan is
    complete and keeps every rule PyVRP models.
    """
    problem, fleet = to_pyvrp(data, penalties)
    best = _solve(problem, stop, seed)
    if not best.is_feasible() and not stop.expired():
        # Typical of a fleet-tight day: from its random start PyVRP can spend
        # minutes undoing lateness. A plan built route by route often serves
        # every must-visit account within the fleet; search on from there.
        start = best_construction(problem)
        if start.is_feasible():
            best = _solve(problem, stop, seed, start)
    if not best.is_feasible():
        return None
    clients = [node for options in _grouped(data) for node in options]
    routes: list[list[int]] = [[] for _ in data.agents]
    client = pyvrp.ActivityType.CLIENT
    free = [list(agents) for agents in fleet]  # agents of each type without a route yet
    for route in best.routes():  # break clients come after the visit options: left out
        routes[free[route.vehicle_type()].pop(0)] = [
            clients[step.idx] for step in route.schedule()
            if step.type == client and step.idx < len(clients)]
    return routes


def to_assignment(model: RoutingModel, routes: list[list[int]]):
    """Load ``routes`` into the OR-Tools model, which checks every rule.

    A route on which the agent's break does not fit (PyVRP only
    approximates breaks) first loses visits, the least valuable whose
    removal makes room, until it does; the search later refills it.
    Returns the assignment, or ``None`` if the plan breaks a rule anyway.
    """
    value = [model.penalties[owner] for owner in model.data.owner]
    routes = [_make_room(model.data, v, list(route), value) for v, route in enumerate(routes)]
    indices = [[model.manager.NodeToIndex(node) for node in route] for route in routes]
    return model.routing.ReadAssignmentFromRoutes(indices, True)


def _make_room(data: SolverData, v: int, route: list[int], value: list[int]) -> list[int]:
    while route and not fits(data, v, route):
        by_value = sorted(range(len(route)), key=lambda k: value[route[k]])
        cut = next((k for k in by_value if fits(data, v, route[:k] + route[k + 1:])),
                   by_value[0])
        del route[cut]
    return route
