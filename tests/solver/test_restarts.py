"""A stalled search starts again from another first plan and keeps the best round."""

import importlib
import time

import numpy as np
import pytest

import visitplan as vp
from visitplan.solver.params import SearchParams
from visitplan.solver.progress import SearchMonitor
from visitplan.solver import search
from visitplan.solver.search import Worker, restarts

from ..conftest import account, agent, problem, ring_day


class _Routing:
    """Just what the monitor reads of a routing model: the cost of the solution at
    hand, and a solver whose search can be ended."""

    def __init__(self):
        self.cost, self.ended = 0, 0
        outer = self

        class _Var:
            def Max(self):
                return outer.cost

        class _Solver:
            def FinishCurrentSearch(self):
                outer.ended += 1

        self._var, self._solver = _Var(), _Solver()

    def CostVar(self):
        return self._var

    def solver(self):
        return self._solver


def test_the_monitor_ends_a_search_that_stopped_improving(monkeypatch):
    import visitplan.solver.progress as progress

    now = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    routing = _Routing()
    monitor = SearchMonitor(routing, 30, began=100.0, stall_s=5)
    for t, cost in [(101, 50), (103, 40), (107, 45), (107.9, 41)]:
        now[0], routing.cost = t, cost
        monitor.on_solution()
    assert monitor.best == 40 and not monitor.stalled and routing.ended == 0  # 4.9 s
    now[0], routing.cost = 108.5, 42  # 5.5 s since the last improvement
    monitor.on_solution()
    assert monitor.stalled and routing.ended == 1 and monitor.solutions == 5
    unlimited = SearchMonitor(_Routing(), 30, began=100.0)
    for t in (101, 150, 190):
        now[0] = t
        unlimited.on_solution()
    assert not unlimited.stalled  # no stall clock: one search to the end


def test_only_a_fresh_or_tools_search_restarts():
    fresh = Worker(index=1, strategy=SearchParams().portfolio[0], patience=None, seed=1)
    pyvrp = Worker(index=1, strategy=SearchParams().portfolio[0], patience=0.3, seed=1)
    given = Worker(index=0, strategy=SearchParams().portfolio[0], patience=None, seed=0)
    assert restarts(SearchParams(), fresh)
    assert not restarts(SearchParams(), pyvrp)
    assert not restarts(SearchParams(solution_limit=50), fresh)  # a deterministic stop
    assert not restarts(SearchParams(restart_after=None), fresh)
    plan = (("G1", ("A1",)),)
    assert not restarts(SearchParams(start_from=plan), given)  # the morning's routes
    assert restarts(SearchParams(start_from=plan), fresh)
    with pytest.raises(ValueError, match="restart_after"):
        SearchParams(restart_after=1.5)


def day(n=40, seed=5):
    rng = np.random.default_rng(seed)
    accounts = [account(i, *rng.normal(0, 0.03, 2), priority=float(rng.integers(1, 6)),
                        windows=str(rng.choice(["09:00-12:00", "13:00-17:00",
                                                "10:00-11:00; 15:00-16:00"])),
                        service_min=30) for i in range(n)]
    return problem(accounts, [agent(1, max_visits=6), agent(2, max_visits=6)])


def test_a_stalled_day_is_searched_again_and_the_plan_keeps_every_rule():
    prob = day()
    plan = vp.solve(prob, vp.SearchParams(restart_after=0.05, warm_start="never"),
                    time_limit=6, workers=1, seed=3)
    assert plan.stats.rounds > 1  # a 40-account day stops improving long before 6 s
    assert vp.validate(prob, plan) == []
    assert len(plan.routes) + len(plan.unassigned) == 40
    once = vp.solve(prob, vp.SearchParams(restart_after=None, warm_start="never"),
                    time_limit=6, workers=1, seed=3)
    assert once.stats.rounds == 1
    limited = vp.solve(prob, time_limit=6, workers=1, seed=3, solution_limit=30)
    assert limited.stats.rounds == 1


def test_a_search_without_a_first_plan_by_its_end_takes_the_polishing_time_to_find_one(
        monkeypatch):
    # The first search ends without a plan (as a 1 s limit can on a slow machine); the
    # time kept for the pairs and the re-routing then goes to finding one.
    solve_module = importlib.import_module("visitplan.solver.solve")
    real, limits = search.solve_fresh, []

    def first_fails(model, parameters, monitor):
        limits.append((time.monotonic(), parameters.time_limit.ToTimedelta().total_seconds()))
        if len(limits) == 1:
            return None, search.NO_FIRST_PLAN
        return real(model, parameters, monitor)

    monkeypatch.setattr(search, "solve_fresh", first_fails)
    day = ring_day(30)
    params = SearchParams(time_limit=4, workers=1, seed=0, restart_after=None)
    began = time.monotonic()
    plan = solve_module.solve(day, params)
    assert plan.found_plan and len(plan.agent_routes) > 0
    assert len(limits) == 2
    budget = plan.stats.budget
    (_, first), (at, second) = limits
    assert first <= budget["search_end"] + 0.01                  # the search's own time
    assert at - began + second == pytest.approx(budget["reroute_end"], abs=0.05)  # to the end
