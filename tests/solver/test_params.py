"""Search settings: the default number of workers."""

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
