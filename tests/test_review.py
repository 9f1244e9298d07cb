"""Plan against what happened, from a real plan and imported outcomes (SQLite and PostgreSQL)."""

import datetime as dt

import pandas as pd
from typer.testing import CliRunner

import visitplan as vp
from visitplan.cli import app
from visitplan.history import HistoryStore

from .conftest import DATE, account, agent, problem
from .history.conftest import store_url  # noqa: F401  (SQLite and PostgreSQL)
from .history.conftest import pg_server  # noqa: F401


def test_review_counts_done_on_time_by_whom_and_unplanned(store_url, tmp_path):  # noqa: F811
    prob = problem([account(i, 0.002 * i, windows="09:00-17:00") for i in range(1, 7)],
                   [agent(1, max_visits=3), agent(2, max_visits=3)])
    out = tmp_path / "plan"
    vp.plan_day(prob, out, time_limit=1, solution_limit=20)
    routes = pd.read_csv(out / "routes.csv", dtype=str).sort_values(["agent_id", "seq"])
    g1 = routes[routes.agent_id == "G1"].account_id.tolist()
    g2 = routes[routes.agent_id == "G2"].account_id.tolist()
    start = dict(zip(routes.account_id, routes.start))
    at = lambda a, minutes=0: dt.datetime.fromisoformat(start[a]) + dt.timedelta(minutes=minutes)
    rows = [  # G1: first on time, second an hour late; G2: first done by G1; plus one unplanned
        {"account_id": g1[0], "agent_id": "G1", "visited_at": at(g1[0], 10), "outcome": "paid"},
        {"account_id": g1[1], "agent_id": "G1", "visited_at": at(g1[1], 60), "outcome": "ptp",
         "promise_date": DATE + dt.timedelta(days=3)},
        {"account_id": g2[0], "agent_id": "G1", "visited_at": at(g2[0]), "outcome": "not_home"},
        {"account_id": "X9", "agent_id": "G2", "visited_at": dt.datetime.combine(
            DATE, dt.time(15)), "outcome": "refused"},
        {"account_id": g1[2], "agent_id": "G1", "visited_at": at(g1[2]) - dt.timedelta(days=1),
         "outcome": "paid"},  # another day: does not count
    ]
    store = HistoryStore(store_url, create=True)
    store.add_outcomes([{"promise_amount": None, "promise_date": None, "notes": None, **r}
                        for r in rows])
    result = CliRunner().invoke(app, ["review", str(out), "--history", store_url, "--out",
                                      str(tmp_path / "review.csv")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "review.csv").set_index("agent_id")
    assert table.loc["G1"].to_dict() == {"planned": 3, "done": 2, "done_by_planned_agent": 2,
                                         "on_time": 1, "not_done": 1, "done_not_planned": 0}
    assert table.loc["G2"].to_dict() == {"planned": 3, "done": 1, "done_by_planned_agent": 0,
                                         "on_time": 1, "not_done": 2, "done_not_planned": 1}
    assert table.loc["TOTAL", "planned"] == 6 and table.loc["TOTAL", "done"] == 3
    assert "Plan against what happened" in result.output


def test_review_of_something_that_is_not_a_plan_is_bad_input(tmp_path):
    db = tmp_path / "h.db"
    HistoryStore(db, create=True)
    result = CliRunner().invoke(app, ["review", str(tmp_path), "--history", str(db)])
    assert result.exit_code == 2 and "is not a readable plan" in result.output
