"""examples/analyst.ipynb runs from top to bottom (nbclient), so it never rots."""

import json
import os
import shutil

import pytest

from .conftest import ROOT

NOTEBOOK = ROOT / "examples" / "analyst.ipynb"


def test_the_analyst_notebook_runs_and_shows_its_pictures(tmp_path):
    nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")
    import nbformat

    for name in ("accounts.csv", "agents.csv", "policy.toml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}},
                                     env={**os.environ, "PYTHONHASHSEED": "0"})
    client.execute()  # raises CellExecutionError on any failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code"
               for o in cell.get("outputs", [])]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    plan_view = next(h for h in html if "vp-plan" in h)
    assert "accounts planned" in plan_view and "srcdoc=" in plan_view
    assert "cdn.jsdelivr" not in plan_view  # the notebook's map works offline too
    assert any("vp-timeline" in h for h in html)
    assert sum("srcdoc=" in h for h in html) >= 2  # the small map and plan.map()
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "two more agents serve +" in printed
    json.dumps(notebook)  # the executed notebook is still valid JSON
