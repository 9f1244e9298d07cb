"""How fast this machine searches: two fixed workloads, timed, so that benchmark results
taken on different machines can be read side by side.

The search stops on time, so a slower machine searches less in the same 30 s and plans
worse: the realistic days' time-bound plans moved by 1 to 3% between two machines of
this project with the same code (benchmarks/README.md, "The machine matters"). Every
row of ``quality.py`` carries these two figures.

- ``python_s``: ten million additions in a Python loop (the pipeline's own code);
- ``ortools_s``: OR-Tools' guided local search on 300-time-tight's model, stopped after
  a fixed number of solutions (the same work on every machine, whatever its speed).

    python benchmarks/machine.py
"""

from __future__ import annotations

import time
from functools import cache

import visitplan as vp
from days import problem

SOLUTIONS = 60  # the OR-Tools workload: solutions found before it stops


def python_s() -> float:
    """Seconds for ten million additions in a Python loop."""
    began, total = time.perf_counter(), 0
    for i in range(10_000_000):
        total += i
    return round(time.perf_counter() - began, 3)


@cache
def _day():
    """300-time-tight, built once: ``quality.py`` times the machine before every run."""
    return problem("300-time-tight")


def ortools_s() -> float:
    """Seconds for visitplan's one-worker search of 300-time-tight stopped after
    ``SOLUTIONS`` solutions (a solution limit: the same search on every machine)."""
    prob = _day()
    began = time.perf_counter()
    vp.solve(prob, workers=1, seed=0, time_limit=600, solution_limit=SOLUTIONS)
    return round(time.perf_counter() - began, 3)


def speed() -> dict[str, float]:
    """Both workloads' seconds: lower is faster."""
    return {"python_s": python_s(), "ortools_s": ortools_s()}


if __name__ == "__main__":
    print(speed())
