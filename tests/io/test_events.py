"""events.csv: every bad row named by row and column, nothing planned or written."""

import datetime as dt

import pytest

from visitplan.errors import InputError
from visitplan.io.events import read_events

DATE = dt.date(2026, 12, 1)
AT = dt.datetime(2026, 12, 1, 13, 30)
HEADER = "time,event,agent_id,account_id,minutes,lat,lon\n"


def read(tmp_path, body, header=HEADER):
    path = tmp_path / "events.csv"
    path.write_text(header + body, encoding="utf-8")
    return read_events(path, DATE, AT, {"G1", "G2"}, {"A1", "A2"})


def test_good_events_are_read_in_time_order(tmp_path):
    events = read(tmp_path, "13:00,agent_off,G2,,,,\n09:40,done,G1,A1,,,\n"
                            "11:00,late,G1,,15,,\n12:00,position,G1,,,31.2,121.4\n"
                            "\n13:30,cancel,,A2,,,\n")
    assert [e.event for e in events] == ["done", "late", "position", "agent_off", "cancel"]
    assert events[0].time == dt.datetime(2026, 12, 1, 9, 40) and events[0].row == 2
    assert events[1].minutes == 15 and events[2].lat == 31.2


@pytest.mark.parametrize("row, column, text", [
    ("09:00,dance,G1,,,,\n", "event", "unknown event"),
    ("09:00,done,G9,A1,,,\n", "agent_id", "unknown agent"),
    ("09:00,done,G1,A9,,,\n", "account_id", "unknown account"),
    ("14:00,done,G1,A1,,,\n", "time", "after --at 13:30"),
    ("9h,done,G1,A1,,,\n", "time", "HH:MM"),
    ("09:00,late,G1,,,,\n", "minutes", "needs a value"),
    ("09:00,late,G1,,-5,,\n", "minutes", "number from 0"),
    ("09:00,position,G1,,,95,121\n", "lat", "number from -90"),
    ("09:00,position,G1,,,31,\n", "lon", "needs a value"),
    ("09:00,cancel,,,,,\n", "account_id", "needs a value"),
])
def test_a_bad_row_is_named_by_row_and_column(tmp_path, row, column, text):
    with pytest.raises(InputError) as info:
        read(tmp_path, "09:00,done,G1,A2,,,\n" + row)
    message = str(info.value)
    assert f"row 2 (line 3), column '{column}'" in message and text in message


def test_every_bad_row_at_once_and_a_missing_column(tmp_path):
    with pytest.raises(InputError) as info:
        read(tmp_path, "09:00,dance,G1,,,,\n14:00,done,G1,A1,,,\n")
    assert len(info.value.problems) == 2
    with pytest.raises(InputError, match="missing column"):
        read(tmp_path, "09:00,done\n", header="time,event\n")


def test_an_outcome_only_on_done(tmp_path):
    header = HEADER.strip() + ",outcome\n"
    events = read(tmp_path, "09:40,done,G1,A1,,,,ptp\n", header=header)
    assert events[0].outcome == "ptp"
    with pytest.raises(InputError, match="column 'outcome'"):
        read(tmp_path, "09:40,late,G1,,5,,,paid\n", header=header)
