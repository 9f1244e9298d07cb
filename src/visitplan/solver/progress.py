"""A live view of the search on stderr: plans found, best objective, time used."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class SearchMonitor:
    """Counts solutions and, used as a context manager, shows them with a rich progress bar.

    OR-Tools calls :meth:`on_solution` for every solution it accepts; the
    bar itself is redrawn by rich's refresh thread, so elapsed time moves
    even while no new solution comes in.
    """

    def __init__(self, routing, time_limit: float, began: float,
                 stall_s: float | None = None):
        self.routing = routing
        self.time_limit = time_limit
        self.began = began
        self.search_began = time.monotonic()
        self.solutions = 0
        self.first_solution_s: float | None = None
        self.best: int | None = None
        # With ``stall_s``: a search that has not improved for that long is ended
        # (``stalled``); its best plan stands and the caller may start another.
        self.stall_s = stall_s
        self.stalled = False
        self.improved_at = time.monotonic()
        self._progress: Progress | None = None
        self._task = None

    def watch(self, routing) -> None:
        """Follow a new search (a restart): its own best and stall clock; the
        solutions are counted on."""
        self.routing, self.best, self.stalled = routing, None, False
        self.improved_at = time.monotonic()
        routing.AddAtSolutionCallback(self.on_solution)

    def __enter__(self) -> "SearchMonitor":
        self._progress = Progress(
            SpinnerColumn(), TextColumn("searching ({task.fields[phase]})"), BarColumn(),
            TextColumn("{task.fields[solutions]} solutions, best {task.fields[best]}"),
            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self._progress.__enter__()
        self._task = self._progress.add_task("search", total=self.time_limit,
                                             solutions=0, best="-", phase="OR-Tools")
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=self.time_limit)
            self._progress.__exit__(*exc)

    def phase(self, name: str) -> None:
        """Name the search running now (PyVRP's first plan, then OR-Tools)."""
        if self._progress is not None:
            self._progress.update(self._task, phase=name)

    def on_solution(self) -> None:
        now = time.monotonic()
        self.solutions += 1
        cost = self.routing.CostVar().Max()
        if self.best is None or cost < self.best:
            self.best, self.improved_at = cost, now
        elif self.stall_s is not None and now - self.improved_at > self.stall_s:
            self.stalled = True
            self.routing.solver().FinishCurrentSearch()  # the best plan so far is kept
        if self.first_solution_s is None:
            self.first_solution_s = round(now - self.began, 3)
        if self._progress is not None:
            self._progress.update(self._task, completed=min(now - self.search_began,
                                                            self.time_limit),
                                  solutions=self.solutions, best=f"{self.best:,}")
