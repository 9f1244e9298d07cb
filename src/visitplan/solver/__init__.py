"""The search: OR-Tools' routing model of record, PyVRP's plan as its start."""

from .params import SearchParams
from .solve import solve

__all__ = ["SearchParams", "solve"]
