import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, strategies as st

import visitplan as vp
from visitplan.models import Account
from visitplan.scoring import TERMS, apply_scores, bucket, score_terms, scores_frame, total

from .conftest import DATE, account, agent, problem

POLICY = vp.Policy()


def make(**fields):
    return Account(**{"account_id": "A1", "lat": 31.2, "lon": 121.4, **fields})


money = st.floats(0, 5_000_000, allow_nan=False)
days = st.integers(0, 400)


@given(money, money, days, days, st.integers(0, 5), st.integers(0, 5))
def test_more_overdue_never_lowers_the_score(b1, b2, d1, d2, broken, not_home):
    low = make(balance=min(b1, b2), days_past_due=min(d1, d2), broken_promises=broken,
               not_home_streak=not_home)
    high = make(balance=max(b1, b2), days_past_due=max(d1, d2), broken_promises=broken,
                not_home_streak=not_home)
    assert total(score_terms(high, POLICY, DATE)) >= total(score_terms(low, POLICY, DATE))


def test_amount_has_diminishing_returns():
    step = [score_terms(make(balance=b), POLICY, DATE)["amount"] for b in (0, 10_000, 20_000, 30_000)]
    gains = [b - a for a, b in zip(step, step[1:])]
    assert gains[0] > gains[1] > gains[2] > 0


def test_buckets():
    assert [bucket(d) for d in (0, 1, 30, 31, 60, 61, 90, 91)] == [
        None, "m1", "m1", "m2", "m2", "m3", "m3", "m3+"]
    jump = (score_terms(make(days_past_due=31), POLICY, DATE)["bucket"]
            - score_terms(make(days_past_due=30), POLICY, DATE)["bucket"])
    assert jump == 0.5


def test_each_history_term():
    terms = score_terms(make(promise_date=DATE, broken_promises=5, not_home_streak=2,
                             last_contact=DATE - dt.timedelta(days=60),
                             flags=frozenset({"fraud_suspect", "unknown"})), POLICY, DATE)
    assert terms["promise_due"] == 3.0
    assert terms["broken_promise"] == 4.5  # capped at 3 promises
    assert terms["not_home"] == -1.0
    assert terms["no_contact"] == pytest.approx(1.0)
    assert terms["flags"] == 2.0
    assert total(terms) == pytest.approx(sum(terms.values()), abs=0.01)


def test_score_has_a_floor():
    assert total(score_terms(make(not_home_streak=9, flags=frozenset({"hardship"})), POLICY, DATE)) == 0.1


def test_weights_come_from_the_policy():
    policy = vp.Policy(scoring={"amount": 0.0, "days_past_due": 2.0})
    terms = score_terms(make(balance=50_000, days_past_due=60), policy, DATE)
    assert terms["amount"] == 0 and terms["days_past_due"] == 4.0


def test_scores_frame_explains_each_account():
    prob = problem([account(1, balance=100_000, days_past_due=95),
                    account(2, balance=500, days_past_due=3)], [agent(1)])
    frame = scores_frame(prob)
    assert list(frame.columns) == ["account_id", "priority", *TERMS]
    assert list(frame["account_id"]) == ["A1", "A2"]
    assert frame[list(TERMS)].sum(axis=1).round(2).clip(lower=0.1).tolist() == frame["priority"].tolist()


def test_plan_scores_only_accounts_without_a_priority():
    prob = problem([account(1, balance=100_000, days_past_due=95), account(2, priority=0.5)],
                   [agent(1)])
    first, second = prob.accounts
    assert first.priority_source == "score" and first.priority > 5
    assert second.priority_source == "input" and second.priority == 0.5


def test_user_column_and_callable():
    accounts = pd.DataFrame([account(1, my_model=7.5, balance=10, name="Wang Wei", phone="138",
                                     address="1 Road"), account(2, my_model=0.2)])
    agents = pd.DataFrame([agent(1)])
    prob = vp.read_frames(accounts, agents, date=DATE, priority_column="my_model")
    assert [(a.priority, a.priority_source) for a in prob.accounts] == [(7.5, "column"), (0.2, "column")]

    seen = []

    def scorer(frame):
        seen.append(frame)
        return frame["balance"].fillna(0) + 1
    prob = vp.enrich(vp.read_frames(accounts, agents, date=DATE), scorer=scorer)
    assert [(a.priority, a.priority_source) for a in prob.accounts] == [(11.0, "callable"), (1.0, "callable")]
    # The input has name, phone and address; none of them reaches a user's model.
    assert prob.accounts[0].name == "Wang Wei"
    assert {"name", "phone", "address"}.isdisjoint(seen[0].columns)
    assert not seen[0].astype(str).isin(["Wang Wei", "138", "1 Road"]).any().any()


def test_bad_callable_is_refused():
    prob = problem([account(1)], [agent(1)])
    prob = prob.model_copy(update={"accounts": tuple(a.model_copy(update={"priority_source": "default"})
                                                     for a in prob.accounts)})
    with pytest.raises(ValueError, match="one priority between 0 and"):
        apply_scores(prob, scorer=lambda frame: [-1.0])
