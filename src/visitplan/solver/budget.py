"""The time budget of one solve: every deadline, computed once.

All deadlines are ``time.monotonic()`` values; :meth:`Budget.as_stats`
gives them as seconds after the call began, for ``plan.stats.budget``, so
that a user can see where the time went.
"""

from __future__ import annotations

from dataclasses import dataclass

# The share of the time limit kept back for building the output after the search.
RESERVE = 0.03
# Kept from PyVRP for loading its plan into OR-Tools when no OR-Tools search follows.
LOAD_SHARE = 0.02


def reserve(nodes: int) -> float:
    """Share of the limit kept back from OR-Tools' search: more on large days,
    where one local-search pass can run for seconds past OR-Tools' own limit
    (Homberger 1000: +15 s at 120 s)."""
    return RESERVE + min(0.10, nodes / 10_000)


@dataclass(frozen=True)
class Budget:
    """Deadlines of a solve that began at ``began`` with ``limit`` seconds for a
    day of ``nodes`` routing nodes.

    - ``hard_end``: everything but writing the output is done (PyVRP stops on
      time, so it may run this far);
    - ``reroute_end``: OR-Tools' search ends, earlier by a size-dependent
      reserve because one of its passes can overrun its own limit;
    - ``reselect_end``: choosing again two routes at a time (``reselect.py``)
      ends, earlier than ``reroute_end`` by the share ``reroute`` of the
      search time, left to shorten the routes of the visits chosen: first a
      few routes at a time (``regroup.py``, until :meth:`regroup_end` or until
      every group settles), then all at once (``reroute.py``);
    - ``search_end``: the search for the plan ends, earlier than
      ``reselect_end`` by the share ``reselect`` of the search time; without
      either, ``reroute_end``;
    - ``portfolio_end``: the parent of a portfolio stops waiting for workers.
    """

    began: float
    limit: float
    nodes: int
    reroute: float = 0.0
    reselect: float = 0.0

    @property
    def hard_end(self) -> float:
        return self.began + self.limit * (1 - RESERVE)

    @property
    def reroute_end(self) -> float:
        return self.began + self.limit * (1 - reserve(self.nodes))

    @property
    def reselect_end(self) -> float:
        return self.reroute_end - (self.reroute_end - self.began) * self.reroute

    def regroup_end(self, share: float) -> float:
        """The end of routing the chosen visits again a few routes at a time
        (``regroup.py``): ``share`` of the re-routing time, which follows it."""
        return self.reselect_end + (self.reroute_end - self.reselect_end) * share

    @property
    def search_end(self) -> float:
        return self.reselect_end - (self.reroute_end - self.began) * self.reselect

    @property
    def portfolio_end(self) -> float:
        return self.began + self.limit * (1 - RESERVE / 2)

    def pyvrp(self, now: float, polishes: bool, share: float,
              patience: float) -> tuple[float, float]:
        """PyVRP's ``(end, give_up)`` when it starts at ``now``.

        When OR-Tools searches on from PyVRP's plan (``polishes``) PyVRP gets
        ``share`` of the search time; otherwise all of it but the moment
        needed to load its plan. Without a feasible plan by ``give_up``
        (``patience`` of the search time) PyVRP gives way.
        """
        if polishes:
            end = now + (self.search_end - now) * share
        else:
            end = self.hard_end - (self.hard_end - now) * LOAD_SHARE
        return end, now + (self.search_end - now) * patience

    def as_stats(self, **more: float) -> dict[str, float]:
        """Deadlines (and ``more`` moments) as seconds after the start."""
        moments = {"limit": self.began + self.limit, "hard_end": self.hard_end,
                   "search_end": self.search_end,
                   "reselect_end": self.reselect_end, "reroute_end": self.reroute_end,
                   "portfolio_end": self.portfolio_end, **more}
        return {k: round(v - self.began, 3) for k, v in moments.items()}
