"""Read ``accounts.csv`` / ``agents.csv`` (or DataFrames) into a :class:`Problem`.

Every cell is parsed on its own so that an error names the file, the row
and the column. All problems of a file are collected and reported together.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ..errors import InputError, InputIssue
from ..models import Account, Agent, Problem
from ..plan import Reason, Unassigned
from ..policy import Policy, load_policy
from . import cells

ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312

# column -> (parser, model field); personal columns use cells.text and are never echoed
ACCOUNT_COLUMNS: dict[str, tuple[Callable[[str], Any], str]] = {
    "account_id": (cells.text, "account_id"),
    "lat": (cells.number, "lat"),
    "lon": (cells.number, "lon"),
    "name": (cells.text, "name"),
    "phone": (cells.text, "phone"),
    "address": (cells.text, "address"),
    "balance": (cells.number, "balance"),
    "days_past_due": (cells.whole, "days_past_due"),
    "priority": (cells.number, "priority"),
    "windows": (cells.windows, "windows"),
    "service_min": (cells.whole, "service_min"),
    "skills": (cells.skills, "skills"),
    "preferred_agent": (cells.text, "preferred_agent"),
    "must_visit": (cells.boolean, "must_visit"),
    "status": (lambda s: s.lower(), "status"),
    "last_visit": (cells.date, "last_visit"),
    "visits_7d": (cells.whole, "visits_7d"),
    "visits_30d": (cells.whole, "visits_30d"),
    "load": (cells.whole, "load"),
    "flags": (cells.skills, "flags"),
    "risk": (cells.text, "risk"),
    "address_type": (cells.text, "address_type"),
    "promise_date": (cells.date, "promise_date"),
    "promise_amount": (cells.number, "promise_amount"),
    "broken_promises": (cells.whole, "broken_promises"),
    "not_home_streak": (cells.whole, "not_home_streak"),
    "last_contact": (cells.date, "last_contact"),
    "region": (cells.text, "region"),
    "due_date": (cells.date, "due_date"),
    "earliest_date": (cells.date, "earliest_date"),
}
ACCOUNT_REQUIRED = ("account_id", "lat", "lon")
PERSONAL = frozenset({"name", "phone", "address"})

AGENT_COLUMNS: dict[str, tuple[Callable[[str], Any], str]] = {
    "agent_id": (cells.text, "agent_id"),
    "start_lat": (cells.number, "start_lat"),
    "start_lon": (cells.number, "start_lon"),
    "end_lat": (cells.number, "end_lat"),
    "end_lon": (cells.number, "end_lon"),
    "shift_start": (cells.clock, "shift_start"),
    "shift_end": (cells.clock, "shift_end"),
    "break": (cells.break_rule, "break_rule"),
    "max_visits": (cells.whole, "max_visits"),
    "capacity": (cells.whole, "capacity"),
    "skills": (cells.skills, "skills"),
    "speed_kmh": (cells.number, "speed_kmh"),
    "days": (cells.days, "days"),
    "pair_with": (cells.text, "pair_with"),
    "region": (cells.text, "region"),
    "mode": (cells.text, "mode"),
    "off_dates": (cells.dates, "off_dates"),
}
AGENT_REQUIRED = ("agent_id", "start_lat", "start_lon")
COORDINATE_COLUMNS = frozenset({"lat", "lon"})


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV as text cells, whatever its encoding (UTF-8, UTF-8 with BOM, GBK/GB18030)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(str(path), "file not found") from None
    except OSError as exc:
        raise InputError.single(str(path), f"cannot be read ({exc.strerror})") from None
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError.single(str(path), "is neither UTF-8 nor GBK/GB18030 text")
    if not text.strip():
        raise InputError.single(str(path), "is empty (no header row)")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError.single(str(path), f"is not a valid CSV table: {exc}") from None
    return frame


def _normalise(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Lower-case, trimmed column names and trimmed text cells; blank rows become empty."""
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise InputError.single(file, f"column(s) {duplicated} appear more than once")

    def to_text(value: Any) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if value is pd.NaT or (not isinstance(value, str) and pd.isna(value) is True):
            return ""
        return str(value).strip()

    return frame.apply(lambda col: col.map(to_text)) if len(frame) else frame.astype(str)


def _check_columns(frame: pd.DataFrame, required: tuple[str, ...], file: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError([InputIssue(file, "required column is missing", column=c)
                          for c in missing])


# What a cell must look like, for messages that never echo the cell itself: a
# misaligned row can put a name, a phone or an address into any column.
EXPECTED = {
    cells.number: "a number", cells.whole: "a whole number", cells.boolean: "true or false",
    cells.date: "a date YYYY-MM-DD", cells.windows: "windows HH:MM-HH:MM, e.g. 'Mon-Fri 18:00-21:00; Sat 09:00-12:00'",
    cells.break_rule: "a break HH:MM-HH:MM/MIN", cells.clock: "a time of day HH:MM",
    cells.days: "weekdays like Mon-Fri or Mon,Wed",
}

# Bounds of the numbers, checked as they are read: they keep every cost term of the
# routing model far inside its 64-bit integers, and catch a shifted column early.
RANGES: dict[str, tuple[float, float]] = {
    "priority": (0, 10_000), "balance": (-1e13, 1e13), "days_past_due": (0, 36_500),
    "service_min": (1, 24 * 60), "load": (0, 1_000_000), "visits_7d": (0, 10_000),
    "visits_30d": (0, 10_000), "promise_amount": (0, 1e13), "broken_promises": (0, 10_000),
    "not_home_streak": (0, 10_000), "max_visits": (0, 10_000), "capacity": (0, 1e9),
    "speed_kmh": (0.5, 200),
}

# Checks on a whole row (a model validator) and the column they are about.
ROW_RULE_COLUMNS = {
    "shift ends before it starts": "shift_end",
    "give both end_lat and end_lon, or neither": "end_lon",
    "an agent cannot pair with themselves": "pair_with",
}


def _parse_row(record: dict[str, str], columns, file: str, row: int,
               defaults: dict[str, Any]) -> tuple[dict[str, Any], list[InputIssue]]:
    fields: dict[str, Any] = dict(defaults)
    issues = []
    for column, (parse, field) in columns.items():
        value = record.get(column, "")
        if value == "":
            continue
        try:
            fields[field] = parse(value)
        except ValueError as exc:
            issues.append(InputIssue(file, _invalid(parse, exc), row, column))
            continue
        if column in RANGES:
            low, high = RANGES[column]
            if not low <= fields[field] <= high:
                issues.append(InputIssue(file, f"out of range: must be between {low:,g} and "
                                         f"{high:,g}", row, column))
    return fields, issues


def _invalid(parse, exc: ValueError) -> str:
    """Why a cell could not be read, without quoting it."""
    expected = EXPECTED.get(parse)
    said = str(exc)
    if expected is None:
        return "invalid value" if "'" in said else f"invalid value ({said})"
    # Parser messages that quote the cell are replaced by what was expected.
    return f"invalid value: expected {expected}" + ("" if "'" in said else f" ({said})")


def _build(model, fields: dict[str, Any], file: str, row: int, field_to_column: dict[str, str]):
    try:
        return model(**fields), []
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else None
            message = err["msg"].removeprefix("Value error, ")
            column = (field_to_column.get(field, field) if field
                      else ROW_RULE_COLUMNS.get(message))
            issues.append(InputIssue(file, message, row, column))  # pydantic's words, no value
        return None, issues


def _rows(frame: pd.DataFrame):
    """Yield (row number, record) for non-blank rows; row 1 is the first after the header."""
    for number, record in enumerate(frame.to_dict("records"), start=1):
        if any(v != "" for v in record.values()):
            yield number, record


def parse_accounts(frame: pd.DataFrame, file: str, policy: Policy, skip_bad_rows: bool = False,
                   priority_column: str | None = None,
                   date: dt.date | None = None) -> tuple[list[Account], list[Unassigned]]:
    """Turn an accounts table into accounts; bad rows raise, or are rejected with a reason.

    ``priority_column`` names a column of the user's own scores to use as priority.
    ``date`` is the planning date: a last visit or contact after it is bad input
    (it would count as "days ago" below zero and pass every cool-down).
    """
    frame = _normalise(frame, file)
    _check_columns(frame, ACCOUNT_REQUIRED, file)
    if priority_column:
        column = priority_column.strip().lower()
        _check_columns(frame, (column,), file)
        frame = frame.drop(columns=[c for c in ("priority",) if c != column and c in frame])
        frame = frame.rename(columns={column: "priority"})
    field_to_column = {field: column for column, (_, field) in ACCOUNT_COLUMNS.items()}
    defaults = {"service_min": policy.default_service_min}
    accounts, rejected, fatal = [], [], []
    first_row: dict[str, int] = {}
    for row, record in _rows(frame):
        account_id = record.get("account_id", "")
        if not account_id:
            fatal.append(InputIssue(file, "account_id is empty", row, "account_id"))
            continue
        if account_id in first_row:
            fatal.append(InputIssue(
                file, f"duplicate account_id '{account_id}' (first on row {first_row[account_id]})",
                row, "account_id"))
            continue
        first_row[account_id] = row
        fields, issues = _parse_row(record, ACCOUNT_COLUMNS, file, row, defaults)
        if record.get("priority", "") == "":
            fields["priority_source"] = "default"
        elif priority_column:
            fields["priority_source"] = "column"
        for column in ("lat", "lon"):
            if record.get(column, "") == "":
                issues.append(InputIssue(file, "required value is empty", row, column))
        for column in ("last_visit", "last_contact"):
            if date is not None and column in fields and fields[column] > date:
                issues.append(InputIssue(file, f"is after the planning date {date}", row,
                                         column))
        account = None
        if not issues:
            account, issues = _build(Account, fields, file, row, field_to_column)
        if account is not None:
            accounts.append(account)
        elif skip_bad_rows:
            rejected.append(_reject(account_id, issues))
        else:
            fatal.extend(issues)
    if fatal:
        raise InputError(fatal)
    return accounts, rejected


def _reject(account_id: str, issues: list[InputIssue]) -> Unassigned:
    columns = {i.column for i in issues}
    reason = Reason.BAD_COORDINATES if columns <= COORDINATE_COLUMNS else Reason.BAD_DATA
    detail = "; ".join(f"row {i.row}, column '{i.column}': {i.message}" for i in issues)
    return Unassigned(account_id=account_id, reason=reason, detail=detail)


def parse_agents(frame: pd.DataFrame, file: str) -> list[Agent]:
    """Turn an agents table into agents; any bad row is an error (a roster must be right)."""
    frame = _normalise(frame, file)
    _check_columns(frame, AGENT_REQUIRED, file)
    field_to_column = {field: column for column, (_, field) in AGENT_COLUMNS.items()}
    agents, fatal = [], []
    first_row: dict[str, int] = {}
    for row, record in _rows(frame):
        agent_id = record.get("agent_id", "")
        if agent_id in first_row:
            fatal.append(InputIssue(
                file, f"duplicate agent_id '{agent_id}' (first on row {first_row[agent_id]})",
                row, "agent_id"))
            continue
        first_row[agent_id] = row
        fields, issues = _parse_row(record, AGENT_COLUMNS, file, row, {})
        if agent_id in (".", "..") or any(c in agent_id for c in "/\\\0"):
            # The id names the agent's route sheet file: it must stay a plain name.
            issues.append(InputIssue(file, "an agent_id cannot contain / or \\ or be . or ..",
                                     row, "agent_id"))
        for column in AGENT_REQUIRED:
            if record.get(column, "") == "":
                issues.append(InputIssue(file, "required value is empty", row, column))
        if not issues:
            agent, issues = _build(Agent, fields, file, row, field_to_column)
            if agent is not None:
                agents.append(agent)
        fatal.extend(issues)
    fatal += _pair_issues(agents, first_row, file)
    if fatal:
        raise InputError(fatal)
    if not agents:
        raise InputError.single(file, "has no agents")
    return agents


def _pair_issues(agents: list[Agent], rows: dict[str, int], file: str) -> list[InputIssue]:
    """``pair_with`` names a known agent, and nobody is in two pairs."""
    known = {a.agent_id for a in agents}
    taken: dict[str, str] = {}
    issues = []
    for agent in agents:
        mate = agent.pair_with
        if mate is None:
            continue
        row = rows[agent.agent_id]
        if mate not in known:
            issues.append(InputIssue(file, f"pairs with unknown agent '{mate}'", row,
                                     "pair_with"))
            continue
        for member in (agent.agent_id, mate):
            if member in taken:
                issues.append(InputIssue(file, f"agent '{member}' is in more than one pair",
                                         row, "pair_with"))
            taken[member] = agent.agent_id
    return issues


def as_policy(policy: Policy | str | Path | None) -> Policy:
    return policy if isinstance(policy, Policy) else load_policy(policy)


def as_date(date: dt.date | str | None, policy: Policy) -> dt.date:
    if date is None:
        return policy.today()
    if isinstance(date, str):
        try:
            return dt.date.fromisoformat(date)
        except ValueError:
            raise InputError.single("--date", f"'{date}' is not a date YYYY-MM-DD") from None
    return date


def read_frames(accounts: pd.DataFrame, agents: pd.DataFrame, policy=None, date=None,
                skip_bad_rows: bool = False, travel=None, priority_column: str | None = None,
                names: tuple[str, str] = ("accounts", "agents")) -> Problem:
    """Build a raw :class:`Problem` from two tables with the CSV columns.

    Raw: what the tables say, validated, nothing more. The visit history and
    the priority scores are added by :func:`visitplan.enrich`.

    Parameters
    ----------
    accounts, agents
        Tables with the columns of ``accounts.csv`` and ``agents.csv``.
    policy
        A :class:`Policy`, a ``policy.toml`` path, or ``None`` for the defaults.
    date
        The planning date (``datetime.date`` or ``YYYY-MM-DD``); default today
        in the policy's time zone.
    skip_bad_rows
        Report unusable account rows as unassigned instead of raising.
    travel
        A travel model; ``None``: straight lines with the policy's settings.
    priority_column
        A column of the user's own scores to use as the priority.

    Raises
    ------
    InputError
        naming the file, row and column of every problem found.
    """
    policy = as_policy(policy)
    date = as_date(date, policy)
    account_list, rejected = parse_accounts(accounts, names[0], policy, skip_bad_rows,
                                            priority_column, date)
    agent_list = parse_agents(agents, names[1])
    try:
        return Problem(accounts=tuple(account_list), agents=tuple(agent_list), policy=policy,
                       date=date, travel=travel, rejected=tuple(rejected),
                       source={"accounts": names[0], "agents": names[1]})
    except ValidationError as exc:
        messages = [e["msg"].removeprefix("Value error, ") for e in exc.errors()]
        raise InputError([InputIssue(names[0] if m.startswith("account") else names[1], m)
                          for m in messages]) from None


def read_csv(accounts: str | Path, agents: str | Path, policy=None, date=None,
             skip_bad_rows: bool = False, travel=None,
             priority_column: str | None = None) -> Problem:
    """Read ``accounts.csv``, ``agents.csv`` and an optional ``policy.toml`` into a raw
    :class:`Problem`; see :func:`read_frames`. Opens no database."""
    policy = as_policy(policy)
    date = as_date(date, policy)
    return read_frames(read_table(accounts), read_table(agents), policy, date, skip_bad_rows,
                       travel, priority_column, names=(str(accounts), str(agents)))
