"""An independent check of a plan against its problem.

Nothing here trusts the solver: times are re-read from the plan (or its
files), travel is recomputed with the problem's travel model, and every
compliance rule is checked again from the raw account fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .compliance import prepare
from .models import Agent, Problem
from .plan import ROUTE_COLUMNS, Plan, Reason
from .travel import default_model, end_key, start_key



@dataclass(frozen=True)
class Violation:
    """One broken rule; carries ids, never personal data."""

    code: str
    message: str
    agent_id: str | None = None
    account_id: str | None = None

    def __str__(self) -> str:
        who = " ".join(x for x in (f"agent {self.agent_id}" if self.agent_id else "",
                                   f"account {self.account_id}" if self.account_id else "") if x)
        return f"{self.code}: {who}: {self.message}" if who else f"{self.code}: {self.message}"


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    """Check an in-memory plan; an empty list means the plan keeps every rule."""
    breaks = {r.agent_id: [(b.start, b.end) for b in r.breaks] for r in plan.agent_routes}
    return check(problem, plan.routes, plan.unassigned, breaks)


def validate_files(problem: Problem, directory: str | Path) -> list[Violation]:
    """Check a plan from the files written to ``directory``."""
    directory = Path(directory)
    try:
        routes = pd.read_csv(directory / "routes.csv", dtype={"account_id": str, "agent_id": str},
                             keep_default_na=False)
        unassigned = pd.read_csv(directory / "unassigned.csv", dtype=str, keep_default_na=False)
        missing = [c for c in ROUTE_COLUMNS if c not in routes.columns]
        if missing:
            return [Violation("BAD_FILE", f"routes.csv lacks columns {missing}")]
        for column in ("arrival", "start", "end"):
            routes[column] = pd.to_datetime(routes[column], format="%Y-%m-%dT%H:%M")
        breaks = _read_breaks(directory / "agents")
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        return [Violation("BAD_FILE", f"cannot read the plan in {directory}: {exc}")]
    return check(problem, routes, unassigned, breaks)


def _read_breaks(folder: Path) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    breaks: dict[str, list] = {}
    for sheet in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        frame = pd.read_csv(sheet, dtype=str, keep_default_na=False)
        rows = frame[frame.get("kind", pd.Series(dtype=str)) == "break"]
        breaks[sheet.stem] = [(dt.datetime.fromisoformat(s), dt.datetime.fromisoformat(e))
                              for s, e in zip(rows["start"], rows["end"])]
    return breaks


def check(problem: Problem, routes: pd.DataFrame, unassigned: pd.DataFrame,
          breaks: dict[str, list[tuple[dt.datetime, dt.datetime]]]) -> list[Violation]:
    problem = prepare(problem)
    out = _check_accounting(problem, routes, unassigned)
    accounts = {a.account_id: a for a in problem.accounts}
    rejected = {u.account_id for u in problem.rejected}
    for row in routes.itertuples(index=False):
        if row.account_id in rejected:
            out.append(Violation("REJECTED_ROUTED", "a rejected input row was routed",
                                 row.agent_id, row.account_id))
        elif row.account_id in accounts:
            out += _check_visit(problem, row)
    agents = {a.agent_id: a for a in problem.agents}
    for agent_id, visits in routes.groupby("agent_id", sort=True):
        if agent_id not in agents:
            out.append(Violation("UNKNOWN_AGENT", "routes name an agent not in the roster",
                                 str(agent_id)))
            continue
        known = visits[visits["account_id"].isin(accounts)]
        out += _check_route(problem, agents[agent_id], known.sort_values("seq"),
                            breaks.get(agent_id, []))
    return out


def _check_accounting(problem: Problem, routes: pd.DataFrame,
                      unassigned: pd.DataFrame) -> list[Violation]:
    out = []
    expected = {a.account_id for a in problem.accounts} | {u.account_id for u in problem.rejected}
    seen = list(routes["account_id"]) + list(unassigned["account_id"])
    counts = pd.Series(seen, dtype=object).value_counts()
    for account_id, n in counts.items():
        if account_id not in expected:
            out.append(Violation("UNKNOWN_ACCOUNT", "not an input account", account_id=account_id))
        elif n > 1:
            out.append(Violation("DUPLICATE", f"appears {n} times in the plan",
                                 account_id=account_id))
    for account_id in sorted(expected - set(counts.index)):
        out.append(Violation("MISSING", "input account absent from the plan",
                             account_id=account_id))
    codes = {r.value for r in Reason}
    for row in unassigned.itertuples(index=False):
        if row.reason not in codes:
            out.append(Violation("BAD_REASON", f"unknown reason code '{row.reason}'",
                                 account_id=row.account_id))
    return out


def _units(when: dt.datetime, date: dt.date, unit_s: float = 60.0) -> int:
    """A written time as clock units after midnight of the planning date."""
    return round((pd.Timestamp(when) - pd.Timestamp(date)).total_seconds() / unit_s)


def _check_visit(problem: Problem, row) -> list[Violation]:
    """Rules for one visit on its own: date, compliance, windows, legal hours, skills."""
    account = problem.account(row.account_id)
    policy, date = problem.policy, problem.date
    fail = []
    unit = problem.time_unit_s
    start, end = _units(row.start, date, unit), _units(row.end, date, unit)
    if pd.Timestamp(row.start).date() != date:
        fail.append(("WRONG_DATE", f"visit on {row.start}, the plan is for {date}"))
    if policy.is_do_not_visit(account.status):
        fail.append(("DO_NOT_VISIT", f"status '{account.status}' must not be visited"))
    if policy.is_holiday(date):
        fail.append(("HOLIDAY", f"{date} is a holiday"))
    if account.address_type == "workplace" and not policy.allow_workplace_visits:
        fail.append(("WORKPLACE_ADDRESS", "visit at a workplace address"))
    if account.last_visit is not None:
        days = (date - account.last_visit).days
        if days < policy.min_days_between_visits:
            fail.append(("COOL_DOWN", f"last visit {days} day(s) ago"))
        for window, cap, given in ((7, policy.max_visits_7d, account.visits_7d),
                                   (30, policy.max_visits_30d, account.visits_30d)):
            count = max(given or 0, int(0 <= days < window))
            if count >= cap:
                fail.append((f"VISIT_CAP_{window}D", f"{count} visits in {window} days"))
    else:
        if (account.visits_7d or 0) >= policy.max_visits_7d:
            fail.append(("VISIT_CAP_7D", f"{account.visits_7d} visits in 7 days"))
        if (account.visits_30d or 0) >= policy.max_visits_30d:
            fail.append(("VISIT_CAP_30D", f"{account.visits_30d} visits in 30 days"))
    hours = policy.visiting_hours.hours_on(date.weekday())
    if hours is None or start < problem.to_units(hours[0]) or end > problem.to_units(hours[1]):
        fail.append(("LEGAL_HOURS", f"visit {row.start:%H:%M}-{row.end:%H:%M} outside the "
                                    "legal visiting hours of the day"))
    windows = account.windows_on(date.weekday(), problem.day_units)
    if not any(low <= start <= high for low, high in windows):
        fail.append(("WINDOW", f"starts at {row.start:%H:%M}, outside the borrower's windows"))
    if end - start < account.service_min:
        fail.append(("SHORT_VISIT", f"{end - start} min, the visit needs {account.service_min}"))
    agent = next((a for a in problem.agents if a.agent_id == row.agent_id), None)
    if agent is not None:
        if date.weekday() not in agent.days:
            fail.append(("AGENT_OFF", "the agent does not work on this weekday"))
        if not agent.can_serve(account):
            fail.append(("SKILLS", f"needs skills {sorted(account.skills - agent.skills)}"))
        partner = getattr(row, "partner_id", "") or None
        if partner != agent.partner:
            fail.append(("PAIR", f"partner on the plan is {partner}, the roster says "
                                 f"{agent.partner}"))
    return [Violation(code, msg, row.agent_id, row.account_id) for code, msg in fail]


def _travel_units(problem: Problem, agent: Agent, account_ids: list[str]) -> np.ndarray:
    """Travel clock units along start -> visits -> end, rounded up as the schedule does."""
    keys = [start_key(agent.agent_id)] + account_ids + [end_key(agent.agent_id)]
    points = ([(agent.start_lat, agent.start_lon)]
              + [(problem.account(a).lat, problem.account(a).lon) for a in account_ids]
              + [agent.end])
    model = problem.travel or default_model(problem.policy)
    speed = agent.speed_kmh or problem.policy.travel.speed_kmh
    seconds, _ = model.matrices(keys, np.array(points, dtype=float), speed)
    legs = np.array([seconds[k, k + 1] for k in range(len(keys) - 1)], dtype=np.int64)
    duration_s = getattr(model, "unit_s", 1.0)
    if duration_s == problem.time_unit_s:
        return legs
    return np.ceil(legs * (duration_s / problem.time_unit_s) - 1e-9).astype(np.int64)


def _check_route(problem: Problem, agent: Agent, visits: pd.DataFrame,
                 breaks: list[tuple[dt.datetime, dt.datetime]]) -> list[Violation]:
    out = []
    aid = agent.agent_id

    def bad(code: str, message: str) -> None:
        out.append(Violation(code, message, aid))

    if visits.empty:
        return out
    if list(visits["seq"]) != list(range(1, len(visits) + 1)):
        bad("SEQUENCE", f"seq is {list(visits['seq'])}, expected 1..{len(visits)}")
    if agent.max_visits is not None and len(visits) > agent.max_visits:
        bad("VISIT_CAP", f"{len(visits)} visits, the cap is {agent.max_visits}")
    load = sum(problem.account(a).load for a in visits["account_id"])
    if agent.capacity is not None and load > agent.capacity:
        bad("CAPACITY", f"load {load}, capacity {agent.capacity}")
    date = problem.date
    travel = _travel_units(problem, agent, list(visits["account_id"]))
    # The day as gaps between fixed points: shift start, each visit, shift end.
    unit = problem.time_unit_s
    starts = [_units(s, date, unit) for s in visits["start"]]
    ends = [_units(e, date, unit) for e in visits["end"]]
    gaps = list(zip([agent.shift_start] + ends, starts + [agent.shift_end]))
    spans = [(_units(b0, date, unit), _units(b1, date, unit)) for b0, b1 in breaks]
    out += _check_breaks(agent, spans, gaps)
    for k, ((g0, g1), need) in enumerate(zip(gaps, travel)):
        inside = [(b0, b1) for b0, b1 in spans if g0 <= b0 and b1 <= g1]
        if inside:
            b0, b1 = inside[0]
            ok = b0 - g0 >= need or g1 - b1 >= need
        else:
            ok = g1 - g0 >= need
        if not ok:
            bad("TRAVEL", _leg_name(k, len(visits), visits) + f": {g1 - g0} min for "
                f"{need} min of travel" + (" around the break" if inside else ""))
    return out


def _leg_name(k: int, count: int, visits: pd.DataFrame) -> str:
    ids = list(visits["account_id"])
    if k == 0:
        return f"from the start place to {ids[0]}"
    if k == count:
        return f"from {ids[-1]} back to the end place"
    return f"from {ids[k - 1]} to {ids[k]}"


def _check_breaks(agent: Agent, spans: list[tuple[int, int]],
                  gaps: list[tuple[int, int]]) -> list[Violation]:
    out = []
    if not agent.break_applies():
        return out
    rule = agent.break_rule
    fitting = [(b0, b1) for b0, b1 in spans
               if b1 - b0 >= rule.duration and rule.earliest <= b0 <= rule.latest]
    if not fitting:
        out.append(Violation("BREAK", f"no break of {rule.duration} min starting within the "
                             "agent's break window", agent.agent_id))
    for b0, b1 in spans:
        if not any(g0 <= b0 and b1 <= g1 for g0, g1 in gaps):
            out.append(Violation("BREAK", "the break overlaps a visit or falls outside the shift",
                                 agent.agent_id))
    return out
