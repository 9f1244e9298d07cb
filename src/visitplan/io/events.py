"""``events.csv``: what happened since the morning plan (``visitplan replan``).

Columns: ``time`` (HH:MM), ``event``, ``agent_id``, ``account_id``, ``minutes``,
``lat``, ``lon`` (and optionally ``outcome`` for ``done``). Every bad row is
reported with its file, row and column, all of them at once, before anything
is planned or written.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, InputIssue
from ..timeutil import parse_clock
from .read import read_table

EVENTS = ("done", "in_progress", "late", "position", "agent_off", "cancel", "add")
COLUMNS = ("time", "event", "agent_id", "account_id", "minutes", "lat", "lon")
# What each event needs besides its time.
NEEDS = {"done": ("agent_id", "account_id"), "in_progress": ("agent_id", "account_id"),
         "late": ("agent_id", "minutes"), "position": ("agent_id", "lat", "lon"),
         "agent_off": ("agent_id",), "cancel": ("account_id",), "add": ("account_id",)}
OUTCOME_CODES = ("paid", "partial", "ptp", "not_home", "refused", "wrong_address", "hostile")


@dataclass(frozen=True)
class Event:
    """One event of the day, in the plan's local time."""

    row: int            # 1-based data row of events.csv (0 for events made in code)
    time: dt.datetime
    event: str
    agent_id: str | None = None
    account_id: str | None = None
    minutes: float | None = None
    lat: float | None = None
    lon: float | None = None
    outcome: str | None = None


def read_events(path: str | Path, date: dt.date, at: dt.datetime, agents: set[str],
                accounts: set[str]) -> list[Event]:
    """The events of ``path``, in time order (a stable sort: the file's order breaks ties).

    Raises
    ------
    InputError
        for a missing column, an unknown event, agent or account, a field the event
        needs left empty, a bad time or number, or a time after ``at``.
    """
    file = str(path)
    frame = read_table(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError.single(file, f"missing column(s): {', '.join(missing)}")
    events, issues = [], []
    for row, cells in enumerate(frame.to_dict("records"), start=1):
        cells = {k: str(v).strip() for k, v in cells.items()}
        if not any(cells.values()):
            continue  # a blank line
        found = _event(file, row, cells, date, at, agents, accounts, issues)
        if found is not None:
            events.append(found)
    if issues:
        raise InputError(issues)
    return sorted(events, key=lambda e: e.time)


def _event(file, row, cells, date, at, agents, accounts, issues) -> Event | None:
    before = len(issues)

    def bad(column: str, message: str) -> None:
        issues.append(InputIssue(file, message, row, column))

    kind = cells["event"].lower()
    if kind not in EVENTS:
        bad("event", f"unknown event; expected one of {', '.join(EVENTS)}")
        return None
    time = None
    try:
        minutes = parse_clock(cells["time"])
        time = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)
        if time > at:
            bad("time", f"after --at {at:%H:%M}: a re-plan knows only what has happened")
    except ValueError:
        bad("time", "expected a time HH:MM")
    for column in NEEDS[kind]:
        if not cells[column]:
            bad(column, f"'{kind}' needs a value here")
    agent_id = cells["agent_id"] or None
    account_id = cells["account_id"] or None
    if agent_id is not None and agent_id not in agents:
        bad("agent_id", "unknown agent (not in the agents file)")
    if account_id is not None and account_id not in accounts:
        bad("account_id", "unknown account (not in the accounts file)")
    values = {}
    for column, low, high in (("minutes", 0, 24 * 60), ("lat", -90, 90), ("lon", -180, 180)):
        if not cells[column]:
            continue
        try:
            value = float(cells[column])
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            bad(column, f"expected a number from {low} to {high}")
        values[column] = value
    outcome = cells.get("outcome", "").lower() or None
    if outcome is not None and (kind != "done" or outcome not in OUTCOME_CODES):
        bad("outcome", "only a 'done' event has an outcome, one of " + ", ".join(OUTCOME_CODES))
    if len(issues) > before:
        return None
    return Event(row=row, time=time, event=kind, agent_id=agent_id, account_id=account_id,
                 minutes=values.get("minutes"), lat=values.get("lat"), lon=values.get("lon"),
                 outcome=outcome)
