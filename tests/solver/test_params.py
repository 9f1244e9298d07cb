"""Search settings: the default number of workers, guided local search's lambda."""

import os

import visitplan as vp
from visitplan.solver.params import MAX_WORKERS, SearchParams, default_workers

from ..conftest import account, agent, problem


def test_workers_default_to_the_cores_available_capped(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert default_workers() == MAX_WORKERS == SearchParams().workers
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert default_workers() == 1 == SearchParams().workers
    assert SearchParams(workers=3).workers == 3  # an explicit count wins


def test_the_plan_records_how_many_workers_searched():
    prob = problem([account(i, 0.002 * i, windows="09:00-17:00") for i in range(4)],
                   [agent(1)])
    plan = vp.solve(prob, solution_limit=20, workers=2)
    assert plan.stats.workers == 2
    assert vp.solve(prob, solution_limit=20, workers=1).stats.workers == 1


def test_guided_local_search_pushes_harder_where_accounts_may_be_left_out():
    from visitplan.compliance import prepare, screen
    from visitplan.solver.model import build
    from visitplan.solver.params import PRIZE_GLS_LAMBDA, lambda_for, search_parameters

    rows = [account(i, 0.002 * i, windows="09:00-17:00", must_visit=i == 0) for i in range(4)]
    prepared = prepare(problem(rows, [agent(1)]))
    eligible, _, _ = screen(prepared)
    agents = prepared.working_agents()
    choosing = build(prepared, eligible, agents, seed=0)
    every = build(prepared, [a.model_copy(update={"must_visit": True}) for a in eligible],
                  agents, seed=0)
    default = search_parameters(1.0).guided_local_search_lambda_coefficient
    assert PRIZE_GLS_LAMBDA >= 5 * default  # OR-Tools' 0.1 stalls on tight windows
    assert lambda_for(SearchParams(), choosing) == PRIZE_GLS_LAMBDA
    assert lambda_for(SearchParams(), every) is None  # a VRPTW keeps OR-Tools' default
    assert lambda_for(SearchParams(gls_lambda=0.3), choosing) == 0.3  # a setting wins
    assert lambda_for(SearchParams(gls_lambda=0.3), every) == 0.3
    replan = SearchParams(start_from=(("G1", ("A0",)),))
    assert lambda_for(replan, choosing) is None  # a re-plan stays near the morning's routes
    lam = search_parameters(1.0, None, SearchParams().territory_strategy,
                            lambda_for(SearchParams(), choosing))
    assert lam.guided_local_search_lambda_coefficient == PRIZE_GLS_LAMBDA
