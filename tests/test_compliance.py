import datetime as dt

import pytest

import visitplan as vp

from visitplan import Policy, Reason
from visitplan.compliance import prepare, screen, start_intervals

from .conftest import DATE, account, agent, problem


def reasons(prob):
    eligible, out, _ = screen(prepare(prob))
    return {a.account_id for a in eligible}, {u.account_id: u.reason for u in out}


@pytest.mark.parametrize("fields, reason", [
    ({"status": "Dispute"}, Reason.DO_NOT_VISIT),
    ({"last_visit": str(DATE - dt.timedelta(days=1))}, Reason.COOL_DOWN),
    ({"visits_7d": 2}, Reason.VISIT_CAP_7D),
    ({"visits_30d": 4}, Reason.VISIT_CAP_30D),
    ({"windows": "Sat,Sun 09:00-12:00"}, Reason.NO_WINDOW_TODAY),
    ({"windows": "21:00-23:00"}, Reason.NO_WINDOW_TODAY),  # outside legal hours
    ({"windows": "20:50-21:00", "service_min": 20}, Reason.NO_WINDOW_TODAY),  # would end late
    ({"skills": "cantonese"}, Reason.NO_SKILLED_AGENT),
    ({"load": 5}, Reason.LOAD_EXCEEDS_CAPACITY),
])
def test_each_rule_alone(fields, reason):
    prob = problem([account(1), account(2, **fields)], [agent(1, capacity=3)])
    eligible, out = reasons(prob)
    assert eligible == {"A1"} and out == {"A2": reason}


def test_rules_at_their_boundaries():
    prob = problem([account(1, last_visit=str(DATE - dt.timedelta(days=2)), visits_30d=3),
                    account(2, visits_7d=1), account(3, windows="20:40-21:00", service_min=20)],
                   [agent(1)])
    eligible, out = reasons(prob)
    assert eligible == {"A1", "A2", "A3"}, out


def test_last_visit_inside_seven_days_counts_toward_the_cap():
    policy = Policy(max_visits_7d=1, min_days_between_visits=0)
    prob = problem([account(1, last_visit=str(DATE - dt.timedelta(days=3)))], [agent(1)],
                   policy=policy)
    assert reasons(prob)[1] == {"A1": Reason.VISIT_CAP_7D}


def test_holiday_and_no_agent_working():
    holiday = Policy(holidays=(DATE,))
    assert reasons(problem([account(1)], [agent(1)], policy=holiday))[1] == {"A1": Reason.HOLIDAY}
    weekend_only = [agent(1, days="Sat,Sun")]
    assert reasons(problem([account(1)], weekend_only))[1] == {"A1": Reason.NO_AGENT_WORKING}


def test_first_failing_rule_is_reported_and_detail_has_values():
    prob = problem([account(1, status="bankruptcy", visits_30d=9)], [agent(1)])
    (unassigned,) = screen(prob)[1]
    checks = screen(prob)[2]["A1"]
    failed = [c.rule for c in checks if not c.passed]
    assert failed == ["do_not_visit", "visit_cap_30d"]  # every rule is applied and recorded
    assert all(c.detail for c in checks)
    assert unassigned.reason == Reason.DO_NOT_VISIT and "bankruptcy" in unassigned.detail


def test_start_intervals_cut_by_legal_hours():
    prob = problem([account(1, windows="07:00-09:00; 18:00-22:00", service_min=30)], [agent(1)])
    assert start_intervals(prob.accounts[0], prob) == [(480, 540), (1080, 1230)]


def test_custom_statuses_and_hours():
    policy = Policy(do_not_visit_statuses=("fraud",), visiting_hours={"start": "09:00", "end": "20:00"})
    prob = problem([account(1, status="dispute"), account(2, status="FRAUD"),
                    account(3, windows="08:00-08:59")], [agent(1)], policy=policy)
    eligible, out = reasons(prob)
    assert eligible == {"A1"} and out == {"A2": Reason.DO_NOT_VISIT, "A3": Reason.NO_WINDOW_TODAY}


def test_presets(tmp_path):
    from visitplan import load_policy
    path = tmp_path / "policy.toml"
    path.write_text('policy = "us-fdcpa"\nmax_visits_30d = 2\n')
    us = load_policy(path)
    assert us.preset == "us-fdcpa" and us.timezone == "America/New_York"
    assert us.max_visits_30d == 2 and us.max_visits_7d == 1  # the file overrides the preset
    assert us.visiting_hours.hours_on(6) is None and us.is_holiday(dt.date(2027, 7, 4))
    path.write_text('policy = "cn-default"\n')
    cn = load_policy(path)
    assert cn.is_holiday(dt.date(2026, 10, 2)) and cn.timezone == "Asia/Shanghai"
    path.write_text('policy = "mars"\n')
    with pytest.raises(vp.InputError, match="unknown preset"):
        load_policy(path)


def test_closed_weekday_and_shorter_saturday():
    policy = Policy(visiting_hours={"weekdays": {"tue": "closed", "sat": "10:00-16:00"}})
    prob = problem([account(1)], [agent(1)], policy=policy)
    assert reasons(prob)[1] == {"A1": Reason.CLOSED_DAY}
    saturday = problem([account(1, windows="09:00-18:00")], [agent(1, days="Sat")],
                       date=DATE + dt.timedelta(days=4), policy=policy)
    assert start_intervals(saturday.accounts[0], saturday) == [(600, 940)]


def test_workplace_addresses():
    prob = problem([account(1, address_type="Workplace"), account(2, address_type="home")],
                   [agent(1)])
    assert reasons(prob)[1] == {"A1": Reason.WORKPLACE_ADDRESS}
    allowed = problem([account(1, address_type="workplace")], [agent(1)],
                      policy=Policy(allow_workplace_visits=True))
    assert reasons(allowed)[1] == {}


def test_high_risk_needs_a_senior_and_hostile_needs_a_pair():
    accounts = [account(1, risk="high"), account(2, risk="hostile"), account(3, risk="low")]
    prob = problem(accounts, [agent(1), agent(2, skills="senior")])
    eligible, out = reasons(prob)
    assert eligible == {"A1", "A3"} and out == {"A2": Reason.NO_PAIR_AVAILABLE}
    paired = problem(accounts, [agent(1, pair_with="G2"), agent(2, skills="senior")])
    assert reasons(paired)[0] == {"A1", "A2", "A3"}


def test_pair_route_merges_two_agents_and_both_get_the_sheet(tmp_path):
    from .conftest import solve_checked
    accounts = [account(1, risk="hostile"), account(2, 0.01, 0)]
    agents = [agent(1, pair_with="G2", shift_start="10:00"), agent(2, shift_end="17:00",
                                                                     skills="cantonese")]
    prob = problem(accounts, agents)
    plan = solve_checked(prob)
    (route,) = plan.agent_routes
    assert (route.agent_id, route.partner_id) == ("G1", "G2")
    assert route.depart.hour >= 10 and route.back.hour <= 17
    assert set(plan.routes["partner_id"]) == {"G2"}
    folder = vp.write_plan(plan, tmp_path / "plan", prob)
    assert (folder / "agents" / "G1.csv").read_text() == (folder / "agents" / "G2.csv").read_text()


def test_pair_roster_errors():
    with pytest.raises(vp.InputError, match="unknown agent"):
        problem([account(1)], [agent(1, pair_with="G9")])
    with pytest.raises(vp.InputError, match="more than one pair"):
        problem([account(1)], [agent(1, pair_with="G2"), agent(2), agent(3, pair_with="G2")])


def test_per_agent_daily_cap():
    from .conftest import solve_checked
    prob = problem([account(i, 0.001 * i, 0) for i in range(6)],
                   [agent(1, max_visits=5)], policy=Policy(max_visits_per_agent=3))
    plan = solve_checked(prob)
    assert len(plan.routes) == 3
