"""A first plan built route by route, for days where the fleet is tight.

PyVRP starts its search from a random plan. On a day where every vehicle is
needed (Homberger's C1_10_1: 1,000 clustered accounts, exactly 100 routes)
it spends minutes only undoing that plan's lateness. Solomon's sequential
insertion heuristic I1 (Solomon 1987, "Algorithms for the vehicle routing
and scheduling problems with time window constraints") builds feasible
routes one after another and fills each before opening the next, which is
what a tight fleet needs; the search then starts from there.

Only required clients and required groups are inserted; PyVRP's search
chooses the optional ones. Clients that fit in no route are left out of the
plan for the search to place.

Insertion checks windows, shift and delivery load, all that visitplan gives
PyVRP; pickups, release times, shift durations and distance limits are not
looked at, so callers check the result with ``Solution.is_feasible()``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvrp


@dataclass(frozen=True)
class Criteria:
    """One setting of I1's insertion criteria.

    ``alpha`` weighs added distance against the delay pushed onto the rest
    of the route, ``mu`` how much of the replaced arc counts as saved,
    ``lam`` how much a far-away client is worth serving now, and
    ``seed_by`` picks the client a new route starts from: the one whose
    window closes first (``"due"``) or the one farthest away (``"far"``).
    """

    alpha: float = 1.0
    mu: float = 1.0
    lam: float = 2.0
    seed_by: str = "due"


CRITERIA = (Criteria(1.0, 1.0, 2.0, "due"), Criteria(0.5, 1.0, 1.0, "due"),
            Criteria(1.0, 1.0, 1.0, "far"), Criteria(0.0, 1.0, 2.0, "due"))


class _Day:
    """The arrays of a PyVRP problem that insertion needs, by client."""

    def __init__(self, problem: pyvrp.ProblemData):
        clients = problem.clients()
        self.problem = problem
        self.location = np.array([c.location for c in clients], dtype=np.int64)
        self.early = np.array([c.tw_early for c in clients], dtype=np.int64)
        self.late = np.array([c.tw_late for c in clients], dtype=np.int64)
        self.service = np.array([c.service_duration for c in clients], dtype=np.int64)
        dims = problem.num_load_dimensions
        self.delivery = np.array([list(c.delivery) or [0] * dims for c in clients],
                                 dtype=np.int64).reshape(len(clients), dims)
        self.group = np.array([-1 if c.group is None else c.group for c in clients])
        required = [g.required for g in problem.groups()]
        self.wanted = np.array([c.required or (c.group is not None and required[c.group])
                                for c in clients], dtype=bool)


def construct(problem: pyvrp.ProblemData, criteria: Criteria = Criteria()) -> pyvrp.Solution:
    """A plan of feasible routes that serves as many required clients as fit.

    Vehicles are filled one at a time, in vehicle-type order.
    """
    return _construct(_Day(problem), criteria)


def best_construction(problem: pyvrp.ProblemData,
                      criteria: tuple[Criteria, ...] = CRITERIA) -> pyvrp.Solution:
    """The construction that leaves fewest required clients out, then the shortest."""
    def rank(solution: pyvrp.Solution) -> tuple[int, int]:
        return len(solution.unplanned()), solution.distance()
    day = _Day(problem)
    return min((_construct(day, c) for c in criteria), key=rank)


def _construct(day: _Day, criteria: Criteria) -> pyvrp.Solution:
    problem = day.problem
    open_ = day.wanted.copy()
    routes = []
    for vt, vehicle in enumerate(problem.vehicle_types()):
        for _ in range(vehicle.num_available):
            if not open_.any():
                break
            visits = _fill(day, vt, open_, criteria)
            if visits:
                routes.append(pyvrp.Route(problem, visits, vt))
    return pyvrp.Solution(problem, routes)


def _fill(day: _Day, vt: int, open_: np.ndarray, criteria: Criteria) -> list[int]:
    """Build one route for a vehicle of type ``vt``; close what it serves."""
    route = _Route(day, vt)
    seed = _seed(day, route, open_, criteria)
    if seed is None:
        return []
    _take(day, route, open_, seed, 0)
    while True:
        choice = _best_insertion(day, route, open_, criteria)
        if choice is None:
            return route.visits
        _take(day, route, open_, *choice)


def _take(day: _Day, route: "_Route", open_: np.ndarray, client: int, position: int) -> None:
    route.insert(client, position)
    open_[client] = False
    if day.group[client] >= 0:
        open_[day.group == day.group[client]] = False


def _seed(day: _Day, route: "_Route", open_: np.ndarray, criteria: Criteria) -> int | None:
    """The client a new route starts from, among those it can serve alone."""
    candidates = np.flatnonzero(open_)
    ok, _ = route.insertions(candidates)
    candidates = candidates[ok[0]]
    if len(candidates) == 0:
        return None
    if criteria.seed_by == "far":
        loc = day.location[candidates]
        far = route.distance[route.start, loc] + route.distance[loc, route.end]
        return int(candidates[np.argmax(far)])
    return int(candidates[np.argmin(day.late[candidates])])


def _best_insertion(day: _Day, route: "_Route", open_: np.ndarray,
                    criteria: Criteria) -> tuple[int, int] | None:
    """I1: each client's cheapest place; then the client most worth placing now."""
    candidates = np.flatnonzero(open_)
    if len(candidates) == 0:
        return None
    ok, delay = route.insertions(candidates)
    if not ok.any():
        return None
    nodes = route.nodes()
    loc = day.location[candidates]
    d = route.distance
    added = d[nodes[:-1, None], loc] + d[loc, nodes[1:, None]] \
        - criteria.mu * d[nodes[:-1], nodes[1:]][:, None]
    cost = np.where(ok, criteria.alpha * added + (1 - criteria.alpha) * delay, np.inf)
    position = np.argmin(cost, axis=0)
    best = cost[position, np.arange(len(candidates))]
    worth = criteria.lam * d[route.start, loc] - best
    pick = int(np.argmax(np.where(np.isfinite(best), worth, -np.inf)))
    return int(candidates[pick]), int(position[pick])


class _Route:
    """A route under construction: its visits, start times and slack."""

    def __init__(self, day: _Day, vt: int):
        problem = day.problem
        vehicle = problem.vehicle_type(vt)
        start, end = problem.depot(vehicle.start_depot), problem.depot(vehicle.end_depot)
        self.day = day
        self.start, self.end = start.location, end.location
        self.start_service = start.service_duration
        self.distance = problem.distance_matrix(vehicle.profile)
        self.duration = problem.duration_matrix(vehicle.profile)
        self.capacity = np.array(list(vehicle.capacity) or [0] * day.delivery.shape[1])
        self.open_at = max(vehicle.tw_early, start.tw_early)
        self.close_at = min(vehicle.tw_late, end.tw_late)
        self.visits: list[int] = []
        self.load = np.zeros_like(self.capacity)
        self._times()

    def nodes(self) -> np.ndarray:
        """Locations along the route, start and end depots included."""
        return np.array([self.start, *self.day.location[self.visits], self.end])

    def insert(self, client: int, position: int) -> None:
        self.visits.insert(position, client)
        self.load = self.load + self.day.delivery[client]
        self._times()

    def _times(self) -> None:
        """Earliest service start ``begin`` and latest ``latest`` per route node."""
        day, nodes = self.day, self.nodes()
        visits = np.array(self.visits, dtype=np.int64)
        early = np.concatenate([[self.open_at], day.early[visits], [0]])
        late = np.concatenate([[self.close_at], day.late[visits], [self.close_at]])
        self.service_at = np.concatenate([[self.start_service], day.service[visits], [0]])
        legs = self.duration[nodes[:-1], nodes[1:]]
        begin = early.copy()
        for i in range(1, len(nodes)):
            begin[i] = max(early[i], begin[i - 1] + self.service_at[i - 1] + legs[i - 1])
        latest = late.copy()
        for i in range(len(nodes) - 2, -1, -1):
            latest[i] = min(late[i], latest[i + 1] - self.service_at[i] - legs[i])
        self.begin, self.latest = begin, latest

    def insertions(self, clients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each client fits at each position, and the delay it causes.

        Both arrays are positions × clients; position ``p`` is between route
        node ``p`` and ``p + 1``.
        """
        day, nodes = self.day, self.nodes()
        loc = day.location[clients]
        depart = (self.begin + self.service_at)[:-1, None]
        arrive = np.maximum(depart + self.duration[nodes[:-1, None], loc], day.early[clients])
        following = np.concatenate([day.early[self.visits], [0]])[:, None]
        nxt = np.maximum(arrive + day.service[clients]
                         + self.duration[loc, nodes[1:, None]], following)
        fits = (self.load + day.delivery[clients] <= self.capacity).all(axis=1)
        ok = (arrive <= day.late[clients]) & (nxt <= self.latest[1:, None]) & fits
        return ok, nxt - self.begin[1:, None]
