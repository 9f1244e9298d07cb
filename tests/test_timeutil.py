import pytest
from hypothesis import given, strategies as st

from visitplan.timeutil import (format_clock, parse_break, parse_clock, parse_days,
                                parse_interval, parse_windows)


def test_clock_roundtrip_and_limits():
    assert parse_clock("18:30") == 1110
    assert parse_clock(" 9:05 ") == 545
    assert parse_clock("24:00") == 1440
    for bad in ("24:01", "12:60", "1230", "ab:cd", ""):
        with pytest.raises(ValueError):
            parse_clock(bad)


@given(st.integers(0, 24 * 60))
def test_format_then_parse_is_identity(minutes):
    assert parse_clock(format_clock(minutes)) == minutes


def test_interval_must_end_after_start():
    assert parse_interval("18:00-21:00") == (1080, 1260)
    with pytest.raises(ValueError, match="ends before"):
        parse_interval("21:00-18:00")


def test_days_ranges_lists_and_wrap():
    assert parse_days("Mon-Fri") == frozenset(range(5))
    assert parse_days("Sat,Sun") == frozenset({5, 6})
    assert parse_days("Fri-Mon") == frozenset({4, 5, 6, 0})
    assert parse_days("mon-wed,fri") == frozenset({0, 1, 2, 4})
    with pytest.raises(ValueError, match="weekday"):
        parse_days("Mo-Fr")


def test_windows_with_and_without_days():
    windows = parse_windows("Mon-Fri 18:30-21:00; Sat,Sun 09:00-12:00")
    assert windows == ((frozenset(range(5)), 1110, 1260), (frozenset({5, 6}), 540, 720))
    (days, start, end), = parse_windows("18:00-21:00")
    assert days == frozenset(range(7)) and (start, end) == (1080, 1260)
    assert parse_windows("") == ()
    with pytest.raises(ValueError):
        parse_windows("Mon-Fri 18:30-2100")


def test_break_spec():
    assert parse_break("12:00-14:00/45") == (720, 840, 45)
    for bad in ("12:00-14:00", "12:00-14:00/x", "12:00-14:00/0"):
        with pytest.raises(ValueError):
            parse_break(bad)
