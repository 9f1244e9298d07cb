import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from visitplan.cli import app

from .conftest import CLI_ACCOUNTS as ACCOUNTS, CLI_AGENTS as AGENTS

runner = CliRunner()



def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_plan_then_validate(files):
    out = files / "plan"
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--out", out, "--time-limit", "1", "--seed", "3", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet prints nothing on success
    summary = json.loads((out / "summary.json").read_text())
    assert summary["accounts"]["planned"] == 2 and summary["solver"]["seed"] == 3
    result = run("validate", files / "accounts.csv", files / "agents.csv", out)
    assert result.exit_code == 0 and "valid" in result.output


def test_validate_exits_1_and_lists_violations(files):
    out = files / "plan"
    run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
        "--out", out, "--time-limit", "1", "--quiet")
    routes = pd.read_csv(out / "routes.csv", dtype=str)
    routes.loc[0, "account_id"] = "A3"  # route the disputed account instead
    routes.to_csv(out / "routes.csv", index=False)
    result = run("validate", files / "accounts.csv", files / "agents.csv", out)
    assert result.exit_code == 1
    assert "DO_NOT_VISIT" in result.output and "DUPLICATE" in result.output


def test_policy_option_changes_the_rules(files):
    (files / "policy.toml").write_text('do_not_visit_statuses = []\n')
    out = files / "plan"
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--out", out, "--time-limit", "1", "--quiet", "--policy", files / "policy.toml")
    assert result.exit_code == 0
    assert json.loads((out / "summary.json").read_text())["accounts"]["planned"] == 3


@pytest.mark.parametrize("accounts, needle", [
    ("account_id,lat\nA1,31.2\n", "column 'lon': required column is missing"),
    ("account_id,lat,lon,windows\nA1,31.2,121.4,6pm-9pm\n", "row 1 (line 2), column 'windows'"),
    ("account_id,lat,lon\nA1,31.2,121.4\nA1,31.2,121.4\n", "row 2 (line 3), column 'account_id'"),
    ("account_id,lat,lon\nA1,131.2,121.4\n", "row 1 (line 2), column 'lat'"),
])
def test_bad_input_exits_2_naming_file_row_and_column(files, accounts, needle):
    (files / "accounts.csv").write_text(accounts)
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--out", files / "plan", "--quiet")
    assert result.exit_code == 2
    assert "accounts.csv" in result.output and needle in result.output
    assert "Traceback" not in result.output
    assert not (files / "plan").exists()


def test_bad_date_and_missing_file(files):
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "01/12/2026")
    assert result.exit_code == 2 and "--date" in result.output
    result = run("plan", files / "nope.csv", files / "agents.csv", "--date", "2026-12-01")
    assert result.exit_code == 2 and "nope.csv: file not found" in result.output


def test_skip_bad_rows_plans_the_rest(files):
    (files / "accounts.csv").write_text(ACCOUNTS + "A4,not-a-lat,121.47,,1,\n")
    out = files / "plan"
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--out", out, "--time-limit", "1", "--quiet", "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    unassigned = pd.read_csv(out / "unassigned.csv").set_index("account_id")
    assert unassigned.loc["A4", "reason"] == "BAD_COORDINATES"
    assert "row 4" in unassigned.loc["A4", "detail"]
    check = run("validate", files / "accounts.csv", files / "agents.csv", out, "--skip-bad-rows")
    assert check.exit_code == 0, check.output


def test_gbk_file_with_an_error_in_a_real_process(tmp_path):
    """The installed entry point: exit code 2, a message, no traceback, for a GBK export."""
    text = "account_id,name,lat,lon\nA1,张三,31.2,121.4\nA2,李四,31.2,东经121\n"
    (tmp_path / "accounts.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "agents.csv").write_text(AGENTS)
    proc = subprocess.run([sys.executable, "-m", "visitplan", "plan", "accounts.csv",
                           "agents.csv", "--date", "2026-12-01", "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "accounts.csv, row 2 (line 3), column 'lon'" in proc.stderr
    assert "Traceback" not in proc.stderr and "李四" not in proc.stderr


def test_demo_generates_examples_and_plans_them(tmp_path):
    result = run("demo", "--examples", tmp_path / "ex", "--out", tmp_path / "plan",
                 "--time-limit", "3", "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ex" / "accounts.csv").exists()
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["accounts"]["in"] == 300 and summary["accounts"]["planned"] > 50
    sheets = list((tmp_path / "plan" / "agents").glob("*.csv"))
    assert len(sheets) == sum(1 for a in summary["agents"] if a["visits"])


def test_same_seed_and_solution_limit_give_identical_files(tmp_path):
    # Each morning's run is a new process: the files must not depend on string hashing.
    import os
    import subprocess
    import sys

    args = ["--examples", str(tmp_path / "ex"), "--time-limit", "60", "--solution-limit",
            "30", "--seed", "4", "--quiet"]
    for out, hashing in (("a", "1"), ("b", "6")):
        done = subprocess.run([sys.executable, "-m", "visitplan", "demo", "--out",
                               str(tmp_path / out), *args], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": hashing}, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    for name in ("routes.csv", "unassigned.csv", "agents/AG01.csv"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()


def test_score_command(files, tmp_path):
    (files / "accounts.csv").write_text("account_id,lat,lon,balance,days_past_due\n"
                                        "A1,31.2,121.4,500,5\nA2,31.2,121.4,90000,100\n")
    result = run("score", files / "accounts.csv", "--date", "2026-12-01",
                 "--out", tmp_path / "scores.csv")
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert list(scores.columns[:3]) == ["account_id", "priority", "base"]
    assert list(scores["account_id"]) == ["A2", "A1"]
    shown = run("score", files / "accounts.csv", "--date", "2026-12-01", "--top", "1")
    assert shown.exit_code == 0 and "A2" in shown.output and "A1" not in shown.output


def test_outcomes_import_plan_with_history_and_validate(files, tmp_path):
    db = tmp_path / "history.db"
    results = tmp_path / "results.csv"
    results.write_text("account_id,agent_id,visited_at,outcome,promise_amount,promise_date\n"
                       "A1,G1,2026-11-30T19:00,refused,,\n"
                       "A2,G1,2026-11-27T10:00,ptp,200,2026-12-01\n"
                       "A9,G1,not-a-time,paid,,\n")
    first = run("outcomes", "import", results, "--history", db)
    assert first.exit_code == 1
    assert "2 outcome(s) imported, 0 already present, 1 row(s) rejected" in first.output
    rejects = pd.read_csv(tmp_path / "results.rejects.csv")
    assert list(rejects["account_id"]) == ["A9"] and list(rejects["row"]) == [3]
    again = run("outcomes", "import", results, "--history", db)
    assert "0 outcome(s) imported, 2 already present" in again.output
    out = tmp_path / "plan"
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--out", out, "--time-limit", "1", "--history", db)
    assert result.exit_code == 0, result.output
    assert "recorded as run" in result.output
    unassigned = pd.read_csv(out / "unassigned.csv").set_index("account_id")
    assert unassigned.loc["A1", "reason"] == "COOL_DOWN"  # visited yesterday per the history
    assert "A2" in set(pd.read_csv(out / "routes.csv")["account_id"])
    check = run("validate", files / "accounts.csv", files / "agents.csv", out, "--history", db)
    assert check.exit_code == 0, check.output


def test_unopenable_history_is_bad_input(files, tmp_path):
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--history", "postgresql+psycopg://user:secret@127.0.0.1:1/nodb", "--quiet")
    assert result.exit_code == 2
    assert "cannot connect" in result.output and "check the host, port" in result.output
    assert "secret" not in result.output


def test_version():
    from visitplan import __version__

    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"visitplan {__version__}"


def test_summary_records_the_version_and_warnings_are_said(files, tmp_path):
    (files / "accounts.csv").write_text(ACCOUNTS.replace("status\n", "status,preferred_agent\n")
                                        .replace("3,\n", "3,,G9\n", 1))
    (files / "agents.csv").write_text("agent_id,start_lat,start_lon,shift_start,shift_end,break\n"
                                      "G1,31.23,121.47,13:00,18:00,12:00-14:00/30\n")
    out = tmp_path / "plan"
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--out", out, "--time-limit", "1", "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["visitplan_version"] == "0.1.0"
    warnings = summary["warnings"]
    assert any("agent G1: the break 12:00-14:00/30 does not fit inside the shift 13:00-18:00"
               in w for w in warnings)
    assert any("prefer an agent who is not in the roster (A1)" in w for w in warnings)
    assert all(w in result.output for w in warnings)  # on the terminal too


def test_a_missing_database_driver_says_what_to_install(files, tmp_path):
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--history", "postgresql+pg8000://u:pw@127.0.0.1/db", "--quiet")
    assert result.exit_code == 2
    assert "'pg8000' is not installed" in result.output and "pw" not in result.output
    assert "Traceback" not in result.output


def test_holidays_that_never_match_stop_the_run(files, tmp_path):
    (files / "policy.toml").write_text('holidays = ["20261201"]\n')
    result = run("plan", files / "accounts.csv", files / "agents.csv", "--date", "2026-12-01",
                 "--policy", files / "policy.toml", "--out", tmp_path / "p")
    assert result.exit_code == 2 and "is not a date YYYY-MM-DD or MM-DD" in result.output
    assert not (tmp_path / "p").exists()
