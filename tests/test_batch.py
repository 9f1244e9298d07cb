"""A national batch: regions as Dask tasks on a real LocalCluster of two workers."""

import numpy as np
import pandas as pd
import pytest

import visitplan as vp
from visitplan.batch import NO_REGION, split_regions, solve_regions

from .conftest import CENTRE, account, agent, problem


def batch_rows(seed=0):
    rng = np.random.default_rng(seed)
    accounts, agents = [], []
    for r, (name, dlat) in enumerate([("north", 0.05), ("south", -0.05), ("east", 0.0)]):
        for i in range(15 + 5 * r):
            accounts.append(account(i, dlat + rng.normal(0, 0.01), rng.normal(0, 0.01),
                                    account_id=f"{name}{i}", region=name,
                                    priority=float(rng.integers(1, 5))))
        for k in range(2):
            agents.append(agent(k, agent_id=f"{name}{k}", start_lat=CENTRE[0] + dlat,
                                region=name, max_visits=5))
    accounts += [account(i, account_id=f"lost{i}", region="west")  # nobody works there
                 for i in range(3)]
    return accounts, agents


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    try:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
    except Exception as exc:  # pragma: no cover - only where processes cannot start
        pytest.skip(f"a Dask LocalCluster cannot start here: {exc}")
    with Client(cluster) as client:
        yield client
    cluster.close()


def test_regions_split_largest_first():
    prob = problem(*batch_rows())
    regions = split_regions(prob)
    assert list(regions) == ["east", "south", "north", "west"]
    assert {g.agent_id for g in regions["east"].agents} == {"east0", "east1"}
    assert regions["west"].agents == ()


def test_every_region_planned_on_the_cluster_and_the_whole_validated(client):
    prob = problem(*batch_rows())
    plan = solve_regions(prob, vp.SearchParams(time_limit=2), client=client)
    assert vp.validate(prob, plan) == []  # REGION among the rules: nobody crosses a border
    routes = plan.routes
    assert len(routes) == 30  # six agents, five visits each: the days are easy
    for row in routes.itertuples():
        assert row.agent_id.rstrip("01") == row.account_id.rstrip("0123456789")
    reasons = plan.unassigned.set_index("account_id")["reason"]
    assert set(reasons[[f"lost{i}" for i in range(3)]]) == {"NO_AGENT_WORKING"}
    assert set(plan.regions) == {"east", "south", "north", "west"}
    assert plan.regions["north"]["accounts"]["in"] == 15
    assert plan.kpis["regions"]["east"]["accounts"]["planned"] == 10  # 2 agents x 5
    assert plan.stats.status == "REGIONS_4_OF_4_PLANNED"


def test_a_failing_region_is_reported_and_the_others_finish(client, tmp_path):
    accounts, agents = batch_rows()
    prob = problem(accounts, agents)
    # A travel matrix that knows every place but the east's accounts: that task fails.
    keys = [a["account_id"] for a in accounts if not a["account_id"].startswith("east")]
    keys += [f"{p}:{g['agent_id']}" for g in agents for p in ("start", "end")]
    matrix = vp.Matrix(np.full((len(keys), len(keys)), 300) - 300 * np.eye(len(keys), dtype=int),
                       {k: i for i, k in enumerate(keys)})
    prob = prob.model_copy(update={"travel": matrix})
    plan = solve_regions(prob, vp.SearchParams(time_limit=2), client=client)
    reasons = plan.unassigned.set_index("account_id")
    east = reasons.loc[[a["account_id"] for a in accounts if a["account_id"].startswith("east")]]
    assert set(east["reason"]) == {"SOLVER_FAILED"}
    assert east["detail"].str.contains("region east: its task failed \\(KeyError\\)").all()
    assert set(plan.routes["agent_id"].str.rstrip("01")) == {"north", "south"}
    assert not plan.found_plan and plan.regions["east"] == {"failed": "KeyError", "accounts": 25}
    assert any("region east" in w for w in plan.warnings)
    # The regions that planned go out (their sheets written, the run recorded); the
    # failure stays loud: not dispatchable as a whole, "partial", exit code 3.
    from visitplan.history import HistoryStore
    store = HistoryStore(tmp_path / "h.db", create=True)
    result = vp.plan_day(prob, tmp_path / "plan", history=store,
                         params=vp.SearchParams(time_limit=2), by="region", client=client)
    summary = __import__("json").loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["dispatchable"] is False and summary["partial"] is True
    sheets = {p.stem for p in (tmp_path / "plan" / "agents").glob("*.csv")}
    assert sheets == {"north0", "north1", "south0", "south1"}
    assert result.run_id is not None and not result.dispatchable


def test_the_cli_plans_a_batch_by_region(tmp_path):
    from typer.testing import CliRunner

    from visitplan.cli import app

    accounts, agents = batch_rows()
    pd.DataFrame(accounts).to_csv(tmp_path / "accounts.csv", index=False)
    pd.DataFrame(agents).to_csv(tmp_path / "agents.csv", index=False)
    out = tmp_path / "plan"
    result = CliRunner().invoke(app, ["plan", str(tmp_path / "accounts.csv"),
                                      str(tmp_path / "agents.csv"), "--date", "2026-12-01",
                                      "--out", str(out), "--time-limit", "2", "--by", "region",
                                      "--cluster", "local", "--quiet"])
    assert result.exit_code == 0, result.output
    import json
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["regions"]) == {"east", "south", "north", "west"}
    check = CliRunner().invoke(app, ["validate", str(tmp_path / "accounts.csv"),
                                     str(tmp_path / "agents.csv"), str(out)])
    assert check.exit_code == 0, check.output


def test_an_unreachable_scheduler_is_bad_input(tmp_path):
    prob = problem(*batch_rows())
    with pytest.raises(vp.InputError, match="cannot reach the Dask scheduler"):
        solve_regions(prob, vp.SearchParams(time_limit=1), cluster="tcp://127.0.0.1:1")


def test_accounts_without_a_region_form_their_own():
    prob = problem([account(1), account(2, region="north")],
                   [agent(1), agent(2, region="north")])
    regions = split_regions(prob)
    assert [a.account_id for a in regions[NO_REGION].accounts] == ["A1"]
    assert [a.agent_id for a in regions[NO_REGION].agents] == ["G1"]


def test_a_week_planned_by_region_keeps_every_region_to_itself(client, tmp_path):
    import datetime as dt

    from visitplan.pipeline import plan_horizon_files

    accounts, agents = batch_rows()
    pd.DataFrame(accounts).to_csv(tmp_path / "accounts.csv", index=False)
    pd.DataFrame(agents).to_csv(tmp_path / "agents.csv", index=False)
    result = plan_horizon_files(tmp_path / "accounts.csv", tmp_path / "agents.csv",
                                tmp_path / "week", 2, date=dt.date(2026, 12, 1),
                                by="region", client=client, time_limit=4)
    assert result.violations == [] and result.dispatchable
    horizon = result.horizon
    assert [p.stats.parts for p in horizon.plans] == [4, 4]  # every day: four regions
    visited = [v.account_id for v in horizon.visits]
    assert len(visited) == len(set(visited))
    # two agents of five visits a day per region: 20 in two days, or every account there
    sizes = {"north": 15, "south": 20, "east": 25}
    for name, size in sizes.items():
        assert sum(v.startswith(name) for v in visited) == min(size, 20)
    for plan in horizon.plans:
        for row in plan.routes.itertuples():
            assert row.agent_id.rstrip("01") == row.account_id.rstrip("0123456789")
    gone = {u.account_id: str(u.reason) for u in horizon.unassigned}
    assert set(gone) | set(visited) == {a["account_id"] for a in accounts}
    assert {gone[f"lost{i}"] for i in range(3)} == {"NO_AGENT_WORKING"}
    summary = (tmp_path / "week" / "days" / "2026-12-02" / "summary.json").read_text()
    assert '"regions"' in summary


def test_the_cli_plans_a_week_by_region(tmp_path):
    from typer.testing import CliRunner

    from visitplan.cli import app

    accounts, agents = batch_rows(1)
    pd.DataFrame(accounts).to_csv(tmp_path / "accounts.csv", index=False)
    pd.DataFrame(agents).to_csv(tmp_path / "agents.csv", index=False)
    out = tmp_path / "week"
    result = CliRunner().invoke(app, ["plan", str(tmp_path / "accounts.csv"),
                                      str(tmp_path / "agents.csv"), "--date", "2026-12-01",
                                      "--days", "2", "--out", str(out), "--time-limit", "4",
                                      "--by", "region", "--quiet"])
    assert result.exit_code == 0, result.output
    check = CliRunner().invoke(app, ["validate", str(tmp_path / "accounts.csv"),
                                     str(tmp_path / "agents.csv"), str(out)])
    assert check.exit_code == 0, check.output
    bad = CliRunner().invoke(app, ["plan", str(tmp_path / "accounts.csv"),
                                   str(tmp_path / "agents.csv"), "--days", "2", "--by", "town",
                                   "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "can only be 'region'" in bad.output
