"""The rules and settings of a planning run, read from ``policy.toml``.

Every rule is configuration with a conservative default; nothing legal is
hard-coded elsewhere.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError, InputIssue
from .timeutil import parse_clock

DEFAULT_DO_NOT_VISIT = (
    "dispute", "complaint", "bankruptcy", "deceased", "cease_contact", "legal_hold",
)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VisitingHours(_Section):
    """Legal visiting hours, local time at the borrower's address."""

    start: str = "08:00"
    end: str = "21:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

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
    speed_kmh: float = Field(25.0, gt=0, le=200)
    detour_factor: float = Field(1.3, ge=1.0, le=5.0)


class SolverSettings(_Section):
    time_limit_s: float = Field(30.0, gt=0)
    seed: int = Field(0, ge=0)


class Weights(_Section):
    """How the objective trades priority against travel.

    The solver minimises travel seconds plus, for each account left out,
    ``priority x priority_minutes x 60``: with the default an account of
    priority 1 is worth ten hours of extra travel, so the plan first serves as
    much priority as it can and only then shortens routes.
    """

    priority_minutes: float = Field(600.0, gt=0)
    preferred_agent_minutes: float = Field(15.0, ge=0)


class Policy(_Section):
    """Compliance rules and solver settings; see the README for each field."""

    timezone: str = "Asia/Shanghai"
    visiting_hours: VisitingHours = VisitingHours()
    max_visits_7d: int = Field(2, ge=0)
    max_visits_30d: int = Field(4, ge=0)
    min_days_between_visits: int = Field(2, ge=0)
    do_not_visit_statuses: tuple[str, ...] = DEFAULT_DO_NOT_VISIT
    holidays: tuple[dt.date, ...] = ()
    default_service_min: int = Field(20, gt=0, le=600)
    travel: TravelSettings = TravelSettings()
    solver: SolverSettings = SolverSettings()
    weights: Weights = Weights()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator("do_not_visit_statuses")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(s.strip().lower() for s in value)

    def is_do_not_visit(self, status: str | None) -> bool:
        return bool(status) and status.strip().lower() in self.do_not_visit_statuses

    def today(self) -> dt.date:
        """Today's date in the policy's time zone."""
        return dt.datetime.now(ZoneInfo(self.timezone)).date()


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
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        issues = [
            InputIssue(str(path), err["msg"], column=".".join(str(p) for p in err["loc"]))
            for err in exc.errors()
        ]
        raise InputError(issues) from None
