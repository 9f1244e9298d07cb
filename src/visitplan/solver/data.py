"""The numbers the routing model is built from, computed once per solve.

Node order: accounts ``0..n-1`` (in a seeded order), then each working
agent's start (``n..n+V-1``), then each agent's end (``n+V..n+2V-1``).
Time inside the model is counted in *ticks* of ``tick_s`` seconds (a
minute by default): the route sheets show minutes, so the schedule the
solver builds is exactly the schedule that is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..compliance import start_intervals
from ..models import Account, Agent, Problem
from ..travel import default_model, end_key, start_key

TICK_S = 60


@dataclass(frozen=True)
class SolverData:
    problem: Problem
    accounts: list[Account]
    agents: list[Agent]
    speeds: list[float]                 # per agent
    seconds: dict[float, np.ndarray]    # speed -> travel seconds between nodes
    metres: np.ndarray
    intervals: list[list[tuple[int, int]]]  # per account: allowed visit starts, in ticks
    tick_s: int = TICK_S

    @property
    def n(self) -> int:
        return len(self.accounts)

    @property
    def num_nodes(self) -> int:
        return self.n + 2 * len(self.agents)

    def start_node(self, vehicle: int) -> int:
        return self.n + vehicle

    def end_node(self, vehicle: int) -> int:
        return self.n + len(self.agents) + vehicle

    def ticks(self, minutes: int) -> int:
        return minutes * 60 // self.tick_s

    def travel_ticks(self, speed: float) -> np.ndarray:
        """Travel time in ticks, rounded up so that a written schedule never runs short."""
        return -(-self.seconds[speed] // self.tick_s)

    def service_ticks(self) -> np.ndarray:
        service = np.zeros(self.num_nodes, dtype=np.int64)
        service[: self.n] = [self.ticks(a.service_min) for a in self.accounts]
        return service


def order_accounts(accounts: list[Account], seed: int) -> list[Account]:
    """A seeded order of the accounts: different seeds start the search from
    different places, the same seed gives the same plan."""
    order = np.random.default_rng(seed).permutation(len(accounts))
    return [accounts[i] for i in order]


def build_data(problem: Problem, accounts: list[Account], agents: list[Agent],
               seed: int) -> SolverData:
    accounts = order_accounts(accounts, seed)
    keys = ([a.account_id for a in accounts] + [start_key(a.agent_id) for a in agents]
            + [end_key(a.agent_id) for a in agents])
    points = np.array([(a.lat, a.lon) for a in accounts]
                      + [(a.start_lat, a.start_lon) for a in agents]
                      + [a.end for a in agents], dtype=float).reshape(-1, 2)
    model = problem.travel or default_model(problem.policy)
    speeds = [a.speed_kmh or problem.policy.travel.speed_kmh for a in agents]
    seconds, metres = {}, None
    for speed in sorted(set(speeds)):
        seconds[speed], metres = model.matrices(keys, points, speed)
    if metres is None:  # no agents
        metres = np.zeros((len(keys), len(keys)), dtype=np.int64)
    intervals = [merge([(s * 60 // TICK_S, e * 60 // TICK_S)
                        for s, e in start_intervals(a, problem)]) for a in accounts]
    return SolverData(problem, accounts, agents, speeds, seconds, metres, intervals)


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of closed integer intervals."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged
