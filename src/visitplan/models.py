"""Domain models: what goes into a plan.

All models are immutable pydantic models. Times of day are *clock units*
after midnight, local time: minutes unless the problem says otherwise
(``Problem.time_unit_s``; benchmark instances use their own units).
Weekdays are 0 (Monday) to 6 (Sunday).
Personal fields (name, phone, address) are excluded from ``repr`` so that
they never reach a log line by accident.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .plan import Base, Site, Unassigned
from .policy import Policy
from .timeutil import ALL_DAYS


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TimeWindow(_Frozen):
    """An availability window: ``start``..``end`` minutes on the given weekdays."""

    days: frozenset[int] = ALL_DAYS
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> "TimeWindow":
        if self.end < self.start:
            raise ValueError("window ends before it starts")
        return self


class BreakRule(_Frozen):
    """A break of ``duration`` minutes that starts between ``earliest`` and ``latest``."""

    earliest: int = Field(ge=0)
    latest: int = Field(ge=0)
    duration: int = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> "BreakRule":
        if self.latest < self.earliest:
            raise ValueError("break interval ends before it starts")
        return self


class Account(_Frozen):
    """An overdue account that may get a home visit."""

    account_id: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    name: str | None = Field(None, repr=False)
    phone: str | None = Field(None, repr=False)
    address: str | None = Field(None, repr=False)
    balance: float | None = None
    days_past_due: int | None = Field(None, ge=0)
    priority: float = Field(1.0, ge=0)
    # Where the priority came from: the input file, the default (no value given),
    # the scoring model, a user's column or a user's callable.
    priority_source: Literal["input", "default", "score", "column", "callable"] = "input"
    windows: tuple[TimeWindow, ...] = ()
    service_min: int = Field(20, gt=0)  # visit length in clock units (minutes by default)
    skills: frozenset[str] = frozenset()
    preferred_agent: str | None = None
    must_visit: bool = False
    status: str | None = None
    last_visit: dt.date | None = None
    visits_7d: int | None = Field(None, ge=0)
    visits_30d: int | None = Field(None, ge=0)
    load: int = Field(1, ge=0)
    flags: frozenset[str] = frozenset()
    risk: str | None = None
    address_type: str | None = None
    promise_date: dt.date | None = None
    promise_amount: float | None = Field(None, ge=0)
    broken_promises: int = Field(0, ge=0)
    not_home_streak: int = Field(0, ge=0)
    last_contact: dt.date | None = None
    region: str | None = None  # a city or branch; with `--by region` only its agents visit
    due_date: dt.date | None = None       # a horizon: visit on or before this date
    earliest_date: dt.date | None = None  # a horizon: not before this date
    # Minutes of travel a visit by someone other than preferred_agent costs (None: the
    # policy's preferred_agent_minutes). A re-plan sets it to [replan] move_minutes.
    preference_min: float | None = Field(None, ge=0, le=10_000)

    @field_validator("skills", "flags")
    @classmethod
    def _lower_skills(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(s.strip().lower() for s in value if s.strip())

    @field_validator("risk", "address_type", "status")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else None

    def windows_on(self, weekday: int, day: int = 24 * 60) -> list[tuple[int, int]]:
        """The ``(start, end)`` windows that apply on ``weekday``; all ``day`` when none are given."""
        if not self.windows:
            return [(0, day)]
        return sorted((w.start, w.end) for w in self.windows if weekday in w.days)


class Agent(_Frozen):
    """A field agent and the day they can work."""

    agent_id: str = Field(min_length=1)
    start_lat: float = Field(ge=-90, le=90)
    start_lon: float = Field(ge=-180, le=180)
    end_lat: float | None = Field(None, ge=-90, le=90)
    end_lon: float | None = Field(None, ge=-180, le=180)
    shift_start: int = Field(9 * 60, ge=0)
    shift_end: int = Field(18 * 60, ge=0)
    break_rule: BreakRule | None = None
    max_visits: int | None = Field(None, ge=0)
    capacity: int | None = Field(None, ge=0)
    skills: frozenset[str] = frozenset()
    speed_kmh: float | None = Field(None, gt=0, le=200)
    days: frozenset[int] = frozenset(range(5))
    pair_with: str | None = None   # works today as a pair with this agent (one route)
    region: str | None = None      # works only in this region (with `--by region`)
    mode: Literal["drive", "bike", "walk", "scooter"] | None = None  # None: the policy's
    off_dates: frozenset[dt.date] = frozenset()  # leave, training: no work on these dates
    # A re-plan: the agent is out already and goes on at shift_start, no later (the plan
    # otherwise leaves as late as it can, which mid-day would idle them where they are).
    out_already: bool = False
    partner: str | None = None     # set on a merged pair route: the second agent

    @field_validator("skills")
    @classmethod
    def _lower_skills(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(s.strip().lower() for s in value if s.strip())

    @field_validator("mode", mode="before")
    @classmethod
    def _lower_mode(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> "Agent":
        if self.shift_end <= self.shift_start:
            raise ValueError("shift ends before it starts")
        if (self.end_lat is None) != (self.end_lon is None):
            raise ValueError("give both end_lat and end_lon, or neither")
        if self.pair_with == self.agent_id:
            raise ValueError("an agent cannot pair with themselves")
        return self

    @property
    def end(self) -> tuple[float, float]:
        if self.end_lat is None:
            return self.start_lat, self.start_lon
        return self.end_lat, self.end_lon

    def can_serve(self, account: Account) -> bool:
        """Has the skills, and works in the account's region (when both name one)."""
        same_region = not (account.region and self.region) or account.region == self.region
        return same_region and account.skills <= self.skills

    def break_applies(self) -> bool:
        """A break is planned when the whole break window lies inside the shift."""
        rule = self.break_rule
        return (rule is not None and rule.earliest >= self.shift_start
                and rule.latest + rule.duration <= self.shift_end)

    def working_time(self) -> int:
        """The shift less the break where one is planned (clock units)."""
        pause = self.break_rule.duration if self.break_applies() else 0
        return self.shift_end - self.shift_start - pause


class Problem(BaseModel):
    """One planning day: accounts, agents, the policy and the date.

    ``travel`` is a travel model (see :mod:`visitplan.travel`); ``None``
    means straight-line travel with the policy's speed and detour factor.
    ``rejected`` holds accounts whose input rows were unusable and skipped
    on request; they are reported, never lost.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    accounts: tuple[Account, ...]
    agents: tuple[Agent, ...]
    policy: Policy = Policy()
    date: dt.date
    travel: Any = None
    rejected: tuple[Unassigned, ...] = ()
    notes: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # account_id -> adjustments
    source: dict[str, str] = Field(default_factory=dict)
    # Seconds per clock unit of every window, shift, break and service time. 60 (minutes)
    # for the CSV files; benchmark instances bring their own integer units.
    time_unit_s: float = Field(60.0, gt=0)
    # account_id -> Account, built on first use. Keyed to the accounts tuple it was
    # built from: model_copy shares private attributes, and a copy with other
    # accounts (prepare, history) must not answer from the old ones.
    _index: tuple[tuple | None, dict[str, Account]] = PrivateAttr(default=(None, {}))

    @model_validator(mode="after")
    def _unique(self) -> "Problem":
        for kind, ids in (("account_id", [a.account_id for a in self.accounts]),
                          ("agent_id", [a.agent_id for a in self.agents])):
            seen: set[str] = set()
            for key in ids:
                if key in seen:
                    raise ValueError(f"duplicate {kind} '{key}'")
                seen.add(key)
        self._check_clock()
        ids = {a.agent_id for a in self.agents}
        taken: dict[str, str] = {}
        for agent in self.agents:
            mate = agent.pair_with
            if mate is None:
                continue
            if mate not in ids:
                raise ValueError(f"agent '{agent.agent_id}' pairs with unknown agent '{mate}'")
            for member in (agent.agent_id, mate):
                if member in taken:
                    raise ValueError(f"agent '{member}' is in more than one pair")
                taken[member] = agent.agent_id
        return self

    @property
    def day_units(self) -> int:
        """Clock units in a day."""
        return round(86400 / self.time_unit_s)

    def to_units(self, minutes: float) -> int:
        """Real minutes (a policy's clock time, a time read from a datetime) in clock units.

        With :meth:`to_minutes`, the one place where clock units meet real minutes.
        """
        return round(minutes * 60 / self.time_unit_s)

    def to_minutes(self, units: float) -> float:
        """Clock units (shifts, windows, service times) in real minutes."""
        return units * self.time_unit_s / 60

    def _check_clock(self) -> None:
        day = self.day_units
        for a in self.accounts:
            if a.service_min > day or any(w.end > day for w in a.windows):
                raise ValueError(f"account '{a.account_id}': a window or visit exceeds the day")
        for g in self.agents:
            rule = g.break_rule
            if max(g.shift_start, g.shift_end) > day or (rule and rule.latest > day):
                raise ValueError(f"agent '{g.agent_id}': shift or break exceeds the day")

    @property
    def weekday(self) -> int:
        return self.date.weekday()

    def working_agents(self) -> list[Agent]:
        """Agents who work on the planning date's weekday."""
        return [a for a in self.agents if self.weekday in a.days]

    def clock(self, units: float) -> dt.datetime:
        """A clock time of the planning date as a datetime."""
        return dt.datetime.combine(self.date, dt.time()) + dt.timedelta(
            minutes=self.to_minutes(units))

    def places(self) -> tuple[dict[str, Site], dict[str, Base]]:
        """Every account's place and today's windows, every agent's start, end and shift:
        what a plan keeps for its map and timeline (coordinates, no personal data)."""
        sites = {a.account_id: Site(lat=a.lat, lon=a.lon, windows=tuple(
            (self.clock(s), self.clock(e)) for s, e in a.windows_on(self.weekday))
            if a.windows else ()) for a in self.accounts}
        bases = {g.agent_id: Base(start=(g.start_lat, g.start_lon), end=g.end,
                                  shift_start=self.clock(g.shift_start),
                                  shift_end=self.clock(g.shift_end)) for g in self.agents}
        return sites, bases

    def account(self, account_id: str) -> Account:
        built_from, index = self._index
        if built_from is not self.accounts:
            index = {a.account_id: a for a in self.accounts}
            self._index = (self.accounts, index)
        return index[account_id]
