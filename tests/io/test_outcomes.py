import datetime as dt

import pytest

from visitplan.errors import InputError
from visitplan.history import OUTCOMES
from visitplan.io.outcomes import read_outcomes

GOOD = ("account_id,agent_id,visited_at,outcome,promise_amount,promise_date,notes\n"
        "A1,G1,2026-11-30T19:05,not_home,,,\n"
        "A2,G1,2026-11-30 19:40,PTP,500,2026-12-03,will pay after salary\n")


def test_good_rows(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(GOOD)
    good, issues, bad = read_outcomes(path, OUTCOMES)
    assert issues == [] and bad.empty
    assert good[0]["visited_at"] == dt.datetime(2026, 11, 30, 19, 5)
    assert good[1]["outcome"] == "ptp" and good[1]["promise_date"] == dt.date(2026, 12, 3)


def test_bad_rows_are_kept_apart_with_row_and_column(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(GOOD + "A3,G1,yesterday,not_home,,,\n"
                           "A4,G1,2026-11-30T20:00,ptp,,,\n"
                           "A5,,2026-11-30T20:10,moved_away,-5,,\n")
    good, issues, bad = read_outcomes(path, OUTCOMES)
    assert len(good) == 2 and list(bad["row"]) == [3, 4, 5]
    text = [str(i) for i in issues]
    assert any("row 3 (line 4), column 'visited_at'" in t for t in text)
    assert any("row 4 (line 5), column 'promise_date'" in t and "needs its date" in t for t in text)
    assert any("column 'outcome'" in t and "is not one of paid" in t for t in text)
    assert not any("moved_away" in t for t in text)  # cells are described, never quoted
    assert any("column 'agent_id'" in t for t in text)


def test_missing_columns(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("account_id,outcome\nA1,paid\n")
    with pytest.raises(InputError, match="visited_at"):
        read_outcomes(path, OUTCOMES)
