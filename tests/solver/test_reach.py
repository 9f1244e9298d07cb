"""Promised visits on a day cut into territories: an agent of another territory who can
make the visit is found, the visit is made, and a visit left out is explained against
every agent of the day."""

import importlib

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.plan import Reason, Unassigned
from visitplan.solver.decompose import territories
from visitplan.solver.reach import across_the_day, must_reach, reach, serves
from visitplan.solver.reasons import MUST, UNREACHABLE
from visitplan.solver.reselect import Places

from ..conftest import account, agent, problem

solve_module = importlib.import_module("visitplan.solver.solve")  # the module


def two_towns(promise_window="19:00-20:30"):
    """A west town served by two day agents, an east town (about 21 km away) by a day
    agent and an evening agent, and a promise in the west town whose borrower is in only
    in the evening: only the east's evening agent G4 works then."""
    accounts = []
    for i in range(30):
        for town, dlon in ((0, -0.1), (1, 0.1)):
            accounts.append(account(100 * town + i, 0.002 * (i % 6), dlon + 0.002 * (i // 6),
                                    priority=float(1 + i % 5),
                                    windows="09:00-12:00" if i % 2 else "14:00-17:00"))
    accounts.append(account(999, 0.004, -0.1, priority=1.0, must_visit=True,
                            windows=promise_window))
    west, east = {"start_lon": 121.3737}, {"start_lon": 121.5737}
    agents = [agent(1, **west), agent(2, **west), agent(3, **east),
              agent(4, **east, shift_start="12:00", shift_end="21:00")]
    return problem(accounts, agents)


def _day(prob):
    prepared = prepare(prob)
    eligible, _, _ = screen(prepared)
    return prepared, eligible, prepared.working_agents()


def _home(parts, account_id):
    return next(p for p in parts if account_id in {a.account_id for a in p.accounts})


def test_reach_names_the_agents_who_could_make_a_visit_on_an_empty_day():
    prepared, eligible, agents = _day(two_towns())
    known = must_reach(prepared, eligible, agents)
    assert known == {"A999": frozenset({"G4"})}
    everyone = reach(prepared, eligible, agents)
    assert everyone["A1"] == frozenset({"G1", "G2", "G3"})  # 09:00-12:00: G4 starts at 12
    promise = prepared.account("A999")
    assert serves(agents[3], promise, known) and not serves(agents[0], promise, known)
    assert serves(agents[0], promise)  # without the day's reach, skills alone


def test_a_promise_only_another_territorys_agent_can_reach_is_cut_into_that_territory():
    prepared, eligible, agents = _day(two_towns())
    known = must_reach(prepared, eligible, agents)
    blind = territories(eligible, agents, 40, 0)
    assert {g.agent_id for g in _home(blind, "A999").agents} == {"G1", "G2"}  # the old cut
    parts = territories(eligible, agents, 40, 0, known)
    assert "G4" in {g.agent_id for g in _home(parts, "A999").agents}
    assert sorted(a.account_id for p in parts for a in p.accounts) == \
        sorted(a.account_id for a in eligible)


def test_the_pairs_are_offered_every_unvisited_promise_first():
    prepared, eligible, agents = _day(two_towns())
    places = Places(eligible, agents)
    plan = {g.agent_id: [] for g in agents}
    offered = places.candidates(plan, (agents[2], agents[3]))
    # Priority 1 and 20 km from the pair: by urgency and nearness it would not be offered.
    assert offered[0].account_id == "A999"
    assert len(offered) == 1 + 2 * 10
    plan["G4"] = ["A999"]
    assert "A999" not in {a.account_id for a in places.candidates(plan, (agents[2], agents[3]))}


def _cut_alone(prob):
    """The day planned by its first cut alone (no second cut, no pairs), checked."""
    params = vp.SearchParams(decompose="always", territory_size=40, workers=1, seed=0,
                             warm_start="never", recut=None, recut_by_time=None,
                             reselect_by_time=None, reselect=None)
    plan = vp.solve(prob, params, time_limit=3)
    assert vp.validate(prob, plan) == []
    return plan


def test_a_day_cut_into_territories_makes_the_promised_visit_another_territorys_agent_can():
    # By the cut alone: the west territory's agents cannot make it.
    plan = _cut_alone(two_towns())
    assert {v.account_id: v.agent_id for v in plan.visits}.get("A999") == "G4"


def test_a_promise_left_out_is_explained_against_every_agent_of_the_day(monkeypatch):
    # Without the day's reach (as before), the west territory drops the promise, and its
    # model, which knows only G1 and G2, would say no agent can reach it.
    monkeypatch.setattr(solve_module, "must_reach", lambda *args: {})
    plan = _cut_alone(two_towns())
    left = {u.account_id: u for u in plan.unassigned_accounts}["A999"]
    assert left.reason == Reason.MUST_VISIT_INFEASIBLE
    assert "agent G4 could reach it" in left.detail and UNREACHABLE not in left.detail


def test_a_promise_no_agent_of_the_day_can_reach_keeps_its_reason():
    prepared, eligible, agents = _day(two_towns(promise_window="21:30-22:00"))
    said = [Unassigned(account_id="A999", reason=Reason.MUST_VISIT_INFEASIBLE,
                       detail=MUST + UNREACHABLE),
            Unassigned(account_id="A1", reason=Reason.NOT_REACHABLE, detail=UNREACHABLE)]
    again = across_the_day(prepared, agents, said, {})
    assert again[0] == said[0]  # nobody works at 21:30: the reason stands
    # A1 is reachable by the day agents: a territory's "nobody" was wrong.
    assert again[1].reason == Reason.CAPACITY and "agents G1, G2, G3 could reach it" \
        in again[1].detail


def test_a_promise_that_does_not_fit_beside_another_names_the_agent_who_could_make_it():
    # One agent, two promises 10 km apart, each borrower in only from 09:00 to 09:20:
    # either can be made, not both. The one left out is not "unreachable", and a promise
    # is never "not worth its travel".
    rows = [account(1, 0.0, 0.05, must_visit=True, windows="09:00-09:20", priority=1.0),
            account(2, 0.0, -0.05, must_visit=True, windows="09:00-09:20", priority=2.0)]
    prob = problem(rows, [agent(1)])
    plan = vp.solve(prob, vp.SearchParams(warm_start="never", workers=1), time_limit=2)
    assert vp.validate(prob, plan) == [] and len(plan.visits) == 1
    left = plan.unassigned_accounts[0]
    assert left.reason == Reason.MUST_VISIT_INFEASIBLE
    assert left.detail == MUST + "agent G1 could reach it inside its window, but the plan " \
        "found no room for it among their visits"
