"""The validator must catch each kind of broken plan; a plan is broken on purpose."""

import datetime as dt

import pandas as pd
import pytest

import visitplan as vp
from visitplan.validation import validate_files

from .conftest import account, agent, problem, solve_checked

MIN = dt.timedelta(minutes=1)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    accounts = [account(i, 0.004 * i, 0.002 * (i % 3), windows="09:00-12:00; 14:00-20:00",
                        priority=i % 4 + 1) for i in range(1, 9)]
    accounts.append(account(20, status="dispute"))
    prob = problem(accounts, [agent(1, max_visits=6, **{"break": "12:00-13:30/45"})])
    plan = solve_checked(prob)
    folder = tmp_path_factory.mktemp("plan")
    vp.write_plan(plan, folder, prob)
    return prob, folder


def broken(folder, tmp_path, edit_routes=None, edit_unassigned=None, edit_sheet=None):
    target = tmp_path / "broken"
    target.mkdir(parents=True)
    (target / "agents").mkdir()
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    unassigned = pd.read_csv(folder / "unassigned.csv", dtype=str, keep_default_na=False)
    sheet = pd.read_csv(folder / "agents" / "G1.csv", dtype=str, keep_default_na=False)
    routes, unassigned, sheet = (_apply(routes, edit_routes), _apply(unassigned, edit_unassigned),
                                 _apply(sheet, edit_sheet))
    routes.to_csv(target / "routes.csv", index=False)
    unassigned.to_csv(target / "unassigned.csv", index=False)
    sheet.to_csv(target / "agents" / "G1.csv", index=False)
    return target


def _apply(frame, edit):
    """An edit changes its frame in place, or returns a new one."""
    result = edit(frame) if edit else None
    return frame if result is None else result


def codes(prob, folder):
    return {v.code for v in validate_files(prob, folder)}


def shift(value: str, minutes: int) -> str:
    return (dt.datetime.fromisoformat(value) + minutes * MIN).strftime("%Y-%m-%dT%H:%M")


def test_the_written_plan_is_valid(solved, tmp_path):
    prob, folder = solved
    assert validate_files(prob, folder) == []
    assert validate_files(prob, broken(folder, tmp_path)) == []  # the copy itself is faithful


def test_missing_and_duplicate_accounts(solved, tmp_path):
    prob, folder = solved
    drop = broken(folder, tmp_path, edit_unassigned=lambda f: f.drop(index=0))
    assert "MISSING" in codes(prob, drop)


def test_duplicate_account(solved, tmp_path):
    prob, folder = solved

    def duplicate(frame):
        frame.loc[len(frame)] = [frame.loc[0, "account_id"], "CAPACITY", "x"]
    assert "DUPLICATE" in codes(prob, broken(folder, tmp_path, edit_unassigned=duplicate))


def test_visit_outside_window_and_legal_hours(solved, tmp_path):
    prob, folder = solved

    def early(frame):
        frame.loc[0, "start"] = frame.loc[0, "start"][:11] + "07:30"
        frame.loc[0, "end"] = frame.loc[0, "end"][:11] + "07:50"
    found = codes(prob, broken(folder, tmp_path, edit_routes=early))
    assert {"WINDOW", "LEGAL_HOURS"} <= found


def test_too_little_travel_time(solved, tmp_path):
    prob, folder = solved

    def squeeze(frame):
        # Pull visit 2 to start the minute visit 1 ends: no time to travel.
        frame.loc[1, "start"] = frame.loc[0, "end"]
        frame.loc[1, "end"] = shift(frame.loc[0, "end"], 20)
    assert "TRAVEL" in codes(prob, broken(folder, tmp_path, edit_routes=squeeze))


def test_break_overlapping_a_visit_or_missing(solved, tmp_path):
    prob, folder = solved

    def overlap(sheet):
        visit = sheet[sheet["kind"] == "visit"].index[0]
        row = sheet[sheet["kind"] == "break"].index[0]
        sheet.loc[row, "start"] = sheet.loc[visit, "start"]
        sheet.loc[row, "end"] = shift(sheet.loc[visit, "start"], 45)
    assert "BREAK" in codes(prob, broken(folder, tmp_path, edit_sheet=overlap))
    no_break = broken(folder, tmp_path / "b", edit_sheet=lambda s: s[s["kind"] != "break"])
    assert "BREAK" in codes(prob, no_break)


def test_screened_account_routed_and_visit_cap(solved, tmp_path):
    prob, folder = solved

    def route_disputed(frame):
        frame.loc[0, "account_id"] = "A20"

    def remove_a20(frame):
        first_routed = pd.read_csv(folder / "routes.csv", dtype=str).loc[0, "account_id"]
        kept = frame[frame["account_id"] != "A20"]
        moved = pd.DataFrame([[first_routed, "CAPACITY", "moved"]], columns=frame.columns)
        return pd.concat([kept, moved], ignore_index=True)
    target = broken(folder, tmp_path, edit_routes=route_disputed, edit_unassigned=remove_a20)
    assert "DO_NOT_VISIT" in codes(prob, target)


def test_wrong_skills_and_cap(solved, tmp_path):
    prob, folder = solved
    strict = vp.Problem(accounts=tuple(a.model_copy(update={"skills": frozenset({"senior"})})
                                       for a in prob.accounts),
                        agents=tuple(a.model_copy(update={"max_visits": 1}) for a in prob.agents),
                        policy=prob.policy, date=prob.date)
    found = codes(strict, folder)
    assert {"SKILLS", "VISIT_CAP"} <= found


def test_unreadable_plan_is_a_violation_not_a_crash(tmp_path):
    prob = problem([account(1)], [agent(1)])
    assert codes(prob, tmp_path) == {"BAD_FILE"}
