"""Random small days: every plan must pass the independent validator and
account for every account exactly once."""

import datetime as dt

from hypothesis import HealthCheck, given, settings, strategies as st

import visitplan as vp
from visitplan.timeutil import format_clock

from .conftest import CENTRE, account, agent, problem

offset = st.floats(-0.04, 0.04)


@st.composite
def windows(draw):
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(6 * 60, 22 * 60))
        end = min(24 * 60, start + draw(st.integers(0, 240)))
        days = draw(st.sampled_from(["", "Mon-Fri ", "Sat,Sun ", "Tue ", "Mon,Wed "]))
        parts.append(f"{days}{format_clock(start)}-{format_clock(end)}")
    return "; ".join(parts)


@st.composite
def accounts(draw, i):
    fields = dict(
        windows=draw(windows()),
        service_min=draw(st.integers(5, 45)),
        priority=draw(st.floats(0, 10)),
        skills=draw(st.sampled_from(["", "", "senior", "cantonese"])),
        must_visit=draw(st.booleans()),
        status=draw(st.sampled_from(["", "", "", "dispute"])),
        load=draw(st.integers(0, 3)),
        visits_30d=draw(st.integers(0, 5)),
        preferred_agent=draw(st.sampled_from(["", "G0", "G1"])),
    )
    if draw(st.booleans()):
        fields["last_visit"] = str(dt.date(2026, 12, 1) - dt.timedelta(days=draw(st.integers(0, 40))))
    return account(i, draw(offset), draw(offset), **fields)


@st.composite
def agents(draw, i):
    start = draw(st.integers(7 * 60, 14 * 60))
    end = min(24 * 60, start + draw(st.integers(60, 10 * 60)))
    fields = dict(shift_start=format_clock(start), shift_end=format_clock(end),
                  skills=draw(st.sampled_from(["", "senior", "senior;cantonese"])),
                  speed_kmh=draw(st.sampled_from([15, 25, 40])))
    if draw(st.booleans()):
        b = draw(st.integers(start, max(start, end - 60)))
        fields["break"] = f"{format_clock(b)}-{format_clock(min(24 * 60, b + 60))}/" \
                          f"{draw(st.integers(10, 60))}"
    if draw(st.booleans()):
        fields["max_visits"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        fields["capacity"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        fields.update(end_lat=CENTRE[0] + draw(offset), end_lon=CENTRE[1] + draw(offset))
    return agent(i, **fields)


@st.composite
def days(draw):
    n_accounts = draw(st.integers(1, 12))
    n_agents = draw(st.integers(1, 3))
    return ([draw(accounts(i)) for i in range(n_accounts)],
            [draw(agents(i)) for i in range(n_agents)])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_random_days_give_valid_complete_plans(day):
    account_rows, agent_rows = day
    prob = problem(account_rows, agent_rows)
    plan = vp.solve(prob, time_limit=1, solution_limit=40)
    assert vp.validate(prob, plan) == []
    ids = [v.account_id for v in plan.visits] + [u.account_id for u in plan.unassigned_accounts]
    assert sorted(ids) == sorted(a.account_id for a in prob.accounts)
    assert all(u.detail for u in plan.unassigned_accounts)


@st.composite
def busy_days(draw):
    """Days where most accounts can be seen and every agent takes a break: the
    validator's timing rules meet many real routes, not a few."""
    rows = []
    for i in range(draw(st.integers(8, 20))):
        start = draw(st.integers(8 * 60, 14 * 60))
        windows = draw(st.sampled_from([
            "", f"{format_clock(start)}-{format_clock(start + 240)}",
            f"09:00-11:00; {format_clock(start)}-{format_clock(start + 120)}"]))
        rows.append(account(i, draw(st.floats(-0.02, 0.02)), draw(st.floats(-0.02, 0.02)),
                            windows=windows, service_min=draw(st.integers(10, 40)),
                            priority=draw(st.floats(0.5, 5)),
                            must_visit=draw(st.booleans()) and i % 5 == 0))
    team = []
    for k in range(draw(st.integers(1, 3))):
        lunch = draw(st.integers(11 * 60, 13 * 60))
        team.append(agent(k, shift_start="08:30", shift_end="17:30",
                          speed_kmh=draw(st.sampled_from([15, 25])),
                          **{"break": f"{format_clock(lunch)}-{format_clock(lunch + 60)}/"
                                      f"{draw(st.sampled_from([30, 45, 60]))}"}))
    return rows, team


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_days())
def test_busy_days_with_breaks_validate_whatever_the_solver_plans(day):
    account_rows, agent_rows = day
    prob = problem(account_rows, agent_rows)
    plan = vp.solve(prob, time_limit=2, solution_limit=60)
    assert vp.validate(prob, plan) == []
    # A fair share is routed (the day has room for most of it), and every route
    # whose agent owes a break carries one.
    assert len(plan.visits) >= min(len(account_rows), 4)
    assert all(len(r.breaks) == 1 for r in plan.agent_routes)
