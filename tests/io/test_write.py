import json

import pandas as pd
import pytest

import visitplan as vp

from ..conftest import account, agent, problem, solve_checked


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    accounts = [account(i, 0.003 * i, 0, name=f"姓名{i}", phone=f"1380000{i:04d}",
                        address=f"地址{i}", windows="09:00-18:00") for i in range(1, 13)]
    accounts.append(account(50, status="complaint", name="保密", phone="13999999999"))
    prob = problem(accounts, [agent(1, max_visits=4, **{"break": "12:00-14:00/30"}),
                              agent(2, max_visits=4)])
    plan = solve_checked(prob)
    folder = vp.write_plan(plan, tmp_path_factory.mktemp("out") / "plan", prob)
    return prob, plan, folder


def test_every_account_once(written):
    prob, _, folder = written
    routes = pd.read_csv(folder / "routes.csv", dtype=str)
    unassigned = pd.read_csv(folder / "unassigned.csv", dtype=str)
    ids = list(routes["account_id"]) + list(unassigned["account_id"])
    assert sorted(ids) == sorted(a.account_id for a in prob.accounts)
    # The contract's columns come first, in order; extensions follow.
    assert list(routes.columns)[:10] == ["date", "agent_id", "seq", "account_id", "arrival",
                                         "start", "end", "travel_min", "travel_km", "priority"]
    assert list(unassigned.columns) == ["account_id", "reason", "detail"]
    assert routes["start"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d").all()


def test_agent_sheets_hold_only_their_own_accounts(written):
    prob, plan, folder = written
    for route in plan.agent_routes:
        sheet = pd.read_csv(folder / "agents" / f"{route.agent_id}.csv", dtype=str,
                            keep_default_na=False)
        visits = sheet[sheet["kind"] == "visit"]
        assert list(visits["account_id"]) == [v.account_id for v in route.visits]
        mine = {v.account_id for v in route.visits}
        others = [a for a in prob.accounts if a.account_id not in mine]
        text = (folder / "agents" / f"{route.agent_id}.csv").read_text(encoding="utf-8")
        for other in others:
            assert other.phone not in text and other.name not in text
        assert set(sheet["kind"]) <= {"depart", "visit", "break", "return"}
        assert "break" in set(sheet["kind"]) or route.agent_id == "G2"
        assert visits["phone"].str.startswith("1380000").all()


def test_shared_files_carry_no_personal_data(written):
    prob, _, folder = written
    shared = "".join((folder / name).read_text(encoding="utf-8") for name in
                     ("routes.csv", "unassigned.csv", "summary.json", "plan.json"))
    personal = [v for a in prob.accounts for v in (a.phone, a.name, a.address) if v]
    assert len(personal) == 3 * 12 + 2
    for value in personal:
        assert value not in shared


def test_summary_figures(written):
    _, plan, folder = written
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["accounts"]["in"] == 13
    assert summary["accounts"]["planned"] == len(plan.visits) == 8
    assert summary["accounts"]["unassigned_by_reason"]["DO_NOT_VISIT"] == 1
    assert sum(summary["accounts"]["unassigned_by_reason"].values()) == 5
    assert summary["priority"]["served"] == 8 and summary["priority"]["available"] == 12
    assert [a["visits"] for a in summary["agents"]] == [4, 4]
    assert summary["travel"]["km"] == pytest.approx(sum(r.travel_m for r in plan.agent_routes) / 1000, abs=0.01)
    assert summary["solver"]["seed"] == 0 and summary["solver"]["status"].startswith("ROUTING")


def test_plan_json_round_trips(written):
    _, plan, folder = written
    again = vp.Plan.model_validate_json((folder / "plan.json").read_text())
    assert again == plan


def test_rewrite_replaces_the_old_plan_and_failure_leaves_it_intact(written, tmp_path, monkeypatch):
    prob, plan, _ = written
    target = tmp_path / "plan"
    vp.write_plan(plan, target, prob)
    (target / "stale.txt").write_text("old")
    vp.write_plan(plan, target, prob)
    assert not (target / "stale.txt").exists()
    (target / "marker").write_text("complete plan")

    import visitplan.io.write as writer

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(writer, "summary", crash)
    with pytest.raises(RuntimeError):
        vp.write_plan(plan, target, prob)
    assert (target / "marker").read_text() == "complete plan"  # the old plan is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]    # no half-written leftovers
