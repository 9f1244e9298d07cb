import datetime as dt
import multiprocessing

import pytest
import sqlalchemy as sa

from visitplan.errors import InputError
from visitplan.history import HistoryStore
from visitplan.history.store import MIGRATIONS

T = dt.datetime(2026, 11, 30, 19, 5)


def outcome(account="A1", when=T, outcome="not_home", **extra):
    return {"account_id": account, "agent_id": "G1", "visited_at": when, "outcome": outcome,
            "promise_amount": None, "promise_date": None, "notes": None, **extra}


def test_schema_is_created_and_migrated_once(store_url):
    store = HistoryStore(store_url, create=True)
    assert store.version() == len(MIGRATIONS) == 2
    assert HistoryStore(store_url, create=True).version() == 2  # reopening applies nothing twice
    with store.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM schema_version ORDER BY version"))
        assert [v for (v,) in versions] == [1, 2]


def test_upgrade_from_an_older_version(store_url):
    engine = sa.create_engine(HistoryStore.__init__.__globals__["to_url"](store_url))
    from visitplan.history.store import _v1, schema_version
    with engine.begin() as conn:  # a database left at version 1 by an older release
        schema_version.create(conn)
        _v1(conn)
        conn.execute(schema_version.insert().values(version=1))
    engine.dispose()
    store = HistoryStore(store_url, create=True)
    assert store.version() == 2
    indexes = {i["name"] for i in sa.inspect(store.engine).get_indexes("outcomes")}
    assert "ix_outcomes_account_time" in indexes


def test_importing_twice_does_not_duplicate(store_url):
    store = HistoryStore(store_url, create=True)
    rows = [outcome(), outcome(when=T + dt.timedelta(days=1)),
            outcome("A2", outcome="ptp", promise_amount=500.0, promise_date=dt.date(2026, 12, 3))]
    assert store.add_outcomes(rows) == (3, 0)
    assert store.add_outcomes(rows) == (0, 3)
    assert store.count_outcomes() == 3
    found = store.outcomes_for(["A1", "A2"], before=dt.date(2026, 12, 5))
    assert [r["visited_at"] for r in found["A1"]] == [T, T + dt.timedelta(days=1)]
    assert found["A2"][0]["promise_date"] == dt.date(2026, 12, 3)


def test_outcomes_before_the_planning_date_only(store_url):
    store = HistoryStore(store_url, create=True)
    store.add_outcomes([outcome(when=T), outcome(when=dt.datetime(2026, 12, 1, 9))])
    found = store.outcomes_for(["A1"], before=dt.date(2026, 12, 1))
    assert len(found["A1"]) == 1


def _import(url, start, count):
    store = HistoryStore(url, create=True)
    rows = [outcome(f"A{i}", when=T) for i in range(start, start + count)]
    store.add_outcomes(rows)


def test_concurrent_imports_keep_every_row(store_url):
    HistoryStore(store_url, create=True)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_import, args=(store_url, k * 50, 80)) for k in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    # 3 overlapping batches of 80 starting 50 apart: 180 distinct rows.
    assert HistoryStore(store_url, create=True).count_outcomes() == 180


def test_record_plan(store_url):
    from tests.conftest import account, agent, problem, solve_checked
    prob = problem([account(1), account(2, 0.01, 0)], [agent(1)])
    plan = solve_checked(prob)
    store = HistoryStore(store_url, create=True)
    run_id = store.record_plan(plan)
    planned = store.planned(run_id)
    assert sorted(p["account_id"] for p in planned) == ["A1", "A2"]
    assert all(p["plan_date"] == prob.date for p in planned)
    assert store.record_plan(plan) != run_id


def test_a_postgres_database_without_the_schema_is_refused(store_url):
    with pytest.raises(InputError, match="history init"):
        HistoryStore(store_url)
    assert HistoryStore(store_url, create=True).version() >= 1
    assert HistoryStore(store_url).count_outcomes() == 0
