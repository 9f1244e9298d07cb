"""The pipeline as the CLI and the library run it: history refused unless it exists,
an undispatchable plan never recorded, one import direction."""

import ast
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

import visitplan as vp
from visitplan import pipeline
from visitplan.history import HistoryStore
from visitplan.validation import Violation

from .conftest import DATE, ROOT, account, agent, problem
from .test_cli import run

DAY = ("--date", "2026-12-01")


# -- 1. a mistyped history is refused, never created --------------------------------

@pytest.mark.parametrize("command", ["plan", "score", "validate"])
def test_a_missing_history_is_refused_and_not_created(files, tmp_path, command):
    missing = tmp_path / "histroy.db"  # mistyped
    args = {"plan": ["plan", files / "accounts.csv", files / "agents.csv", *DAY,
                     "--out", tmp_path / "plan", "--time-limit", "1"],
            "score": ["score", files / "accounts.csv", *DAY],
            "validate": ["validate", files / "accounts.csv", files / "agents.csv",
                         tmp_path / "plan", *DAY]}[command]
    result = run(*args, "--history", missing)
    assert result.exit_code == 2, result.output
    assert "histroy.db" in result.output and "history init" in result.output
    assert not missing.exists()
    assert not (tmp_path / "plan").exists()  # refused before solving


def test_history_init_creates_and_plan_then_reads_it(files, tmp_path):
    db = tmp_path / "history.db"
    assert run("history", "init", db).exit_code == 0
    assert HistoryStore(db).version() >= 1
    result = run("plan", files / "accounts.csv", files / "agents.csv", *DAY, "--out",
                 tmp_path / "plan", "--time-limit", "1", "--history", db, "--quiet")
    assert result.exit_code == 0, result.output
    assert len(HistoryStore(db).planned_runs()) == 1


def test_outcomes_import_creates_a_history(tmp_path):
    results = tmp_path / "results.csv"
    results.write_text("account_id,agent_id,visited_at,outcome\nA1,G1,2026-11-30T19:00,paid\n")
    db = tmp_path / "new.db"
    assert run("outcomes", "import", results, "--history", db, "--quiet").exit_code == 0
    assert HistoryStore(db).count_outcomes() == 1


def test_an_empty_database_is_not_a_history(tmp_path):
    db = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE unrelated (x INTEGER)"))
    with pytest.raises(vp.InputError, match="no visitplan history"):
        HistoryStore(db)
    assert not sa.inspect(engine).has_table("outcomes")  # nothing was created


# -- 3. an invalid plan is written undispatchable and never recorded -------------------

def test_a_plan_that_breaks_a_rule_is_not_dispatched_nor_recorded(files, tmp_path,
                                                                   monkeypatch):
    db = tmp_path / "history.db"
    HistoryStore(db, create=True)
    planted = [Violation("TRAVEL", "planted", "G1")]
    monkeypatch.setattr(pipeline, "validate", lambda problem, plan: planted)
    out = tmp_path / "plan"
    result = run("plan", files / "accounts.csv", files / "agents.csv", *DAY, "--out", out,
                 "--time-limit", "1", "--history", db, "--quiet")
    assert result.exit_code == 1
    assert "TRAVEL" in result.output and "not recorded" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["valid"] is False and summary["dispatchable"] is False
    assert summary["violations"] == ["TRAVEL: agent G1: planted"]
    assert not (out / "agents").exists()  # no route sheets to hand out
    assert HistoryStore(db).planned_runs() == []
    # Without route sheets the independent check reads the breaks from plan.json: the plan
    # itself (the violation was planted) keeps every rule.
    monkeypatch.undo()
    check = run("validate", files / "accounts.csv", files / "agents.csv", out)
    assert check.exit_code == 0, check.output


def test_a_valid_plan_is_dispatchable_and_recorded(tmp_path):
    db = tmp_path / "history.db"
    prob = problem([account(1), account(2)], [agent(1)])
    result = vp.plan_day(prob, tmp_path / "plan", history=HistoryStore(db, create=True),
                         time_limit=1)
    assert result.dispatchable and result.run_id is not None
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["valid"] is True and summary["dispatchable"] is True
    assert (tmp_path / "plan" / "agents" / "G1.csv").exists()
    assert [r["run_id"] for r in HistoryStore(db).planned_runs()] == [result.run_id]


def test_plan_files_is_what_the_cli_does(files, tmp_path):
    result = vp.plan_files(files / "accounts.csv", files / "agents.csv", tmp_path / "api",
                           date=DATE, time_limit=1, solution_limit=20)
    cli = run("plan", files / "accounts.csv", files / "agents.csv", *DAY, "--out",
              tmp_path / "cli", "--time-limit", "1", "--solution-limit", "20", "--quiet")
    assert cli.exit_code == 0 and result.dispatchable and result.violations == []
    api = (tmp_path / "api" / "routes.csv").read_text()
    assert api == (tmp_path / "cli" / "routes.csv").read_text() and api.count("\n") == 3


# -- the shape of the code ---------------------------------------------------------------

def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Modules of the package that ``module`` imports, at any depth of its code."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(0, node.level - 1)):
                base = base.rsplit(".", 1)[0]
            target = (f"{base}.{node.module}" if node.module else base) if node.level \
                else (node.module or "")
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if full in known else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in known and m != module}


def import_graph() -> dict[str, set[str]]:
    src = ROOT / "src"
    files = {".".join(p.relative_to(src).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (src / "visitplan").rglob("*.py")}
    known = set(files)
    return {m: _imports(p, m, known) for m, p in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            # A package's __init__ re-exports its modules; importing a module of a
            # package through it is not a dependency of the module on its siblings.
            if nxt in ("visitplan", "visitplan.io", "visitplan.history", "visitplan.solver") \
                    and node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_circle():
    graph = import_graph()
    assert len(graph) > 25 and "visitplan.pipeline" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_models_and_plan_import_nothing_above_them():
    graph = import_graph()
    # A plan shows itself (plan.map(), plan.timeline(), in a notebook) through the report's
    # views, which take the plan as it is and import nothing that imports the plan.
    views = {"visitplan.report.map", "visitplan.report.timeline", "visitplan.report.notebook"}
    assert graph["visitplan.plan"] <= views
    reached, todo = set(), list(graph["visitplan.plan"])
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo += graph[module]
    assert "visitplan.plan" not in reached and reached <= views | {"visitplan.report.assets",
                                                                   "visitplan.report.page"}
    assert graph["visitplan.models"] <= {"visitplan.plan", "visitplan.policy",
                                         "visitplan.timeutil"}


def test_the_package_imports_lazily_and_names_stay_functions():
    import subprocess
    import sys

    code = ("import sys, visitplan; heavy = [m for m in ('ortools', 'pandas', 'pyvrp') "
            "if m in sys.modules]; import visitplan.pipeline; "
            "print(heavy, callable(visitplan.validate), callable(visitplan.solve))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "True", "True"]
