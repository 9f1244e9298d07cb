"""The shortlist: on a day bound by visit caps, only the most urgent accounts are searched."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.plan import Reason
from visitplan.solver.params import SHORTLIST
from visitplan.solver.shortlist import room, shortlist

from ..conftest import account, agent, problem


def day(priorities, caps, must=()):
    accounts = [account(i, 0.001 * i, windows="09:00-18:00", priority=p,
                        must_visit=str(i in must).lower()) for i, p in enumerate(priorities)]
    agents = [agent(k, **({"max_visits": c} if c is not None else {}))
              for k, c in enumerate(caps)]
    prob = prepare(problem(accounts, agents))
    eligible, _, _ = screen(prob)
    return prob, eligible, prob.working_agents()


def test_room_counts_caps_and_none_when_an_agent_is_uncapped():
    _, _, agents = day([1, 2], [2, 3])
    assert room(agents) == 5
    _, _, agents = day([1, 2], [2, None])
    assert room(agents) is None


def test_keeps_the_most_urgent_and_every_must_visit_and_says_why():
    priorities = [1, 9, 2, 8, 3, 7, 4, 6, 5, 0.5]
    _, eligible, agents = day(priorities, [1, 1], must={9})
    kept, left = shortlist(eligible, agents, 2.0)  # 2 slots: 4 kept, + the must-visit
    assert sorted(a.account_id for a in kept) == ["A1", "A3", "A5", "A7", "A9"]
    assert {u.reason for u in left} == {Reason.CAPACITY}
    why = {u.account_id: u.detail for u in left}
    assert why["A0"].startswith("priority 1: ") and "working agents allow 2 visits" in why["A0"]
    assert "(priority 6 or more)" in why["A0"]
    assert sorted([a.account_id for a in kept] + [u.account_id for u in left]) == \
        sorted(a.account_id for a in eligible)


def test_no_shortlist_when_time_binds_or_when_switched_off():
    _, eligible, agents = day(list(range(1, 11)), [1, None])
    assert shortlist(eligible, agents, 2.0) == (eligible, [])
    _, eligible, agents = day(list(range(1, 11)), [1, 1])
    assert shortlist(eligible, agents, None) == (eligible, [])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 100), st.booleans()), min_size=1, max_size=30),
       st.integers(1, 4), st.floats(1, 5))
def test_nothing_more_urgent_is_left_out_than_is_kept(rows, cap, factor):
    _, eligible, agents = day([p / 10 for p, _ in rows], [cap],
                                 must={i for i, (_, must) in enumerate(rows) if must})
    kept, left = shortlist(eligible, agents, factor)
    assert len(kept) + len(left) == len(eligible)
    assert len(kept) >= min(len(eligible), int(factor * cap))
    assert {a.account_id for a in eligible if a.must_visit} <= {a.account_id for a in kept}
    if left:
        by_id = {a.account_id: a.priority for a in eligible}
        assert min(a.priority for a in kept if not a.must_visit) >= \
            max(by_id[u.account_id] for u in left)


def test_a_plan_reports_the_left_out_accounts_and_visits_the_urgent_ones():
    prob = problem([account(i, 0.001 * i, windows="09:00-18:00", priority=1 + i % 7)
                    for i in range(40)], [agent(1, max_visits=3)])
    plan = vp.solve(prob, solution_limit=50)
    assert not vp.validate(prob, plan)
    shortlisted = [u for u in plan.unassigned_accounts if "were planned first" in u.detail]
    assert len(shortlisted) == 40 - int(3 * SHORTLIST)  # room 3
    assert len(plan.visits) == 3 and {v.priority for v in plan.visits} == {7}
    everything = vp.solve(prob, vp.SearchParams(shortlist=None, solution_limit=50))
    assert not [u for u in everything.unassigned_accounts if "were planned first" in u.detail]


def test_on_a_day_cut_into_territories_the_pairs_may_bring_in_an_account_the_shortlist_left_out():
    """Two capped agents, west and east. The west territory's shortlist keeps its two
    urgent accounts, whose borrowers are in only from 09:00 to 09:05, 30 km from the west
    agent: nobody can make them. Its two cheap accounts next to the agent were left out, so
    the territory's search leaves the agent idle; the pairs, which may offer any eligible
    account, give the agent those two. Every account is still in the plan once."""
    west, east = {"start_lon": 121.3737}, {"start_lon": 121.5737}
    rows = [account(1, 0.27, -0.1, priority=5.0, windows="09:00-09:05"),
            account(2, 0.271, -0.1, priority=5.0, windows="09:00-09:05"),
            account(3, 0.0, -0.1, priority=1.0), account(4, 0.001, -0.1, priority=1.0)]
    rows += [account(10 + i, 0.001 * i, 0.1, priority=1.0) for i in range(4)]
    prob = problem(rows, [agent(1, max_visits=2, **west), agent(2, max_visits=2, **east)])
    params = vp.SearchParams(decompose="always", territory_size=4, shortlist=1.0, workers=1,
                             warm_start="never", recut=None, reselect=0.4, seed=0)
    plan = vp.solve(prob, params, time_limit=4)
    assert vp.validate(prob, plan) == []
    by_agent = {r.agent_id: {v.account_id for v in r.visits} for r in plan.agent_routes}
    assert by_agent.get("G1") == {"A3", "A4"}
    ids = [v.account_id for v in plan.visits] + [u.account_id for u in plan.unassigned_accounts]
    assert sorted(ids) == sorted(a.account_id for a in prob.accounts)
