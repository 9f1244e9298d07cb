"""What comes out of a planning run: visits, routes, unassigned accounts.

A :class:`Plan` holds ids, times and coordinates only, never names, phones
or addresses; the per-agent route sheets join those in when they are written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field


class Reason(StrEnum):
    """Why an account is not visited today. The codes are a stable public contract."""

    DO_NOT_VISIT = "DO_NOT_VISIT"
    HOLIDAY = "HOLIDAY"
    NO_AGENT_WORKING = "NO_AGENT_WORKING"
    COOL_DOWN = "COOL_DOWN"
    VISIT_CAP_7D = "VISIT_CAP_7D"
    VISIT_CAP_30D = "VISIT_CAP_30D"
    CLOSED_DAY = "CLOSED_DAY"
    WORKPLACE_ADDRESS = "WORKPLACE_ADDRESS"
    NO_PAIR_AVAILABLE = "NO_PAIR_AVAILABLE"
    NO_WINDOW_TODAY = "NO_WINDOW_TODAY"
    NO_SKILLED_AGENT = "NO_SKILLED_AGENT"
    LOAD_EXCEEDS_CAPACITY = "LOAD_EXCEEDS_CAPACITY"
    BAD_COORDINATES = "BAD_COORDINATES"
    BAD_DATA = "BAD_DATA"
    NOT_REACHABLE = "NOT_REACHABLE"
    SKILLED_AGENTS_BUSY = "SKILLED_AGENTS_BUSY"
    CAPACITY = "CAPACITY"
    MUST_VISIT_INFEASIBLE = "MUST_VISIT_INFEASIBLE"
    SOLVER_FAILED = "SOLVER_FAILED"
    CANCELLED = "CANCELLED"      # a re-plan: the borrower cancelled today's visit
    NOT_IN_PLAN = "NOT_IN_PLAN"  # a re-plan: not in the morning plan and no 'add' event
    MISSED_DUE_DATE = "MISSED_DUE_DATE"  # a horizon: due in it and not planned by then
    NOT_YET = "NOT_YET"                  # a horizon: its earliest_date is after the horizon


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unassigned(_Frozen):
    """An account that is not visited, with a reason a supervisor can read."""

    account_id: str
    reason: Reason
    detail: str


class RuleCheck(_Frozen):
    """One compliance rule applied to one account, with the values it looked at."""

    rule: str
    passed: bool
    detail: str
    reason: Reason | None = None  # the code reported when the rule fails


class Visit(_Frozen):
    """One planned visit. ``travel_s``/``travel_m`` are for the leg that leads to it."""

    date: dt.date
    agent_id: str
    seq: int
    account_id: str
    arrival: dt.datetime
    start: dt.datetime
    end: dt.datetime
    travel_s: int
    travel_m: int
    priority: float
    partner_id: str | None = None  # the second agent of a two-agent visit


class Break(_Frozen):
    start: dt.datetime
    end: dt.datetime


class Route(_Frozen):
    """One agent's day: when they leave, the visits in order, the break, when they are back."""

    date: dt.date
    agent_id: str
    depart: dt.datetime
    back: dt.datetime
    visits: tuple[Visit, ...]
    breaks: tuple[Break, ...] = ()
    return_travel_s: int = 0
    return_travel_m: int = 0
    shift_minutes: float = 0  # real minutes of the shift (not clock units)
    partner_id: str | None = None  # a pair route: both agents travel together

    @property
    def travel_s(self) -> int:
        return sum(v.travel_s for v in self.visits) + self.return_travel_s

    @property
    def travel_m(self) -> int:
        return sum(v.travel_m for v in self.visits) + self.return_travel_m


class Site(_Frozen):
    """Where an account is, and the borrower's windows on the plan's day (none: any time)."""

    lat: float
    lon: float
    windows: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


class Base(_Frozen):
    """Where an agent's day starts and ends, and the shift."""

    start: tuple[float, float]
    end: tuple[float, float]
    shift_start: dt.datetime
    shift_end: dt.datetime


class SolverStats(_Frozen):
    status: str
    objective: int | None = None
    seed: int = 0
    time_limit_s: float = 0.0
    build_s: float = 0.0
    first_solution_s: float | None = None
    wall_s: float = 0.0
    solutions: int = 0
    # PyVRP's first plan (solver/warm.py): "used", "none found" or "off"; seconds spent on it.
    warm_start: str = "off"
    warm_start_s: float = 0.0
    # Where the time went: every deadline of the search, in seconds after the call began.
    budget: dict[str, float] = Field(default_factory=dict)
    # Territories the day was cut into (1: one model for the whole day; solver/decompose.py).
    parts: int = 1
    # The k-means seed of the cut whose plan was kept (None: not cut). A day bound by time
    # is first cut the finest and likeliest of several ways (solver/forecast.py); with a
    # cut per worker, worker k cuts with the first cut's seed + k.
    cut_seed: int | None = None
    # Workers of a portfolio that crashed (worker number -> exception class); ids only.
    crashed_workers: dict[int, str] = Field(default_factory=dict)
    # Independent searches run, and the eligible accounts they searched (a day bound by
    # visit caps searches only the most urgent: solver/shortlist.py).
    workers: int = 1
    searched: int | None = None
    # The worker whose plan was kept (a portfolio of searches of one model; None when the
    # day was cut into territories, each searched once).
    best_worker: int | None = None
    # Searches that worker ran: a stalled search starts again from a new first plan
    # (SearchParams.restart_after).
    rounds: int = 1
    # What re-routing the chosen visits on their own saved, in the objective's units
    # (seconds of travel; SearchParams.reroute); 0: it found nothing shorter or did not run.
    reroute_saved_s: int = 0
    # A day cut into territories, cut again around its plan and searched on
    # (SearchParams.recut): "off", "kept" (the second cut's plan), "kept (1 of 6 territories
    # as they were)" (those territories' searches served less than the routes they were
    # given, and went back to them), "no better" (the first cut's plan stands) or "failed"
    # (a worker of the second cut crashed or a territory of it got no plan: the first stands).
    # ``parts`` stays the first cut's count.
    recut: str = "off"
    # The plan chosen again two neighbouring routes at a time (SearchParams.reselect):
    # "off", or how many of the pairs searched did better ("3 of 40 pairs better"), with
    # ", 1 visits did not load" (kept as they loaded) or ", not loaded" (the plan before
    # the pairs stands, with a warning) where the day's rebuilt routes missed visits.
    reselect: str = "off"
    # The chosen visits routed again three neighbouring routes at a time, from nothing
    # (SearchParams.regroup): "off", or how many groups did better ("4 of 15 groups better").
    regroup: str = "off"
    # The minutes of travel a priority point was worth to the search: the policy's
    # weights.priority_minutes, or fewer on a crowded day bound by time cut into territories
    # (SearchParams.priority_minutes_by_time); ``objective`` is in the search's values.
    priority_minutes: float | None = None


ROUTE_COLUMNS = ["date", "agent_id", "seq", "account_id", "arrival", "start", "end",
                 "travel_min", "travel_km", "priority", "partner_id"]
UNASSIGNED_COLUMNS = ["account_id", "reason", "detail"]
TIME_FORMAT = "%Y-%m-%dT%H:%M"


class Plan(_Frozen):
    """The result of :func:`visitplan.solve`."""

    date: dt.date
    agent_routes: tuple[Route, ...]
    unassigned_accounts: tuple[Unassigned, ...]
    stats: SolverStats
    accounts_in: int
    priority_available: float
    must_visit_ids: tuple[str, ...] = ()
    working_agents: tuple[str, ...] = ()
    checks: dict[str, tuple[RuleCheck, ...]] = {}   # account_id -> every rule applied
    notes: dict[str, tuple[str, ...]] = {}          # account_id -> adjustments from history
    # Things a supervisor should know that are not rule violations (ids only): a
    # break that forced a visit out, an unknown preferred agent, ...
    warnings: tuple[str, ...] = ()
    # The travel model the plan was made with (validate uses the same): {"model": ...}.
    travel: dict = {}
    # A batch planned by region: each region's summary (or why it failed).
    regions: dict[str, dict] = {}
    # Coordinates for maps and timelines (reports): account_id -> Site, agent_id -> Base.
    sites: dict[str, Site] = {}
    bases: dict[str, Base] = {}

    @property
    def found_plan(self) -> bool:
        """Whether the search produced a plan (``False``: every eligible account SOLVER_FAILED)."""
        return not any(u.reason == Reason.SOLVER_FAILED for u in self.unassigned_accounts)

    @property
    def visits(self) -> list[Visit]:
        return [v for r in self.agent_routes for v in r.visits]

    @property
    def routes(self) -> pd.DataFrame:
        """One row per visit, the columns of ``routes.csv`` (times as datetimes)."""
        rows = [{
            "date": v.date, "agent_id": v.agent_id, "seq": v.seq, "account_id": v.account_id,
            "arrival": v.arrival, "start": v.start, "end": v.end,
            "travel_min": round(v.travel_s / 60, 1), "travel_km": round(v.travel_m / 1000, 2),
            "priority": v.priority, "partner_id": v.partner_id or "",
        } for v in self.visits]
        return pd.DataFrame(rows, columns=ROUTE_COLUMNS)

    @property
    def unassigned(self) -> pd.DataFrame:
        rows = [{"account_id": u.account_id, "reason": str(u.reason), "detail": u.detail}
                for u in self.unassigned_accounts]
        return pd.DataFrame(rows, columns=UNASSIGNED_COLUMNS)

    @property
    def kpis(self) -> dict:
        """The figures of ``summary.json``."""
        return summary(self)

    def map(self, **options):
        """The plan on an interactive map that needs no network (a notebook shows it);
        options of :func:`visitplan.report.map.plan_map`."""
        from .report.map import RouteMap

        return RouteMap(self, **options)

    def timeline(self):
        """One row per agent: travel, visits, waiting, break, windows (a notebook shows
        it; ``.figure()`` for matplotlib, ``.save(path)`` for a PNG)."""
        from .report.timeline import Timeline

        return Timeline(self)

    def _repr_html_(self) -> str:
        """A notebook's view: the KPIs and a small map."""
        from .report.notebook import plan_html

        return plan_html(self)


def summary(plan: Plan) -> dict:
    """Accounts in/planned/unassigned, priority served, travel, per-agent figures, solver facts."""
    visits = plan.visits
    by_reason = Counter(str(u.reason) for u in plan.unassigned_accounts)
    served = sum(v.priority for v in visits)
    planned_ids = {v.account_id for v in visits}
    routes = {r.agent_id: r for r in plan.agent_routes}
    from importlib.metadata import PackageNotFoundError, version
    try:
        made_by = version("visitplan")
    except PackageNotFoundError:  # running from a source tree that was not installed
        made_by = "unknown"
    return {
        "date": plan.date.isoformat(),
        "visitplan_version": made_by,
        "found_plan": plan.found_plan,
        "accounts": {
            "in": plan.accounts_in,
            "planned": len(visits),
            "unassigned": len(plan.unassigned_accounts),
            "unassigned_by_reason": dict(sorted(by_reason.items())),
        },
        "priority": {
            "available": round(plan.priority_available, 3),
            "served": round(served, 3),
            "served_pct": round(100 * served / plan.priority_available, 1)
            if plan.priority_available else None,
        },
        "travel": {
            "km": round(sum(r.travel_m for r in plan.agent_routes) / 1000, 2),
            "minutes": round(sum(r.travel_s for r in plan.agent_routes) / 60, 1),
        },
        "agents": [_agent_summary(routes.get(a), a) for a in plan.working_agents],
        "must_visit_not_planned": [a for a in plan.must_visit_ids if a not in planned_ids],
        "warnings": list(plan.warnings),
        "travel_model": plan.travel or {"model": "straight"},
        "solver": plan.stats.model_dump(),
        **({"regions": plan.regions} if plan.regions else {}),
    }


def minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    """Real minutes between two written times (never clock units)."""
    return (end - start).total_seconds() / 60


def _agent_summary(route: Route | None, agent_id: str) -> dict:
    if route is None:
        return {"agent_id": agent_id, "partner_id": None, "visits": 0, "travel_km": 0.0,
                "travel_min": 0.0, "visit_min": 0, "utilisation": 0.0, "depart": None,
                "back": None}
    visit_min = round(sum(minutes_between(v.start, v.end) for v in route.visits))
    travel_min = route.travel_s / 60
    shift = route.shift_minutes or 1
    return {
        "agent_id": agent_id,
        "partner_id": route.partner_id,
        "visits": len(route.visits),
        "travel_km": round(route.travel_m / 1000, 2),
        "travel_min": round(travel_min, 1),
        "visit_min": visit_min,
        "utilisation": round((visit_min + travel_min) / shift, 3),
        "depart": route.depart.strftime(TIME_FORMAT),
        "back": route.back.strftime(TIME_FORMAT),
    }
