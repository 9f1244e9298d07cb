"""A route's timeline: when the agent leaves, arrives, waits, visits, rests
and is back. The one place where route timing is computed; extraction,
the warm start's check and the drop reasons all use it, so they cannot
disagree.

Everything is in clock units (``SolverData``). The break is taken whole,
before or after a travel leg, never in the middle of one (a route sheet
could not say where the agent rests).
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import SolverData


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
    break start the solver chose; the spot closest to it is kept. ``None``:
    no spot (the caller must repair the route, never drop the break).
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


@dataclass(frozen=True)
class Timeline:
    """The earliest schedule of a route (stops: start, visit options..., end)."""

    depart: int
    arrivals: tuple[int, ...]   # per visit
    starts: tuple[int, ...]     # per visit
    back: int
    break_start: int | None = None
    rest_before_leg: int | None = None  # the leg the agent rests before (else rests after)


def timeline(data: SolverData, v: int, route: list[int]) -> Timeline | None:
    """The earliest schedule of agent ``v`` on ``route`` (option nodes, in order)
    within the windows and the shift, with the agent's break (if it applies)
    whole before or after a leg; ``None`` if there is none."""
    stops = [data.start_node(v), *route, data.end_node(v)]
    if not data.agents[v].break_applies():
        return _timeline(data, v, stops, None)
    for gap in range(len(stops)):
        found = _timeline(data, v, stops, gap)
        if found is not None:
            return found
    return None


def fits(data: SolverData, v: int, route: list[int]) -> bool:
    """Whether agent ``v`` can drive ``route`` within every timing rule."""
    return timeline(data, v, route) is not None


def reachable(data: SolverData, v: int, node: int) -> bool:
    """Could agent ``v``, with an otherwise empty day, make this one visit?"""
    return fits(data, v, [node])


def _timeline(data: SolverData, v: int, stops: list[int], gap: int | None) -> Timeline | None:
    """Earliest schedule with the break in gap ``gap`` (around leg ``gap``;
    ``len(stops) - 1``: after coming back)."""
    agent, rule = data.agents[v], data.agents[v].break_rule
    travel, service = data.travel_ticks(data.speeds[v]), data.service_ticks()
    ready = depart = agent.shift_start
    arrivals, starts, rest, rest_leg = [], [], None, None
    for k in range(len(stops) - 1):
        here, there = stops[k], stops[k + 1]
        leg = int(travel[here, there])
        arrive = ready + leg
        if k == gap:
            if max(arrive, rule.earliest) <= rule.latest:       # travel, then rest
                rest = max(arrive, rule.earliest)
                arrive = rest + rule.duration
            elif max(ready, rule.earliest) <= rule.latest:      # rest, then travel
                rest, rest_leg = max(ready, rule.earliest), k
                arrive = rest + rule.duration + leg
                if k == 0:
                    depart = rest + rule.duration
            else:
                return None
        if k == len(stops) - 2:
            ready = arrive
            break
        low, high = data.windows[there]
        if max(arrive, low) > high:
            return None
        arrivals.append(arrive)
        starts.append(max(arrive, low))
        ready = starts[-1] + int(service[there])
    if gap == len(stops) - 1:
        rest = max(ready, rule.earliest)
        if rest > rule.latest:
            return None
        if rest + rule.duration > agent.shift_end:
            return None
    if ready > agent.shift_end:
        return None
    return Timeline(depart=depart, arrivals=tuple(arrivals), starts=tuple(starts), back=ready,
                    break_start=rest, rest_before_leg=rest_leg)
