"""A city day cut into territories, each a day of its own for the search.

OR-Tools' first-solution heuristics grow much faster than the day: on the
example generator, 750 eligible accounts take 1.2 s to a first plan, 1,150
take 9 s and 3,000 none in a minute (benchmarks/README.md, "Scale"). A
territory of a few hundred accounts gets its first plan in a fraction of a
second. So a large day is cut:

1. the eligible accounts are clustered by place (k-means on a local flat
   projection, seeded; clusters still too large are split again), about
   ``size`` accounts per territory;
2. the working agents are shared out (at least one each): where every agent
   has a visit cap, each next agent goes where its cap's worth of the most
   urgent accounts not yet covered is worth the most; otherwise in proportion
   to each territory's accounts. Each territory takes the agents whose day
   starts nearest to it, the largest territory choosing first;
3. an account that needs a skill (or a pair) no agent of its territory has
   moves to the nearest territory that has one; so does a must-visit account
   that no agent of its territory could reach in its windows, where the day's
   ``known`` reach (``reach.py``) says an agent of another territory could.

Every rule still holds inside each territory; what is lost is only the
freedom to send an agent across a border (measured in benchmarks/README.md).

:func:`recut` cuts a day again around a plan: other borders, each agent in the
territory that holds most of its visits, its visits with it. Searched on from the
plan's routes, the second cut moves accounts across the first cut's borders.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2

from ..models import Account, Agent
from .reach import Reach, serves
from .shortlist import room


MUST_WORTH = 1e6  # what a must-visit account weighs when agents are shared out by worth


@dataclass(frozen=True)
class Territory:
    """Accounts and the agents who serve them."""

    accounts: list[Account]
    agents: list[Agent]


def flat_km(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Kilometres on a local equirectangular projection: enough to cluster a city."""
    return np.column_stack([lon * 111.32 * math.cos(math.radians(lat0)), lat * 110.57])


def territories(accounts: list[Account], agents: list[Agent], size: int,
                seed: int = 0, known: Reach | None = None) -> list[Territory]:
    """Cut the day into territories of about ``size`` accounts (see the module text).

    One territory (the whole day) when it is small enough or there is one agent.
    ``known``: the agents who could reach some accounts (``reach.must_reach``).
    """
    clustered = _place_clusters(accounts, agents, size, seed)
    if clustered is None:
        return [Territory(list(accounts), list(agents))]
    lat0, points, labels = clustered
    groups = [np.flatnonzero(labels == k) for k in range(labels.max() + 1)]
    groups = [g for g in groups if len(g)][: len(agents)] or [np.arange(len(accounts))]
    if len(groups) < labels.max() + 1:  # more clusters than agents: fold the rest in
        labels = _nearest_group(points, groups)
        groups = [np.flatnonzero(labels == k) for k in range(len(groups))]
    centres = [points[g].mean(axis=0) for g in groups]
    members = [[accounts[i] for i in g] for g in groups]
    sizes = [len(m) for m in members]
    quota = _worth_quota(agents, members) if room(agents) is not None \
        else _count_quota(len(agents), sizes)
    crews = _share_agents(agents, quota, sizes, centres, lat0)
    _rehome_unserved(members, crews, centres, points, accounts, known)
    return [Territory(m, c) for m, c in zip(members, crews) if m or c]


def _place_clusters(accounts: list[Account], agents: list[Agent], size: int, seed: int):
    """``(lat0, points, labels)``: the accounts on the flat projection about ``lat0`` and
    their clusters of about ``size``; ``None`` where one territory will do (a day small
    enough, or one agent)."""
    count = min(len(agents), math.ceil(len(accounts) / size))
    if count <= 1:
        return None
    lat0 = float(np.mean([a.lat for a in accounts]))
    points = flat_km(np.array([a.lat for a in accounts]), np.array([a.lon for a in accounts]),
                     lat0)
    if not np.ptp(points, axis=0).any():  # places all alike: nothing to cut by
        return None
    return lat0, points, _clusters(points, count, size, seed)


def _clusters(points: np.ndarray, count: int, size: int, seed: int) -> np.ndarray:
    """Seeded k-means labels; a cluster over 1.5 x ``size`` is split again, unless
    k-means cannot split it (its places all alike)."""
    rng = np.random.default_rng(seed)
    _, labels = kmeans2(points, count, minit="++", seed=rng)
    if len(np.unique(labels)) == 1:
        return np.zeros(len(points), dtype=np.int64)
    out = np.empty(len(points), dtype=np.int64)
    next_label = 0
    for k in range(count):
        members = np.flatnonzero(labels == k)
        if len(members) > 1.5 * size and len(members) > 1:
            sub = _clusters(points[members], math.ceil(len(members) / size), size, seed + k + 1)
            out[members] = sub + next_label
            next_label += sub.max() + 1
        elif len(members):
            out[members] = next_label
            next_label += 1
    return out


def _nearest_group(points: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    centres = np.array([points[g].mean(axis=0) for g in groups])
    return np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)


def _worth_quota(agents: list[Agent], members: list[list[Account]]) -> list[int]:
    """Agents per territory on a day bound by visit caps: one each, then each next agent
    to the territory where it would serve the most, its next ``cap`` most urgent accounts
    (``cap``: the agents' mean visit cap). Shared by account counts instead, a territory
    of many low-priority accounts got agents that another's urgent accounts needed: on
    3000-cap this served 0.9% more priority on both seeds tried, on 1000-cap the same; on
    the time-bound days, where a day's visits are only an estimate, it lost
    (benchmarks/README.md, "Agents shared by worth")."""
    cap = max(1, round(sum(a.max_visits for a in agents) / len(agents)))
    # A must-visit account needs a slot whatever its priority.
    ranked = [sorted((a.priority + (MUST_WORTH if a.must_visit else 0) for a in m),
                     reverse=True) for m in members]
    quota = [1] * len(members)
    for _ in range(len(agents) - len(members)):
        gain = [sum(r[q * cap:(q + 1) * cap]) for r, q in zip(ranked, quota)]
        k = max(range(len(members)), key=lambda j: (gain[j], len(members[j]), -j))
        quota[k] += 1
    return quota


def _count_quota(n: int, sizes: list[int]) -> list[int]:
    """``n`` agents in proportion to each territory's accounts (largest remainder, at
    least one each)."""
    total = sum(sizes)
    quota = [max(1, math.floor(n * s / total)) for s in sizes]
    order = sorted(range(len(sizes)), key=lambda k: (n * sizes[k] / total) - quota[k],
                   reverse=True)
    i = 0
    while sum(quota) < n:
        quota[order[i % len(order)]] += 1
        i += 1
    while sum(quota) > n:  # more territories than the proportion allows: trim the largest
        k = max(range(len(quota)), key=lambda j: quota[j])
        quota[k] -= 1
    return quota


def _share_agents(agents: list[Agent], quota: list[int], sizes: list[int],
                  centres: list[np.ndarray], lat0: float) -> list[list[Agent]]:
    """``quota[k]`` agents for territory ``k``: the largest territory chooses first, the
    agents starting nearest."""
    n = len(agents)
    starts = flat_km(np.array([a.start_lat for a in agents]),
                     np.array([a.start_lon for a in agents]), lat0)
    free = set(range(n))
    crews: list[list[Agent]] = [[] for _ in sizes]
    for k in sorted(range(len(sizes)), key=lambda k: -sizes[k]):
        near = sorted(free, key=lambda a: (float(((starts[a] - centres[k]) ** 2).sum()), a))
        for a in near[: quota[k]]:
            crews[k].append(agents[a])
            free.discard(a)
    return crews


def _rehome_unserved(members: list[list[Account]], crews: list[list[Agent]],
                     centres: list[np.ndarray], points: np.ndarray,
                     accounts: list[Account], known: Reach | None = None) -> None:
    """Move each account no agent of its territory can serve (``reach.serves``) to the
    nearest territory with an agent who can (it stays where it is if there is none:
    its reason then says so)."""
    where = {a.account_id: points[i] for i, a in enumerate(accounts)}
    for k in range(len(members)):
        keep = []
        for account in members[k]:
            if any(serves(g, account, known) for g in crews[k]):
                keep.append(account)
                continue
            able = [j for j in range(len(crews))
                    if any(serves(g, account, known) for g in crews[j])]
            if not able:
                keep.append(account)
                continue
            j = min(able, key=lambda j: float(((centres[j] - where[account.account_id]) ** 2)
                                              .sum()))
            members[j].append(account)
        members[k] = keep


def recut(accounts: list[Account], agents: list[Agent], routes: dict[str, list[str]],
          size: int, seed: int, known: Reach | None = None) -> list[Territory]:
    """The day cut again around a plan (``routes``: agent id -> its account ids).

    The accounts are clustered again with another seed (borders elsewhere). Each agent
    joins the cluster holding most of its visits (an idle agent: the one nearest its
    start), and a visited account goes where its agent went, so every route of the plan
    lies whole in one territory. An unvisited account stays in its cluster, or, where
    no agent joined that cluster, goes to the nearest territory with agents; one that
    needs a skill its territory's agents lack (or is a must-visit none of them could
    reach, by ``known``), to the nearest with one who has it.
    """
    clustered = _place_clusters(accounts, agents, size, seed)
    if clustered is None:
        return [Territory(list(accounts), list(agents))]
    lat0, points, labels = clustered
    label = {a.account_id: int(k) for a, k in zip(accounts, labels)}
    centres = {int(k): points[labels == k].mean(axis=0) for k in np.unique(labels)}
    home = _homes(agents, routes, label, centres, lat0)
    manned = sorted(set(home.values()))
    owner = {a: home[g] for g, visits in routes.items() if g in home for a in visits}
    members: dict[int, list[Account]] = {k: [] for k in manned}
    for account, point in zip(accounts, points):
        k = owner.get(account.account_id, label[account.account_id])
        members[k if k in members else _nearest(centres, point, manned)].append(account)
    crews = [[g for g in agents if home[g.agent_id] == k] for k in manned]
    parts = [members[k] for k in manned]
    _rehome_unserved(parts, crews, [centres[k] for k in manned], points, accounts, known)
    return [Territory(m, c) for m, c in zip(parts, crews)]


def _homes(agents: list[Agent], routes: dict[str, list[str]], label: dict[str, int],
           centres: dict[int, np.ndarray], lat0: float) -> dict[str, int]:
    """Each agent's cluster: the one holding most of its visits (ties: the lower
    number), or for an agent without visits the one nearest its start."""
    starts = flat_km(np.array([g.start_lat for g in agents]),
                     np.array([g.start_lon for g in agents]), lat0)
    home = {}
    for agent, start in zip(agents, starts):
        visits = Counter(label[a] for a in routes.get(agent.agent_id, []) if a in label)
        home[agent.agent_id] = (max(visits, key=lambda k: (visits[k], -k)) if visits
                                else _nearest(centres, start, centres))
    return home


def _nearest(centres: dict[int, np.ndarray], point: np.ndarray, among) -> int:
    """The cluster of ``among`` whose centre is nearest ``point`` (ties: the lower)."""
    return min(among, key=lambda k: (float(((centres[k] - point) ** 2).sum()), k))
