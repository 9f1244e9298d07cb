"""visitplan: plan the day's field visits to borrowers with overdue loans.

The data flows one way, in stages (see :mod:`visitplan.pipeline`)::

    read_csv / read_frames -> enrich -> solve (screen, search, explain)
        -> validate -> write_plan (and record in the history)

:func:`plan_day` and :func:`plan_files` run the stages as the CLI does.

The names below are imported on first use (PEP 562), so that ``import
visitplan`` is cheap and the command line can install its signal handling
before OR-Tools, PyVRP and pandas load.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "InputError": "errors",
    "read_csv": "io.read", "read_frames": "io.read",
    "write_plan": "io.write",
    "Account": "models", "Agent": "models", "BreakRule": "models", "Problem": "models",
    "TimeWindow": "models",
    "DayResult": "pipeline", "enrich": "pipeline", "open_history": "pipeline",
    "plan_day": "pipeline", "plan_files": "pipeline",
    "Break": "plan", "Plan": "plan", "Reason": "plan", "Route": "plan", "SolverStats": "plan",
    "Unassigned": "plan", "Visit": "plan", "summary": "plan",
    "Policy": "policy", "load_policy": "policy",
    "SearchParams": "solver", "solve": "solver",
    "Matrix": "travel", "StraightLine": "travel",
    "Violation": "validation", "validate": "validation",
    "write_report": "report", "report_plan_dir": "pipeline", "compare": "report.compare",
    "replan_files": "pipeline", "replan": "replan", "read_events": "io.events",
    "plan_horizon_files": "pipeline", "plan_horizon": "horizon",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'visitplan' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
