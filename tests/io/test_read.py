import pandas as pd
import pytest

import visitplan as vp
from visitplan.errors import InputError
from visitplan.io.read import read_table

from ..conftest import DATE

ACCOUNTS = ("account_id,lat,lon,name,windows,priority\n"
            "A1,31.23,121.47,张三,Mon-Fri 18:30-21:00,3\n"
            "A2,31.24,121.48,李四,,\n")
AGENTS = "agent_id,start_lat,start_lon,break\nG1,31.23,121.47,12:00-14:00/45\n"


def write(tmp_path, accounts=ACCOUNTS, agents=AGENTS, encoding="utf-8"):
    a, g = tmp_path / "accounts.csv", tmp_path / "agents.csv"
    a.write_bytes(accounts.encode(encoding))
    g.write_text(agents, encoding="utf-8")
    return a, g


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, encoding):
    a, g = write(tmp_path, encoding=encoding)
    problem = vp.read_csv(a, g, date=DATE)
    assert [x.account_id for x in problem.accounts] == ["A1", "A2"]
    assert problem.accounts[0].name == "张三"


def test_columns_are_case_insensitive_and_trimmed(tmp_path):
    a, g = write(tmp_path, accounts=" Account_ID , LAT,Lon \nA1, 31.2 ,121.4\n")
    problem = vp.read_csv(a, g, date=DATE)
    assert problem.accounts[0].lat == 31.2


def test_defaults_and_parsing(tmp_path):
    a, g = write(tmp_path)
    problem = vp.read_csv(a, g, date=DATE)
    first, second = problem.accounts
    assert first.priority == 3 and second.priority == 1  # empty cell -> default
    assert first.service_min == 20
    assert first.windows_on(1) == [(1110, 1260)] and first.windows_on(5) == []
    assert second.windows_on(5) == [(0, 1440)]
    assert problem.agents[0].break_rule.duration == 45
    assert problem.agents[0].days == frozenset(range(5))


def test_priority_defaults_to_one_without_the_column(tmp_path):
    a, g = write(tmp_path, accounts="account_id,lat,lon\nA1,31.2,121.4\n")
    assert vp.read_csv(a, g, date=DATE).accounts[0].priority == 1


@pytest.mark.parametrize("accounts, row, column, words", [
    ("account_id,lat\nA1,31.2\n", None, "lon", "missing"),
    ("account_id,lat,lon\nA1,31.2,121.4\nA2,abc,121.4\n", 2, "lat", "expected a number"),
    ("account_id,lat,lon\nA1,31.2,121.4\nA1,31.3,121.4\n", 2, "account_id", "duplicate"),
    ("account_id,lat,lon\nA1,91.5,121.4\n", 1, "lat", "90"),
    ("account_id,lat,lon,windows\nA1,31.2,121.4,18:00-2100\n", 1, "windows", "HH:MM"),
    ("account_id,lat,lon,must_visit\nA1,31.2,121.4,maybe\n", 1, "must_visit", "true or false"),
    ("account_id,lat,lon,last_visit\nA1,31.2,121.4,2026/11/01\n", 1, "last_visit", "date"),
    ("account_id,lat,lon\nA1,,121.4\n", 1, "lat", "empty"),
])
def test_bad_accounts_name_row_and_column(tmp_path, accounts, row, column, words):
    a, g = write(tmp_path, accounts=accounts)
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    text = str(info.value)
    assert "accounts.csv" in text and f"column '{column}'" in text and words in text
    if row is not None:
        assert f"row {row} (line {row + 1})" in text


def test_all_problems_are_reported_together(tmp_path):
    a, g = write(tmp_path, accounts="account_id,lat,lon\nA1,x,121.4\nA2,31.2,y\n")
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    assert len(info.value.problems) == 2


def test_personal_values_are_never_echoed(tmp_path):
    a, g = write(tmp_path, accounts="account_id,lat,lon,phone\nA1,31.2,121.4,13800001111\n"
                                    "A1,31.2,121.4,13900002222\n")
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    assert "1380000" not in str(info.value) and "1390000" not in str(info.value)


def test_skip_bad_rows_keeps_them_as_unassigned(tmp_path):
    a, g = write(tmp_path, accounts="account_id,lat,lon,windows\nA1,31.2,121.4,\n"
                                    "A2,x,121.4,\nA3,31.2,121.4,25:00-26:00\n")
    problem = vp.read_csv(a, g, date=DATE, skip_bad_rows=True)
    assert [x.account_id for x in problem.accounts] == ["A1"]
    reasons = {u.account_id: u.reason for u in problem.rejected}
    assert reasons == {"A2": vp.Reason.BAD_COORDINATES, "A3": vp.Reason.BAD_DATA}


@pytest.mark.parametrize("agents, column", [
    ("agent_id,start_lat,start_lon,shift_start\nG1,31.2,121.4,9am\n", "shift_start"),
    ("agent_id,start_lat,start_lon,break\nG1,31.2,121.4,12:00-14:00\n", "break"),
    ("agent_id,start_lat,start_lon,days\nG1,31.2,121.4,Weekdays\n", "days"),
    ("agent_id,start_lat,start_lon,shift_start,shift_end\nG1,31.2,121.4,18:00,09:00\n", None),
    ("agent_id,start_lat,start_lon\nG1,31.2,121.4\nG1,31.2,121.4\n", "agent_id"),
])
def test_bad_agents(tmp_path, agents, column):
    a, g = write(tmp_path, agents=agents)
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    assert "agents.csv" in str(info.value)
    if column:
        assert f"column '{column}'" in str(info.value)


def test_undecodable_and_empty_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x81\x30\xff")
    with pytest.raises(InputError, match="UTF-8"):
        read_table(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_table(empty)
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_from_frames_accepts_typed_columns():
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "lat": [31.2, 31.3], "lon": [121.4, 121.5],
                             "days_past_due": [10.0, float("nan")],
                             "last_visit": pd.to_datetime(["2026-11-20", None]),
                             "must_visit": [True, False]})
    agents = pd.DataFrame({"agent_id": ["G1"], "start_lat": [31.2], "start_lon": [121.4]})
    problem = vp.read_frames(accounts, agents, date=DATE)
    first, second = problem.accounts
    assert first.days_past_due == 10 and second.days_past_due is None
    assert str(first.last_visit) == "2026-11-20" and second.last_visit is None
    assert first.must_visit and not second.must_visit


def test_visit_longer_than_a_day_names_the_accounts_file(tmp_path):
    a, g = write(tmp_path, accounts="account_id,lat,lon,service_min\nA1,31.2,121.4,1500\n")
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    text = str(info.value)
    assert "accounts.csv" in text and "row 1" in text and "column 'service_min'" in text
    assert "between 1 and 1,440" in text


@pytest.mark.parametrize("column, value", [
    ("priority", "1e308"), ("priority", "1e15"), ("priority", "-1"), ("balance", "1e308"),
    ("service_min", "100000"), ("load", "1e12"), ("visits_30d", "1e9"),
])
def test_numbers_out_of_range_name_row_and_column(tmp_path, column, value):
    a, g = write(tmp_path, accounts=f"account_id,lat,lon,{column}\nA1,31.2,121.4,1\n"
                                    f"A2,31.2,121.4,{value}\n")
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    text = str(info.value)
    assert f"row 2 (line 3), column '{column}'" in text and "out of range" in text
    assert value not in text.replace(str(tmp_path), "")  # described, not quoted


@pytest.mark.parametrize("agents, row, column, words", [
    ("agent_id,start_lat,start_lon,shift_start,shift_end\nG1,31.2,121.4,18:00,09:00\n",
     1, "shift_end", "shift ends before it starts"),
    ("agent_id,start_lat,start_lon,pair_with\nG1,31.2,121.4,\nG2,31.2,121.4,G9\n",
     2, "pair_with", "unknown agent 'G9'"),
    ("agent_id,start_lat,start_lon,pair_with\nG1,31.2,121.4,G2\nG2,31.2,121.4,G1\n",
     2, "pair_with", "more than one pair"),
    ("agent_id,start_lat,start_lon,speed_kmh\nG1,31.2,121.4,1e9\n", 1, "speed_kmh",
     "out of range"),
    ("agent_id,start_lat,start_lon\n../../etc,31.2,121.4\n", 1, "agent_id", "cannot contain"),
])
def test_agent_rules_name_row_and_column(tmp_path, agents, row, column, words):
    a, g = write(tmp_path, agents=agents)
    with pytest.raises(InputError) as info:
        vp.read_csv(a, g, date=DATE)
    text = str(info.value)
    assert f"agents.csv, row {row} (line {row + 1}), column '{column}'" in text and words in text


@pytest.mark.parametrize("column", ["last_visit", "last_contact"])
def test_a_last_visit_after_the_planning_date_is_bad_input(tmp_path, column):
    a, g = write(tmp_path, accounts=f"account_id,lat,lon,{column}\nA1,31.2,121.4,2026-12-05\n")
    with pytest.raises(InputError, match=f"row 1 \\(line 2\\), column '{column}': is after"):
        vp.read_csv(a, g, date=DATE)
    problem = vp.read_csv(a, g, date=DATE, skip_bad_rows=True)
    (rejected,) = problem.rejected
    assert rejected.reason == "BAD_DATA" and column in rejected.detail
    assert vp.read_csv(a, g, date="2026-12-05").accounts  # on or before the date: fine
