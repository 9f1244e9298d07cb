"""Shorten the routes of the visits a search chose, in the last part of its time.

On a day with more accounts than visits the objective weighs one priority point
as many minutes of travel, so guided local search spends its moves on whom to
visit and leaves routes it could shorten: on the realistic days the chosen
visits, re-routed on their own, needed up to 10% less travel
(benchmarks/README.md, "Travel at the same priority"). Here those visits are
made must-visit, the other accounts left out, and OR-Tools searches from the
plan itself on that much smaller problem (a VRPTW with the same shifts, breaks,
caps, skills and preferences). The result is loaded back into the day's model
and kept only if its objective is lower, so the priority served never changes.
"""

from __future__ import annotations

import time

from ..models import Agent, Problem
from .load import start_from
from .model import RoutingModel, build, build_model
from .params import SearchParams, lambda_for, search_parameters

# Below this many seconds a re-routing model is not worth building.
MIN_SECONDS = 0.5


def chosen_routes(model: RoutingModel, solution) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each agent's accounts in ``solution``, in visit order."""
    data, routing, manager = model.data, model.routing, model.manager
    routes = []
    for v, agent in enumerate(data.agents):
        stops, index = [], solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            stops.append(data.accounts[data.owner[manager.IndexToNode(index)]].account_id)
            index = solution.Value(routing.NextVar(index))
        routes.append((agent.agent_id, tuple(stops)))
    return tuple(routes)


def visit_count(model: RoutingModel, solution) -> int:
    """The visits ``solution`` makes in all."""
    return sum(len(stops) for _, stops in chosen_routes(model, solution))


def reroute(problem: Problem, model: RoutingModel, solution, agents: list[Agent],
            end: float, seed: int, strategy: tuple[str, str], params: SearchParams):
    """``solution`` with its visits re-routed until ``end`` (``time.monotonic()``), or
    ``solution`` itself when that found nothing better; ``seed`` and ``strategy`` are the
    searching worker's.

    Returns ``(model, solution, saved)``: the re-routed plan comes in a new
    model of the same numbers (OR-Tools no longer loads routes into a model
    that has searched from an assignment, as a territory's has), and
    ``saved`` is what the re-routing saved in the objective's units (0 when
    nothing was kept; then ``model`` and ``solution`` are those given).
    """
    unchanged = model, solution, 0
    if solution is None or end - time.monotonic() < MIN_SECONDS:
        return unchanged
    plan = chosen_routes(model, solution)
    chosen = {account for _, stops in plan for account in stops}
    if not chosen:
        return unchanged
    fixed = build(problem, [a.model_copy(update={"must_visit": True})
                            for a in model.data.accounts if a.account_id in chosen],
                  agents, seed)
    start = start_from(fixed, plan)
    if start is None:
        return unchanged
    search = search_parameters(max(0.1, end - time.monotonic()), None, strategy,
                               lambda_for(params, fixed))
    shorter = fixed.routing.SolveFromAssignmentWithParameters(start, search)
    if shorter is None or shorter.ObjectiveValue() >= start.ObjectiveValue():
        return unchanged
    again = build_model(model.data)
    back = start_from(again, chosen_routes(fixed, shorter))
    if back is None or back.ObjectiveValue() >= solution.ObjectiveValue():
        return unchanged
    return again, back, solution.ObjectiveValue() - back.ObjectiveValue()
