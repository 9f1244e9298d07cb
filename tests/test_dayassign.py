"""The day-assignment stage: a linear programme over the days, hours and agents left."""

import datetime as dt
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visitplan import dayassign
from visitplan import horizon as H
from visitplan.compliance import prepare, screen

from .conftest import DATE, account, agent, problem

D = [DATE + dt.timedelta(days=k) for k in range(5)]  # Tue 1 Dec .. Sat 5 Dec


def days_of(prob, count):
    return [H.day_problem(prob, date, D[count - 1], {}, aware=False) for date in D[:count]]


def test_an_agents_cap_holds_across_its_hours():
    # One agent, 09:00-21:00, two visits a day; four accounts home all day, one at 5 and
    # three at 4. Over two days the programme visits all four: A1 and one more today.
    accounts = [account(1, windows="09:00-21:00", priority=5)]
    accounts += [account(i, 0.001 * i, windows="09:00-21:00", priority=4) for i in (2, 3, 4)]
    prob = problem(accounts, [agent(1, shift_start="09:00", shift_end="21:00", max_visits=2)])
    advice = dayassign.assign(days_of(prob, 2), 0.02)
    assert "A1" in advice.today and len(advice.today) == 2 and len(advice.later) == 2
    assert advice.served == {"A1", "A2", "A3", "A4"}


def test_hours_hold_the_visits_their_agents_have_time_for():
    # One agent 18:00-19:00, no cap: an hour holds one 30-minute visit and its 20-minute
    # travel guess, not two. The account at 5 is seen today, the one at 4 tomorrow.
    accounts = [account(1, windows="18:00-19:00", priority=5, service_min=30),
                account(2, 0.001, windows="18:00-19:00", priority=4, service_min=30)]
    prob = problem(accounts, [agent(1, shift_start="18:00", shift_end="19:00")])
    advice = dayassign.assign(days_of(prob, 2), 0.02)
    assert advice.today == {"A1"} and advice.later == {"A2"}


def test_a_programme_not_solved_gives_no_advice_and_says_so(monkeypatch, caplog):
    class Failed:
        status, message, x = 1, "Time limit reached", None

    monkeypatch.setattr(dayassign, "linprog", lambda *a, **k: Failed())
    prob = problem([account(1, windows="09:00-17:00")], [agent(1)])
    with caplog.at_level(logging.WARNING, logger="visitplan.dayassign"):
        assert dayassign.assign(days_of(prob, 2), 0.02) is None
    assert "not solved" in caplog.text
    horizon = H.plan_horizon(prob, 2, time_limit=2, seed=0)  # planned without the advice
    assert [v.account_id for v in horizon.visits] == ["A1"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 6), st.booleans(), st.integers(1, 9),
                          st.sampled_from(["", "do_not_visit"])), min_size=1, max_size=12),
       st.lists(st.integers(1, 3), min_size=1, max_size=3), st.integers(1, 4))
def test_the_advice_keeps_caps_and_eligibility(rows, caps, count):
    accounts = [account(i, 0.002 * x, windows="18:00-20:00" if evening else "09:00-17:00",
                        priority=priority, status="dispute" if hold else "")
                for i, (x, evening, priority, hold) in enumerate(rows)]
    agents = [agent(k, days="Mon-Sun", shift_start="09:00", shift_end="20:00", max_visits=cap)
              for k, cap in enumerate(caps)]
    prob = problem(accounts, agents)
    days = days_of(prob, count)
    advice = dayassign.assign(days, 0.02)
    assert not advice.today & advice.later  # one visit at most
    assert len(advice.today) <= sum(caps)
    assert len(advice.served) <= sum(caps) * count
    eligible = {a.account_id for a in screen(prepare(days[0]))[0]}
    assert advice.today <= eligible  # never a held account, nor one not home today
    held = {a["account_id"] for a in accounts if a["status"]}
    assert not advice.served & held


def test_a_fractional_programme_is_rounded_within_the_visits_it_makes(monkeypatch):
    """Hypothesis found programmes whose optimum splits visits in halves: three visits
    as six half visits today (six accounts advised for an agent capped at three), and
    accounts half today and half later (advised for both)."""
    rows = [(0, False, p, "") for p in (1, 2, 4, 2, 2, 1)]
    accounts = [account(i, 0.002 * x, windows="09:00-17:00", priority=p)
                for i, (x, _, p, _) in enumerate(rows)]
    prob = problem(accounts, [agent(0, days="Mon-Sun", shift_start="09:00",
                                    shift_end="20:00", max_visits=3)])
    days = days_of(prob, 3)
    columns = dayassign._columns([dayassign.prepare(d) for d in days])
    # The LP's answer as HiGHS may give it: every account half today, half on day 2.
    halves = [0.5 if k in (0, 1) and s == 9 else 0.0 for (_, k, s, _, _) in columns]
    monkeypatch.setattr(dayassign, "_solve", lambda *a, **k: halves)
    advice = dayassign.assign(days, 0.02)
    assert not advice.today & advice.later
    assert len(advice.today) == 3 and len(advice.later) == 3  # 3 visits each, in halves
    # the larger shares first, then account ids: the same advice on every run
    assert advice.today == {"A0", "A1", "A2"}
