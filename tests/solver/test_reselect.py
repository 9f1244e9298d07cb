"""Two neighbouring routes chosen again at a time: more priority where caps bind, every
rule kept, bands that share nothing, and loud failures."""

import time

import pytest
from ortools.constraint_solver import pywrapcp
from hypothesis import given, settings
from hypothesis import strategies as st

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.solver import reselect as pairs
from visitplan.solver.budget import Budget
from visitplan.solver.load import start_from
from visitplan.solver.model import build, build_model
from visitplan.solver.params import SearchParams
from visitplan.solver.reroute import chosen_routes
from visitplan.solver.solve import reselecting

from ..conftest import account, agent, problem, ring_day

WORKER = (0, SearchParams().portfolio[0])  # a worker's seed and strategy


def capped_day():
    """Two agents capped at three visits, each with a cluster of three cheap accounts
    (priority 1) east and west of the office, and an urgent account (priority 6) in each
    cluster whose only window, 09:30-10:00, comes before the cheap ones' (from 10:30).
    A plan of the cheap accounts is full: serving an urgent account means dropping a
    cheap one *and* putting the urgent one first."""
    rows = []
    for side, sign in (("E", 1), ("W", -1)):
        base = 10 if side == "E" else 20
        for j in range(3):
            rows.append(account(base + j, 0.0, sign * (0.02 + 0.003 * j), priority=1.0,
                                windows="10:30-17:00", service_min=20))
        rows.append(account(base + 9, 0.002, sign * 0.021, priority=6.0,
                            windows="09:30-10:00", service_min=20))
    agents = [agent(1, max_visits=3), agent(2, max_visits=3)]
    return problem(rows, agents)


def cheap_plan():
    prepared = prepare(capped_day())
    eligible, _, _ = screen(prepared)
    agents = prepared.working_agents()
    model = build(prepared, eligible, agents, seed=0)
    plan = (("G1", ("A10", "A11", "A12")), ("G2", ("A20", "A21", "A22")))
    return prepared, eligible, agents, model, plan, start_from(model, plan)


def served(prepared, routes) -> float:
    visited = {a for _, stops in routes for a in stops}
    return sum(a.priority for a in prepared.accounts if a.account_id in visited)


def test_a_full_route_gives_up_a_cheap_visit_for_an_urgent_one_put_first():
    prepared, eligible, agents, model, plan, solution = cheap_plan()
    assert chosen_routes(model, solution) == plan  # the cheap plan loads as given
    again, better, saved, tally = pairs.reselect(prepared, model, solution,
                                                 time.monotonic() + 2, *WORKER, SearchParams())
    assert saved > 0 and saved == solution.ObjectiveValue() - better.ObjectiveValue()
    assert tally.improved >= 1 and tally.searched >= tally.improved
    routes = dict(chosen_routes(again, better))
    assert served(prepared, routes.items()) == 2 * 6.0 + 4 * 1.0  # both urgent ones in
    assert all(len(stops) <= 3 for stops in routes.values())      # the caps hold
    firsts = {stops[0] for stops in routes.values()}
    assert firsts == {"A19", "A29"}                               # each urgent one first


def test_without_time_or_a_plan_nothing_changes():
    prepared, _, _, model, _, solution = cheap_plan()
    late = pairs.reselect(prepared, model, solution, time.monotonic() + 0.1, *WORKER,
                          SearchParams())
    assert late[:3] == (model, solution, 0) and late[3].searched == 0
    none = pairs.reselect(prepared, model, None, time.monotonic() + 2, *WORKER, SearchParams())
    assert none[:3] == (model, None, 0)


def test_improve_stops_when_no_pair_has_changed_since_it_was_searched():
    prepared, eligible, agents, _, plan, _ = cheap_plan()
    params = SearchParams()
    began = time.monotonic()
    new, tally = pairs.improve(prepared, dict(plan), eligible, agents, began + 20, *WORKER,
                               params)
    assert time.monotonic() - began < 10  # long before the deadline: nothing left to try
    again, second = pairs.improve(prepared, new, eligible, agents, time.monotonic() + 20,
                                  *WORKER, params)
    assert again == new and second.improved == 0  # a plan it settled on stays


@settings(max_examples=25, deadline=None)
@given(groups=st.integers(1, 4), visited=st.lists(st.integers(0, 5), min_size=30,
                                                  max_size=30))
def test_bands_share_no_agent_and_no_account(groups, visited):
    prepared = prepare(ring_day(30, skills=True))
    accounts = prepared.accounts
    agents = prepared.working_agents()
    # Account i goes to agent visited[i] when i is even; odd ones stay unvisited.
    plan = {g.agent_id: [] for g in agents}
    for i, a in enumerate(accounts):
        if i % 2 == 0 and agents[visited[i]].can_serve(a):
            plan[agents[visited[i]].agent_id].append(a.account_id)
    bands = pairs.split(plan, accounts, agents, groups)
    seen_agents = [g.agent_id for _, ags in bands for g in ags]
    seen_accounts = [a.account_id for accs, _ in bands for a in accs]
    assert sorted(seen_agents) == sorted(g.agent_id for g in agents)
    assert len(seen_accounts) == len(set(seen_accounts))  # no account in two bands
    for accs, ags in bands:
        mine = {g.agent_id for g in ags}
        ids = {a.account_id for a in accs}
        for g in mine:
            assert set(plan[g]) <= ids   # an agent's visits are in its band
        for a in accs:
            assert any(g.can_serve(a) for g in ags)  # someone there may serve it
    servable = {a.account_id for a in accounts if any(g.can_serve(a) for g in agents)}
    assert set(seen_accounts) == servable


def test_the_budget_leaves_the_share_before_the_rerouting_to_choosing_again():
    budget = Budget(began=100.0, limit=30.0, nodes=500, reroute=0.05, reselect=0.15)
    span = budget.reroute_end - 100
    assert budget.search_end - 100 == pytest.approx(0.8 * span)
    assert budget.reselect_end - 100 == pytest.approx(0.95 * span)
    stats = budget.as_stats()
    assert stats["search_end"] < stats["reselect_end"] < stats["reroute_end"]


def test_choosing_again_is_left_out_where_it_cannot_help_or_would_change_a_promise():
    optional = [vp.Account(account_id="A1", lat=0, lon=0)]
    must = [vp.Account(account_id="A1", lat=0, lon=0, must_visit=True)]
    assert reselecting(SearchParams(reselect=0.1), optional) == 0.1
    assert reselecting(SearchParams(reselect=0.1), must) == 0
    assert reselecting(SearchParams(reselect=None), optional) == 0
    assert reselecting(SearchParams(reselect=0.1, solution_limit=5), optional) == 0
    assert reselecting(SearchParams(reselect=0.1, start_from=(("G1", ("A1",)),)), optional) == 0
    # A day bound by time and cut into territories has a share of its own.
    by_time = SearchParams(reselect=0.1, reselect_by_time=0.4)
    assert reselecting(by_time, optional, by_time=True) == 0.4
    assert reselecting(by_time, optional) == 0.1
    assert reselecting(by_time, must, by_time=True) == 0
    assert reselecting(SearchParams(reselect_by_time=None), optional, by_time=True) == 0
    with pytest.raises(ValueError, match="reselect"):
        SearchParams(reselect=1.0)
    with pytest.raises(ValueError, match="reselect_by_time"):
        SearchParams(reselect_by_time=0.0)


@pytest.mark.parametrize("cap", [None, 20])
def test_a_day_cut_into_territories_gives_the_pairs_the_share_of_what_binds(cap):
    prob = ring_day(40)
    prob = prob.model_copy(update={"agents": tuple(
        g.model_copy(update={"max_visits": cap}) for g in prob.agents)})
    params = SearchParams(decompose="always", territory_size=12, warm_start="never",
                          reselect=0.2, reselect_by_time=0.5, seed=0)
    plan = vp.solve(prob, params, time_limit=4, workers=1)
    assert vp.validate(prob, plan) == []
    budget = plan.stats.budget
    # No re-routing on a cut day: the pairs end where the search would.
    assert 1 - budget["search_end"] / budget["reselect_end"] == pytest.approx(
        0.2 if cap else 0.5, abs=0.01)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_day_cut_into_territories_chosen_again_keeps_every_rule(workers):
    prob = ring_day(40, skills=True)
    params = SearchParams(decompose="always", territory_size=12, warm_start="never",
                          reselect=0.3, reselect_by_time=0.3)
    plan = vp.solve(prob, params, time_limit=6, workers=workers, seed=2)
    assert vp.validate(prob, plan) == []
    ids = [v.account_id for r in plan.agent_routes for v in r.visits] + \
        [u.account_id for u in plan.unassigned_accounts]
    assert sorted(ids) == sorted(f"A{i}" for i in range(40))  # every account once
    assert plan.stats.reselect.endswith("pairs better")
    assert plan.stats.budget["search_end"] < plan.stats.budget["reselect_end"]


def test_a_whole_day_chosen_again_keeps_every_rule_and_says_so():
    prob = capped_day()
    params = SearchParams(decompose="never", warm_start="never", reselect=0.3, reroute=0.1)
    plan = vp.solve(prob, params, time_limit=3, workers=1, seed=0)
    assert vp.validate(prob, plan) == []
    assert plan.stats.reselect.endswith("pairs better")
    assert sum(v.priority for r in plan.agent_routes for v in r.visits) == 16.0


def test_a_band_that_crashes_is_said_and_its_routes_stand(monkeypatch):
    prob = ring_day(40)
    real = pairs.improve

    def flaky(problem, plan, accounts, agents, end, seed, *rest):
        if seed % 2 == 1:  # the second band
            raise RuntimeError("boom")
        return real(problem, plan, accounts, agents, end, seed, *rest)

    monkeypatch.setattr(pairs, "improve", flaky)
    params = SearchParams(decompose="always", territory_size=12, warm_start="never",
                          reselect=0.3, reselect_by_time=0.3, seed=0)
    plan = vp.solve(prob, params, time_limit=6, workers=2)
    assert vp.validate(prob, plan) == []
    assert any("reselect worker 1 crashed (RuntimeError)" in w for w in plan.warnings)


def test_a_pair_is_charged_the_preferences_its_own_model_cannot_see():
    """A pair's model knows only its two agents, so a visit to an account whose preferred
    agent works outside the pair costs nothing there; the day's model charges it, and so
    must the pair's verdict."""
    rows = [account(1, preferred_agent="G3"), account(2, preferred_agent="G1"),
            account(3, preferred_agent="G9"), account(4)]
    prepared = prepare(problem(rows, [agent(1), agent(2), agent(3)]))
    places = pairs.Places(prepared.accounts, prepared.working_agents(),
                          frozenset({"G1", "G2", "G3"}))
    g1, g2, g3 = prepared.working_agents()
    routes = (("G1", ("A1", "A2", "A3", "A4")), ("G2", ()))
    minutes = prepared.policy.weights.preferred_agent_minutes
    # A1's G3 works outside the pair; A2's G1 is in it (its model charges that itself);
    # A3's G9 does not work today; A4 has no preference.
    assert pairs._unseen_preferences(prepared, places, (g1, g2), routes) == minutes * 60
    assert pairs._unseen_preferences(prepared, places, (g1, g3), routes) == 0


def test_once_the_near_pairs_settle_the_search_looks_further_out(monkeypatch):
    prepared = prepare(ring_day(24))
    accounts, agents = prepared.accounts, prepared.working_agents()
    plan = {g.agent_id: [] for g in agents}
    for i, a in enumerate(accounts):
        if i % 2 == 0:
            plan[agents[i % 6].agent_id].append(a.account_id)
    places = pairs.Places(accounts, agents)
    near, wide = places.pairs(plan, 1), places.pairs(plan, 5)
    ids = lambda ps: {tuple(g.agent_id for g in p) for p in ps}  # noqa: E731
    assert ids(near) < ids(wide) and len(wide) == 15  # every pair of six agents
    seen = []

    def settled(problem, plan, places, pair, seconds, seed, *rest):  # no pair ever improves
        seen.append((tuple(sorted(g.agent_id for g in pair)), seconds, seed))
        return 0

    monkeypatch.setattr(pairs, "_search", settled)
    _, tally = pairs.improve(prepared, plan, accounts, agents, time.monotonic() + 30, *WORKER,
                             SearchParams())
    assert len(places.pairs(plan, pairs.PARTNERS)) < 15
    rounds = 1 + pairs.DEEPER
    assert len(seen) == len(set(seen)) == tally.searched == 15 * rounds
    for k in range(rounds):  # each pair once a round, the far too; then again, longer
        this = seen[15 * k: 15 * (k + 1)]
        assert len({pair for pair, _, _ in this}) == 15
        assert {seed for _, _, seed in this} == {WORKER[0] + k}
        assert [s for _, s, _ in this] == pytest.approx([pairs.SLOT * pairs.DEEPEN ** k] * 15)


def test_a_pair_is_also_searched_from_a_fresh_first_plan(monkeypatch):
    """With the search from the routes stopped at its first solution, the urgent accounts
    come in from the pair's own fresh first plan; without that plan, they do not."""
    real = pairs.search_parameters

    def kept_stopped(seconds, limit=None, strategy=None, gls_lambda=None):
        return real(seconds, None if strategy == pairs.FRESH else 1, strategy, gls_lambda)

    monkeypatch.setattr(pairs, "search_parameters", kept_stopped)
    for fresh in (True, False):
        if not fresh:
            monkeypatch.setattr(pywrapcp.RoutingModel, "SolveWithParameters",
                                lambda self, search: None)
        prepared, _, _, model, _, solution = cheap_plan()
        again, found, saved, _ = pairs.reselect(prepared, model, solution,
                                                time.monotonic() + 2, *WORKER, SearchParams())
        assert (saved > 0) == fresh
        if fresh:
            assert served(prepared, chosen_routes(again, found)) == 2 * 6.0 + 4 * 1.0


def test_a_pair_is_offered_the_most_urgent_of_the_accounts_near_it():
    """Seventy cheap accounts (priority 1) around the pair's stops at growing distances,
    three urgent ones (priority 5), two among the nearest few dozen and one beyond them,
    and a fourth, nearest of all, that needs a skill neither agent has. The pair is offered
    its CANDIDATES per agent: the two near urgent accounts first, then the nearest cheap
    ones; not the urgent account too far off, and nothing it may not serve."""
    rows = [account(1, 0.0, 0.001)]  # the one visit of G1's route
    rows += [account(100 + j, 0.0, 0.002 + 0.0005 * j, priority=1.0) for j in range(70)]
    rows += [account(200, 0.0, 0.002 + 0.0005 * 25, priority=5.0),
             account(201, 0.0, 0.002 + 0.0005 * 35, priority=5.0),
             account(202, 0.0, 0.002 + 0.0005 * (2 * pairs.CANDIDATES * pairs.POOL + 5),
                     priority=5.0),
             account(203, 0.0, 0.0015, priority=5.0, skills="senior")]
    prepared = prepare(problem(rows, [agent(1), agent(2)]))
    accounts, agents = prepared.accounts, prepared.working_agents()
    plan = {"G1": ["A1"], "G2": []}
    offered = [a.account_id for a in pairs.Places(accounts, agents).candidates(
        plan, tuple(agents))]
    assert len(offered) == 2 * pairs.CANDIDATES
    assert offered[:2] == ["A200", "A201"]
    assert offered[2:] == [f"A{100 + j}" for j in range(2 * pairs.CANDIDATES - 2)]
    assert "A202" not in offered and "A203" not in offered


# -- a pair's plan that does not load whole (a break across a leg, reselect.loadable) ------

def test_a_plan_is_kept_as_it_loads_with_the_visit_that_does_not_fit_put_where_it_fits():
    _, _, _, model, _, _ = cheap_plan()
    # A29's only window (09:30-10:00) is over once the cheap visits from 10:30 are made:
    # it does not load where it was, and is put back first, where it fits.
    late = (("G1", ("A10", "A11")), ("G2", ("A20", "A21", "A29")))
    cost, routes = pairs.loadable(model, late)
    assert routes == (("G1", ("A10", "A11")), ("G2", ("A29", "A20", "A21")))
    # The objective of the plan as it loaded, read while its model was alive.
    assert cost == start_from(build_model(model.data), routes).ObjectiveValue() > 0
    assert start_from(build_model(model.data), late).ObjectiveValue() > cost  # A29 lost
    # One that fits nowhere (a fourth visit over G2's cap of three) is left out.
    over = (("G1", ("A10", "A11", "A12")), ("G2", ("A20", "A21", "A22", "A29")))
    assert pairs.loadable(model, over)[1] == (("G1", ("A10", "A11", "A12")),
                                               ("G2", ("A20", "A21", "A22")))
    whole = (("G1", ("A19", "A10")), ("G2", ("A20",)))
    assert pairs.loadable(model, whole)[1] == whole


def _changed_day(monkeypatch, new):
    """The capped day's cheap plan, its pairs' plan replaced by ``new``; the plan after
    solve._reselect_day."""
    import importlib
    from visitplan.solver import search
    solve = importlib.import_module("visitplan.solver.solve")  # the module, not the function
    prepared, eligible, agents, model, plan, solution = cheap_plan()
    before = search.finish(model, solution, "TERRITORY_PLANNED", {"objective": 0})
    monkeypatch.setattr(solve, "_improve_bands",
                        lambda *args: (new, pairs.Tally(2, 1, 100), {}))
    budget = Budget(time.monotonic(), 5, 10, reselect=0.3)
    return solve._reselect_day(prepared, eligible, agents, before, budget, SearchParams())


def test_pairs_whose_plan_loads_with_a_visit_fewer_still_count_when_they_serve_more(
        monkeypatch):
    # G1 brings in the urgent A19 first; G2 would take A29 as a fourth visit over its cap.
    new = {"G1": ["A19", "A10", "A11"], "G2": ["A20", "A21", "A22", "A29"]}
    after = _changed_day(monkeypatch, new)
    routes = {r.agent_id: [v.account_id for v in r.visits] for r in after.routes}
    assert routes == {"G1": ["A19", "A10", "A11"], "G2": ["A20", "A21", "A22"]}
    assert after.stats["reselect"] == "1 of 2 pairs better, 1 visits did not load"
    assert not any("did not load" in w for w in after.warnings)
    left = sorted(u.account_id for u in after.unassigned)
    assert left == ["A12", "A29"]  # every account once: visited or with a reason


def test_pairs_whose_plan_loads_no_better_leave_the_plan_before_them_and_say_so(
        monkeypatch):
    new = {"G1": ["A10", "A11", "A12", "A19"], "G2": ["A20", "A21", "A22"]}
    after = _changed_day(monkeypatch, new)
    routes = {r.agent_id: [v.account_id for v in r.visits] for r in after.routes}
    assert routes == {"G1": ["A10", "A11", "A12"], "G2": ["A20", "A21", "A22"]}
    assert after.stats["reselect"].endswith(", not loaded")
    assert any("did not load; the plan before it was kept" in w for w in after.warnings)


def test_a_pair_whose_routes_come_back_as_they_were_is_not_reloaded(monkeypatch):
    """The reload (``loadable``) only checks a changed plan. A pair whose search hands
    back its routes unchanged saves nothing, even where a visit is charged a preference
    the pair's model cannot see, and costs no reload (most pairs end so)."""
    rows = [account(1, 0.0, 0.01, preferred_agent="G3"), account(2, 0.0, -0.01)]
    prepared = prepare(problem(rows, [agent(1), agent(2), agent(3)]))
    accounts, agents = prepared.accounts, prepared.working_agents()
    places = pairs.Places(accounts, agents, frozenset(g.agent_id for g in agents))
    plan = {"G1": ["A1"], "G2": ["A2"], "G3": []}
    reloads = []
    real = pairs.loadable
    monkeypatch.setattr(pairs, "loadable", lambda *a: reloads.append(a) or real(*a))
    saved = pairs._search(prepared, plan, places, tuple(agents[:2]), 0.2, *WORKER,
                          SearchParams())
    assert saved == 0 and reloads == []
    assert plan == {"G1": ["A1"], "G2": ["A2"], "G3": []}


def test_a_promise_an_agent_could_make_is_placed_in_a_full_route_before_the_pairs():
    """The capped day with the western early account (A29) a promise of priority 0.5:
    G2's route is full of cheap accounts, and the promise takes the place of one of them.
    Where nobody could make it (``known``), nothing changes."""
    from visitplan.solver.reach import must_reach

    rows = capped_day()
    prob = rows.model_copy(update={"accounts": tuple(
        a.model_copy(update={"must_visit": True, "priority": 0.5}) if a.account_id == "A29"
        else a for a in rows.accounts)})
    prepared = prepare(prob)
    eligible, _, _ = screen(prepared)
    agents = prepared.working_agents()
    known = must_reach(prepared, eligible, agents)
    assert known == {"A29": frozenset({"G1", "G2"})}
    cheap = {"G1": ["A10", "A11", "A12"], "G2": ["A20", "A21", "A22"]}
    plan = {g: list(v) for g, v in cheap.items()}
    end = time.monotonic() + 5
    assert pairs.keep_promises(prepared, plan, eligible, agents, {"A29": frozenset()}, end, 0,
                               SearchParams()) == 0
    assert plan == cheap
    assert pairs.keep_promises(prepared, plan, eligible, agents, known, end, 0,
                               SearchParams()) == 1
    assert "A29" in plan["G2"] and len(plan["G2"]) == 3  # G2's is the nearer route
    assert plan["G1"] == cheap["G1"]
    model = build(prepared, eligible, agents, seed=0)
    loaded = start_from(model, tuple((g, tuple(v)) for g, v in plan.items()))
    assert sorted(a for _, stops in chosen_routes(model, loaded) for a in stops) == \
        sorted(a for stops in plan.values() for a in stops)  # every rule kept


def test_an_agent_under_its_cap_is_filled_with_unvisited_accounts_that_fit():
    prepared, eligible, agents, _, _, _ = cheap_plan()
    plan = {"G1": ["A10"], "G2": ["A20", "A21", "A22"]}  # G1 has two free slots
    places = pairs.Places(eligible, agents)
    tally = pairs.Tally()
    pairs.fill(prepared, plan, places, time.monotonic() + 5, *WORKER, SearchParams(), tally)
    assert len(plan["G1"]) == 3 and plan["G2"] == ["A20", "A21", "A22"]
    assert set(plan["G1"]) <= {"A10", "A11", "A12", "A19"}  # its own side's accounts
    assert tally.searched == 1 and tally.improved == 1 and tally.filled == 2
    assert "2 free slots filled" in str(tally)


def test_filling_searches_no_agent_at_its_cap_and_stops_at_the_deadline():
    prepared, eligible, agents, _, plan, _ = cheap_plan()
    full, tally = {k: list(v) for k, v in plan}, pairs.Tally()
    pairs.fill(prepared, full, pairs.Places(eligible, agents), time.monotonic() + 5, *WORKER,
               SearchParams(), tally)
    assert tally.searched == 0 and full == {k: list(v) for k, v in plan}
    short, late = {"G1": ["A10"], "G2": []}, pairs.Tally()
    pairs.fill(prepared, short, pairs.Places(eligible, agents), time.monotonic(), *WORKER,
               SearchParams(), late)
    assert late.searched == 0 and short == {"G1": ["A10"], "G2": []}


def test_the_pairs_of_a_capped_day_leave_no_slot_free_that_an_account_could_fill():
    prepared, eligible, agents, _, _, _ = cheap_plan()
    new, tally = pairs.improve(prepared, {"G1": ["A10"], "G2": []}, eligible, agents,
                               time.monotonic() + 3, *WORKER, SearchParams())
    assert [len(new[g]) for g in ("G1", "G2")] == [3, 3]
    assert served(prepared, new.items()) == 2 * 6.0 + 4 * 1.0
