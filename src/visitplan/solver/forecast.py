"""Which of several cuts of the day to search: the finest, and among the finest the one
expected to serve the most.

Where time binds, the first cut decides much of the plan. A cut of ``ceil(n / size)``
k-means clusters is uneven: a cluster under 1.5 x size is not split again, so some cuts
hold fewer, bigger territories than others. In the same seconds a bigger territory is
searched less per account, and on the days bound by time the cuts with more territories
served more (benchmarks/README.md, "The finest cut"). Among cuts of as many territories,
the forecast below ranks how agents are shared: an agent sent far spends its shift
driving, and shared by account counts, the agents do not see it.

The forecast of a territory: its agents' shifts, less the break and the drive from the
start to the territory's central account and back (the day's travel model), hold
``shift / (service + VISIT_GAP_MIN)`` visits; the territory's most urgent accounts, as
many as that, are what it is expected to serve. It is a ranking, not a plan: it sees
neither windows nor the travel inside a territory, so it favours big territories (a bigger
pool has more urgent accounts to count) and is not used to compare cuts of different
sizes.
"""

from __future__ import annotations

import numpy as np

from ..models import Account, Agent, Problem
from .data import build_data
from .decompose import Territory, flat_km

VISIT_GAP_MIN = 10  # minutes between two visits of a territory, for the forecast


def finest_likeliest(problem: Problem, cuts: list[list[Territory]]) -> int:
    """Index of the cut with the most territories; among those, the likeliest."""
    most = max(len(cut) for cut in cuts)
    finest = [k for k, cut in enumerate(cuts) if len(cut) == most]
    return finest[likeliest(problem, [cuts[k] for k in finest])]


def likeliest(problem: Problem, cuts: list[list[Territory]]) -> int:
    """Index of the cut whose territories are expected to serve the most priority
    (the first of equals)."""
    worth = [sum(parts) for parts in expected(problem, cuts)]
    return max(range(len(cuts)), key=lambda k: (worth[k], -k))


def expected(problem: Problem, cuts: list[list[Territory]]) -> list[list[float]]:
    """For each cut, the priority each of its territories is expected to serve."""
    central = {id(p): _central(p.accounts) for cut in cuts for p in cut if p.accounts}
    places = list({a.account_id: a for a in central.values()}.values())
    agents = list({g.agent_id: g for cut in cuts for p in cut for g in p.agents}.values())
    legs = _legs(problem, places, agents) if places and agents else {}
    gap = problem.to_units(VISIT_GAP_MIN)
    return [[_expected(p, central.get(id(p)), legs, gap) for p in cut] for cut in cuts]


def _central(accounts: list[Account]) -> Account:
    """The account nearest the territory's mean place."""
    lat = np.array([a.lat for a in accounts])
    points = flat_km(lat, np.array([a.lon for a in accounts]), float(lat.mean()))
    k = int(np.argmin(((points - points.mean(axis=0)) ** 2).sum(axis=1)))
    return accounts[k]


def _legs(problem: Problem, places: list[Account], agents: list[Agent]) -> dict:
    """``(agent_id, account_id) -> clock units`` from the agent's start to the place and
    on to the agent's end."""
    data = build_data(problem, places, agents, 0)
    legs = {}
    for v, agent in enumerate(data.agents):
        ticks = data.travel_ticks(data.speeds[v])
        for k, account in enumerate(data.accounts):
            node = data.options(k)[0]
            legs[agent.agent_id, account.account_id] = int(
                ticks[data.start_node(v), node] + ticks[node, data.end_node(v)])
    return legs


def _expected(territory: Territory, central: Account | None, legs: dict, gap: int) -> float:
    """The priority of the territory's most urgent accounts, as many as its agents'
    shifts hold visits after the drive there and back."""
    if central is None or not territory.agents:
        return 0.0
    service = float(np.mean([a.service_min for a in territory.accounts]))
    hours = sum(max(0, g.working_time() - legs[g.agent_id, central.account_id])
                for g in territory.agents)
    visits = round(hours / (service + gap))
    return sum(sorted((a.priority for a in territory.accounts), reverse=True)[:visits])
