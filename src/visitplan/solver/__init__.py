"""The OR-Tools routing model and the search that solves it."""

from .solve import solve

__all__ = ["solve"]
