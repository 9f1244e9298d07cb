"""Printable route sheets: the agent's own accounts, what a visit needs, nothing else."""

import re

import visitplan as vp
from visitplan.report import read_plan_dir

from .conftest import NAMES, day_problem


def test_each_sheet_has_only_its_agents_accounts(day):
    result, plan_dir = day
    sheets = plan_dir / "report" / "sheets"
    for route in result.plan.agent_routes:
        page = (sheets / f"{route.agent_id}.html").read_text()
        mine = {v.account_id for v in route.visits}
        others = {v.account_id for v in result.plan.visits} - mine
        shown = set(re.findall(r"<td>(A\d+)</td>", page))
        assert shown == mine and not shown & others
        assert page.count("<tr class='visit'>") == len(route.visits)
        assert page.count("<td class='outcome'></td>") == len(route.visits)  # to fill in
        for visit in route.visits:
            number = int(visit.account_id[1:])
            assert f">{number} Secret Road<" in page and f"{1000 + number}" in page
        for account_id in others:
            assert f">{int(account_id[1:])} Secret Road<" not in page


def test_a_sheet_escapes_what_it_prints(day):
    result, plan_dir = day
    visited_a3 = [r.agent_id for r in result.plan.agent_routes
                  if any(v.account_id == "A3" for v in r.visits)]
    for agent_id in visited_a3:
        page = (plan_dir / "report" / "sheets" / f"{agent_id}.html").read_text()
        assert "<script>" not in page and "&lt;script&gt;" in page
    assert NAMES["A3"].startswith("<script>")


def test_the_sheet_carries_the_break_and_notes(tmp_path):
    prob = day_problem()
    accounts = tuple(a.model_copy(update={"must_visit": True}) if a.account_id == "A1" else a
                     for a in prob.accounts)
    prob = prob.model_copy(update={"accounts": accounts})
    result = vp.plan_day(prob, tmp_path / "plan", time_limit=2, report=True)
    route = next(r for r in result.plan.agent_routes if any(v.account_id == "A1"
                                                            for v in r.visits))
    page = (tmp_path / "plan" / "report" / "sheets" / f"{route.agent_id}.html").read_text()
    assert "must visit today" in page
    if route.breaks:
        assert "<tr class='break'>" in page
    _, _, sheets = read_plan_dir(tmp_path / "plan")
    assert "notes" in sheets[route.agent_id].columns  # the CSV sheet has them too


def test_no_sheets_for_a_plan_that_may_not_go_out(day, tmp_path):
    result, _ = day
    vp.write_plan(result.plan, tmp_path / "bad", result.problem,
                  violations=["a planted violation"], report=True)
    assert not (tmp_path / "bad" / "report" / "sheets").exists()
    index = (tmp_path / "bad" / "report" / "index.html").read_text()
    assert "NOT DISPATCHABLE" in index and "1 rule violation(s)" in index
