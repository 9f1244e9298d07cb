import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import visitplan as vp

from ..conftest import no_room_for_the_break, CENTRE, DATE, account, agent, problem, solve_checked


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
    prob = problem(accounts, [agent(1, max_visits=1)])
    # The search's own explanation names the visit that took the slot ...
    plan = solve_checked(prob, params=vp.SearchParams(shortlist=None))
    assert list(plan.routes["account_id"]) == ["A2"]
    detail = plan.unassigned.set_index("account_id").loc["A1", "detail"]
    assert "priority 1" in detail and "(5)" in detail
    # ... the shortlist (by default) leaves A1 out before the search and names the bar.
    plan = solve_checked(prob)
    assert list(plan.routes["account_id"]) == ["A2"]
    detail = plan.unassigned.set_index("account_id").loc["A1", "detail"]
    assert detail.startswith("priority 1:") and "(priority 2 or more)" in detail


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
    assert single.stats.best_worker == 0 and both.stats.best_worker in (0, 1)
    if both.stats.objective < single.stats.objective:  # then worker 1 found the better plan
        assert both.stats.best_worker == 1
    again = vp.solve(prob, time_limit=20, seed=7, solution_limit=60, workers=2)
    pd.testing.assert_frame_equal(both.routes, again.routes)


def test_a_worker_that_overruns_the_limit_is_stopped(monkeypatch):
    import importlib
    import time as clock

    module = importlib.import_module("visitplan.solver.search")
    real = module.run_worker

    def slow_second(worker, *rest):
        if worker.index == 1:
            clock.sleep(60)  # a first-solution heuristic that never looks at the clock
        return real(worker, *rest)
    monkeypatch.setattr(module, "run_worker", slow_second)  # forked workers inherit it
    prob = problem(ring(6), [agent(1)])
    began = clock.monotonic()
    plan = vp.solve(prob, time_limit=2, workers=2)
    assert clock.monotonic() - began < 5
    assert len(plan.routes) == 6 and vp.validate(prob, plan) == []


# -- a crashed worker is reported, never a hang ----------------------------------------

def _patched_search(monkeypatch, crash):
    """Workers for which ``crash(worker)`` is true fail; the others search as usual."""
    import importlib

    module = importlib.import_module("visitplan.solver.search")
    real = module.run_worker

    def search(worker, *rest):
        crash(worker)
        return real(worker, *rest)
    monkeypatch.setattr(module, "run_worker", search)  # forked workers inherit the patch


def _raise_on(index):
    def crash(worker):
        if worker.index in index:
            raise RuntimeError("boom in a worker")
    return crash


def test_a_crashed_worker_is_reported_and_the_other_plan_kept(monkeypatch, caplog):
    _patched_search(monkeypatch, _raise_on({1}))
    prob = problem(ring(6), [agent(1)])
    with caplog.at_level("WARNING", logger="visitplan"):
        plan = vp.solve(prob, time_limit=3, workers=2)
    assert plan.found_plan and len(plan.routes) == 6 and vp.validate(prob, plan) == []
    assert plan.stats.crashed_workers == {1: "RuntimeError"} and plan.stats.best_worker == 0
    assert any("worker 1 crashed (RuntimeError)" in w for w in plan.warnings)
    assert "worker 1 crashed" in caplog.text and "boom" not in caplog.text


def test_a_worker_process_that_dies_is_noticed(monkeypatch):
    import os

    def die(worker):
        if worker.index == 0:
            os._exit(9)  # no exception, no message: the process is simply gone
    _patched_search(monkeypatch, die)
    prob = problem(ring(6), [agent(1)])
    plan = vp.solve(prob, time_limit=3, workers=2)
    assert plan.found_plan and len(plan.routes) == 6
    assert plan.stats.crashed_workers == {0: "process ended with exit code 9"}
    assert plan.stats.best_worker == 1  # the plan kept is the survivor's


def test_when_every_worker_crashes_the_call_returns_in_time_and_says_so(monkeypatch):
    import time

    _patched_search(monkeypatch, _raise_on({0, 1}))
    prob = problem(ring(6) + [account(50, status="dispute")], [agent(1)])
    began = time.monotonic()
    plan = vp.solve(prob, time_limit=3, workers=2)
    assert time.monotonic() - began < 3
    assert not plan.found_plan and plan.stats.status == "ALL_WORKERS_FAILED"
    reasons = plan.unassigned.set_index("account_id")["reason"]
    assert (reasons.drop("A50") == "SOLVER_FAILED").all() and len(reasons) == 7
    assert reasons["A50"] == "DO_NOT_VISIT"  # screened out before the search: its own reason
    assert plan.kpis["found_plan"] is False


def test_every_worker_crashing_makes_the_cli_fail(monkeypatch, tmp_path):
    import json

    from typer.testing import CliRunner

    from visitplan.cli import app
    _patched_search(monkeypatch, _raise_on({0, 1}))
    (tmp_path / "a.csv").write_text("account_id,lat,lon\nA1,31.23,121.47\n")
    (tmp_path / "g.csv").write_text("agent_id,start_lat,start_lon\nG1,31.23,121.47\n")
    result = CliRunner().invoke(app, ["plan", str(tmp_path / "a.csv"), str(tmp_path / "g.csv"),
                                      "--date", "2026-12-01", "--out", str(tmp_path / "p"),
                                      "--time-limit", "2", "--workers", "2", "--quiet"])
    assert result.exit_code == 3 and "found no plan" in result.output
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert summary["dispatchable"] is False and summary["found_plan"] is False
    assert not (tmp_path / "p" / "agents").exists()


# -- must-visit dominates every other cost ----------------------------------------------

def test_must_visit_outweighs_the_preferred_agent_on_a_day_of_short_trips():
    # Everyone at the office door (no travel at all), everyone prefers G1, who may make
    # one visit. Serving all means four visits by G2, each a 15-minute preference miss;
    # before, a must-visit penalty of "travel + 1" made dropping them cheaper.
    accounts = [account(i, must_visit=True, preferred_agent="G1") for i in range(1, 6)]
    plan = solve_checked(problem(accounts, [agent(1, max_visits=1), agent(2)]), time_limit=3)
    assert len(plan.routes) == 5 and plan.unassigned.empty
    assert plan.routes.groupby("agent_id").size().to_dict() == {"G1": 1, "G2": 4}


def test_the_must_visit_penalty_is_above_every_other_cost_by_construction():
    from visitplan.compliance import prepare, screen
    from visitplan.solver.data import build_data
    from visitplan.solver.model import build_model

    accounts = [account(i, 0.001 * i, must_visit=i < 3, priority=2, preferred_agent="G2")
                for i in range(1, 9)]
    prob = prepare(problem(accounts, [agent(1), agent(2)]))
    eligible, _, _ = screen(prob)
    model = build_model(build_data(prob, eligible, prob.working_agents(), 0))
    data, must = model.data, max(model.penalties)
    others = sum(p for a, p in zip(data.accounts, model.penalties) if not a.must_visit)
    longest = max(int(m.max()) for m in data.seconds.values())
    preference = 15 * 60 * len(data.accounts)
    assert must > others + (data.num_nodes + 1) * longest + preference


# -- a break that cannot be placed is repaired, and said ---------------------------------

def test_a_route_whose_break_cannot_be_placed_loses_its_least_valuable_visit():
    from visitplan.compliance import prepare, screen
    from visitplan.solver.data import build_data
    from visitplan.solver.extract import repair_route
    from visitplan.solver.model import build_model
    from visitplan.validation import check

    prob = no_room_for_the_break()
    prepared = prepare(prob)
    eligible, _, _ = screen(prepared)
    model = build_model(build_data(prepared, eligible, prepared.working_agents(), 0))
    data = model.data
    node = {data.accounts[o].account_id: n for n, o in enumerate(data.owner)}
    removed = []
    route = repair_route(model, 0, [node[f"A{i}"] for i in range(1, 7)], removed)
    assert [data.accounts[i].account_id for i, _ in removed] == ["A4"]
    assert [v.account_id for v in route.visits] == ["A1", "A2", "A3", "A5", "A6"]
    (brk,) = route.breaks
    assert (brk.end - brk.start).total_seconds() == 3600
    frame = pd.DataFrame([v.model_dump() | {"travel_min": 0, "travel_km": 0}
                          for v in route.visits]).assign(partner_id="")
    left = pd.DataFrame([{"account_id": "A4", "reason": "CAPACITY", "detail": "x"}])
    assert check(prob, frame, left, {"G1": [(brk.start, brk.end)]}) == []


def test_a_break_that_found_no_spot_is_never_dropped_silently(monkeypatch):
    from visitplan.solver import extract

    monkeypatch.setattr(extract, "place_break", lambda *args: None)  # as if no spot existed
    accounts = ring(8, windows="09:00-17:00", priority=2)
    prob = problem(accounts, [agent(1, shift_start="09:00", shift_end="13:00",
                                    **{"break": "10:30-11:00/30"})])
    plan = solve_checked(prob, time_limit=2, solution_limit=30)
    assert len(plan.agent_routes) == 1 and len(plan.agent_routes[0].breaks) == 1
    # The repair re-times the route; whatever it had to take off is said, by id.
    taken = [u for u in plan.unassigned_accounts if "break fits" in u.detail]
    assert len(taken) == len([w for w in plan.warnings if "break did not fit" in w])


def test_workers_of_the_command_stop_when_told(monkeypatch):
    """Under the console command's signal stop, a forked worker must still die on terminate():
    it inherits handlers that do nothing, and the parent would wait for it past the limit."""
    import time as clock

    from visitplan import signals

    _patched_search(monkeypatch, lambda worker: clock.sleep(60) if worker.index == 1 else None)
    with signals.stop_on_signals():
        began = clock.monotonic()
        plan = vp.solve(problem(ring(6), [agent(1)]), time_limit=2, workers=2)
        assert clock.monotonic() - began < 3
    assert plan.found_plan and len(plan.routes) == 6


def test_workers_end_with_a_command_killed_outright(tmp_path):
    """SIGKILL leaves the command no handler: its forked workers must end with it, or they
    block on the queue nobody reads and hold its stdout and stderr open for ever."""
    import os
    import signal
    import subprocess
    import sys
    import time as clock

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, time, sys\n"
        "from visitplan.solver.budget import Budget\n"
        "from visitplan.solver.processes import run_jobs\n"
        "def job(path):\n"
        "    open(path, 'w').write(str(os.getpid()))\n"
        "    time.sleep(120)\n"
        f"run_jobs({{0: (job, ({str(tmp_path / 'child.pid')!r},))}},\n"
        "         Budget(time.monotonic(), 120.0, 10))\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    pid_file = tmp_path / "child.pid"
    deadline = clock.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()) and clock.monotonic() < deadline:
        clock.sleep(0.05)
    child = int(pid_file.read_text())
    parent.kill()
    parent.communicate(timeout=10)  # returns: nothing holds the pipes any more
    deadline = clock.monotonic() + 5
    while clock.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        clock.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the worker outlived its killed parent")


# -- travel valued on a crowded day bound by time (solve.valued) ---------------------------

def _cut_day(accounts: int, shift_end: str, far: bool = False):
    """Two agents at the centre and ``accounts`` visits of 20 minutes round it (priority
    5), plus, with ``far``, A99 of priority 1 some 28 km off: about three hours there and
    back, which the policy's ten hours a point pays for and half an hour does not."""
    rows = ring(accounts, priority=5.0, service_min=20)
    if far:
        rows.append(account(99, 0.25, priority=1.0, service_min=20))
    return problem(rows, [agent(k, shift_start="09:00", shift_end=shift_end)
                          for k in (1, 2)])


CUT = vp.SearchParams(decompose="always", territory_size=6, warm_start="never",
                      priority_minutes_by_time=30.0)


def test_service_load_is_the_accounts_service_over_the_agents_time_less_breaks():
    from visitplan.solver.solve import service_load
    prob = problem([account(i, service_min=30) for i in range(10)],
                   [agent(1, shift_start="09:00", shift_end="18:00",
                          **{"break": "12:00-13:00/60"}),
                    agent(2, shift_start="09:00", shift_end="13:00")])
    assert service_load(list(prob.accounts), list(prob.agents)) == pytest.approx(
        300 / (480 + 240))


def test_a_crowded_day_bound_by_time_is_searched_with_travel_valued_more():
    from visitplan.solver.solve import valued
    prob = _cut_day(24, "12:00")  # 480 minutes of service, 360 of working time
    agents, accounts = list(prob.agents), list(prob.accounts)
    searched = valued(prob, accounts, agents, CUT, by_time=True)
    assert searched.policy.weights.priority_minutes == 30.0
    assert searched.accounts == prob.accounts and prob.policy.weights.priority_minutes == 600
    # Not on a capped day, not in a re-plan, not where the policy already values travel
    # more, not when off.
    assert valued(prob, accounts, agents, CUT, by_time=False) is prob
    replan = replace(CUT, start_from=(("G1", ("A0",)),))
    assert valued(prob, accounts, agents, replan, by_time=True) is prob
    assert valued(prob, accounts, agents, replace(CUT, priority_minutes_by_time=None),
                  by_time=True) is prob
    cheap = prob.model_copy(update={"policy": prob.policy.model_copy(update={
        "weights": prob.policy.weights.model_copy(update={"priority_minutes": 20.0})})})
    assert valued(cheap, accounts, agents, CUT, by_time=True) is cheap
    plan = solve_checked(prob, time_limit=3, params=CUT, workers=1)
    assert plan.stats.parts > 1 and plan.stats.priority_minutes == 30.0


def test_a_day_with_time_to_spare_still_visits_the_far_account_worth_its_detour():
    prob = _cut_day(10, "18:00", far=True)  # 220 minutes of service, 1,080 of working time
    plan = solve_checked(prob, time_limit=3, params=CUT, workers=1)
    assert plan.stats.parts > 1 and plan.stats.priority_minutes == 600
    assert "A99" in {v.account_id for r in plan.agent_routes for v in r.visits}
    assert not plan.unassigned_accounts


def test_a_capped_day_keeps_the_policy_s_value_of_travel():
    prob = _cut_day(24, "12:00")
    prob = prob.model_copy(update={"agents": tuple(
        g.model_copy(update={"max_visits": 5}) for g in prob.agents)})
    plan = solve_checked(prob, time_limit=3, params=CUT, workers=1)
    assert plan.stats.parts > 1 and plan.stats.priority_minutes == 600


@pytest.mark.parametrize("minutes", [0, -15])
def test_a_value_of_travel_that_is_not_positive_is_refused(minutes):
    with pytest.raises(ValueError, match="priority_minutes_by_time"):
        vp.SearchParams(priority_minutes_by_time=minutes)
