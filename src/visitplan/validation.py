"""An independent check of a plan against its problem.

Nothing here trusts the solver, and nothing here shares its rule code:
every rule is derived again, with this module's own code, from the raw
input fields (accounts, agents, pairs) and the policy. Times are re-read
from the plan (or its files) and travel is recomputed from the
coordinates (or the explicit matrix given as input). Compliance,
requirements (senior agents, two-agent visits, the per-agent cap, merged
pairs) and timing are all checked here from scratch.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .io.csvsafe import restore
from .models import Account, Agent, Problem
from .plan import ROUTE_COLUMNS, Plan, Reason
from .timeutil import WEEKDAYS, parse_clock, parse_interval
from .travel import MODE_KMH, Matrix, StraightLine

EARTH_RADIUS_M = 6_371_009.0  # the mean radius (IUGG), as geopy uses

# Every code the validator reports, with what it means.
CODES = {
    "BAD_FILE": "a plan file is missing or unreadable",
    "UNKNOWN_ACCOUNT": "the plan names an account that is not an input",
    "DUPLICATE": "an account appears more than once",
    "MISSING": "an input account appears nowhere in the plan",
    "BAD_REASON": "an unassigned account has an unknown reason code",
    "REJECTED_ROUTED": "an input row rejected as unusable was routed",
    "UNKNOWN_AGENT": "a route for an agent not in the roster",
    "WRONG_DATE": "a visit on another day than the plan's",
    "DO_NOT_VISIT": "a visit to an account on a do-not-visit status",
    "HOLIDAY": "a visit on a holiday",
    "WORKPLACE_ADDRESS": "a visit at a workplace the policy forbids",
    "COOL_DOWN": "a visit too soon after the last one",
    "VISIT_CAP_7D": "the account's 7-day visit cap reached",
    "VISIT_CAP_30D": "the account's 30-day visit cap reached",
    "LEGAL_HOURS": "a visit outside the legal visiting hours",
    "WINDOW": "a visit starting outside the borrower's windows",
    "SHORT_VISIT": "a visit shorter than its service time",
    "AGENT_OFF": "a visit by an agent who does not work that weekday",
    "SKILLS": "a visit by an agent without the skills it needs",
    "PAIR_REQUIRED": "a two-agent account visited by a single agent",
    "PAIR": "the partner on the plan differs from the roster",
    "REGION": "a visit by an agent of another region",
    "SEQUENCE": "a route's seq is not 1..n",
    "VISIT_CAP": "more visits than the agent's cap",
    "CAPACITY": "more work units than the agent's capacity",
    "TRAVEL": "not enough time to travel between stops (or outside the shift)",
    "BREAK": "the break is missing, misplaced, or overlaps a visit",
}


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
        routes = restore(pd.read_csv(directory / "routes.csv", keep_default_na=False,
                                     dtype={"account_id": str, "agent_id": str,
                                            "partner_id": str}))
        unassigned = restore(pd.read_csv(directory / "unassigned.csv", dtype=str,
                                         keep_default_na=False))
        missing = [c for c in ROUTE_COLUMNS if c not in routes.columns]
        if missing:
            return [Violation("BAD_FILE", f"routes.csv lacks columns {missing}")]
        for column in ("arrival", "start", "end"):
            routes[column] = pd.to_datetime(routes[column], format="%Y-%m-%dT%H:%M")
        breaks = _read_breaks(directory)
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        return [Violation("BAD_FILE", f"cannot read the plan in {directory}: "
                          f"{type(exc).__name__}")]
    return check(problem, routes, unassigned, breaks)


def _read_breaks(directory: Path) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """Breaks from the route sheets; from ``plan.json`` where no sheets were written
    (an undispatchable plan)."""
    folder = directory / "agents"
    breaks: dict[str, list] = {}
    if not folder.is_dir():
        plan = json.loads((directory / "plan.json").read_text(encoding="utf-8"))
        for route in plan.get("agent_routes", []):
            breaks[route["agent_id"]] = [(dt.datetime.fromisoformat(b["start"]),
                                          dt.datetime.fromisoformat(b["end"]))
                                         for b in route.get("breaks", [])]
        return breaks
    for sheet in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(sheet, dtype=str, keep_default_na=False)
        rows = frame[frame.get("kind", pd.Series(dtype=str)) == "break"]
        breaks[sheet.stem] = [(dt.datetime.fromisoformat(s), dt.datetime.fromisoformat(e))
                              for s, e in zip(rows["start"], rows["end"])]
    return breaks


# -- the roster as the plan must see it: pairs merged, caps applied ---------------------

@dataclass(frozen=True)
class Crew:
    """Who drives one route: an agent, or a pair (the lead's row names ``pair_with``)."""

    lead: Agent
    mate: Agent | None

    @property
    def members(self) -> list[Agent]:
        return [self.lead] + ([self.mate] if self.mate else [])

    @property
    def shift(self) -> tuple[int, int]:
        return (max(a.shift_start for a in self.members), min(a.shift_end for a in self.members))

    @property
    def skills(self) -> set[str]:
        return set().union(*(a.skills for a in self.members))

    def works_on(self, weekday: int) -> bool:
        return all(weekday in a.days for a in self.members)

    def visit_cap(self, policy_cap: int | None) -> int | None:
        caps = [a.max_visits for a in self.members if a.max_visits is not None]
        caps += [policy_cap] if policy_cap is not None else []
        return min(caps) if caps else None

    def capacity(self) -> int | None:
        caps = [a.capacity for a in self.members if a.capacity is not None]
        return min(caps) if caps else None

    def mode(self, default: str) -> str:
        """The lead's mode (a pair travels together), else ``default``."""
        return self.lead.mode or default

    def speed(self, default: float) -> float:
        """The slower member's speed; else that of the lead's mode; else ``default``."""
        speeds = [a.speed_kmh for a in self.members if a.speed_kmh]
        if speeds:
            return min(speeds)
        return MODE_KMH.get(self.lead.mode, default) if self.lead.mode else default


def _crews(problem: Problem) -> tuple[dict[str, Crew], set[str]]:
    """Route owners by agent id, and the ids of agents who ride as someone's partner."""
    by_id = {a.agent_id: a for a in problem.agents}
    partners = {a.pair_with for a in problem.agents if a.pair_with}
    crews = {a.agent_id: Crew(a, by_id.get(a.pair_with) if a.pair_with else None)
             for a in problem.agents if a.agent_id not in partners or a.pair_with}
    return crews, partners


# -- rules derived from the policy ---------------------------------------------------

def _units(problem: Problem, minutes: float) -> float:
    return minutes * 60 / problem.time_unit_s


def _legal_hours(problem: Problem) -> tuple[float, float] | None:
    hours = problem.policy.visiting_hours
    special = {k.strip().lower()[:3]: v.strip().lower() for k, v in hours.weekdays.items()}
    today = special.get(WEEKDAYS[problem.date.weekday()])
    if today == "closed":
        return None
    start, end = (parse_interval(today) if today else
                  (parse_clock(hours.start), parse_clock(hours.end)))
    return _units(problem, start), _units(problem, end)


def _is_holiday(problem: Problem) -> bool:
    date = problem.date
    days = {str(h).strip() for h in problem.policy.holidays}
    return date.isoformat() in days or date.strftime("%m-%d") in days


def _needed_skills(problem: Problem, account: Account) -> set[str]:
    policy = problem.policy
    needed = {s.strip().lower() for s in account.skills}
    risk = (account.risk or "").strip().lower()
    if risk in {r.strip().lower() for r in policy.senior_for_risks} or (
            account.broken_promises > 0 and policy.history.broken_promise_needs_senior):
        needed.add(policy.senior_skill.strip().lower())
    return needed


def _needs_pair(problem: Problem, account: Account) -> bool:
    risk = (account.risk or "").strip().lower()
    return bool(risk) and risk in {r.strip().lower() for r in problem.policy.pair_for_risks}


def _windows_today(problem: Problem, account: Account) -> list[tuple[int, int]]:
    weekday = problem.date.weekday()
    if not account.windows:
        return [(0, round(86400 / problem.time_unit_s))]
    return [(w.start, w.end) for w in account.windows if weekday in w.days]


def _recent(account: Account, days_since: int | None, window: int) -> int:
    given = account.visits_7d if window == 7 else account.visits_30d
    return max(given or 0, int(days_since is not None and 0 <= days_since < window))


# -- the checks ----------------------------------------------------------------------

def check(problem: Problem, routes: pd.DataFrame, unassigned: pd.DataFrame,
          breaks: dict[str, list[tuple[dt.datetime, dt.datetime]]]) -> list[Violation]:
    """Every rule, on a plan given as the tables of ``routes.csv`` and
    ``unassigned.csv`` and the breaks per route."""
    out = _check_accounting(problem, routes, unassigned)
    accounts = {a.account_id: a for a in problem.accounts}
    rejected = {u.account_id for u in problem.rejected}
    crews, partners = _crews(problem)
    for row in routes.itertuples(index=False):
        if row.account_id in rejected:
            out.append(Violation("REJECTED_ROUTED", "a rejected input row was routed",
                                 row.agent_id, row.account_id))
        elif row.account_id in accounts:
            out += _check_visit(problem, accounts[row.account_id], crews.get(row.agent_id), row)
    for agent_id, visits in routes.groupby("agent_id", sort=True):
        crew = crews.get(agent_id)
        if crew is None:
            why = ("rides as a partner and has no route of their own" if agent_id in partners
                   else "routes name an agent not in the roster")
            out.append(Violation("PAIR" if agent_id in partners else "UNKNOWN_AGENT", why,
                                 str(agent_id)))
            continue
        known = visits[visits["account_id"].isin(accounts)].sort_values("seq")
        out += _check_route(problem, crew, known, accounts, breaks.get(agent_id, []))
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
            out.append(Violation("BAD_REASON", "unknown reason code", account_id=row.account_id))
    return out


def _clock_units(when: dt.datetime, date: dt.date, unit_s: float) -> int:
    """A written time as clock units after midnight of the planning date."""
    return round((pd.Timestamp(when) - pd.Timestamp(date)).total_seconds() / unit_s)


def _check_visit(problem: Problem, account: Account, crew: Crew | None, row) -> list[Violation]:
    """Rules for one visit on its own: date, compliance, windows, legal hours, skills."""
    policy, date, unit = problem.policy, problem.date, problem.time_unit_s
    start, end = _clock_units(row.start, date, unit), _clock_units(row.end, date, unit)
    fail = []
    if pd.Timestamp(row.start).date() != date:
        fail.append(("WRONG_DATE", f"visit on {row.start}, the plan is for {date}"))
    status = (account.status or "").strip().lower()
    if status and status in {s.strip().lower() for s in policy.do_not_visit_statuses}:
        fail.append(("DO_NOT_VISIT", f"status '{status}' must not be visited"))
    if _is_holiday(problem):
        fail.append(("HOLIDAY", f"{date} is a holiday"))
    if (account.address_type or "").strip().lower() == "workplace" and \
            not policy.allow_workplace_visits:
        fail.append(("WORKPLACE_ADDRESS", "visit at a workplace address"))
    days = (date - account.last_visit).days if account.last_visit is not None else None
    if days is not None and days < policy.min_days_between_visits:
        fail.append(("COOL_DOWN", f"last visit {days} day(s) ago"))
    for window, cap in ((7, policy.max_visits_7d), (30, policy.max_visits_30d)):
        count = _recent(account, days, window)
        if count >= cap:
            fail.append((f"VISIT_CAP_{window}D", f"{count} visits in {window} days"))
    hours = _legal_hours(problem)
    if hours is None or start < hours[0] or end > hours[1]:
        fail.append(("LEGAL_HOURS", f"visit {row.start:%H:%M}-{row.end:%H:%M} outside the "
                                    "legal visiting hours of the day"))
    if not any(low <= start <= high for low, high in _windows_today(problem, account)):
        fail.append(("WINDOW", f"starts at {row.start:%H:%M}, outside the borrower's windows"))
    if end - start < account.service_min:
        fail.append(("SHORT_VISIT", f"{end - start} units, the visit needs "
                                    f"{account.service_min}"))
    if crew is not None:
        fail += _check_crew(problem, account, crew, getattr(row, "partner_id", "") or None)
    return [Violation(code, msg, row.agent_id, row.account_id) for code, msg in fail]


def _check_crew(problem: Problem, account: Account, crew: Crew,
                partner: str | None) -> list[tuple[str, str]]:
    fail = []
    if not crew.works_on(problem.date.weekday()):
        fail.append(("AGENT_OFF", "the agent does not work on this weekday"))
    if account.region and crew.lead.region and account.region != crew.lead.region:
        fail.append(("REGION", f"account of region {account.region}, agent of region "
                               f"{crew.lead.region}"))
    missing = _needed_skills(problem, account) - crew.skills
    if missing:
        fail.append(("SKILLS", f"needs skills {sorted(missing)}"))
    if _needs_pair(problem, account) and crew.mate is None:
        fail.append(("PAIR_REQUIRED", "needs a two-agent visit; the route has one agent"))
    expected = crew.mate.agent_id if crew.mate else None
    if partner != expected:
        fail.append(("PAIR", f"partner on the plan is {partner}, the roster says {expected}"))
    return fail


def _check_route(problem: Problem, crew: Crew, visits: pd.DataFrame,
                 accounts: dict[str, Account],
                 breaks: list[tuple[dt.datetime, dt.datetime]]) -> list[Violation]:
    out = []
    aid = crew.lead.agent_id

    def bad(code: str, message: str) -> None:
        out.append(Violation(code, message, aid))

    if visits.empty:
        return out
    if list(visits["seq"]) != list(range(1, len(visits) + 1)):
        bad("SEQUENCE", f"seq is {list(visits['seq'])}, expected 1..{len(visits)}")
    cap = crew.visit_cap(problem.policy.max_visits_per_agent)
    if cap is not None and len(visits) > cap:
        bad("VISIT_CAP", f"{len(visits)} visits, the cap is {cap}")
    load = sum(accounts[a].load for a in visits["account_id"])
    capacity = crew.capacity()
    if capacity is not None and load > capacity:
        bad("CAPACITY", f"load {load}, capacity {capacity}")
    date, unit = problem.date, problem.time_unit_s
    travel = _travel_units(problem, crew, [accounts[a] for a in visits["account_id"]])
    # The day as gaps between fixed points: shift start, each visit, shift end.
    shift_start, shift_end = crew.shift
    starts = [_clock_units(s, date, unit) for s in visits["start"]]
    ends = [_clock_units(e, date, unit) for e in visits["end"]]
    gaps = list(zip([shift_start] + ends, starts + [shift_end]))
    spans = [(_clock_units(b0, date, unit), _clock_units(b1, date, unit)) for b0, b1 in breaks]
    out += _check_breaks(crew, spans, gaps)
    for k, ((g0, g1), need) in enumerate(zip(gaps, travel)):
        inside = [(b0, b1) for b0, b1 in spans if g0 <= b0 and b1 <= g1]
        if inside:
            b0, b1 = inside[0]
            ok = b0 - g0 >= need or g1 - b1 >= need
        else:
            ok = g1 - g0 >= need
        if not ok:
            bad("TRAVEL", _leg_name(k, list(visits["account_id"])) + f": {g1 - g0} units for "
                f"{need} of travel" + (" around the break" if inside else ""))
    return out


def _leg_name(k: int, ids: list[str]) -> str:
    if k == 0:
        return f"from the start place to {ids[0]}"
    if k == len(ids):
        return f"from {ids[-1]} back to the end place"
    return f"from {ids[k - 1]} to {ids[k]}"


def _check_breaks(crew: Crew, spans: list[tuple[int, int]],
                  gaps: list[tuple[int, int]]) -> list[Violation]:
    out = []
    rule = crew.lead.break_rule
    shift_start, shift_end = crew.shift
    # The break is owed when its whole window (start window plus length) lies in the shift.
    if rule is None or rule.earliest < shift_start or rule.latest + rule.duration > shift_end:
        return out
    fitting = [(b0, b1) for b0, b1 in spans
               if b1 - b0 >= rule.duration and rule.earliest <= b0 <= rule.latest]
    if not fitting:
        out.append(Violation("BREAK", f"no break of {rule.duration} units starting within the "
                             "agent's break window", crew.lead.agent_id))
    for b0, b1 in spans:
        if not any(g0 <= b0 and b1 <= g1 for g0, g1 in gaps):
            out.append(Violation("BREAK", "the break overlaps a visit or falls outside the shift",
                                 crew.lead.agent_id))
    return out


# -- travel, recomputed ----------------------------------------------------------------

def _travel_units(problem: Problem, crew: Crew, visits: list[Account]) -> list[int]:
    """Clock units needed on each leg start -> visits -> end, rounded up as the schedule
    is; recomputed from the coordinates (or the input matrix)."""
    lead = crew.lead
    points = ([(lead.start_lat, lead.start_lon)] + [(a.lat, a.lon) for a in visits]
              + [(lead.end_lat, lead.end_lon) if lead.end_lat is not None
                 else (lead.start_lat, lead.start_lon)])
    keys = ([f"start:{lead.agent_id}"] + [a.account_id for a in visits]
            + [f"end:{lead.agent_id}"])
    model = problem.travel
    mode = crew.mode(problem.policy.travel.mode)
    speed = crew.speed(problem.policy.travel.speed_kmh)
    if model is None or isinstance(model, StraightLine):
        detour = model.detour_factor if model else problem.policy.travel.detour_factor
        seconds = [_straight_seconds(p, q, detour, speed) for p, q in zip(points, points[1:])]
        # One second of slack for floating-point differences from the solver's arithmetic.
        return [max(0, math.ceil((s - 1) / problem.time_unit_s - 1e-9)) for s in seconds]
    if isinstance(model, Matrix):
        rows = [model.index[k] for k in keys]
        legs = [int(model.seconds[a, b]) for a, b in zip(rows, rows[1:])]
        ratio = model.unit_s / problem.time_unit_s
    else:  # another travel model (say, a road network): ask it, as the input it is
        matrix, _ = model.matrices(keys, np.array(points, dtype=float), speed, mode=mode)
        legs = [int(matrix[k, k + 1]) for k in range(len(keys) - 1)]
        ratio = getattr(model, "unit_s", 1.0) / problem.time_unit_s
    return [leg if ratio == 1 else math.ceil(leg * ratio - 1e-9) for leg in legs]


def _straight_seconds(p: tuple[float, float], q: tuple[float, float], detour: float,
                      speed_kmh: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*p, *q))
    a = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    metres = 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a)))) * detour
    return metres / (speed_kmh / 3.6)


# -- a re-plan, against the morning plan and the events -----------------------------------

REPLAN_CODES = {
    "FIXED_CHANGED": "a visit that was done or in progress (or done as planned) changed",
    "IN_THE_PAST": "a visit re-planned to start before --at",
    "OFF_AGENT_BUSY": "a visit by an agent after they stopped working",
    "CANCELLED_VISITED": "a visit to an account after its borrower cancelled",
    "OVERLAP": "two visits of one route overlap",
}


def validate_replan(day: Problem, morning: Plan, events, at: dt.datetime, new: Plan,
                    rest: Problem, rest_plan: Plan) -> list[Violation]:
    """Check a re-plan: the re-planned rest keeps every daily rule (:func:`validate` on the
    rest of the day), every input account appears once, and against the morning plan and
    the events: what happened is unchanged, nothing new before ``at``, off agents idle,
    cancelled accounts left alone, the day's caps counted over the whole day (against a
    re-plan that gave the agent a visit from ``at`` on; what happened is not its doing)."""
    out = validate(rest, rest_plan)
    routes = new.routes
    out += _check_accounting(day, routes, new.unassigned)
    lead = {a.agent_id: a.agent_id for a in day.agents}
    lead.update({r.partner_id: r.agent_id for r in morning.agent_routes if r.partner_id})
    reported: dict[str, object] = {}
    off: dict[str, dt.datetime] = {}
    late: dict[str, list] = {}
    cancelled: dict[str, dt.datetime] = {}
    for e in events:
        if e.event in ("done", "in_progress"):
            reported[e.account_id] = e
        elif e.event == "agent_off":
            off.setdefault(e.agent_id, e.time)
        elif e.event == "late":
            late.setdefault(lead.get(e.agent_id, e.agent_id), []).append(e)
        elif e.event == "cancel":
            cancelled[e.account_id] = e.time
    before = {v.account_id: v for v in morning.visits}
    for v in new.visits:
        e = reported.get(v.account_id)
        if e is not None:
            if v.agent_id != lead.get(e.agent_id, e.agent_id) or \
                    (e.event == "done" and v.end != e.time) or \
                    (e.event == "in_progress" and v.start != e.time):
                out.append(Violation("FIXED_CHANGED", f"reported '{e.event}' at {e.time:%H:%M} "
                                     f"(events row {e.row}), planned otherwise", v.agent_id,
                                     v.account_id))
            continue
        old = before.get(v.account_id)
        delays = late.get(v.agent_id, [])
        if old is not None and old.agent_id == v.agent_id:
            shift = sum(d.minutes for d in delays if d.time <= old.start)
            expected = old.start + dt.timedelta(minutes=shift)
            # done as planned (later only when a visit before it ran long)
            if expected < at and v.start < at and (v.start < expected or
                                                   v.end - v.start != old.end - old.start):
                out.append(Violation("FIXED_CHANGED", f"done as planned at {expected:%H:%M} "
                                     f"(before --at), now at {v.start:%H:%M}", v.agent_id,
                                     v.account_id))
            if expected < at and v.start < at:
                continue
        if v.start < at:
            out.append(Violation("IN_THE_PAST", f"starts {v.start:%H:%M}, before --at "
                                 f"{at:%H:%M}, and nothing reported it", v.agent_id,
                                 v.account_id))
    for v in new.visits:
        stops = [off[m] for m in filter(None, (v.agent_id, v.partner_id)) if m in off]
        stop = min(stops) if stops else None
        if stop is not None and v.start >= stop and v.account_id not in reported:
            out.append(Violation("OFF_AGENT_BUSY", f"starts {v.start:%H:%M}, the agent stopped "
                                 f"at {stop:%H:%M}", v.agent_id, v.account_id))
        gone = cancelled.get(v.account_id)
        if gone is not None and v.start >= gone:
            out.append(Violation("CANCELLED_VISITED", f"cancelled at {gone:%H:%M}", v.agent_id,
                                 v.account_id))
    out += _check_whole_routes(day, new, at, reported)
    return out


def _check_whole_routes(day: Problem, new: Plan, at: dt.datetime,
                        reported: dict) -> list[Violation]:
    """Over the whole day: no two visits of a route overlap, and the agent's cap holds
    wherever the re-plan gave the agent a visit from ``at`` on. What happened before (the
    morning's visits and those ``reported``) can exceed a cap by itself, when an agent
    reports a visit nobody planned on top of a full morning: that is a fact, not the
    re-plan's doing, which then gives the agent nothing more."""
    out = []
    agents = {a.agent_id: a for a in day.agents}
    for route in new.agent_routes:
        ordered = sorted(route.visits, key=lambda v: v.start)
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end:
                out.append(Violation("OVERLAP", f"{a.account_id} ends {a.end:%H:%M}, "
                                     f"{b.account_id} starts {b.start:%H:%M}", route.agent_id,
                                     b.account_id))
        agent = agents.get(route.agent_id)
        caps = [c for c in (agent.max_visits if agent else None,
                            day.policy.max_visits_per_agent) if c is not None]
        if caps and len(route.visits) > min(caps) and any(
                v.start >= at and v.account_id not in reported for v in route.visits):
            out.append(Violation("VISIT_CAP", f"{len(route.visits)} visits over the day, the "
                                 f"cap is {min(caps)}", route.agent_id))
    return out


# -- a horizon of several days ---------------------------------------------------------------

HORIZON_CODES = {
    "HORIZON_VISITS": "an account visited more often than the horizon allows",
    "DUE_DATE": "a visit after the account's due date",
    "EARLIEST_DATE": "a visit before the account's earliest date",
    "OFF_DATE": "a route for an agent on one of their off dates",
    "MISSED_NOT_SAID": "an account due in the horizon and never visited, not reported missed",
}


def validate_horizon(base: Problem, horizon) -> list[Violation]:
    """Every day checked as a day (:func:`validate` on that day's problem), and across the
    days: each account once (visited or unassigned), at most the horizon's visits, inside
    its earliest and due dates, the cool-down and 7-day cap between its visits, no agent
    working on an off date, every due account not visited reported ``MISSED_DUE_DATE``."""
    out = []
    for problem, plan in zip(horizon.problems, horizon.plans):
        out += [Violation(v.code, f"{plan.date}: {v.message}", v.agent_id, v.account_id)
                for v in validate(problem, plan)]
    accounts = {a.account_id: a for a in base.accounts}
    agents = {a.agent_id: a for a in base.agents}
    policy = base.policy
    dates: dict[str, list[dt.date]] = {}
    for plan in horizon.plans:
        for route in plan.agent_routes:
            for member in filter(None, (route.agent_id, route.partner_id)):
                agent = agents.get(member)
                if agent is not None and plan.date in agent.off_dates:
                    out.append(Violation("OFF_DATE", f"works on {plan.date}, an off date",
                                         member))
        for visit in plan.visits:
            dates.setdefault(visit.account_id, []).append(plan.date)
    unassigned = [u.account_id for u in horizon.unassigned]
    seen = set(dates) | set(unassigned)
    expected = set(accounts) | {u.account_id for u in base.rejected}
    for key in sorted(expected - seen):
        out.append(Violation("MISSING", "input account absent from the horizon", account_id=key))
    for key in sorted(set(dates) & set(unassigned)) + sorted(
            k for k in set(unassigned) if unassigned.count(k) > 1):
        out.append(Violation("DUPLICATE", "both visited and unassigned, or unassigned twice",
                             account_id=key))
    most = policy.horizon.max_visits_per_account
    for key, days in dates.items():
        account = accounts.get(key)
        if account is None:
            continue
        days = sorted(days)
        if len(days) > most:
            out.append(Violation("HORIZON_VISITS", f"{len(days)} visits, at most {most}",
                                 account_id=key))
        if account.due_date and days[-1] > account.due_date:
            out.append(Violation("DUE_DATE", f"visited {days[-1]}, due {account.due_date}",
                                 account_id=key))
        if account.earliest_date and days[0] < account.earliest_date:
            out.append(Violation("EARLIEST_DATE", f"visited {days[0]}, not before "
                                 f"{account.earliest_date}", account_id=key))
        for a, b in zip(days, days[1:]):
            if (b - a).days < policy.min_days_between_visits:
                out.append(Violation("COOL_DOWN", f"visits on {a} and {b}", account_id=key))
        for day in days:
            window = [d for d in days if 0 <= (day - d).days < 7]
            if (account.visits_7d or 0) + len(window) > policy.max_visits_7d:
                out.append(Violation("VISIT_CAP_7D", f"{len(window)} horizon visits in the 7 "
                                     f"days to {day}", account_id=key))
                break
    reasons = {u.account_id: str(u.reason) for u in horizon.unassigned}
    last = horizon.plans[-1].date if horizon.plans else base.date
    for key, account in accounts.items():
        if key not in dates and account.due_date and account.due_date <= last and \
                reasons.get(key) != "MISSED_DUE_DATE":
            out.append(Violation("MISSED_NOT_SAID", f"due {account.due_date}, not visited, "
                                 f"reported {reasons.get(key)}", account_id=key))
    return out
