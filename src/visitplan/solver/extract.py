"""Turn an OR-Tools assignment into routes with a schedule an agent can follow.

OR-Tools lets a break interrupt a travel leg. A route sheet must not: the
agent either travels and then rests, or rests and then travels. The break
is therefore moved, inside its allowed start window and the same gap,
to a spot where the whole leg fits before or after it
(:func:`~visitplan.solver.schedule.place_break`). Where no such spot
exists, the route is repaired: its least valuable visits leave until the
break fits, the route is re-timed (:func:`~visitplan.solver.schedule.timeline`)
and each removal is reported. A break is never dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..plan import Break, Route, Visit
from .model import RoutingModel
from .schedule import Leg, fits, place_break, timeline


@dataclass
class Extracted:
    """The routes of an assignment, and the visits removed to make room for a break
    (``(account index, agent id)``)."""

    routes: list[Route] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)


def _clock(date: dt.date, tick: int, tick_s: int) -> dt.datetime:
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=tick * tick_s)


def extract_routes(model: RoutingModel, solution) -> Extracted:
    out = Extracted()
    for v in range(len(model.data.agents)):
        route = _extract_route(model, solution, v, out.removed)
        if route is not None:
            out.routes.append(route)
    return out


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


def _extract_route(model: RoutingModel, solution, v: int,
                   removed: list[tuple[int, str]]) -> Route | None:
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
        if placed is None:
            return repair_route(model, v, nodes[1:-1], removed)
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


def repair_route(model: RoutingModel, v: int, route: list[int],
                 removed: list[tuple[int, str]]) -> Route | None:
    """Agent ``v``'s ``route`` (option nodes) without the least valuable visits
    that keep the break from fitting, re-timed; each removal is appended to
    ``removed``."""
    data = model.data
    value = [model.penalties[owner] for owner in data.owner]
    route = list(route)
    while route and not fits(data, v, route):
        by_value = sorted(range(len(route)), key=lambda k: value[route[k]])
        cut = next((k for k in by_value if fits(data, v, route[:k] + route[k + 1:])),
                   by_value[0])
        removed.append((data.owner[route[cut]], data.agents[v].agent_id))
        del route[cut]
    if not route:
        return None
    plan = timeline(data, v, route)
    nodes = [data.start_node(v), *route, data.end_node(v)]
    ticks, service = data.travel_ticks(data.speeds[v]), data.service_ticks()
    times = [plan.depart, *plan.starts, plan.back]
    legs = [Leg(ready=times[k] + int(service[a]), due=times[k + 1], travel=int(ticks[a, b]))
            for k, (a, b) in enumerate(zip(nodes, nodes[1:]))]
    departures = [leg.ready for leg in legs]
    rule = data.agents[v].break_rule
    if plan.rest_before_leg is not None:
        departures[plan.rest_before_leg] = plan.break_start + rule.duration
    brk = Break(start=_clock(data.problem.date, plan.break_start, data.tick_s),
                end=_clock(data.problem.date, plan.break_start + rule.duration, data.tick_s))
    return _make_route(model, v, nodes, times, legs, departures, [brk])


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
        shift_minutes=data.problem.to_minutes(agent.shift_end - agent.shift_start),
        partner_id=agent.partner)
