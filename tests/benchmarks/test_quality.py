"""The realistic-day set, the plain OR-Tools baseline and the quality harness's arithmetic."""

import importlib
import sys

import pytest

from ..conftest import ROOT, VRPTW, needs_vrptw

sys.path.insert(0, str(ROOT / "benchmarks"))
days = importlib.import_module("days")
plain = importlib.import_module("plain_ortools")
quality = importlib.import_module("quality")
machine = importlib.import_module("machine")

SMALL = days.Day("test-60", 60, 3, 4, "tight", 5)


def test_a_day_is_the_same_every_time_and_has_what_its_name_says():
    first, staff = days.frames(SMALL)
    again, _ = days.frames(SMALL)
    assert first.equals(again)
    assert len(first) == 60 and len(staff) == 3 and set(staff["max_visits"]) == {4}
    assert all(1 <= len(w.split(";")) <= 2 for w in first["windows"])
    lat = first["lat"].to_numpy()
    assert 22.3 < lat.min() and lat.max() < 23.0  # Shenzhen
    names = [d.name for d in days.SET]
    assert len(set(names)) == len(names)
    assert {d.bound for d in days.SET} == {"cap", "time"}
    assert min(d.accounts for d in days.SET) == 300 and max(d.accounts for d in days.SET) == 3000


@pytest.fixture(scope="module")
def small():
    prob = days.problem(SMALL)
    return prob, plain.day_data(prob)


def test_the_plain_model_keeps_the_rules_and_the_check_finds_a_broken_plan(small):
    _, data = small
    found = plain.solve_plain(data, 2)
    assert found and plain.check(data, found)
    visited = [a for stops in found.values() for a, _ in stops]
    assert len(visited) == len(set(visited)) <= 12  # 3 agents, cap 4
    busiest = max(found, key=lambda k: len(found[k]))
    stops = found[busiest]
    assert len(stops) >= 2
    late = {**found, busiest: [(a, t + 24 * 60) for a, t in stops]}   # outside every window
    assert not plain.check(data, late)
    every = [stop for route in found.values() for stop in route]
    assert len(every) >= 5
    over_cap = {agent: [] for agent in found} | {busiest: sorted(every[:5], key=lambda s: s[1])}
    assert not plain.check(data, over_cap)  # five visits for a cap of four


def test_travel_and_gaps(small):
    _, data = small
    agent = data.agents[0]
    one = data.accounts[0].account_id
    out_and_back = quality.travel_s(data, {agent.agent_id: [one]})
    seconds = data.seconds[data.speeds[0]]
    node = data.options(0)[0]
    assert out_and_back == seconds[data.start_node(0), node] + seconds[node, data.end_node(0)]
    best = {"priority": 100.0, "travel_h": 10.0, "musts": 3}
    assert quality.gaps({"priority": 99.5, "travel_h": 10.5, "musts": 2}, best) == {
        "priority_gap_pct": 0.5, "travel_gap_pct": 5.0, "musts_short": 1}
    assert quality.better({"valid": True, "priority": 100.0, "travel_h": 9.0, "musts": 3}, best)
    assert not quality.better({"valid": True, "priority": 99.9, "travel_h": 1.0, "musts": 3},
                              best)
    assert not quality.better({"valid": False, "priority": 200.0, "travel_h": 1.0, "musts": 3},
                              best)
    # A promise kept outranks any priority: the model drops one only where no plan makes it.
    assert quality.better({"valid": True, "priority": 90.0, "travel_h": 12.0, "musts": 4}, best)
    assert not quality.better({"valid": True, "priority": 120.0, "travel_h": 1.0, "musts": 2},
                              best)


def test_promises_kept_are_counted(small):
    _, data = small
    promised = [a.account_id for a in data.accounts if a.must_visit]
    other = [a.account_id for a in data.accounts if not a.must_visit]
    assert promised, "the small day has must-visit accounts"
    agent = data.agents[0].agent_id
    assert quality.measure(data, {agent: promised[:1] + other[:2]})["musts"] == 1
    assert quality.measure(data, {agent: other[:3]})["musts"] == 0


def test_visitplan_on_a_day_of_the_set_is_valid_and_measured(small):
    prob, data = small
    row = quality.run_visitplan(prob, data, 3, 1, 0)
    assert row["valid"] and row["visits"] <= 12
    priority = {a.account_id: a.priority for a in data.accounts}
    assert row["priority"] == pytest.approx(
        sum(priority[a] for stops in row["routes"].values() for a in stops))


@needs_vrptw
def test_toptw_reads_solomon_as_profits_and_its_check_refuses_a_late_route():
    toptw = importlib.import_module("toptw")
    inst = toptw.read_instance(VRPTW / "solomon_100" / "C101.100.10.vrptw")
    prob = toptw.to_problem(inst, 2)
    assert len(prob.agents) == 2 and all(a.capacity is None for a in prob.agents)
    assert not any(a.must_visit for a in prob.accounts)
    assert [a.priority for a in prob.accounts] == [float(d) for d in inst.demand[1:]]
    assert prob.policy.weights.priority_minutes == toptw.PRIORITY_MINUTES
    profit, wrong = toptw.score(inst, [[5]], 2)
    assert profit == inst.demand[5] and wrong == []
    _, wrong = toptw.score(inst, [list(range(1, inst.customers + 1))], 2)  # all in one day
    assert any("due" in w for w in wrong)
    _, wrong = toptw.score(inst, [[5, 5]], 2)
    assert "a customer visited twice" in wrong


def test_guided_local_search_at_the_prize_lambda_leaves_a_tight_route_behind():
    """One agent, 40 accounts with one or two windows of 60 to 90 minutes: at OR-Tools'
    lambda (0.1) guided local search stalls near its first plan, at ``lambda_for``'s it
    serves far more priority in the same 500 solutions (a deterministic stop)."""
    from visitplan.compliance import prepare, screen
    from visitplan.solver.model import build
    from visitplan.solver.params import SearchParams, lambda_for, search_parameters
    from visitplan.solver.reroute import chosen_routes

    prepared = prepare(days.problem(days.Day("test-40-tight", 40, 1, None, "tight", 1)))
    eligible, _, _ = screen(prepared)
    agents = prepared.working_agents()
    priority = {a.account_id: a.priority for a in eligible}
    served = {}
    for name, lam in (("default", None), ("prize", lambda_for(SearchParams(), build(
            prepared, eligible, agents, 0)))):
        model = build(prepared, eligible, agents, 0)
        found = model.routing.SolveWithParameters(
            search_parameters(60, 500, SearchParams().territory_strategy, lam))
        served[name] = sum(priority[a] for _, stops in chosen_routes(model, found)
                           for a in stops)
    assert lam is not None
    assert served["prize"] > 1.15 * served["default"]


def test_the_machine_figures_time_the_same_fixed_work_every_time(monkeypatch):
    plans = []
    real = machine.vp.solve
    monkeypatch.setattr(machine.vp, "solve", lambda *a, **k: plans.append(real(*a, **k)))
    monkeypatch.setattr(machine, "SOLUTIONS", 5)
    figures = machine.speed()
    assert set(figures) == {"python_s", "ortools_s"} and min(figures.values()) > 0
    machine.ortools_s()
    first, second = ({r.agent_id: [v.account_id for v in r.visits] for r in p.agent_routes}
                     for p in plans)
    assert first == second and plans[0].stats.solutions == 5  # a solution limit, not time
