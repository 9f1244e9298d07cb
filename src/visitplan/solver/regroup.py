"""Route three neighbouring agents' visits again from nothing, a group at a time.

Where the agents' visit caps bind, every route of a good plan is full: no
visit can move to another route, only swap with one, so guided local search
on the chosen visits (``reroute.py``) barely shortens them. On the 400-account
day its 6 s saved nothing on the best known plan, which the same visits
routed from nothing for 120 s beat by 9% (benchmarks/README.md, "Routes built
again three at a time"). Here the plan is taken a few neighbouring routes at
a time: their visits, made must-visit, are routed from a fresh first plan by
the group's own agents (all the day's rules apply), and a shorter result
replaces the group's routes. No visit leaves the group, so the day's
objective falls by exactly what the group's does, and the priority served
never changes.
"""

from __future__ import annotations

import time

import numpy as np

from ..models import Account, Agent, Problem
from .load import as_routes, start_from
from .model import build
from .params import search_parameters
from .reroute import chosen_routes, visit_count
from .reselect import FRESH, Places, Plan, Tally, as_it_stands, loadable, sweep

# Routes in a group: the agent drawn and the agents whose routes' centres lie nearest.
# On the 400-account day's best known plan of 34.50 h, 6 s of groups of 3 shortened travel
# by 7%, of 2 by 4%, of 4 and 6 by 4.4% and 5.3% (benchmarks/README.md).
GROUP = 3
# Seconds of search per group: a first plan and guided local search on about 25 visits.
SLOT = 0.2


def regroup(problem: Problem, plan: Plan, accounts: list[Account], agents: list[Agent],
            end: float, seed: int) -> tuple[Plan, Tally]:
    """Groups of ``GROUP`` neighbouring routes of ``plan``, each routed again from
    nothing with its visits fixed, in a seeded order until ``end``
    (``time.monotonic()``) or until every group has been searched as it stands.
    ``accounts``: at least every account the plan visits. Returns the plan (a new dict)
    and a :class:`reselect.Tally` (``saved``: the objective's units)."""
    plan = {g.agent_id: list(plan.get(g.agent_id, ())) for g in agents}
    places = Places(accounts, agents)
    rng = np.random.default_rng(seed)
    tally, tried = Tally(unit="groups"), set()
    while time.monotonic() + SLOT / 2 < end:
        groups = [g for g in _groups(places, plan) if as_it_stands(plan, g) not in tried]
        if not groups:
            break  # every group settled
        sweep(plan, groups, lambda group, seconds: _route_again(
            problem, plan, places, group, seconds, seed), end, SLOT, rng, tried, tally)
    return plan, tally


def _groups(places: Places, plan: Plan) -> list[list[Agent]]:
    """Each agent with a visit, and the ``GROUP - 1`` agents whose routes' centres lie
    nearest its own; each group once, its agents in their order."""
    groups = {tuple(sorted(near)) for near in places.nearest(plan, GROUP - 1)
              if plan[places.agents[near[0]].agent_id]}
    return [[places.agents[w] for w in group] for group in sorted(groups) if len(group) > 1]


def _route_again(problem: Problem, plan: Plan, places: Places, group: list[Agent],
                 seconds: float, seed: int) -> int:
    """Route the visits of ``group`` again from nothing; write shorter routes into
    ``plan``. Returns what they saved in the objective's units (0: nothing)."""
    members = [places.accounts[places.index[a]] for g in group for a in plan[g.agent_id]]
    if not members:
        return 0
    sub = build(problem, [a.model_copy(update={"must_visit": True}) for a in members],
                group, seed)
    start = start_from(sub, as_routes(plan, group))
    if start is None or visit_count(sub, start) != len(members):
        return 0  # the routes do not load as they are: nothing to compare with
    search = search_parameters(max(0.05, seconds), None, FRESH)
    again = sub.routing.SolveWithParameters(search)
    if again is None or again.ObjectiveValue() >= start.ObjectiveValue():
        return 0
    # Kept only if every visit loads again (a route rested across a leg does not).
    cost, routes = loadable(sub, chosen_routes(sub, again))
    if cost is None or sum(len(stops) for _, stops in routes) != len(members):
        return 0
    saved = start.ObjectiveValue() - cost
    if saved <= 0:
        return 0
    for agent_id, stops in routes:
        plan[agent_id] = list(stops)
    return saved
