"""The chosen visits routed again a few neighbouring routes at a time: shorter routes for
exactly the same visits, every rule kept, and nothing searched twice as it stands."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.solver import regroup as groups
from visitplan.solver.budget import Budget
from visitplan.solver.load import as_routes, start_from
from visitplan.solver.model import build, build_model
from visitplan.solver.params import SearchParams
from visitplan.solver.reroute import chosen_routes
from visitplan.solver.reselect import on_model

from ..conftest import account, agent, problem, ring_day


def two_sides_day():
    """Two agents capped at three visits at the office; three accounts 2 km east, three
    2 km west. Every route of a plan of all six is full, so no visit can move to the
    other route, only swap with one of its visits."""
    rows = [account(10 + j, 0.0, 0.02 + 0.002 * j, windows="09:00-18:00", service_min=20)
            for j in range(3)]
    rows += [account(20 + j, 0.0, -0.02 - 0.002 * j, windows="09:00-18:00", service_min=20)
             for j in range(3)]
    return problem(rows, [agent(1, max_visits=3), agent(2, max_visits=3)])


# Each agent crosses the city twice: east, west, east and west, east, west.
CROSSED = {"G1": ["A10", "A20", "A11"], "G2": ["A21", "A12", "A22"]}


def day_model(prob):
    prepared = prepare(prob)
    eligible, _, _ = screen(prepared)
    agents = prepared.working_agents()
    return prepared, eligible, agents, build(prepared, eligible, agents, seed=0)


def test_full_routes_that_cross_the_city_come_back_one_side_each():
    prepared, eligible, agents, model = day_model(two_sides_day())
    solution = start_from(model, as_routes(CROSSED, agents))
    again, shorter, saved, tally = on_model(
        model, solution, time.monotonic() + 3, lambda plan, accounts, ags: groups.regroup(
            prepared, plan, accounts, ags, time.monotonic() + 3, seed=0))
    assert saved > 0 and saved == solution.ObjectiveValue() - shorter.ObjectiveValue()
    assert tally.improved == 1 and str(tally) == "1 of 2 groups better"
    routes = dict(chosen_routes(again, shorter))
    sides = {frozenset(s[1] for s in stops) for stops in routes.values()}
    assert sides == {frozenset("1"), frozenset("2")}  # each agent keeps to one side
    assert sorted(a for stops in routes.values() for a in stops) == \
        sorted(a for stops in CROSSED.values() for a in stops)  # the same visits


def test_a_settled_plan_stays_and_the_search_ends_before_its_deadline():
    prepared, eligible, agents, _ = day_model(two_sides_day())
    began = time.monotonic()
    first, _ = groups.regroup(prepared, CROSSED, eligible, agents, began + 20, seed=0)
    assert time.monotonic() - began < 10  # long before the deadline: nothing left to try
    second, tally = groups.regroup(prepared, first, eligible, agents,
                                   time.monotonic() + 20, seed=0)
    assert second == first and tally.improved == 0


def test_without_time_nothing_is_searched():
    prepared, eligible, agents, _ = day_model(two_sides_day())
    plan, tally = groups.regroup(prepared, CROSSED, eligible, agents, time.monotonic(), 0)
    assert plan == CROSSED and tally.searched == 0


@settings(max_examples=8, deadline=None)
@given(owner=st.lists(st.integers(0, 5), min_size=18, max_size=18),
       seed=st.integers(0, 3))
def test_every_group_keeps_its_visits_and_the_day_never_gets_worse(owner, seed):
    """Any plan of six capped agents on a ring: routed again, each agent's group serves
    the same accounts, the caps hold, and the day's objective does not rise."""
    prob = ring_day(18)
    prob = prob.model_copy(update={"agents": tuple(
        g.model_copy(update={"max_visits": 4}) for g in prob.agents)})
    prepared, eligible, agents, model = day_model(prob)
    plan = {g.agent_id: [] for g in agents}
    for a, v in zip(eligible, owner):
        if len(plan[agents[v].agent_id]) < 4:
            plan[agents[v].agent_id].append(a.account_id)
    before = start_from(model, as_routes(plan, agents))
    new, tally = groups.regroup(prepared, plan, eligible, agents, time.monotonic() + 2, seed)
    assert sorted(a for s in new.values() for a in s) == \
        sorted(a for s in plan.values() for a in s)
    assert all(len(stops) <= 4 for stops in new.values())
    again = build_model(model.data)
    after = start_from(again, as_routes(new, agents))
    assert sum(len(s) for _, s in chosen_routes(again, after)) == \
        sum(len(s) for s in plan.values())  # every visit loads: every rule holds
    assert after.ObjectiveValue() == before.ObjectiveValue() - tally.saved


def test_the_budget_gives_groups_a_share_of_the_rerouting_time():
    budget = Budget(began=100.0, limit=30.0, nodes=500, reroute=0.2, reselect=0.25)
    end = budget.regroup_end(0.8)
    assert budget.reselect_end < end < budget.reroute_end
    assert end - budget.reselect_end == pytest.approx(0.8 * (budget.reroute_end
                                                             - budget.reselect_end))
    with pytest.raises(ValueError, match="regroup"):
        SearchParams(regroup=0)
    assert SearchParams(regroup=1.0).regroup == 1.0


@pytest.mark.parametrize("share, said", [(0.8, "groups better"), (None, "off")])
def test_a_whole_day_routed_again_keeps_every_rule_and_says_so(share, said):
    prob = two_sides_day()
    params = SearchParams(decompose="never", warm_start="never", reroute=0.3, regroup=share)
    plan = vp.solve(prob, params, time_limit=3, workers=1, seed=0)
    assert vp.validate(prob, plan) == []
    assert plan.stats.regroup.endswith(said)
    assert sum(len(r.visits) for r in plan.agent_routes) == 6


def test_a_group_whose_new_routes_do_not_load_whole_leaves_its_routes_as_they_were(
        monkeypatch):
    """OR-Tools may rest an agent across a travel leg, and such a route loads with a visit
    fewer (reselect.loadable); a group keeps every visit or changes nothing."""
    from visitplan.solver import reselect

    prepared, eligible, agents, model = day_model(two_sides_day())
    real = reselect.loadable

    def one_fewer(sub, routes):
        cost, loaded = real(sub, routes)
        return cost, tuple((g, stops[:-1]) for g, stops in loaded)

    monkeypatch.setattr(groups, "loadable", one_fewer)
    plan, tally = groups.regroup(prepared, {k: list(v) for k, v in CROSSED.items()},
                                 eligible, agents, time.monotonic() + 3, seed=0)
    assert plan == CROSSED and tally.improved == 0 and tally.searched >= 1
