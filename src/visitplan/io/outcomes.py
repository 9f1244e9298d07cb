"""Read a visit-outcomes file for ``visitplan outcomes import``.

Columns (case-insensitive): ``account_id, agent_id, visited_at, outcome``
(required), ``promise_amount, promise_date, notes`` (optional). Good rows
are kept; each bad row is returned with its row number and column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..errors import InputError, InputIssue
from . import cells
from .read import _invalid, _normalise, _rows, read_table

REQUIRED = ("account_id", "agent_id", "visited_at", "outcome")


def _when(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValueError("is not a date and time YYYY-MM-DDTHH:MM") from None
    return value.replace(tzinfo=None, microsecond=0)


def parse_outcome_row(record: dict[str, str], outcomes: dict) -> tuple[dict, list[tuple[str, str]]]:
    """One row -> (values, problems as (column, message))."""
    problems, values = [], {}
    for column in ("account_id", "agent_id"):
        if not record.get(column):
            problems.append((column, "required value is empty"))
        values[column] = record.get(column, "")
    parsers = {"visited_at": _when, "promise_amount": cells.number, "promise_date": cells.date}
    for column, parse in parsers.items():
        text = record.get(column, "")
        if not text:
            values[column] = None
            if column == "visited_at":
                problems.append((column, "required value is empty"))
            continue
        try:
            values[column] = parse(text)
        except ValueError as exc:
            problems.append((column, _invalid(parse, exc)))
    outcome = record.get("outcome", "").lower()
    if outcome not in outcomes:
        problems.append(("outcome", f"is not one of {', '.join(outcomes)}"))
    elif outcome == "ptp" and values.get("promise_date") is None and "promise_date" not in {
            c for c, _ in problems}:
        problems.append(("promise_date", "a promise to pay needs its date"))
    if (values.get("promise_amount") or 0) < 0:
        problems.append(("promise_amount", "cannot be negative"))
    values["outcome"] = outcome
    values["notes"] = record.get("notes") or None
    return values, problems


def read_outcomes(path: str | Path, outcomes: dict) -> tuple[list[dict], list[InputIssue], pd.DataFrame]:
    """Returns the good rows, the problems, and the bad rows (with ``row`` and ``error`` columns)."""
    file = str(path)
    frame = _normalise(read_table(path), file)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError([InputIssue(file, "required column is missing", column=c) for c in missing])
    good, issues, bad = [], [], []
    for row, record in _rows(frame):
        values, problems = parse_outcome_row(record, outcomes)
        if problems:
            found = [InputIssue(file, message, row, column) for column, message in problems]
            issues.extend(found)
            bad.append({**record, "row": row, "error": "; ".join(
                f"{i.column}: {i.message}" for i in found)})
        else:
            good.append(values)
    columns = list(frame.columns) + ["row", "error"]
    return good, issues, pd.DataFrame(bad, columns=columns)
