"""Every violation code of the validator, planted alone in an otherwise valid plan.

The base day is built by hand (no solver): one agent G1 with a lunch break,
one pair route G2+G3, and a few accounts, most at the agents' door (no
travel). Each test changes one input or one line of the plan and expects
exactly the code it planted.
"""

import datetime as dt

import pandas as pd
import pytest

import visitplan as vp
from visitplan.plan import ROUTE_COLUMNS, Reason, Unassigned
from visitplan.validation import CODES, check, validate_files

from .conftest import CENTRE, DATE, account, agent, problem

FAR = 0.05  # degrees north: about 7 km on the road, 17-18 minutes at 25 km/h


def accounts(**changes):
    rows = {
        "A1": account(1, windows="09:00-12:00"),
        "A2": account(2, FAR, windows="10:00-16:00"),
        "A4": account(4, risk="hostile"),
        "A5": account(5),
        "A6": account(6, status="dispute"),
    }
    for key, fields in changes.items():
        rows[key] = {**rows[key], **fields}
    return list(rows.values())


def agents(**changes):
    rows = {
        "G1": agent(1, shift_start="09:00", shift_end="18:00", max_visits=3, capacity=5,
                    skills="senior", region="south", **{"break": "12:00-13:00/30"}),
        "G2": agent(2, pair_with="G3"),
        "G3": agent(3),
    }
    for key, fields in changes.items():
        rows[key] = {**rows[key], **fields}
    return list(rows.values())


def at(hhmm: str, day: dt.date = DATE) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def visit(agent_id, seq, account_id, start, end, partner=""):
    return {"date": DATE, "agent_id": agent_id, "seq": seq, "account_id": account_id,
            "arrival": at(start), "start": at(start), "end": at(end), "travel_min": 0.0,
            "travel_km": 0.0, "priority": 1.0, "partner_id": partner}


def base_routes():
    return [visit("G1", 1, "A1", "10:00", "10:20"), visit("G1", 2, "A2", "14:00", "14:20"),
            visit("G2", 1, "A4", "10:00", "10:20", partner="G3")]


BASE_UNASSIGNED = [("A5", "CAPACITY"), ("A6", "DO_NOT_VISIT")]
BASE_BREAKS = {"G1": [(at("12:00"), at("12:30"))]}


def found(prob=None, routes=None, unassigned=None, breaks=None):
    prob = prob or problem(accounts(), agents())
    frame = pd.DataFrame(base_routes() if routes is None else routes, columns=ROUTE_COLUMNS)
    rows = BASE_UNASSIGNED if unassigned is None else unassigned
    left = pd.DataFrame([{"account_id": a, "reason": r, "detail": "x"} for a, r in rows],
                        columns=["account_id", "reason", "detail"])
    return {v.code for v in check(prob, frame, left, BASE_BREAKS if breaks is None else breaks)}


def with_visit(routes, account_id, **times):
    out = []
    for row in routes:
        if row["account_id"] == account_id:
            row = {**row, **{k: at(v) if isinstance(v, str) else v for k, v in times.items()}}
        out.append(row)
    return out


def test_the_base_plan_is_valid():
    assert found() == set()


# -- accounting -----------------------------------------------------------------------

def test_bad_file(tmp_path):
    assert {v.code for v in validate_files(problem(accounts(), agents()), tmp_path)} == \
        {"BAD_FILE"}


def test_unknown_account():
    assert found(unassigned=BASE_UNASSIGNED + [("ZZ9", "CAPACITY")]) == {"UNKNOWN_ACCOUNT"}


def test_duplicate():
    assert found(unassigned=BASE_UNASSIGNED + [("A1", "CAPACITY")]) == {"DUPLICATE"}


def test_missing():
    assert found(unassigned=BASE_UNASSIGNED[1:]) == {"MISSING"}


def test_bad_reason():
    assert found(unassigned=[("A5", "LAZY"), ("A6", "DO_NOT_VISIT")]) == {"BAD_REASON"}


def test_rejected_routed():
    prob = problem(accounts(), agents())
    rejected = Unassigned(account_id="R1", reason=Reason.BAD_DATA, detail="row 9")
    prob = prob.model_copy(update={"rejected": (rejected,)})
    routes = base_routes() + [visit("G1", 3, "R1", "15:00", "15:20")]
    assert found(prob, routes=routes) == {"REJECTED_ROUTED"}


def test_unknown_agent():
    routes = [dict(r, agent_id="G9") if r["agent_id"] == "G2" else r for r in base_routes()]
    assert found(routes=routes) == {"UNKNOWN_AGENT"}


# -- one visit, on its own -------------------------------------------------------------

def test_wrong_date():
    later = DATE + dt.timedelta(days=7)
    routes = with_visit(base_routes(), "A1", start=at("10:00", later), end=at("10:20", later))
    assert "WRONG_DATE" in found(routes=routes)


@pytest.mark.parametrize("code, account_fields, policy", [
    ("DO_NOT_VISIT", {"status": "Dispute"}, None),
    ("HOLIDAY", {}, vp.Policy(holidays=["12-01"])),
    ("WORKPLACE_ADDRESS", {"address_type": "workplace"}, None),
    ("COOL_DOWN", {"last_visit": str(DATE - dt.timedelta(days=1))}, None),
    ("VISIT_CAP_7D", {"visits_7d": 2, "visits_30d": 2}, None),
    ("VISIT_CAP_30D", {"visits_30d": 4}, None),
    ("LEGAL_HOURS", {}, vp.Policy(visiting_hours={"start": "10:30", "end": "21:00"})),
    ("LEGAL_HOURS", {}, vp.Policy(visiting_hours={"weekdays": {"tue": "closed"}})),
    ("WINDOW", {"windows": "Tue 15:00-16:00; Mon-Fri 18:00-19:00"}, None),
    ("WINDOW", {"windows": "Wed 09:00-12:00"}, None),
    ("SKILLS", {"skills": "cantonese"}, None),
    ("PAIR_REQUIRED", {"risk": "hostile"}, None),
    ("CAPACITY", {"load": 6}, None),
    ("REGION", {"region": "north"}, None),
])
def test_a_rule_of_one_visit(code, account_fields, policy):
    prob = problem(accounts(A1=account_fields), agents(), policy=policy)
    assert found(prob) == {code}


@pytest.mark.parametrize("account_fields", [{"risk": "high"}, {"broken_promises": 1}])
def test_senior_requirements_come_from_the_policy(account_fields):
    # A2 is on G1's route; G1 loses the senior skill.
    prob = problem(accounts(A2=account_fields), agents(G1={"skills": ""}))
    assert found(prob) == {"SKILLS"}
    assert found(problem(accounts(A2=account_fields), agents())) == set()


def test_short_visit():
    assert found(routes=with_visit(base_routes(), "A1", end="10:10")) == {"SHORT_VISIT"}


def test_agent_off():
    assert found(problem(accounts(), agents(G1={"days": "Wed-Fri"}))) == {"AGENT_OFF"}


def test_agent_off_when_the_partner_is_off():
    assert found(problem(accounts(), agents(G3={"days": "Sat,Sun"}))) == {"AGENT_OFF"}


def test_pair_partner_wrong_or_missing():
    routes = [dict(r, partner_id="") if r["agent_id"] == "G2" else r for r in base_routes()]
    assert found(routes=routes) == {"PAIR"}


def test_a_partner_with_a_route_of_their_own():
    routes = base_routes() + [visit("G3", 1, "A5", "11:00", "11:20")]
    assert found(routes=routes, unassigned=BASE_UNASSIGNED[1:]) == {"PAIR"}


# -- one route ---------------------------------------------------------------------------

def test_sequence():
    routes = [dict(r, seq=3) if r["account_id"] == "A2" else r for r in base_routes()]
    assert found(routes=routes) == {"SEQUENCE"}


def test_visit_cap_from_the_agent_the_policy_and_the_partner():
    assert found(problem(accounts(), agents(G1={"max_visits": 1}))) == {"VISIT_CAP"}
    assert found(problem(accounts(), agents(), policy=vp.Policy(max_visits_per_agent=1))) == \
        {"VISIT_CAP"}
    assert found(problem(accounts(), agents(G3={"max_visits": 0}))) == {"VISIT_CAP"}


def test_capacity_of_a_pair_is_the_smaller():
    assert found(problem(accounts(A4={"load": 3}), agents(G3={"capacity": 2}))) == {"CAPACITY"}


def test_travel_between_visits():
    routes = with_visit(base_routes(), "A2", start="10:25", end="10:45")
    assert found(routes=routes) == {"TRAVEL"}


def test_travel_uses_the_slower_of_a_pair():
    # A4 moved 0.05 degrees away; the pair leaves at 09:00 and needs ~18 min at 25 km/h,
    # ~45 min at the partner's 10 km/h.
    fast = problem(accounts(A4={"lat": CENTRE[0] + FAR}), agents())
    slow = problem(accounts(A4={"lat": CENTRE[0] + FAR}), agents(G3={"speed_kmh": 10}))
    routes = with_visit(base_routes(), "A4", start="09:30", end="09:50")
    assert found(fast, routes=routes) == set()
    assert found(slow, routes=routes) == {"TRAVEL"}


def test_travel_must_lie_wholly_before_or_after_the_break():
    # A1 ends 11:50, break 12:00-12:30, A2 (18 min away) at 12:40: 20 minutes of the
    # gap are free, but only 10 before the break and 10 after it.
    routes = with_visit(with_visit(base_routes(), "A1", start="11:30", end="11:50"),
                        "A2", start="12:40", end="13:00")
    assert found(routes=routes) == {"TRAVEL"}
    later = with_visit(routes, "A2", start="12:50", end="13:10")
    assert found(routes=later) == set()


def test_visits_outside_the_shift():
    early = with_visit(base_routes(), "A1", start="09:00", end="09:20")
    assert found(problem(accounts(), agents(G1={"shift_start": "09:30"})), routes=early) == \
        {"TRAVEL"}
    late = with_visit(base_routes(), "A2", start="15:50", end="16:10")
    assert found(routes=late) == set()
    assert found(problem(accounts(), agents(G1={"shift_end": "16:20"})), routes=late) == \
        {"TRAVEL"}  # no time to drive back


def test_break_missing():
    assert found(breaks={}) == {"BREAK"}


def test_break_too_short():
    assert found(breaks={"G1": [(at("12:00"), at("12:20"))]}) == {"BREAK"}


def test_break_overlapping_a_visit():
    routes = with_visit(base_routes(), "A2", start="12:10", end="12:30")
    assert found(routes=routes) == {"BREAK"}


def test_break_not_owed_when_its_window_leaves_the_shift():
    prob = problem(accounts(), agents(G1={"shift_end": "13:00", "max_visits": 3}))
    routes = [r for r in base_routes() if r["account_id"] != "A2"]
    assert found(prob, routes=routes, breaks={},
                 unassigned=BASE_UNASSIGNED + [("A2", "CAPACITY")]) == set()


def test_every_code_is_planted_somewhere_in_this_file():
    source = open(__file__, encoding="utf-8").read()
    for code in CODES:
        assert f'"{code}"' in source.split("def test_every_code")[0], code


def test_the_validator_keeps_the_per_agent_cap_when_the_solver_forgets_it(monkeypatch):
    """The solver's own requirements switched off: the validator, which does not share
    them, still sees 5 visits under a policy cap of 3."""
    from visitplan import compliance

    monkeypatch.setattr(compliance, "_capped", lambda agent, cap: agent)
    prob = problem([account(i, 0.001 * i) for i in range(1, 6)], [agent(1)],
                   policy=vp.Policy(max_visits_per_agent=3))
    plan = vp.solve(prob, time_limit=1, solution_limit=20)
    assert len(plan.routes) == 5  # the broken solver planned them all
    assert {v.code for v in vp.validate(prob, plan)} == {"VISIT_CAP"}
