"""Which day of a horizon each account is best visited on: the day-assignment stage.

A week's agents are not alike hour by hour: borrowers home only in the evening compete
for the few agents who work then, while those home in the daytime are, by the end of the
week, fewer than the daytime agents could see. A day planned alone cannot know this and
spends evening visits on accounts that a daytime agent would have seen later anyway.

Before each day of ``plan --days N`` is routed, a linear programme spreads the remaining
accounts over the remaining days and hours: each account visited once at most,
each (day, hour) at most the agent time working in it (shifts less breaks, a visit
costing its service plus a guess at its travel), each agent's visits within its cap,
a visit on day k worth its priority discounted by ``(1 - discount)^k``. The programme
knows no roads, skills or routes; it only says which accounts the later days can take.
The day's routing then weighs an account the programme places on a later day at
``[horizon] defer_weight`` of its priority: it is still visited today when nothing
better is at hand, but does not take the place of one whose only chances are today.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

from .compliance import prepare, screen, start_intervals
from .models import Problem

log = logging.getLogger(__name__)

SLOT_MIN = 60          # the programme's hours: agent time is counted per slot of this many minutes
TRAVEL_GUESS_MIN = 20  # travel to each visit (generous: too much room later defers too much)


@dataclass(frozen=True)
class Assignment:
    """The programme's advice for today: the accounts it visits today, and those it
    visits on a later day of the horizon (half a visit or more, in either case)."""

    today: frozenset[str] = frozenset()
    later: frozenset[str] = frozenset()

    @property
    def served(self) -> frozenset[str]:
        """The accounts worth a visit in what is left of the horizon."""
        return self.today | self.later


def assign(days: Sequence[Problem], discount: float,
           time_limit: float | None = None) -> Assignment | None:
    """Spread the accounts over the remaining days of a horizon.

    Parameters
    ----------
    days
        The remaining days of the horizon, today first, each as
        :func:`visitplan.horizon.day_problem` builds it (who may be visited that day,
        by whom) with the accounts' own priorities.
    discount
        The horizon's discount per day.
    time_limit
        Seconds the linear programme may take (none: no limit).

    Returns
    -------
    Assignment or None
        Which accounts the programme visits today, and which later; None (and a warning
        in the log) when the programme was not solved in time.
    """
    days = [prepare(day) for day in days]  # pairs merged, the policy's caps applied
    columns = _columns(days)
    if not columns:
        return Assignment()
    x = _solve(columns, days, discount, time_limit)
    if x is None:
        return None
    today: dict[str, float] = {}
    later: dict[str, float] = {}
    for (account, k, _slot, _cost, _value), share in zip(columns, x):
        into = today if k == 0 else later
        into[account] = into.get(account, 0.0) + share
    first = _rounded(today, _visits(today))
    # An account half today and half later is advised for today if today has room.
    return Assignment(today=first, later=_rounded(
        {a: v for a, v in later.items() if a not in first}, _visits(later)))


def _visits(shares: dict[str, float]) -> int:
    """The visits a set of shares makes in all, rounded half up (never above the caps,
    which are whole)."""
    return int(sum(shares.values()) + 0.5)


def _rounded(shares: dict[str, float], visits: int) -> frozenset[str]:
    """The accounts with half a visit or more, but no more than ``visits`` of them: a
    fractional solution can split three visits into six halves, and six accounts would
    then overfill the agents' caps. The larger shares first, then ids."""
    halves = sorted((a for a, v in shares.items() if v >= 0.5), key=lambda a: (-shares[a], a))
    return frozenset(halves[:visits])


def _columns(days: Sequence[Problem]) -> list[tuple[str, int, int, float, float]]:
    """One variable per (account, day, slot) in which a visit may start: the account,
    the day's index, the slot, the agent time a visit costs (units), its priority. The
    days are prepared (``compliance.prepare``)."""
    columns = []
    for k, ready in enumerate(days):
        if not ready.working_agents() or ready.policy.is_holiday(ready.date):
            continue
        slot = ready.to_units(SLOT_MIN)
        travel = ready.to_units(TRAVEL_GUESS_MIN)
        eligible, _, _ = screen(ready)
        for account in eligible:
            if account.must_visit:
                # Placed by the routing on the first day that can take it, whatever the
                # programme says. Spreading them too (worth more than any other) was tried:
                # no better (benchmarks/README.md, "The day-assignment stage").
                continue
            slots = {s for low, high in start_intervals(account, ready)
                     for s in range(low // slot, high // slot + 1)}
            for s in sorted(slots):
                columns.append((account.account_id, k, s, account.service_min + travel,
                                account.priority))
    return columns


def _agent_time(day: Problem) -> dict[str, dict[int, float]]:
    """Each working agent's time (units) in each slot of the (prepared) day, its break
    taken out (spread over the hours in which it may fall)."""
    slot = day.to_units(SLOT_MIN)
    times = {}
    for agent in day.working_agents():
        time: dict[int, float] = {}
        _add(time, agent.shift_start, agent.shift_end, slot, 1.0)
        rule = agent.break_rule
        if agent.break_applies() and rule is not None:
            span = rule.latest + rule.duration - rule.earliest
            _add(time, rule.earliest, rule.latest + rule.duration, slot, -rule.duration / span)
        times[agent.agent_id] = {s: t for s, t in time.items() if t > 1e-9}
    return times


def _add(time: dict[int, float], start: int, end: int, slot: int, rate: float) -> None:
    for s in range(start // slot, (end - 1) // slot + 1):
        overlap = min(end, (s + 1) * slot) - max(start, s * slot)
        if overlap > 0:
            time[s] = time.get(s, 0.0) + rate * overlap


class _Programme:
    """Rows and columns of the linear programme, built a constraint at a time."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.bounds: list[float] = []
        self.value: list[float] = []
        self.names: dict[tuple, int] = {}

    def row(self, key: tuple, bound: float) -> int:
        if key not in self.names:
            self.names[key] = len(self.bounds)
            self.bounds.append(bound)
        return self.names[key]

    def column(self, value: float, entries: list[tuple[int, float]]) -> None:
        j = len(self.value)
        self.value.append(value)
        for row, coefficient in entries:
            self.rows.append(row)
            self.cols.append(j)
            self.vals.append(coefficient)

    def solve(self, time_limit: float | None) -> np.ndarray | None:
        matrix = csr_array((self.vals, (self.rows, self.cols)),
                           shape=(len(self.bounds), len(self.value)))
        options = {"time_limit": time_limit} if time_limit else {}
        result = linprog(-np.array(self.value), A_ub=matrix, b_ub=np.array(self.bounds),
                         bounds=(0, None), method="highs", options=options)
        if result.status != 0:  # x = 0 is always feasible: out of time, or numerical trouble
            log.warning("day assignment: the linear programme was not solved (%s); the "
                        "day is planned without its advice", result.message)
            return None
        return result.x


def _solve(columns, days: Sequence[Problem], discount: float,
           time_limit: float | None) -> np.ndarray | None:
    """The visits x (one per column) of the programme: at most one per account; in each
    (day, slot) the visits' time within the agents' time there, and no more visits than
    the agents working there make; each agent's visits within its cap."""
    lp = _Programme()
    for account, k, s, cost, priority in columns:
        lp.column(priority * (1 - discount) ** k,
                  [(lp.row(("account", account), 1.0), 1.0),
                   (lp.row(("time", k, s), 0.0), cost),
                   (lp.row(("visits", k, s), 0.0), 1.0)])
    for k, day in enumerate(days):
        caps = {a.agent_id: a.max_visits for a in day.working_agents()}
        for agent, time in _agent_time(day).items():
            for s, units in time.items():
                if ("visits", k, s) not in lp.names:
                    continue  # no account can be seen then
                lp.bounds[lp.names[("time", k, s)]] += units
                entries = [(lp.names[("visits", k, s)], -1.0)]
                if caps[agent] is not None:
                    entries.append((lp.row(("cap", k, agent), float(caps[agent])), 1.0))
                lp.column(0.0, entries)  # the agent's visits in the slot
    x = lp.solve(time_limit)
    return None if x is None else x[:len(columns)]
