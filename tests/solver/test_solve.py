import datetime as dt

import numpy as np
import pandas as pd
import pytest

import visitplan as vp
from visitplan import Reason

from ..conftest import CENTRE, DATE, account, agent, problem, solve_checked


def at(clock: str) -> dt.datetime:
    return dt.datetime.combine(DATE, dt.time.fromisoformat(clock))


def ring(n, radius=0.01, **fields):
    """n accounts on a circle round the centre."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return [account(i, radius * np.sin(t), radius * np.cos(t), **fields)
            for i, t in enumerate(angles)]


def test_windows_legal_hours_and_shift_are_kept():
    accounts = ring(12, windows="18:00-21:00") + [account(99, windows="09:00-10:00; 16:00-16:30")]
    plan = solve_checked(problem(accounts, [agent(1, shift_start="08:00", shift_end="21:00")]))
    routes = plan.routes.set_index("account_id")
    evening = routes.drop(index="A99", errors="ignore")
    assert (evening["start"] >= at("18:00")).all() and (evening["start"] <= at("21:00")).all()
    assert (evening["end"] <= at("21:00")).all()
    assert len(plan.routes) + len(plan.unassigned) == 13


def test_visit_lands_in_the_second_window_when_the_first_is_before_the_shift():
    prob = problem([account(1, windows="08:00-08:30; 16:00-16:30")],
                   [agent(1, shift_start="10:00", shift_end="18:00")])
    (start,) = solve_checked(prob).routes["start"]
    assert at("16:00") <= start <= at("16:30")


def test_agent_leaves_and_returns_within_the_shift_to_their_end_place():
    prob = problem(ring(5), [agent(1, shift_start="10:00", shift_end="16:00",
                                   end_lat=CENTRE[0] + 0.05, end_lon=CENTRE[1])])
    plan = solve_checked(prob)
    (route,) = plan.agent_routes
    assert route.depart >= at("10:00") and route.back <= at("16:00")
    assert route.return_travel_m > 4000  # the end place is ~5.5 km north


def test_break_is_free_of_travel_and_visits():
    # Two visits whose windows straddle the break window, 30 minutes apart by road.
    index = {"A1": 1, "A2": 2, "start:G1": 0, "end:G1": 0}
    seconds = [[0, 600, 600], [600, 0, 1800], [600, 1800, 0]]
    travel = vp.Matrix(seconds, index)
    prob = problem([account(1, windows="11:40-11:40", service_min=20, must_visit=True),
                    account(2, windows="13:20-13:20", service_min=20, must_visit=True)],
                   [agent(1, shift_start="09:00", shift_end="18:00", **{"break": "12:00-12:20/45"})],
                   travel=travel)
    plan = solve_checked(prob)
    (route,) = plan.agent_routes
    assert [v.account_id for v in route.visits] == ["A1", "A2"]
    (brk,) = route.breaks
    first, second = route.visits
    assert brk.end - brk.start == dt.timedelta(minutes=45)
    assert at("12:00") <= brk.start <= at("12:20")
    assert first.end <= brk.start and brk.end <= second.start
    leg = dt.timedelta(seconds=1800)
    travel_before = brk.start - first.end >= leg
    travel_after = second.start - brk.end >= leg
    assert travel_before or travel_after
    # The written arrival agrees: the agent travels, then rests (or rests, then travels).
    assert second.arrival <= brk.start or second.arrival - leg >= brk.end


def test_skills_route_accounts_to_qualified_agents():
    accounts = ring(6) + [account(10, 0.002, 0, skills="senior;cantonese")]
    agents = [agent(1), agent(2, skills="senior;cantonese;mandarin")]
    routes = solve_checked(problem(accounts, agents)).routes.set_index("account_id")
    assert routes.loc["A10", "agent_id"] == "G2"


def test_visit_cap_and_capacity():
    plan = solve_checked(problem(ring(8), [agent(1, max_visits=3)]))
    assert len(plan.routes) == 3
    assert set(plan.unassigned["reason"]) == {"CAPACITY"}
    plan = solve_checked(problem(ring(6, load=2), [agent(1, capacity=5)]))
    assert len(plan.routes) == 2


def test_higher_priority_wins_when_only_one_fits():
    accounts = [account(1, 0.01, 0, priority=1), account(2, -0.01, 0, priority=5),
                account(3, 0, 0.01, priority=2)]
    plan = solve_checked(problem(accounts, [agent(1, max_visits=1)]))
    assert list(plan.routes["account_id"]) == ["A2"]
    detail = plan.unassigned.set_index("account_id").loc["A1", "detail"]
    assert "priority 1" in detail and "(5)" in detail


def test_must_visit_beats_priority_and_is_reported_when_impossible():
    accounts = [account(1, 0.01, 0, priority=9), account(2, 0.03, 0.03, priority=0.1,
                                                         must_visit=True)]
    plan = solve_checked(problem(accounts, [agent(1, max_visits=1)]))
    assert list(plan.routes["account_id"]) == ["A2"]
    impossible = [account(1), account(2, 0.5, 0.5, must_visit=True)]  # ~70 km away
    plan = solve_checked(problem(impossible, [agent(1, shift_start="09:00", shift_end="11:00")]))
    reasons = plan.unassigned.set_index("account_id")["reason"]
    assert reasons["A2"] == "MUST_VISIT_INFEASIBLE"
    assert plan.kpis["must_visit_not_planned"] == ["A2"]


def test_preferred_agent_is_honoured_when_it_costs_little():
    accounts = ring(4, radius=0.005) + [account(10, 0.001, 0, preferred_agent="G2")]
    plan = solve_checked(problem(accounts, [agent(1), agent(2)]))
    assert plan.routes.set_index("account_id").loc["A10", "agent_id"] == "G2"


def test_agent_speed_changes_travel_time():
    accounts = [account(1, 0.02, 0)]
    slow = solve_checked(problem(accounts, [agent(1, speed_kmh=20)])).visits[0]
    fast = solve_checked(problem(accounts, [agent(1, speed_kmh=40)])).visits[0]
    assert slow.travel_m == fast.travel_m
    assert slow.travel_s == pytest.approx(2 * fast.travel_s, abs=1)


def test_unreachable_account_gets_a_reason():
    plan = solve_checked(problem([account(1, 0.3, 0, windows="09:00-09:10")],
                                 [agent(1, shift_start="09:00", shift_end="18:00")]))
    assert plan.unassigned.loc[0, "reason"] == "NOT_REACHABLE"


def test_nothing_to_plan_still_accounts_for_everyone():
    prob = problem([account(1, status="dispute")], [agent(1)])
    plan = solve_checked(prob)
    assert plan.stats.status == "NOTHING_TO_PLAN" and list(plan.unassigned["reason"]) == ["DO_NOT_VISIT"]


def test_same_seed_same_plan_and_seed_is_recorded():
    rng = np.random.default_rng(3)
    accounts = [account(i, rng.normal(0, 0.03), rng.normal(0, 0.03),
                        priority=int(rng.integers(1, 9)),
                        windows=str(rng.choice(["", "18:00-21:00", "12:00-13:30"])))
                for i in range(40)]
    prob = problem(accounts, [agent(1), agent(2, shift_start="12:00", shift_end="21:00")])
    first = vp.solve(prob, time_limit=20, seed=5, solution_limit=150)
    again = vp.solve(prob, time_limit=20, seed=5, solution_limit=150)
    pd.testing.assert_frame_equal(first.routes, again.routes)
    pd.testing.assert_frame_equal(first.unassigned, again.unassigned)
    assert first.stats.seed == 5 and vp.validate(prob, first) == []


def test_progress_display_does_not_change_the_plan():
    prob = problem(ring(6), [agent(1)])
    quiet = vp.solve(prob, time_limit=5, solution_limit=50)
    shown = vp.solve(prob, time_limit=5, solution_limit=50, progress=True)
    pd.testing.assert_frame_equal(quiet.routes, shown.routes)
    assert shown.stats.solutions >= 1 and shown.stats.first_solution_s is not None


def test_two_workers_keep_the_better_plan_reproducibly():
    rng = np.random.default_rng(11)
    accounts = [account(i, rng.normal(0, 0.02), rng.normal(0, 0.02), priority=int(rng.integers(1, 6)),
                        windows=str(rng.choice(["", "18:00-21:00", "09:00-12:00"])))
                for i in range(30)]
    prob = problem(accounts, [agent(1, max_visits=8), agent(2, max_visits=8)])
    single = vp.solve(prob, time_limit=20, seed=7, solution_limit=60)  # what worker 0 runs
    both = vp.solve(prob, time_limit=20, seed=7, solution_limit=60, workers=2)
    assert vp.validate(prob, both) == []
    assert both.stats.objective <= single.stats.objective
    again = vp.solve(prob, time_limit=20, seed=7, solution_limit=60, workers=2)
    pd.testing.assert_frame_equal(both.routes, again.routes)


def test_a_worker_that_overruns_the_limit_is_stopped(monkeypatch):
    import importlib
    import time as clock

    module = importlib.import_module("visitplan.solver.solve")
    real = module._search

    def slow_second(worker, *rest):
        if worker.index == 1:
            clock.sleep(60)  # a first-solution heuristic that never looks at the clock
        return real(worker, *rest)
    monkeypatch.setattr(module, "_search", slow_second)  # forked workers inherit the patch
    prob = problem(ring(6), [agent(1)])
    began = clock.monotonic()
    plan = vp.solve(prob, time_limit=2, workers=2)
    assert clock.monotonic() - began < 5
    assert len(plan.routes) == 6 and vp.validate(prob, plan) == []
