"""The audit log explains every account from the files alone."""

import datetime as dt
import json

import visitplan as vp
from visitplan.history import HistoryStore

from ..conftest import DATE, account, agent, problem, solve_checked


def read(folder):
    return [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]


def test_every_account_has_an_entry_with_rules_and_decision(tmp_path):
    prob = problem([account(1, balance=5000, days_past_due=40, name="王伟", phone="13800001111"),
                    account(2, status="dispute"), account(3, windows="Sat 09:00-12:00"),
                    account(4, priority=2)], [agent(1)])
    plan = solve_checked(prob)
    entries = read(vp.write_plan(plan, tmp_path / "plan", prob))
    assert [e["account_id"] for e in entries] == ["A1", "A2", "A3", "A4"]
    by_id = {e["account_id"]: e for e in entries}
    assert by_id["A1"]["decision"]["visited"] and by_id["A1"]["decision"]["agent_id"] == "G1"
    assert by_id["A1"]["priority_source"] == "score"
    assert by_id["A1"]["score_terms"]["bucket"] == 0.5  # 40 days past due: M2
    assert by_id["A2"]["decision"] == {"visited": False, "reason": "DO_NOT_VISIT",
                                       "detail": "status 'dispute' must not be visited"}
    assert by_id["A3"]["decision"]["reason"] == "NO_WINDOW_TODAY"
    assert by_id["A4"]["priority_source"] == "input" and "score_terms" not in by_id["A4"]
    for entry in entries:
        rules = {r["rule"] for r in entry["rules"]}
        assert {"do_not_visit", "cool_down", "visit_cap_7d", "visit_cap_30d", "window_today"} <= rules
    text = (tmp_path / "plan" / "audit.jsonl").read_text()
    assert "王伟" not in text and "13800001111" not in text


def test_why_was_this_borrower_visited_twice_this_week(tmp_path):
    """A supervisor's question, answered from audit.jsonl alone."""
    store = HistoryStore(tmp_path / "h.db", create=True)
    store.add_outcomes([{"account_id": "A1", "agent_id": "G1", "outcome": "ptp",
                         "visited_at": dt.datetime.combine(DATE - dt.timedelta(days=4), dt.time(19)),
                         "promise_amount": 500.0, "promise_date": DATE, "notes": None}])
    accounts, agents = [account(1)], [agent(1)]
    import pandas as pd
    prob = vp.enrich(vp.read_frames(pd.DataFrame(accounts), pd.DataFrame(agents), date=DATE),
                     store)
    plan = solve_checked(prob)
    (entry,) = read(vp.write_plan(plan, tmp_path / "plan", prob))
    assert entry["decision"]["visited"]
    rules = {r["rule"]: r for r in entry["rules"]}
    assert rules["visit_cap_7d"]["passed"]
    assert rules["visit_cap_7d"]["detail"] == "1 visit(s) in the last 7 days; the cap is 2"
    assert "4 day(s) ago" in rules["cool_down"]["detail"]
    assert "promise to pay due today -> must visit" in entry["history"]
    assert entry["must_visit"] is True


def test_rejected_rows_are_in_the_audit(tmp_path):
    import pandas as pd
    frame = pd.DataFrame([account(1), {"account_id": "A2", "lat": "north", "lon": 121.0}])
    prob = vp.read_frames(frame, pd.DataFrame([agent(1)]), date=DATE, skip_bad_rows=True)
    plan = solve_checked(prob)
    entries = {e["account_id"]: e for e in read(vp.write_plan(plan, tmp_path / "p", prob))}
    assert entries["A2"]["decision"]["reason"] == "BAD_COORDINATES"
