import json
import os

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
    # No half-written leftovers: only the link and the plan directory it points to.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["plan", target.resolve().name])


# -- never destroy what is not ours ----------------------------------------------------

def _inputs(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("accounts.csv", "agents.csv", "policy.toml"):
        (folder / name).write_text(f"the user's {name}")
    return {name: (folder / name).read_text() for name in ("accounts.csv", "agents.csv",
                                                            "policy.toml")}


@pytest.mark.parametrize("where", ["inputs", "dot"])
def test_a_folder_of_other_files_is_refused_and_untouched(written, tmp_path, monkeypatch, where):
    prob, plan, _ = written
    folder = tmp_path / "work"
    before = _inputs(folder)
    monkeypatch.chdir(folder)
    with pytest.raises(vp.InputError, match="did not write"):
        vp.write_plan(plan, folder if where == "inputs" else ".", prob)
    assert {p.name: p.read_text() for p in folder.iterdir()} == before


def test_a_file_at_out_is_refused_and_untouched(written, tmp_path):
    prob, plan, _ = written
    target = tmp_path / "plan"
    target.write_text("not a plan")
    with pytest.raises(vp.InputError, match="is a file"):
        vp.write_plan(plan, target, prob)
    assert target.read_text() == "not a plan"
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]


def test_a_plan_directory_of_an_earlier_version_is_replaced(written, tmp_path):
    prob, plan, folder = written
    legacy = tmp_path / "plan"
    legacy.mkdir()
    for name in ("routes.csv", "unassigned.csv", "summary.json"):
        (legacy / name).write_text("old")
    vp.write_plan(plan, legacy, prob)
    assert legacy.is_symlink() and (legacy / "routes.csv").read_text() != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["plan", legacy.resolve().name])


def test_an_unwritable_out_is_refused_before_solving(tmp_path):
    from visitplan.io.target import check_target

    with pytest.raises(vp.InputError, match="cannot be written"):
        check_target("/proc/visitplan-plan")


def test_a_read_only_parent_is_refused(tmp_path):
    import subprocess

    from visitplan.io.target import check_target

    read_only = tmp_path / "ro"
    read_only.mkdir()
    if os.geteuid() == 0:
        # Root writes through permission bits; the immutable flag stops even root.
        made = subprocess.run(["chattr", "+i", str(read_only)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"running as root and chattr +i failed: {made.stderr.decode()[-100:]}")
        undo = ["chattr", "-i", str(read_only)]
    else:
        read_only.chmod(0o555)
        undo = ["chmod", "755", str(read_only)]
    try:
        with pytest.raises(vp.InputError, match="cannot be written"):
            check_target(read_only / "plan")
    finally:
        subprocess.run(undo, check=True)


def test_the_switch_is_one_atomic_replace_of_a_link(written, tmp_path, monkeypatch):
    """Between any two steps of a rewrite, `plan/` is a whole plan, old or new."""
    prob, plan, _ = written
    target = tmp_path / "plan"
    vp.write_plan(plan, target, prob)
    old_dir = target.resolve()
    import visitplan.io.target as tgt
    seen = []
    real_replace = tgt.os.replace

    def watching(src, dst):
        seen.append((target / "summary.json").is_file())  # just before the switch
        real_replace(src, dst)
        seen.append((target / "summary.json").is_file())  # just after it
    monkeypatch.setattr(tgt.os, "replace", watching)
    vp.write_plan(plan, target, prob)
    assert seen == [True, True]
    assert target.resolve() != old_dir and not old_dir.exists()


def test_stale_staging_of_a_killed_run_is_cleaned(written, tmp_path):
    prob, plan, _ = written
    target = tmp_path / "plan"
    vp.write_plan(plan, target, prob)
    dead = subprocess_pid_that_exited()
    stale = tmp_path / f".plan.123-{dead}.plan"
    stale.mkdir()
    (stale / ".visitplan-plan").write_text("x")
    (stale / "routes.csv").write_text("half")
    foreign = tmp_path / ".plan.notes"
    foreign.write_text("the user's")
    vp.write_plan(plan, target, prob)
    assert not stale.exists() and foreign.read_text() == "the user's"


def subprocess_pid_that_exited() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_link_whose_plan_was_deleted_by_hand_is_replaced(written, tmp_path):
    import shutil

    prob, plan, _ = written
    target = tmp_path / "plan"
    vp.write_plan(plan, target, prob)
    shutil.rmtree(target.resolve())  # someone tidied up the hidden directory
    vp.write_plan(plan, target, prob)
    assert (target / "summary.json").is_file()
    (tmp_path / "elsewhere").mkdir()
    foreign = tmp_path / "foreign"
    foreign.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(vp.InputError, match="not a plan"):
        vp.write_plan(plan, foreign, prob)
