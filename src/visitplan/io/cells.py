"""Parsers for single CSV cells. Each takes the stripped text and raises
``ValueError`` with a message that is safe to show (it never echoes a
personal field, because personal fields are not parsed here)."""

from __future__ import annotations

import datetime as dt
import math

from ..timeutil import parse_break, parse_clock, parse_days, parse_windows

TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is not a finite number")
    return value


def whole(text: str) -> int:
    value = number(text)
    if value != int(value):
        raise ValueError(f"'{text}' is not a whole number")
    return int(value)


def boolean(text: str) -> bool:
    key = text.lower()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(f"'{text}' is not true/false")


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"'{text}' is not a date YYYY-MM-DD") from None


def dates(text: str) -> frozenset[dt.date]:
    """``"2026-12-02; 2026-12-04"`` -> a set of dates."""
    return frozenset(date(part.strip()) for part in text.replace(",", ";").split(";")
                     if part.strip())


def skills(text: str) -> frozenset[str]:
    return frozenset(s.strip().lower() for s in text.replace(",", ";").split(";") if s.strip())


def windows(text: str):
    from ..models import TimeWindow
    return tuple(TimeWindow(days=d, start=s, end=e) for d, s, e in parse_windows(text))


def break_rule(text: str):
    from ..models import BreakRule
    earliest, latest, minutes = parse_break(text)
    return BreakRule(earliest=earliest, latest=latest, duration=minutes)


clock = parse_clock
days = parse_days


def text(value: str) -> str:
    return value
