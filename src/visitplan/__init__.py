"""visitplan: plan the day's field visits to borrowers with overdue loans.

The data flows one way, in stages (see :mod:`visitplan.pipeline`)::

    read_csv / read_frames -> enrich -> solve (screen, search, explain)
        -> validate -> write_plan (and record in the history)

:func:`plan_day` and :func:`plan_files` run the stages as the CLI does.
"""

from .errors import InputError
from .io.read import read_csv, read_frames
from .io.write import write_plan
from .models import Account, Agent, BreakRule, Problem, TimeWindow
from .pipeline import DayResult, enrich, open_history, plan_day, plan_files
from .plan import Break, Plan, Reason, Route, SolverStats, Unassigned, Visit, summary
from .policy import Policy, load_policy
from .solver import SearchParams, solve
from .travel import Matrix, StraightLine
from .validate import Violation, validate

__all__ = [
    "Account", "Agent", "Break", "BreakRule", "DayResult", "InputError", "Matrix", "Plan",
    "Policy", "Problem", "Reason", "Route", "SearchParams", "SolverStats", "StraightLine",
    "TimeWindow", "Unassigned", "Violation", "Visit", "enrich", "load_policy", "open_history",
    "plan_day", "plan_files", "read_csv", "read_frames", "solve", "summary", "validate",
    "write_plan",
]
__version__ = "0.1.0"
