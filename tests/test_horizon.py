"""Planning a week: due dates, earliest dates, off dates, the cadence; against rolling daily."""

import datetime as dt
import json

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import visitplan as vp
from visitplan import horizon as H
from visitplan.dayassign import assign
from visitplan.horizon import plan_horizon
from visitplan.plan import Reason
from visitplan.validation import HORIZON_CODES, validate_horizon

from .conftest import DATE, account, agent, problem
from .test_cli import run

D = [DATE + dt.timedelta(days=k) for k in range(5)]  # Tue 1 Dec .. Sat 5 Dec


def checked(prob, days, **kw):
    horizon = plan_horizon(prob, days, time_limit=kw.pop("time_limit", 2 * days), seed=0,
                           **kw)
    violations = validate_horizon(prob, horizon)
    assert violations == [], [str(v) for v in violations]
    visited = [v.account_id for v in horizon.visits]
    gone = [u.account_id for u in horizon.unassigned]
    assert sorted(set(visited) | set(gone)) == sorted(a.account_id for a in prob.accounts)
    assert not set(visited) & set(gone) and len(gone) == len(set(gone))
    return horizon


def test_dates_due_earliest_and_off_are_kept():
    accounts = [account(1, windows="09:00-17:00", due_date=D[1].isoformat()),
                account(2, 0.002, windows="09:00-17:00", earliest_date=D[2].isoformat()),
                account(3, 0.004, windows="Sat 09:00-12:00", due_date=D[1].isoformat()),
                account(4, 0.006, windows="09:00-17:00", must_visit="true",
                        earliest_date=D[1].isoformat())]
    agents = [agent(1, off_dates=D[0].isoformat(), days="Mon-Sat"),
              agent(2, off_dates=f"{D[1]};{D[2]}", days="Mon-Sat")]
    horizon = checked(problem(accounts, agents), 4)
    on = {v.account_id: v.date for v in horizon.visits}
    assert on["A1"] <= D[1] and on["A2"] >= D[2]
    assert on["A4"] == D[1]  # must-visit: the first day that can take it
    reasons = {u.account_id: u for u in horizon.unassigned}
    assert reasons["A3"].reason == Reason.MISSED_DUE_DATE and "no availability" in \
        reasons["A3"].detail  # due Wednesday, home on Saturdays only
    by_day = {p.date: {r.agent_id for r in p.agent_routes} for p in horizon.plans}
    assert "G1" not in by_day[D[0]] and "G2" not in by_day[D[1]] | by_day[D[2]]


def two_worth_five_and_one_due_today(visits_a_day):
    """A1 and A2 (priority 5) and A3 (priority 2, due on the first day), all home 9-10;
    one agent working 9-10 with room for ``visits_a_day`` visits."""
    accounts = [account(1, windows="09:00-10:00", priority=5),
                account(2, 0.001, windows="09:00-10:00", priority=5),
                account(3, 0.002, windows="09:00-10:00", priority=2, due_date=D[0].isoformat())]
    return problem(accounts, [agent(1, shift_start="09:00", shift_end="10:00",
                                    max_visits=visits_a_day)])


def test_the_horizon_keeps_a_due_date_rolling_daily_misses():
    # Day 1: one agent, room for two visits, three accounts. A1 and A2 are worth more,
    # but A3 is due today (2 x 3 on its due date > 5); A1 and A2 can wait until tomorrow.
    prob = two_worth_five_and_one_due_today(visits_a_day=2)
    aware = checked(prob, 2)
    rolling = checked(prob, 2, aware=False)
    assert aware.missed_due() == [] and rolling.missed_due() == ["A3"]
    assert {v.account_id for v in aware.visits} == {"A1", "A2", "A3"}


def test_an_account_home_only_today_goes_first_when_another_can_wait():
    # Tuesday and Wednesday, one visit a day. A1 (priority 3) is home on Tuesdays only, A2
    # (priority 4) on both days. Rolling daily takes A2 on Tuesday and finds nobody home for
    # Wednesday; the horizon knows Tuesday is A1's last chance and serves both.
    accounts = [account(1, windows="Tue 09:00-10:00", priority=3),
                account(2, 0.001, windows="09:00-10:00", priority=4)]
    agents = [agent(1, shift_start="09:00", shift_end="10:00", max_visits=1)]
    prob = problem(accounts, agents)
    assert H.last_chances(prob, D[:2]) == {"A1": D[0], "A2": D[1]}
    aware = checked(prob, 2)
    assert {v.account_id: v.date for v in aware.visits} == {"A1": D[0], "A2": D[1]}
    assert not any(a.must_visit for a in aware.problems[0].accounts)  # weighed, not forced
    rolling = checked(prob, 2, aware=False)
    assert [v.account_id for v in rolling.visits] == ["A2"]
    assert aware.priority_served(prob) == 7 > rolling.priority_served(prob) == 4


def test_no_chance_is_listed_for_an_account_never_home_in_the_horizon():
    accounts = [account(1, windows="Sun 09:00-10:00"), account(2, 0.001)]
    off = agent(1, off_dates=D[1].isoformat())
    prob = problem(accounts, [off])
    assert H.last_chances(prob, D[:3]) == {"A2": D[2]}  # A1 only Sundays; D[1] nobody works
    assert H.last_chances(prob, D[1:2]) == {}


def test_a_due_account_below_the_weeks_bar_does_not_take_a_more_urgent_slot():
    # Two days, one visit a day: the week holds two visits, A1 and A2 (priority 5).
    # A3 (priority 2, due on day 1) would weigh 2 x 3 = 6 > 5 on its due date; the day
    # assignment does not visit it, so it is not pushed in, and the week serves A1 and A2.
    prob = two_worth_five_and_one_due_today(visits_a_day=1)
    assert H.advise(prob, D[:2], {}).served == {"A1", "A2"}
    horizon = checked(prob, 2)
    assert {v.account_id for v in horizon.visits} == {"A1", "A2"}
    assert horizon.missed_due() == ["A3"]
    assert horizon.priority_served(prob) == 10


def test_a_second_visit_waits_for_the_cool_down():
    prob = problem([account(1, windows="09:00-17:00", priority=9)],
                   [agent(1, days="Mon-Sun")],
                   policy=vp.Policy().model_copy(update={"horizon": vp.Policy().horizon
                                                         .model_copy(update={
                                                             "max_visits_per_account": 2})}))
    horizon = checked(prob, 5)
    days = sorted(v.date for v in horizon.visits)
    assert len(days) == 2 and (days[1] - days[0]).days >= prob.policy.min_days_between_visits


def test_the_validator_catches_planted_horizon_faults():
    accounts = [account(1, windows="09:00-17:00", due_date=D[0].isoformat()),
                account(2, 0.002, windows="09:00-17:00", earliest_date=D[1].isoformat())]
    prob = problem(accounts, [agent(1, off_dates=D[1].isoformat()), agent(2, start_lat=31.24)])
    horizon = checked(prob, 2)
    assert {v.account_id: v.date for v in horizon.visits} == {"A1": D[0], "A2": D[1]}
    # move every visit to the other day: after A1's due date, before A2's earliest date,
    # and G1 onto their off date (if G1 had day 1's visit)
    swapped = []
    for plan in horizon.plans:
        shift = dt.timedelta(days=1 if plan.date == D[0] else -1)
        routes = tuple(r.model_copy(update={"date": r.date + shift, "visits": tuple(
            v.model_copy(update={"date": v.date + shift, "arrival": v.arrival + shift,
                                 "start": v.start + shift, "end": v.end + shift})
            for v in r.visits)}) for r in plan.agent_routes)
        swapped.append(plan.model_copy(update={"date": plan.date + shift,
                                               "agent_routes": routes}))
    bad = type(horizon)(start=horizon.start, plans=tuple(reversed(swapped)),
                        problems=horizon.problems, unassigned=horizon.unassigned)
    codes = {v.code for v in validate_horizon(prob, bad)}
    assert {"DUE_DATE", "EARLIEST_DATE"} <= codes
    assert ("OFF_DATE" in codes) == any(r.agent_id == "G1" for r in horizon.plans[0]
                                        .agent_routes)
    twice = type(horizon)(start=horizon.start, plans=horizon.plans + horizon.plans[:1],
                          problems=horizon.problems + horizon.problems[:1],
                          unassigned=horizon.unassigned)
    assert "HORIZON_VISITS" in {v.code for v in validate_horizon(prob, twice)}
    unsaid = type(horizon)(start=horizon.start, plans=(horizon.plans[1],),
                           problems=(horizon.problems[1],), unassigned=tuple(
                               vp.Unassigned(account_id="A1", reason=Reason.CAPACITY,
                                             detail="x") for _ in [0]))
    assert "MISSED_NOT_SAID" in {v.code for v in validate_horizon(prob, unsaid)}
    assert set(HORIZON_CODES) >= {"DUE_DATE", "EARLIEST_DATE", "OFF_DATE", "HORIZON_VISITS",
                                  "MISSED_NOT_SAID"}


DAYS = st.integers(0, 4)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8), st.one_of(st.none(), DAYS),
                          st.one_of(st.none(), DAYS), st.booleans(), st.integers(1, 9)),
                min_size=1, max_size=9),
       st.lists(st.one_of(st.none(), DAYS), min_size=1, max_size=3), st.integers(1, 4))
def test_random_small_horizons_validate(rows, offs, days):
    accounts = []
    for i, (x, y, due, earliest, evening, priority) in enumerate(rows):
        fields = {"windows": "18:00-20:00" if evening else "09:00-17:00",
                  "priority": priority}
        if due is not None:
            fields["due_date"] = D[due].isoformat()
        if earliest is not None:
            fields["earliest_date"] = D[earliest].isoformat()
        accounts.append(account(i, 0.003 * x, 0.003 * y, **fields))
    agents = [agent(k, days="Mon-Sun", shift_start="09:00", shift_end="20:00", max_visits=3,
                    **({"off_dates": D[off].isoformat()} if off is not None else {}))
              for k, off in enumerate(offs)]
    prob = problem(accounts, agents)
    horizon = checked(prob, days, time_limit=days)
    last = D[days - 1]
    visited = {v.account_id: v.date for v in horizon.visits}
    reasons = {u.account_id: u.reason for u in horizon.unassigned}
    for a in prob.accounts:
        if a.due_date and a.due_date <= last:  # due dates kept or reported
            assert (a.account_id in visited and visited[a.account_id] <= a.due_date) or \
                reasons[a.account_id] == Reason.MISSED_DUE_DATE


# -- the command -----------------------------------------------------------------------------

def test_plan_days_from_the_command_line(tmp_path):
    rows = [account(i, 0.002 * i, windows="09:00-12:00", priority=1 + i % 3,
                    due_date=D[1].isoformat() if i == 7 else "",
                    status="dispute" if i == 18 else "") for i in range(1, 19)]
    pd.DataFrame(rows).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame([agent(1, max_visits=4, off_dates=D[2].isoformat()),
                  agent(2, max_visits=3)]).to_csv(tmp_path / "g.csv", index=False)
    done = run("plan", tmp_path / "a.csv", tmp_path / "g.csv", "--date", DATE.isoformat(),
               "--days", "3", "--out", tmp_path / "week", "--time-limit", "6")
    assert done.exit_code == 0, done.output
    week = tmp_path / "week"
    routes = pd.read_csv(week / "routes.csv")
    assert routes["date"].nunique() == 3 and routes["account_id"].is_unique
    assert list(routes.columns)[:10] == ["date", "agent_id", "seq", "account_id", "arrival",
                                         "start", "end", "travel_min", "travel_km", "priority"]
    summary = json.loads((week / "summary.json").read_text())
    assert summary["days"] == 3 and summary["valid"] and len(summary["per_day"]) == 3
    assert summary["accounts"]["planned"] == 18 - summary["accounts"]["unassigned"]
    for day in D[:3]:
        assert (week / "days" / day.isoformat() / "summary.json").exists()
    assert not (week / "days" / D[2].isoformat() / "agents" / "G1.csv").exists()  # off
    audit = [json.loads(x) for x in (week / "audit.jsonl").read_text().splitlines()]
    assert len(audit) == 18 and all("decision" in a for a in audit)
    check = run("validate", tmp_path / "a.csv", tmp_path / "g.csv", week)
    assert check.exit_code == 0, check.output
    lines = (week / "unassigned.csv").read_text().splitlines()
    assert any(line.startswith("A18,DO_NOT_VISIT") for line in lines)
    (week / "unassigned.csv").write_text("\n".join(lines[:-1]) + "\n")  # one account lost
    broken = run("validate", tmp_path / "a.csv", tmp_path / "g.csv", week)
    assert broken.exit_code == 1 and "MISSING" in broken.output
    same = run("plan", tmp_path / "a.csv", tmp_path / "g.csv", "--date", DATE.isoformat(),
               "--days", "1", "--out", tmp_path / "one", "--time-limit", "1",
               "--solution-limit", "20")
    plain = run("plan", tmp_path / "a.csv", tmp_path / "g.csv", "--date", DATE.isoformat(),
                "--out", tmp_path / "plain", "--time-limit", "1", "--solution-limit", "20")
    assert same.exit_code == plain.exit_code == 0
    assert (tmp_path / "one" / "routes.csv").read_text() == \
        (tmp_path / "plain" / "routes.csv").read_text()  # --days 1 is today's behaviour


def test_a_bad_off_date_is_named(tmp_path):
    pd.DataFrame([account(1)]).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame([agent(1, off_dates="2026-13-01")]).to_csv(tmp_path / "g.csv", index=False)
    done = run("plan", tmp_path / "a.csv", tmp_path / "g.csv", "--days", "2", "--out",
               tmp_path / "p")
    assert done.exit_code == 2 and "column 'off_dates'" in done.output


def test_plan_days_writes_each_days_report(tmp_path):
    rows = [account(i, 0.002 * i, windows="09:00-12:00", priority=1 + i % 3)
            for i in range(1, 9)]
    pd.DataFrame(rows).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame([agent(1, max_visits=3)]).to_csv(tmp_path / "g.csv", index=False)
    done = run("plan", tmp_path / "a.csv", tmp_path / "g.csv", "--date", DATE.isoformat(),
               "--days", "2", "--out", tmp_path / "week", "--time-limit", "4", "--report")
    assert done.exit_code == 0, done.output
    for day in D[:2]:
        report = tmp_path / "week" / "days" / day.isoformat() / "report"
        page = (report / "index.html").read_text()
        assert day.isoformat() in page
        sheet = (report / "sheets" / "G1.html").read_text()
        planned = pd.read_csv(tmp_path / "week" / "days" / day.isoformat() / "routes.csv")
        assert set(planned["account_id"]) and all(a in sheet for a in planned["account_id"])
    assert not (tmp_path / "week" / "report").exists()  # one report per day, not a merged one


def day_and_evening():
    """Tuesday and Wednesday. G1 works 09:00-12:00 and G2 18:00-21:00, one visit each a
    day. B1 and B2 are home all day, E1 and E2 only in the evening."""
    accounts = [account(1, windows="09:00-21:00", priority=5),
                account(2, 0.001, windows="09:00-21:00", priority=4.5),
                account(3, 0.002, windows="18:00-21:00", priority=3),
                account(4, 0.003, windows="18:00-21:00", priority=3)]
    agents = [agent(1, shift_start="09:00", shift_end="12:00", max_visits=1),
              agent(2, shift_start="18:00", shift_end="21:00", max_visits=1)]
    return problem(accounts, agents)


def test_the_day_assignment_leaves_the_evening_to_those_home_only_then():
    # Rolling daily spends Tuesday evening on A2 (4.5 > 3); on Wednesday G1 finds nobody
    # home in the morning. The day assignment sees that A2 can wait for Wednesday morning.
    prob = day_and_evening()
    days = [H.day_problem(prob, date, D[1], {}, aware=False) for date in D[:2]]
    advice = assign(days, prob.policy.horizon.discount_per_day)
    assert "A1" in advice.today and "A2" in advice.later
    assert len(advice.today & {"A3", "A4"}) == len(advice.later & {"A3", "A4"}) == 1
    aware = checked(prob, 2)
    on = {v.account_id: v.date for v in aware.visits}
    assert on == {"A1": D[0], "A2": D[1], "A3": on["A3"], "A4": on["A4"]}
    assert {on["A3"], on["A4"]} == {D[0], D[1]}
    rolling = checked(prob, 2, aware=False)
    assert aware.priority_served(prob) == 15.5 > rolling.priority_served(prob) == 12.5


def test_the_day_assignment_is_off_at_weight_one():
    prob = day_and_evening()
    rules = prob.policy.horizon.model_copy(update={"defer_weight": 1.0})
    prob = prob.model_copy(update={"policy": prob.policy.model_copy(update={"horizon": rules})})
    assert checked(prob, 2).priority_served(prob) == 12.5


def test_a_due_account_the_evening_cannot_hold_does_not_take_a_more_urgent_evening():
    # Daytime room for everyone, so a bar over all accounts (the N-th most urgent, N the
    # visits the week holds) would be low (priority 1); the evening holds one visit a day.
    # A3 (3, due Tuesday) would weigh 3 x 3 = 9 > 5 on its due date and take an evening of
    # A1 or A2 (5). The day assignment, which counts the evening apart, visits A1 and A2
    # and not A3, so A3 is not pushed in.
    accounts = [account(1, windows="18:00-21:00", priority=5),
                account(2, 0.001, windows="18:00-21:00", priority=5),
                account(3, 0.002, windows="18:00-21:00", priority=3, due_date=D[0].isoformat())]
    accounts += [account(10 + i, 0.003 * (i + 1), windows="09:00-12:00", priority=1)
                 for i in range(3)]
    agents = [agent(1, shift_start="09:00", shift_end="12:00", max_visits=10),
              agent(2, shift_start="18:00", shift_end="21:00", max_visits=1)]
    prob = problem(accounts, agents)
    assert H.advise(prob, D[:2], {}).served == {"A1", "A2", "A10", "A11", "A12"}
    horizon = checked(prob, 2)
    assert {"A1", "A2"} <= {v.account_id for v in horizon.visits}
    assert horizon.missed_due() == ["A3"]
    assert horizon.priority_served(prob) == 13
