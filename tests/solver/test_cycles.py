"""On a day bound by time searched as one model, a worker whose search stalls searches
and runs the pairs in cycles, from a fresh first plan each time, and keeps the best."""

import time

import numpy as np
import pytest

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.solver import search
from visitplan.solver.budget import Budget
from visitplan.solver.params import CYCLES_BY_TIME, SearchParams
from visitplan.solver.solve import cycles_for, workers_for

from ..conftest import CENTRE, account, agent, problem


def day(n=40, seed=5, max_visits=None):
    rng = np.random.default_rng(seed)
    accounts = [account(i, *rng.normal(0, 0.03, 2), priority=float(rng.integers(1, 6)),
                        windows=str(rng.choice(["09:00-10:30", "13:00-14:00",
                                                "10:00-11:00; 15:00-16:00"])),
                        service_min=30) for i in range(n)]
    caps = {} if max_visits is None else {"max_visits": max_visits}
    return problem(accounts, [agent(1, **caps), agent(2, **caps)])


def eligible_and_agents(prob):
    prepared = prepare(prob)
    return prepared, screen(prepared)[0], prepared.working_agents()


def test_only_a_day_bound_by_time_with_the_pairs_on_is_searched_in_cycles():
    _, eligible, agents = eligible_and_agents(day())
    assert cycles_for(SearchParams(), eligible, agents) == CYCLES_BY_TIME
    assert cycles_for(SearchParams(cycles_by_time=3), eligible, agents) == 3
    assert cycles_for(SearchParams(cycles_by_time=None), eligible, agents) == 1
    assert cycles_for(SearchParams(reselect=None), eligible, agents) == 1  # no pairs to run
    assert cycles_for(SearchParams(solution_limit=50), eligible, agents) == 1  # deterministic
    _, capped, capped_agents = eligible_and_agents(day(max_visits=6))
    assert cycles_for(SearchParams(), capped, capped_agents) == 1  # bound by caps
    with pytest.raises(ValueError, match="cycles_by_time"):
        SearchParams(cycles_by_time=0)


def run_recorded(monkeypatch, stall: float, cycles: int = 3, reroute: float = 0.0):
    """A worker searching in ``cycles`` with a stall clock of ``stall`` of the time;
    returns its outcome, the budget, and per cycle (objective after the pairs, the
    pairs' end, their seed)."""
    prob, eligible, agents = eligible_and_agents(day())
    params = SearchParams(warm_start="never", workers=2)
    worker = workers_for(prob, eligible, params, cycles=cycles)[1]
    seen = []
    real = search.reselect

    def recorded(problem_, model, solution, end, seed, strategy, params_):
        found = real(problem_, model, solution, end, seed, strategy, params_)
        seen.append((found[1].ObjectiveValue(), end, seed))
        return found

    monkeypatch.setattr(search, "reselect", recorded)
    monkeypatch.setattr(search, "CYCLE_STALL", stall)
    budget = Budget(time.monotonic(), 6.0, 100, reroute, 0.25)
    outcome = search.run_worker(worker, prob, eligible, agents, budget, params, False)
    return outcome, budget, worker, seen


def test_a_worker_whose_search_stalls_keeps_the_best_of_its_cycles(monkeypatch):
    # A 40-account day stops improving within a fraction of a second.
    outcome, budget, worker, seen = run_recorded(monkeypatch, stall=0.01)
    assert outcome.stats["rounds"] == 3 and len(seen) == 3
    assert [seed for *_, seed in seen] == [worker.seed, worker.seed + 2, worker.seed + 4]
    assert outcome.stats["objective"] == min(objective for objective, *_ in seen)
    ends = [end for _, end, _ in seen]
    assert ends[0] < ends[1] < ends[2] == pytest.approx(budget.reselect_end)
    assert outcome.stats["reroute_saved_s"] == 0  # nothing re-routed after the cycles


def test_a_search_still_improving_is_the_only_cycle(monkeypatch):
    # A stall clock longer than the search: it never stalls, and the pairs take the rest.
    outcome, budget, _, seen = run_recorded(monkeypatch, stall=2.0)
    assert outcome.stats["rounds"] == 1 and len(seen) == 1
    assert seen[0][1] == pytest.approx(budget.reselect_end)
    assert outcome.stats["objective"] == seen[0][0]


def test_a_day_planned_in_cycles_keeps_every_rule_and_every_account():
    prob = day(n=60)
    plan = vp.solve(prob, vp.SearchParams(warm_start="never"), time_limit=6, workers=1,
                    seed=3)
    assert 1 <= plan.stats.rounds <= CYCLES_BY_TIME
    assert "pairs better" in plan.stats.reselect
    assert vp.validate(prob, plan) == []
    assert len({v.account_id for r in plan.agent_routes for v in r.visits}) \
        + len(plan.unassigned_accounts) == 60
    once = vp.solve(prob, vp.SearchParams(warm_start="never", cycles_by_time=None),
                    time_limit=6, workers=1, seed=3)
    assert once.stats.rounds >= 1 and once.stats.reselect != "off"


def test_ruin_clears_the_routes_of_an_agent_and_its_nearest_and_keeps_the_others():
    from visitplan.solver.reselect import ruin

    # Four agents in a row along a line of accounts, each with the three nearest it.
    accounts = [account(i, 0.0, 0.01 * i, priority=2.0) for i in range(12)]
    agents = [agent(k, start_lat=CENTRE[0], start_lon=CENTRE[1] + 0.03 * k)
              for k in range(4)]
    prob = problem(accounts, agents)
    plan = {f"G{k}": [f"A{3 * k + j}" for j in range(3)] for k in range(4)}
    for seed in range(6):
        cleared = ruin(plan, list(prob.accounts), list(prob.agents), 2, seed)
        assert cleared is not plan and sum(not stops for stops in cleared.values()) == 2
        kept = {a: stops for a, stops in cleared.items() if stops}
        assert all(plan[a] == stops for a, stops in kept.items())  # untouched routes
        gone = sorted(int(a[1:]) for a, stops in cleared.items() if not stops)
        assert gone[1] - gone[0] == 1  # an agent and its nearest neighbour on the line
        assert cleared == ruin(plan, list(prob.accounts), list(prob.agents), 2, seed)
    assert len(plan["G0"]) == 3  # the plan given is not changed
    two = {"G0": plan["G0"], "G1": plan["G1"]}
    one_left = ruin(two, list(prob.accounts), list(prob.agents)[:2], 3, 0)
    assert sum(bool(stops) for stops in one_left.values()) == 1  # never every route


def test_the_cycles_take_the_re_routings_time(monkeypatch):
    # The day's budget keeps a re-routing share for workers that do not cycle (one that
    # starts from PyVRP's plan); a worker that cycles runs its pairs to its end instead.
    outcome, budget, _, seen = run_recorded(monkeypatch, stall=0.01, reroute=0.2)
    assert budget.reselect_end < budget.reroute_end
    assert seen[-1][1] == pytest.approx(budget.reroute_end)
    assert outcome.stats["reroute_saved_s"] == 0
