"""Turn an OR-Tools assignment into routes with a schedule an agent can follow.

OR-Tools lets a break interrupt a travel leg. A route sheet must not: the
agent either travels and then rests, or rests and then travels. The break
is therefore moved, inside its allowed start window and the same gap,
to a spot where the whole leg fits before or after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..plan import Break, Route, Visit
from .data import SolverData
from .model import RoutingModel


@dataclass(frozen=True)
class Leg:
    """Travel from one place to the next: may leave at ``ready``, must arrive by ``due``."""

    ready: int
    due: int
    travel: int


def place_break(legs: list[Leg], start: int, earliest: int, latest: int,
                duration: int) -> tuple[int, int, bool] | None:
    """Find where a break fits a route whose legs are fixed.

    Returns ``(break_start, leg_index, travel_after_break)``; ``leg_index``
    is ``-1`` before the route and ``len(legs)`` after it. ``start`` is the
    break start the solver chose; the spot closest to it is kept.
    """
    options: list[tuple[int, int, int, bool]] = []  # (distance, start, leg, after)

    def consider(low: int, high: int, leg: int, after: bool) -> None:
        low, high = max(low, earliest), min(high, latest)
        if low <= high:
            best = min(max(start, low), high)
            options.append((abs(best - start), best, leg, after))

    first, last = legs[0], legs[-1]
    consider(-10**9, first.ready - duration, -1, False)  # at home before leaving
    consider(last.due, 10**9, len(legs), False)          # back at the end place
    for k, leg in enumerate(legs):
        consider(leg.ready + leg.travel, leg.due - duration, k, False)   # travel, then rest
        consider(leg.ready, leg.due - duration - leg.travel, k, True)   # rest, then travel
    if not options:
        return None
    _, best, leg, after = min(options)
    return best, leg, after


def _clock(date: dt.date, tick: int, tick_s: int) -> dt.datetime:
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=tick * tick_s)


def extract_routes(model: RoutingModel, solution) -> list[Route]:
    routes = []
    for v in range(len(model.data.agents)):
        route = _extract_route(model, solution, v)
        if route is not None:
            routes.append(route)
    return routes


def _route_nodes(model: RoutingModel, solution, v: int) -> tuple[list[int], list[int]]:
    routing, manager, time_dim = model.routing, model.manager, model.time
    nodes, times = [], []
    index = routing.Start(v)
    while True:
        nodes.append(manager.IndexToNode(index))
        times.append(solution.Value(time_dim.CumulVar(index)))
        if routing.IsEnd(index):
            return nodes, times
        index = solution.Value(routing.NextVar(index))


def _extract_route(model: RoutingModel, solution, v: int) -> Route | None:
    data = model.data
    nodes, times = _route_nodes(model, solution, v)
    if len(nodes) <= 2:
        return None
    speed = data.speeds[v]
    ticks = data.travel_ticks(speed)
    service = data.service_ticks()
    legs = [Leg(ready=times[k] + int(service[a]), due=times[k + 1], travel=int(ticks[a, b]))
            for k, (a, b) in enumerate(zip(nodes, nodes[1:]))]
    departures = [leg.ready for leg in legs]
    departures[0] = legs[0].due - legs[0].travel  # leave just in time for the first visit
    breaks = []
    agent = data.agents[v]
    if v in model.breaks:
        rule = agent.break_rule
        interval = solution.IntervalVarContainer().Element(_interval_position(model, solution, v))
        placed = place_break(legs, interval.StartValue(), rule.earliest,
                             rule.latest, rule.duration)
        if placed is not None:
            start, leg, after = placed
            end = start + rule.duration
            if 0 <= leg < len(legs):
                if after:
                    departures[leg] = end
                elif leg == 0:
                    departures[0] = min(departures[0], start - legs[0].travel)
            breaks.append(Break(start=_clock(data.problem.date, start, data.tick_s),
                                end=_clock(data.problem.date, end, data.tick_s)))
    return _make_route(model, v, nodes, times, legs, departures, breaks)


def _interval_position(model: RoutingModel, solution, v: int) -> int:
    container = solution.IntervalVarContainer()
    name = model.breaks[v].Name()
    for i in range(container.Size()):
        if container.Element(i).Var().Name() == name:
            return i
    raise LookupError(f"break of vehicle {v} missing from the solution")


def _make_route(model, v, nodes, times, legs, departures, breaks) -> Route:
    data = model.data
    date, tick_s = data.problem.date, data.tick_s
    seconds, metres = data.seconds[data.speeds[v]], data.metres
    service = data.service_ticks()
    visits = []
    for k in range(1, len(nodes) - 1):
        a, b = nodes[k - 1], nodes[k]
        account = data.accounts[data.owner[b]]
        visits.append(Visit(
            date=date, agent_id=data.agents[v].agent_id, seq=k, account_id=account.account_id,
            arrival=_clock(date, departures[k - 1] + legs[k - 1].travel, tick_s),
            start=_clock(date, times[k], tick_s),
            end=_clock(date, times[k] + int(service[b]), tick_s),
            travel_s=int(seconds[a, b]), travel_m=int(metres[a, b]), priority=account.priority,
            partner_id=data.agents[v].partner))
    a, b = nodes[-2], nodes[-1]
    agent = data.agents[v]
    return Route(
        date=date, agent_id=agent.agent_id,
        depart=_clock(date, departures[0], tick_s),
        back=_clock(date, departures[-1] + legs[-1].travel, tick_s),
        visits=tuple(visits), breaks=tuple(breaks),
        return_travel_s=int(seconds[a, b]), return_travel_m=int(metres[a, b]),
        shift_minutes=agent.shift_end - agent.shift_start, partner_id=agent.partner)
