"""The rules and settings of a planning run, read from ``policy.toml``.

Every rule is configuration with a conservative default; nothing legal is
hard-coded elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError, InputIssue
from .timeutil import WEEKDAYS, parse_clock, parse_interval

DEFAULT_DO_NOT_VISIT = (
    "dispute", "complaint", "bankruptcy", "deceased", "cease_contact", "legal_hold",
)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VisitingHours(_Section):
    """Legal visiting hours, local time at the borrower's address.

    ``start``/``end`` hold every day; ``weekdays`` overrides single days with
    ``"HH:MM-HH:MM"`` or ``"closed"`` (e.g. ``sun = "closed"``).
    """

    start: str = "08:00"
    end: str = "21:00"
    weekdays: dict[str, str] = Field(default_factory=dict)

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for day, hours in value.items():
            key = day.strip().lower()[:3]
            if key not in WEEKDAYS:
                raise ValueError(f"'{day}' is not a weekday (mon..sun)")
            if hours.strip().lower() != "closed":
                parse_interval(hours)
            out[key] = hours.strip().lower()
        return out

    def hours_on(self, weekday: int) -> tuple[int, int] | None:
        """Legal ``(start, end)`` minutes on a weekday; ``None`` when visits are not allowed."""
        special = self.weekdays.get(WEEKDAYS[weekday])
        if special is None:
            return self.start_min, self.end_min
        if special == "closed":
            return None
        return parse_interval(special)

    @model_validator(mode="after")
    def _order(self) -> "VisitingHours":
        if self.end_min <= self.start_min:
            raise ValueError("visiting hours end before they start")
        return self

    @property
    def start_min(self) -> int:
        return parse_clock(self.start)

    @property
    def end_min(self) -> int:
        return parse_clock(self.end)


class TravelSettings(_Section):
    """How travel is measured: straight lines (``speed_kmh``, ``detour_factor``) or a
    road network (``model = "road"``, ``graph`` a .graphml/.osm/.osm.bz2 file, ``mode``)."""

    speed_kmh: float = Field(25.0, gt=0, le=200)
    detour_factor: float = Field(1.3, ge=1.0, le=5.0)
    model: Literal["straight", "road", "pairs"] = "straight"
    graph: str | None = None   # relative to the policy file
    mode: Literal["drive", "bike", "walk", "scooter"] = "drive"
    matrix: str | None = None  # model = "pairs": a CSV/Parquet of pairs, relative to the file

    @model_validator(mode="after")
    def _graph_given(self) -> "TravelSettings":
        if self.model == "road" and not self.graph:
            raise ValueError("model = \"road\" needs graph = \"<network file>\"")
        if self.model == "pairs" and not self.matrix:
            raise ValueError("model = \"pairs\" needs matrix = \"<pairs file>\"")
        return self


class SolverSettings(_Section):
    time_limit_s: float = Field(30.0, gt=0)
    seed: int = Field(0, ge=0)
    # PyVRP's plan as OR-Tools' start (solver/warm.py): "auto" uses it where it
    # measured better: on days where every account is must-visit (a plain
    # VRPTW), and on one worker of a portfolio otherwise.
    warm_start: Literal["auto", "always", "never"] = "auto"
    # Share of the search time PyVRP gets when OR-Tools searches on from its plan
    # (solve.polishes); otherwise PyVRP gets all of it.
    warm_start_share: float = Field(0.8, gt=0, le=1)


class Scoring(_Section):
    """Weights of the priority score; see :mod:`visitplan.scoring` for the reasoning."""

    base: float = 1.0
    amount: float = Field(2.0, ge=0)          # x log10(1 + balance / amount_unit)
    amount_unit: float = Field(1000.0, gt=0)
    days_past_due: float = Field(1.0, ge=0)   # per 30 days past due, up to dpd_cap
    dpd_cap: int = Field(180, gt=0)
    bucket: dict[str, float] = Field(default_factory=lambda: {"m1": 0.0, "m2": 0.5, "m3": 1.0,
                                                              "m3+": 1.5})
    promise_due: float = Field(3.0, ge=0)     # a promise to pay falls due today
    broken_promise: float = Field(1.5, ge=0)  # per broken promise, up to 3
    no_contact: float = Field(0.5, ge=0)      # per 30 days without contact, up to 90 days
    not_home: float = Field(0.5, ge=0)        # subtracted per not-home in a row, up to 4
    flags: dict[str, float] = Field(default_factory=lambda: {"fraud_suspect": 2.0,
                                                             "skip_trace": 1.0,
                                                             "hardship": -1.0})


class ReviewSettings(_Section):
    """Plan against what happened (``visitplan review``)."""

    on_time_min: int = Field(30, ge=0, le=600)  # a visit started this close to its plan is on time


class HorizonSettings(_Section):
    """Planning several days at once (``visitplan plan --days N``)."""

    # Visits per account within the horizon; between them the cool-down and the 7/30-day
    # caps hold, as against the history.
    max_visits_per_account: int = Field(1, ge=1, le=31)
    # The horizon's priority counts a visit on day k (0 = the first) at (1 - discount)^k:
    # earlier rather than later. Reported as summary.json's discounted priority.
    discount_per_day: float = Field(0.02, ge=0, lt=1)
    # An account due within the horizon weighs priority x (1 + due_boost / (days left + 1))
    # on the days before its due date.
    due_boost: float = Field(1.0, ge=0, le=100)
    # On the due date itself: priority x (1 + 2 x due_boost), or must-visit (true). Measured
    # (benchmarks/README.md): must-visit missed 12% fewer due dates than the boost but
    # served 1% less priority than rolling daily; the boost serves as much as rolling daily.
    due_must_visit: bool = False
    # The day-assignment stage (visitplan.dayassign): an account the week can visit on a
    # later day weighs this share of its priority today, so it does not take the place of
    # one whose only chance is today (an evening-only borrower, say). 1 turns it off.
    defer_weight: float = Field(0.5, ge=0, le=1)


class ReplanSettings(_Section):
    """Re-planning during the day (``visitplan replan``)."""

    # What moving an untouched visit to another agent costs, in minutes of travel: the
    # re-plan keeps a visit with its agent unless that saves more than this (or serves more).
    move_minutes: float = Field(30.0, ge=0, le=10_000)
    # A visit of the same agent that starts fewer minutes than this earlier or later is not
    # a change to tell anyone (changes.csv); the route sheet has the exact times.
    retime_minutes: int = Field(10, ge=0, le=600)
    # The whole re-plan's time limit when --time-limit is not given: a dispatcher waits.
    time_limit_s: float = Field(8.0, gt=0, le=3600)


class HistoryRules(_Section):
    """How yesterday's outcomes shape today's plan."""

    promise_due_must_visit: bool = Field(True, description=(
        "a promise to pay due today and not yet paid makes the visit must-visit; a promise "
        "whose date has passed unpaid is broken instead (a higher score and, with "
        "broken_promise_needs_senior, a senior agent), not must-visit"))
    broken_promise_needs_senior: bool = True
    not_home_shift_after: int = Field(2, ge=1)  # not-home results in a row before a window is avoided
    continuity: bool = True               # prefer the agent who met the borrower last


class Weights(_Section):
    """How the objective trades priority against travel.

    The solver minimises travel seconds plus, for each account left out,
    ``priority x priority_minutes x 60``: with the default an account of
    priority 1 is worth ten hours of extra travel, so the plan first serves as
    much priority as it can and only then shortens routes. (On a large day so crowded
    that time binds whatever the routes, the search values a point at fewer minutes:
    ``SearchParams.priority_minutes_by_time``.)
    """

    # Bounded so that every cost term stays far inside OR-Tools' 64-bit integers.
    priority_minutes: float = Field(600.0, gt=0, le=10_000)
    preferred_agent_minutes: float = Field(15.0, ge=0, le=10_000)


class Policy(_Section):
    """Compliance rules and solver settings; see the README for each field."""

    timezone: str = "Asia/Shanghai"
    visiting_hours: VisitingHours = VisitingHours()
    max_visits_7d: int = Field(2, ge=0)
    max_visits_30d: int = Field(4, ge=0)
    min_days_between_visits: int = Field(2, ge=0)
    do_not_visit_statuses: tuple[str, ...] = DEFAULT_DO_NOT_VISIT
    holidays: tuple[str, ...] = ()  # "YYYY-MM-DD", or "MM-DD" for every year
    allow_workplace_visits: bool = False
    senior_for_risks: tuple[str, ...] = ("high",)
    senior_skill: str = "senior"
    pair_for_risks: tuple[str, ...] = ("hostile",)
    max_visits_per_agent: int | None = Field(None, ge=0)
    default_service_min: int = Field(20, gt=0, le=600)
    travel: TravelSettings = TravelSettings()
    solver: SolverSettings = SolverSettings()
    weights: Weights = Weights()
    scoring: Scoring = Scoring()
    history: HistoryRules = HistoryRules()
    review: ReviewSettings = ReviewSettings()
    replan: ReplanSettings = ReplanSettings()
    horizon: HorizonSettings = HorizonSettings()
    preset: str | None = None  # the name given as `policy = "..."`, for the record

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator("do_not_visit_statuses", "senior_for_risks", "pair_for_risks",
                     mode="before")
    @classmethod
    def _text_list(cls, value):
        if isinstance(value, str):
            raise ValueError(f"must be a list of words, e.g. [\"{value}\"], not one string")
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of words in quotes, e.g. [\"dispute\", "
                             "\"complaint\"]")
        return tuple(s.strip().lower() for s in value)

    @field_validator("holidays", mode="before")
    @classmethod
    def _holidays(cls, value) -> tuple[str, ...]:
        """Each holiday strictly ``YYYY-MM-DD`` (or a TOML date) or ``MM-DD``: a date
        that could never match (``"20261201"``, ``20261201``) would silently plan a
        holiday as a working day."""
        if isinstance(value, (str, dt.date)):
            raise ValueError("must be a list of dates, e.g. [\"2026-12-01\", \"10-01\"], "
                             "not one value")
        if not isinstance(value, (list, tuple)):
            raise ValueError("must be a list of dates, e.g. [\"2026-12-01\", \"10-01\"]")
        return tuple(_holiday(item) for item in value)

    def is_do_not_visit(self, status: str | None) -> bool:
        return bool(status) and status.strip().lower() in self.do_not_visit_statuses

    def is_holiday(self, date: dt.date) -> bool:
        return date.isoformat() in self.holidays or date.strftime("%m-%d") in self.holidays

    def today(self) -> dt.date:
        """Today's date in the policy's time zone."""
        return dt.datetime.now(ZoneInfo(self.timezone)).date()


_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEARLY = re.compile(r"\d{2}-\d{2}")


def _holiday(item) -> str:
    if isinstance(item, dt.datetime):
        raise ValueError(f"holiday {item.isoformat()} is a date and time; give the date only")
    if isinstance(item, dt.date):
        return item.isoformat()
    if not isinstance(item, str):
        raise ValueError(f"holiday {item!r} is not a date in quotes: write \"YYYY-MM-DD\" or "
                         "\"MM-DD\"")
    text = item.strip()
    try:
        if _FULL_DATE.fullmatch(text):
            dt.date.fromisoformat(text)
        elif _YEARLY.fullmatch(text):
            dt.date.fromisoformat(f"2000-{text}")  # a leap year: 02-29 is allowed
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"holiday '{text}' is not a date YYYY-MM-DD or MM-DD") from None
    return text


def load_policy(path: str | Path | None) -> Policy:
    """Read a ``policy.toml``; ``None`` gives the defaults.

    Raises
    ------
    InputError
        naming the file and the key that is wrong.
    """
    if path is None:
        return Policy()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.single(str(path), "file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.single(str(path), f"not valid TOML: {exc}") from None
    for key in ("graph", "matrix"):
        given = (data.get("travel") or {}).get(key)
        if isinstance(given, str) and not Path(given).is_absolute():
            data["travel"][key] = str(path.parent / given)  # relative to the policy file
    name = data.pop("policy", None)
    if name is not None:
        if name not in PRESETS:
            raise InputError.single(str(path), f"unknown preset '{name}'; known: "
                                    f"{', '.join(sorted(PRESETS))}", column="policy")
        data = _merge(PRESETS[name], data) | {"preset": name}
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        issues = [
            InputIssue(str(path), err["msg"].removeprefix("Value error, "),
                       column=".".join(str(p) for p in err["loc"]))
            for err in exc.errors()
        ]
        raise InputError(issues) from None


def _merge(base: dict, override: dict) -> dict:
    """``override`` on top of ``base``, tables merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


# Named presets: `policy = "cn-default"` at the top of policy.toml; the file's own
# values then override the preset's. They encode conservative readings of the rules;
# check them with your compliance team before relying on them.
PRESETS: dict[str, dict] = {
    # China: industry self-regulation limits collection contact to daytime (08:00-21:00)
    # and forbids harassment by frequency; fixed-date public holidays (New Year, Labour Day,
    # National Day) are listed, lunar-calendar holidays must be added per year.
    "cn-default": {
        "timezone": "Asia/Shanghai",
        "visiting_hours": {"start": "08:00", "end": "21:00"},
        "max_visits_7d": 2, "max_visits_30d": 4, "min_days_between_visits": 2,
        "holidays": ["01-01", "05-01", "10-01", "10-02", "10-03"],
        "allow_workplace_visits": False,
    },
    # United States: FDCPA 1692c(a)(1) bars contact before 8 a.m. and after 9 p.m. at the
    # consumer's location; 1692c(a)(3) bars contact at work when the employer forbids it,
    # so workplace visits are off. Caps are deliberately lower than the law's floor and
    # Sundays are closed; fixed-date federal holidays are listed.
    "us-fdcpa": {
        "timezone": "America/New_York",
        "visiting_hours": {"start": "08:00", "end": "21:00", "weekdays": {"sun": "closed"}},
        "max_visits_7d": 1, "max_visits_30d": 3, "min_days_between_visits": 3,
        "holidays": ["01-01", "06-19", "07-04", "11-11", "12-25"],
        "allow_workplace_visits": False,
    },
}
