"""visitplan: plan the day's field visits to borrowers with overdue loans.

The data flows one way: inputs -> :class:`Problem` -> :func:`solve` ->
:class:`Plan` -> files. :func:`validate` checks any plan against its
problem without trusting the solver.
"""

from .errors import InputError
from .models import Account, Agent, BreakRule, Problem, TimeWindow
from .plan import Break, Plan, Reason, Route, SolverStats, Unassigned, Visit
from .policy import Policy, load_policy
from .solver import solve
from .travel import Matrix, StraightLine
from .validate import Violation, validate

__all__ = [
    "Account", "Agent", "Break", "BreakRule", "InputError", "Matrix", "Plan", "Policy",
    "Problem", "Reason", "Route", "SolverStats", "StraightLine", "TimeWindow", "Unassigned",
    "Violation", "Visit", "load_policy", "solve", "validate",
]
__version__ = "0.1.0"
