"""Outcomes change tomorrow's plan as the policy says."""

import datetime as dt

import pytest

import visitplan as vp
from visitplan.history import HistoryStore, apply_history

from ..conftest import DATE, account, agent, problem, solve_checked

YESTERDAY = DATE - dt.timedelta(days=1)


def at(day: dt.date, clock: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(clock))


def seen(store, account_id, when, outcome, agent_id="G1", **extra):
    store.add_outcomes([{"account_id": account_id, "agent_id": agent_id, "visited_at": when,
                         "outcome": outcome, "promise_amount": extra.get("amount"),
                         "promise_date": extra.get("promise_date"), "notes": None}])


@pytest.fixture
def store(store_url):
    return HistoryStore(store_url, create=True)


def test_caps_and_cool_down_count_real_visits(store):
    for days_ago in (3, 10, 20, 25):
        seen(store, "A1", at(DATE - dt.timedelta(days=days_ago), "19:00"), "refused")
    seen(store, "A2", at(YESTERDAY, "19:00"), "refused")
    prob = apply_history(problem([account(1, visits_30d=1), account(2), account(3)], [agent(1)]),
                         store)
    a1, a2, _ = prob.accounts
    assert (a1.visits_7d, a1.visits_30d, a1.last_visit) == (1, 4, DATE - dt.timedelta(days=3))
    assert a2.last_visit == YESTERDAY
    plan = solve_checked(prob)
    reasons = plan.unassigned.set_index("account_id")["reason"].to_dict()
    assert reasons == {"A1": "VISIT_CAP_30D", "A2": "COOL_DOWN"}
    assert any("4 visit(s) in the last 30 days (the input said 1)" in n
               for n in prob.notes["A1"])


def test_promise_due_today_becomes_must_visit_and_broken_promise_escalates(store):
    seen(store, "A1", at(DATE - dt.timedelta(days=5), "19:00"), "ptp", amount=800.0,
         promise_date=DATE)
    seen(store, "A2", at(DATE - dt.timedelta(days=9), "19:00"), "ptp", promise_date=YESTERDAY)
    seen(store, "A3", at(DATE - dt.timedelta(days=9), "19:00"), "ptp", promise_date=YESTERDAY)
    seen(store, "A3", at(DATE - dt.timedelta(days=4), "12:00"), "paid")  # kept
    prob = apply_history(problem([account(i) for i in (1, 2, 3)], [agent(1)]), store)
    a1, a2, a3 = prob.accounts
    assert a1.must_visit and a1.promise_date == DATE and a1.promise_amount == 800.0
    assert a2.broken_promises == 1 and not a2.must_visit
    assert a3.broken_promises == 0
    plan = solve_checked(prob, time_limit=1)
    assert "A2" in set(plan.unassigned["account_id"])  # G1 is no senior: escalated to one
    assert plan.unassigned.set_index("account_id").loc["A2", "reason"] == "NO_SKILLED_AGENT"
    senior = solve_checked(apply_history(problem([account(2)], [agent(1, skills="senior")]), store))
    assert list(senior.routes["account_id"]) == ["A2"]


def test_not_home_streak_moves_the_visit_to_another_window(store):
    for days_ago in (9, 2):  # one of them inside 7 days: under the 7-day cap of 2
        seen(store, "A1", at(DATE - dt.timedelta(days=days_ago), "12:30"), "not_home")
    prob = problem([account(1, windows="Mon-Fri 12:00-13:30; Mon-Fri 18:00-20:30")],
                   [agent(1, shift_start="09:00", shift_end="21:00")])
    before = solve_checked(prob)
    after_prob = apply_history(prob, store)
    (changed,) = after_prob.accounts
    assert [(w.start, w.end) for w in changed.windows] == [(1080, 1230)]
    assert changed.not_home_streak == 2
    after = solve_checked(after_prob)
    assert after.visits[0].start.hour >= 18
    assert before.visits[0].start.hour in (12, 13, 18, 19, 20)


def test_not_home_on_an_any_time_account_avoids_that_time(store):
    for days_ago in (3, 1):
        seen(store, "A1", at(DATE - dt.timedelta(days=days_ago), "10:00"), "not_home")
    (changed,) = apply_history(problem([account(1)], [agent(1)]), store).accounts
    spans = [(w.start, w.end) for w in changed.windows]
    assert spans == [(0, 540), (660, 1440)]  # 09:00-11:00 avoided


def test_single_window_is_kept_and_said(store):
    for days_ago in (3, 1):
        seen(store, "A1", at(DATE - dt.timedelta(days=days_ago), "19:00"), "not_home")
    prob = apply_history(problem([account(1, windows="18:00-21:00")], [agent(1)]), store)
    assert prob.accounts[0].windows[0].start == 1080
    assert "no other window today" in prob.notes["A1"][-1]


def test_continuity_prefers_the_agent_who_met_the_borrower(store):
    seen(store, "A1", at(DATE - dt.timedelta(days=10), "19:00"), "refused", agent_id="G2")
    seen(store, "A1", at(DATE - dt.timedelta(days=3), "19:00"), "not_home", agent_id="G1")
    prob = apply_history(problem([account(1, 0.002, 0)], [agent(1), agent(2)]), store)
    assert prob.accounts[0].preferred_agent == "G2"
    plan = solve_checked(prob)
    assert plan.routes.loc[0, "agent_id"] == "G2"


def test_outcomes_feed_tomorrows_plan_end_to_end(store_url, tmp_path):
    """Day 1 is planned and recorded; outcomes come back; day 2 differs as the rules say."""
    accounts = [account(1, 0.004, 0, windows="Mon-Fri 12:00-13:30; Mon-Fri 18:00-20:30"),
                account(2, 0.008, 0), account(3, 0, 0.006)]
    agents = [agent(1, shift_start="09:00", shift_end="21:00"), agent(2)]
    store = HistoryStore(store_url, create=True)
    day1 = DATE - dt.timedelta(days=7)
    plan1 = solve_checked(problem(accounts, agents, date=day1))
    run_id = store.record_plan(plan1)
    assert len(store.planned(run_id)) == 3
    day2 = DATE
    seen(store, "A1", at(day1, "12:30"), "not_home")
    seen(store, "A1", at(day1 + dt.timedelta(days=2), "13:00"), "not_home")
    seen(store, "A2", at(day1, "10:00"), "ptp", agent_id="G2", amount=300.0, promise_date=day2)
    seen(store, "A3", at(day2 - dt.timedelta(days=1), "10:00"), "refused")
    prob2 = vp.enrich(vp.read_frames(*_frames(accounts, agents), date=day2), store)
    plan2 = solve_checked(prob2)
    routes = plan2.routes.set_index("account_id")
    assert routes.loc["A1", "start"].hour >= 18               # lunch window avoided
    assert prob2.account("A2").must_visit and routes.loc["A2", "agent_id"] == "G2"
    assert plan2.unassigned.set_index("account_id").loc["A3", "reason"] == "COOL_DOWN"


def _frames(accounts, agents):
    import pandas as pd
    return pd.DataFrame(accounts), pd.DataFrame(agents)


def test_docs_and_code_agree_on_which_promise_makes_a_visit_must(store):
    """Only a promise due today is must-visit; an overdue one is broken (pinned above)."""
    from pathlib import Path

    from visitplan.policy import HistoryRules

    words = HistoryRules.model_fields["promise_due_must_visit"].description
    assert "due today" in words and "not must-visit" in words
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "a promise due today and not yet paid makes the account must-visit" in readme
    seen(store, "A1", at(DATE - dt.timedelta(days=9), "19:00"), "ptp",
         promise_date=DATE - dt.timedelta(days=2))
    (a1,) = apply_history(problem([account(1)], [agent(1)]), store).accounts
    assert not a1.must_visit and a1.broken_promises == 1


def test_not_home_times_are_compared_in_clock_units(store):
    """A problem counted in 30-second clock units: 19:00 is unit 2280, not 1140."""
    for days in (3, 10):
        seen(store, "A1", at(DATE - dt.timedelta(days=days), "19:00"), "not_home")
        seen(store, "A2", at(DATE - dt.timedelta(days=days), "19:00"), "not_home")
    prob = problem([account(1, windows="12:00-13:00; 18:00-21:00"), account(2)], [agent(1)])
    doubled = tuple(a.model_copy(update={"windows": tuple(
        w.model_copy(update={"start": 2 * w.start, "end": 2 * w.end}) for w in a.windows)})
        for a in prob.accounts)
    half_minutes = prob.model_copy(update={"accounts": doubled, "time_unit_s": 30.0})
    a1, a2 = apply_history(half_minutes, store).accounts
    assert [(w.start, w.end) for w in a1.windows] == [(1440, 1560)]  # the evening avoided
    # No windows: the day minus an hour either side of 19:00, in half-minutes.
    assert [(w.start, w.end) for w in a2.windows] == [(0, 2160), (2400, 2880)]


def test_route_shift_minutes_are_real_minutes():
    """Clock units of 30 s: a 09:00-18:00 shift is 1080 units, 540 real minutes."""
    index = {"A1": 1, "start:G1": 0, "end:G1": 0}
    prob = problem([account(1)], [agent(1)], travel=vp.Matrix([[0, 60], [60, 0]], index))
    scaled = prob.model_copy(update={
        "time_unit_s": 30.0,
        "agents": tuple(a.model_copy(update={"shift_start": 2 * a.shift_start,
                                             "shift_end": 2 * a.shift_end})
                        for a in prob.agents),
        "accounts": tuple(a.model_copy(update={"service_min": 2 * a.service_min})
                          for a in prob.accounts)})
    plan = vp.solve(scaled, time_limit=1, solution_limit=5)
    (route,) = plan.agent_routes
    assert route.shift_minutes == 540
    (agent_row,) = plan.kpis["agents"]
    assert agent_row["visit_min"] == 20  # 40 half-minute units of service
