"""The numbers the routing model is built from, computed once per solve.

Nodes: one *visit option* per account and availability window of the day
(``0..n-1``, accounts in a seeded order), then each working agent's start
(``n..n+V-1``), then each agent's end (``n+V..n+2V-1``). An account with
two windows today (lunch and evening) has two options, of which the model
performs at most one. A single interval per node keeps OR-Tools' fast
time-window filters exact; cumul domains with holes made the first
solution of a 1,000-account day ten times slower.

Time inside the model is counted in the problem's clock units (minutes by
default): the route sheets show minutes, so the schedule the solver
builds is exactly the schedule that is written. Travel durations from the
travel model are rounded up to whole units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..compliance import start_intervals
from ..models import Account, Agent, Problem
from ..travel import default_model, end_key, profile, start_key

@dataclass(frozen=True)
class SolverData:
    problem: Problem
    accounts: list[Account]
    agents: list[Agent]
    speeds: list[tuple[str, float]]     # per agent: its travel profile (mode, km/h)
    seconds: dict[tuple, np.ndarray]    # profile -> travel seconds between nodes
    metres: np.ndarray
    owner: list[int]                    # option node -> index in accounts
    windows: list[tuple[int, int]]      # option node -> allowed visit starts, in ticks
    tick_s: float = 60.0       # seconds per clock unit
    duration_s: float = 1.0    # seconds per unit of the travel model's durations
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of visit options."""
        return len(self.owner)

    @property
    def num_nodes(self) -> int:
        return self.n + 2 * len(self.agents)

    def start_node(self, vehicle: int) -> int:
        return self.n + vehicle

    def end_node(self, vehicle: int) -> int:
        return self.n + len(self.agents) + vehicle

    def options(self, account: int) -> list[int]:
        """The option nodes of an account."""
        if "options" not in self._cache:
            grouped: list[list[int]] = [[] for _ in self.accounts]
            for node, owner in enumerate(self.owner):
                grouped[owner].append(node)
            self._cache["options"] = grouped
        return self._cache["options"][account]

    def travel_ticks(self, speed: float) -> np.ndarray:
        """Travel time in clock units, rounded up so that a written schedule never runs short."""
        key = ("ticks", speed)
        if key not in self._cache:
            self._cache[key] = to_ticks(self.seconds[speed], self.duration_s, self.tick_s)
        return self._cache[key]

    def limits(self) -> list[tuple[str, list[int], list[int]]]:
        """The agents' count limits as ``(name, demand per visit option, capacity
        per agent)``: the visit cap and the work-unit capacity, each only when
        some agent has it; an agent without it gets a capacity it cannot reach."""
        limits = []
        if any(a.max_visits is not None for a in self.agents):
            caps = [a.max_visits if a.max_visits is not None else self.n for a in self.agents]
            limits.append(("visits", [1] * self.n, caps))
        if any(a.capacity is not None for a in self.agents):
            big = max(1, sum(a.load for a in self.accounts))
            caps = [a.capacity if a.capacity is not None else big for a in self.agents]
            limits.append(("load", [self.accounts[a].load for a in self.owner], caps))
        return limits

    def service_ticks(self) -> np.ndarray:
        if "service" not in self._cache:
            service = np.zeros(self.num_nodes, dtype=np.int64)
            service[: self.n] = [self.accounts[a].service_min for a in self.owner]
            self._cache["service"] = service
        return self._cache["service"]


def to_ticks(durations: np.ndarray, duration_s: float, tick_s: float) -> np.ndarray:
    """Durations (in units of ``duration_s`` seconds) as whole clock units, rounded up."""
    if duration_s == tick_s:
        return durations
    if float(tick_s).is_integer() and float(duration_s) == 1.0:
        return -(-durations // int(tick_s))  # exact integer ceiling, the common case
    return np.ceil(durations * (duration_s / tick_s) - 1e-9).astype(np.int64)


def order_accounts(accounts: list[Account], seed: int) -> list[Account]:
    """A seeded order of the accounts: different seeds start the search from
    different places, the same seed gives the same plan."""
    order = np.random.default_rng(seed).permutation(len(accounts))
    return [accounts[i] for i in order]


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of closed integer intervals."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def build_data(problem: Problem, accounts: list[Account], agents: list[Agent],
               seed: int) -> SolverData:
    accounts = order_accounts(accounts, seed)
    owner, windows = [], []
    for index, account in enumerate(accounts):
        for low, high in merge(start_intervals(account, problem)):
            owner.append(index)
            windows.append((low, high))
    keys = ([a.account_id for a in accounts] + [start_key(a.agent_id) for a in agents]
            + [end_key(a.agent_id) for a in agents])
    points = np.array([(a.lat, a.lon) for a in accounts]
                      + [(a.start_lat, a.start_lon) for a in agents]
                      + [a.end for a in agents], dtype=float).reshape(-1, 2)
    # Rows of the place matrices for each node: options share their account's place.
    place = np.array(owner + list(range(len(accounts), len(keys))), dtype=np.int64)
    grid = np.ix_(place, place)
    model = problem.travel or default_model(problem.policy)
    speeds = [profile(a, problem.policy) for a in agents]
    seconds, metres = {}, np.zeros((len(place), len(place)), dtype=np.int64)
    for mode, speed in sorted(set(speeds)):
        by_place, metres_by_place = model.matrices(keys, points, speed, mode=mode)
        seconds[(mode, speed)], metres = by_place[grid], metres_by_place[grid]
    return SolverData(problem, accounts, agents, speeds, seconds, metres, owner, windows,
                      tick_s=problem.time_unit_s, duration_s=getattr(model, "unit_s", 1.0))
