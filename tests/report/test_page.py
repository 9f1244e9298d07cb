"""index.html: the KPIs, the agents, the reasons, the map, the timeline, the review."""

import base64
import re

import visitplan as vp

from ..test_cli import run


def test_the_summary_page_shows_the_plans_figures(day):
    result, plan_dir = day
    page = (plan_dir / "report" / "index.html").read_text()
    kpis = result.plan.kpis
    assert f"{kpis['accounts']['planned']} of {kpis['accounts']['in']}" in page
    assert f"{kpis['travel']['km']:g} km" in page
    for reason, count in kpis["accounts"]["unassigned_by_reason"].items():
        assert f"<td>{reason}</td><td>{count}</td>" in page
    for agent in kpis["agents"]:
        assert f"<td>{agent['agent_id']}</td>" in page
        assert f"{100 * agent['utilisation']:.0f}%" in page
    picture = re.search(r"class='timeline' alt='timeline' src='data:image/png;base64,"
                        r"([A-Za-z0-9+/=]+)", page).group(1)
    assert base64.b64decode(picture) == (plan_dir / "report" / "timeline.png").read_bytes()
    assert "srcdoc=" in page and "Leaflet 1.9.4" in page  # the map, embedded whole
    assert "Plan against what happened" not in page  # no outcomes given


def test_report_from_a_plan_directory_with_the_review(day, tmp_path):
    result, plan_dir = day
    db = tmp_path / "history.db"
    visit = result.plan.visits[0]
    outcomes = tmp_path / "results.csv"
    outcomes.write_text("account_id,agent_id,visited_at,outcome\n"
                        f"{visit.account_id},{visit.agent_id},"
                        f"{visit.start:%Y-%m-%dT%H:%M},paid\n")
    assert run("outcomes", "import", outcomes, "--history", db, "--quiet").exit_code == 0
    done = run("report", plan_dir, "--out", tmp_path / "report", "--history", db)
    assert done.exit_code == 0, done.output
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Plan against what happened" in page
    planned = len(result.plan.visits)
    assert re.search(rf"<td>TOTAL</td><td>{planned}</td><td>1</td><td>1</td><td>1</td>"
                     rf"<td>{planned - 1}</td><td>0</td>", page)
    assert sorted(p.name for p in (tmp_path / "report" / "sheets").iterdir()) == \
        sorted(f"{r.agent_id}.html" for r in result.plan.agent_routes)


def test_report_refuses_what_it_must_not_touch(day, tmp_path):
    _, plan_dir = day
    assert run("report", tmp_path / "nothing", "--out", tmp_path / "r").exit_code == 2
    assert not (tmp_path / "r").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    refused = run("report", plan_dir, "--out", mine)
    assert refused.exit_code == 2 and "refusing" in refused.output
    assert (mine / "notes.txt").read_text() == "keep me"
    itself = run("report", plan_dir, "--out", plan_dir)
    assert itself.exit_code == 2 and (plan_dir / "routes.csv").exists()


def test_a_second_report_replaces_the_first_whole(day, tmp_path):
    _, plan_dir = day
    out = tmp_path / "report"
    assert run("report", plan_dir, "--out", out, "--no-tiles", "--quiet").exit_code == 0
    first = (out / "map.html").read_text()
    assert "tile.openstreetmap.org" not in first
    assert run("report", plan_dir, "--out", out, "--quiet").exit_code == 0
    assert "tile.openstreetmap.org" in (out / "map.html").read_text()
    assert out.is_symlink() and len(list(tmp_path.glob(".report.*"))) == 1


def test_a_plan_made_before_reports_is_refused_clearly(day, tmp_path):
    result, _ = day
    old = result.plan.model_copy(update={"sites": {}, "bases": {}})
    vp.write_plan(old, tmp_path / "old", result.problem, [])
    done = run("report", tmp_path / "old", "--out", tmp_path / "r")
    assert done.exit_code == 2 and "no coordinates" in done.output
