import pydantic
import pytest

import visitplan as vp
from visitplan.models import Account, Agent, BreakRule, TimeWindow

from .conftest import DATE


def test_personal_fields_stay_out_of_repr():
    account = Account(account_id="A1", lat=31.2, lon=121.4, name="王伟", phone="13800001111",
                      address="上海市某路1号")
    text = repr(account) + str(account)
    assert "A1" in text and "王伟" not in text and "13800001111" not in text and "某路" not in text


def test_models_are_immutable():
    account = Account(account_id="A1", lat=31.2, lon=121.4)
    with pytest.raises(pydantic.ValidationError):
        account.priority = 5


@pytest.mark.parametrize("fields", [
    {"lat": 91}, {"lon": -181}, {"priority": -1}, {"service_min": 0}, {"load": -1},
    {"account_id": ""},
])
def test_account_rejects_out_of_range(fields):
    with pytest.raises(pydantic.ValidationError):
        Account(**{"account_id": "A1", "lat": 31.2, "lon": 121.4, **fields})


def test_windows_on_a_weekday():
    account = Account(account_id="A1", lat=0, lon=0, windows=(
        TimeWindow(days=frozenset({0, 1}), start=1080, end=1260),
        TimeWindow(start=720, end=780)))
    assert account.windows_on(1) == [(720, 780), (1080, 1260)]
    assert account.windows_on(5) == [(720, 780)]


def test_agent_defaults_and_rules():
    agent = Agent(agent_id="G1", start_lat=31.2, start_lon=121.4)
    assert (agent.shift_start, agent.shift_end) == (540, 1080)
    assert agent.end == (31.2, 121.4) and agent.days == frozenset(range(5))
    with pytest.raises(pydantic.ValidationError, match="shift ends"):
        Agent(agent_id="G1", start_lat=0, start_lon=0, shift_start=600, shift_end=500)
    with pytest.raises(pydantic.ValidationError, match="both end_lat"):
        Agent(agent_id="G1", start_lat=0, start_lon=0, end_lat=1)


def test_break_applies_only_inside_the_shift():
    lunch = BreakRule(earliest=720, latest=780, duration=45)
    inside = Agent(agent_id="G1", start_lat=0, start_lon=0, break_rule=lunch)
    evening = Agent(agent_id="G2", start_lat=0, start_lon=0, shift_start=800, shift_end=1260,
                    break_rule=lunch)
    assert inside.break_applies() and not evening.break_applies()
    # Working time: the shift less the break only where the break applies.
    assert inside.working_time() == inside.shift_end - inside.shift_start - 45
    assert evening.working_time() == 1260 - 800


def test_skills_are_case_insensitive():
    agent = Agent(agent_id="G1", start_lat=0, start_lon=0, skills=frozenset({"Senior", "Cantonese"}))
    account = Account(account_id="A1", lat=0, lon=0, skills=frozenset({"senior"}))
    assert agent.can_serve(account)


def test_problem_rejects_duplicate_ids_and_finds_accounts():
    a = Account(account_id="A1", lat=0, lon=0)
    g = Agent(agent_id="G1", start_lat=0, start_lon=0, days=frozenset({5}))
    with pytest.raises(pydantic.ValidationError, match="duplicate account_id"):
        vp.Problem(accounts=(a, a), agents=(g,), date=DATE)
    problem = vp.Problem(accounts=(a,), agents=(g,), date=DATE)
    assert problem.account("A1") is a
    assert problem.working_agents() == []  # G1 works Saturdays only; DATE is a Tuesday


def test_account_lookup_follows_copies_with_other_accounts():
    from visitplan.compliance import prepare
    a = Account(account_id="A1", lat=0, lon=0, risk="high")
    g = Agent(agent_id="G1", start_lat=0, start_lon=0)
    problem = vp.Problem(accounts=(a,), agents=(g,), date=DATE)
    assert problem.account("A1").skills == frozenset()  # builds the index
    prepared = prepare(problem)
    assert prepared.account("A1").skills == frozenset({"senior"})
    assert problem.account("A1").skills == frozenset()
