"""Parsing of the small time languages used in the input files.

Times of day are kept as minutes after midnight (``int``); weekdays as
``0`` (Monday) to ``6`` (Sunday), like :meth:`datetime.date.weekday`.
"""

from __future__ import annotations

import re

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = frozenset(range(7))

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def parse_clock(text: str) -> int:
    """``"18:30"`` -> 1110 minutes after midnight; ``"24:00"`` is allowed as a day's end."""
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"'{text.strip()}' is not a time of day HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"'{text.strip()}' is not a time of day HH:MM")
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_interval(text: str) -> tuple[int, int]:
    """``"18:00-21:00"`` -> (1080, 1260); the end may not come before the start
    (``"11:40-11:40"`` is an appointment at 11:40)."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"'{text.strip()}' is not an interval HH:MM-HH:MM")
    start, end = parse_clock(match[1]), parse_clock(match[2])
    if end < start:
        raise ValueError(f"'{text.strip()}' ends before it starts")
    return start, end


def _day(name: str) -> int:
    key = name.strip().lower()[:3]
    if key not in WEEKDAYS or len(name.strip()) < 3:
        raise ValueError(f"'{name.strip()}' is not a weekday (Mon..Sun)")
    return WEEKDAYS.index(key)


def parse_days(text: str) -> frozenset[int]:
    """``"Mon-Fri"``, ``"Sat,Sun"``, ``"Mon-Wed,Fri"`` -> set of weekday numbers.

    A range may wrap around the week (``"Fri-Mon"``).
    """
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            raise ValueError(f"'{text.strip()}' has an empty weekday")
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(first), _day(last)
            span = (b - a) % 7
            days.update((a + k) % 7 for k in range(span + 1))
        else:
            days.add(_day(part))
    return frozenset(days)


def parse_windows(text: str) -> tuple[tuple[frozenset[int], int, int], ...]:
    """Parse an availability spec into ``(days, start, end)`` triples.

    ``"Mon-Fri 18:30-21:00; Sat,Sun 09:00-12:00"``; a window without a
    weekday prefix holds every day. An empty text gives no windows (any time).
    """
    windows = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        head, _, tail = part.rpartition(" ")
        if head.strip():
            days = parse_days(head.replace(" ", ""))
        else:
            days = ALL_DAYS
        start, end = parse_interval(tail)
        windows.append((days, start, end))
    return tuple(windows)


def parse_break(text: str) -> tuple[int, int, int]:
    """``"12:00-14:00/45"`` -> (720, 840, 45): a 45-minute break starting within 12:00-14:00."""
    interval, sep, duration = text.partition("/")
    if not sep:
        raise ValueError(f"'{text.strip()}' is not a break HH:MM-HH:MM/MIN")
    start, end = parse_interval(interval)
    try:
        minutes = int(duration.strip())
    except ValueError:
        raise ValueError(f"'{duration.strip()}' is not a whole number of minutes") from None
    if minutes <= 0:
        raise ValueError("a break lasts at least one minute")
    return start, end, minutes
