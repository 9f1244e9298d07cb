"""Travel times and distances between locations.

A travel model answers one question: for these locations (with their
keys), what are the travel seconds and metres between every pair for an
agent moving at a given speed? Two models ship:

- :class:`StraightLine`: haversine distance x detour factor / speed,
  vectorised with numpy (5,000 locations in well under a second);
- :class:`Matrix`: an explicit matrix the caller supplies (from a routing
  engine, a road network or a benchmark instance), looked up by key.

Location keys are the ``account_id`` of accounts and ``start:<agent_id>``
/ ``end:<agent_id>`` for the agents' start and end places.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from geopy.distance import EARTH_RADIUS  # km, the mean radius geopy uses

Matrices = tuple[np.ndarray, np.ndarray]


# Straight-line speed of a travel mode where the agent's row gives none (km/h); driving
# takes the policy's [travel] speed_kmh.
MODE_KMH = {"walk": 5.0, "bike": 15.0, "scooter": 20.0}


def profile(agent, policy) -> tuple[str, float]:
    """How an agent travels: ``(mode, km/h)``. The speed is the row's ``speed_kmh``,
    else that of the row's ``mode`` (:data:`MODE_KMH`), else the policy's; the mode is
    the row's, else the policy's. Agents with the same profile share one matrix."""
    named = MODE_KMH.get(agent.mode) if agent.mode else None
    speed = agent.speed_kmh or named or policy.travel.speed_kmh
    return agent.mode or policy.travel.mode, float(speed)


def start_key(agent_id: str) -> str:
    return f"start:{agent_id}"


def end_key(agent_id: str) -> str:
    return f"end:{agent_id}"


class TravelModel(Protocol):
    def matrices(self, keys: Sequence[str], points: np.ndarray, speed_kmh: float,
                 mode: str = "drive") -> Matrices:
        """Return ``(seconds, metres)``, two ``int64`` arrays of shape ``(n, n)``.

        ``points`` is an ``(n, 2)`` array of (lat, lon) degrees, in the order of ``keys``;
        ``speed_kmh`` and ``mode`` describe the agent (models that know the roads use
        ``mode``, straight lines ``speed_kmh``, explicit matrices neither).
        """


def haversine_m(points: np.ndarray, others: np.ndarray | None = None) -> np.ndarray:
    """Great-circle distances in metres between (lat, lon) rows, all pairs."""
    others = points if others is None else others
    lat1, lon1 = np.radians(points[:, 0])[:, None], np.radians(points[:, 1])[:, None]
    lat2, lon2 = np.radians(others[:, 0])[None, :], np.radians(others[:, 1])[None, :]
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS * 1000.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class StraightLine:
    """Straight-line travel: haversine x ``detour_factor`` at the agent's speed."""

    def __init__(self, detour_factor: float = 1.3):
        if detour_factor < 1:
            raise ValueError("detour_factor must be at least 1")
        self.detour_factor = detour_factor

    def matrices(self, keys: Sequence[str], points: np.ndarray, speed_kmh: float,
                 mode: str = "drive") -> Matrices:
        metres = haversine_m(np.asarray(points, dtype=float)) * self.detour_factor
        seconds = metres / (speed_kmh / 3.6)
        return np.rint(seconds).astype(np.int64), np.rint(metres).astype(np.int64)


class Matrix:
    """An explicit travel matrix.

    Parameters
    ----------
    seconds
        ``(m, m)`` travel times in seconds.
    metres
        ``(m, m)`` distances in metres; defaults to ``seconds`` (useful for
        benchmark instances, where time equals distance).
    index
        location key -> row of the matrices. Several keys may share a row
        (a depot that is every agent's start and end).
    unit_s
        Seconds per unit of ``seconds`` (1: they are seconds). A benchmark
        instance gives its own integer units and sets the problem's
        ``time_unit_s`` to the same value, so that no rounding happens.
    """

    def __init__(self, seconds, index: Mapping[str, int], metres=None, unit_s: float = 1.0):
        self.unit_s = unit_s
        self.seconds = np.asarray(seconds, dtype=np.int64)
        self.metres = self.seconds if metres is None else np.asarray(metres, dtype=np.int64)
        if self.seconds.ndim != 2 or self.seconds.shape[0] != self.seconds.shape[1]:
            raise ValueError("the travel matrix must be square")
        if self.metres.shape != self.seconds.shape:
            raise ValueError("seconds and metres must have the same shape")
        if (self.seconds < 0).any() or (self.metres < 0).any():
            raise ValueError("travel times and distances cannot be negative")
        self.index = dict(index)

    def matrices(self, keys: Sequence[str], points: np.ndarray, speed_kmh: float,
                 mode: str = "drive") -> Matrices:
        missing = [k for k in keys if k not in self.index]
        if missing:
            raise KeyError(f"the travel matrix has no row for {missing[:5]}")
        rows = np.array([self.index[k] for k in keys], dtype=np.int64)
        grid = np.ix_(rows, rows)
        return self.seconds[grid], self.metres[grid]


def default_model(policy) -> StraightLine:
    return StraightLine(policy.travel.detour_factor)


PAIR_COLUMNS = ("from_id", "to_id", "seconds", "metres")


class Pairs:
    """Times and distances the user supplies as pairs, from a routing engine (OSRM,
    Valhalla) or a commercial maps API: a CSV or Parquet file with the columns
    ``from_id, to_id, seconds, metres``.

    Ids are account ids and, for the agents' places, ``start:<agent_id>`` and
    ``end:<agent_id>``; an agent's end falls back to its start, and its start to the
    bare ``<agent_id>``. A pair the plan needs and the file lacks is an
    :class:`~visitplan.errors.InputError` naming it, never a guess.
    """

    unit_s = 1.0

    def __init__(self, table, source: str = "pairs"):
        import pandas as pd

        from .errors import InputError, InputIssue

        self.source = source
        table = table.rename(columns=lambda c: str(c).strip().lower())
        missing = [c for c in PAIR_COLUMNS if c not in table.columns]
        if missing:
            raise InputError([InputIssue(source, "required column is missing", column=c)
                              for c in missing])
        issues = []
        for column in ("seconds", "metres"):
            values = pd.to_numeric(table[column], errors="coerce")
            bad = ~(values.notna() & (values >= 0) & (values < 10**9))
            issues += [InputIssue(source, "must be a number of at least 0", int(row) + 1,
                                  column) for row in np.flatnonzero(bad.to_numpy())[:20]]
            table[column] = values
        if issues:
            raise InputError(issues)
        ids = pd.Index(pd.unique(pd.concat([table["from_id"], table["to_id"]]).astype(str)))
        self.position = {k: i for i, k in enumerate(ids)}
        size = len(ids)
        self.seconds = np.full((size, size), np.nan)
        self.metres = np.full((size, size), np.nan)
        rows = ids.get_indexer(table["from_id"].astype(str))
        cols = ids.get_indexer(table["to_id"].astype(str))
        self.seconds[rows, cols] = table["seconds"].to_numpy(dtype=float)
        self.metres[rows, cols] = table["metres"].to_numpy(dtype=float)
        np.fill_diagonal(self.seconds, 0)
        np.fill_diagonal(self.metres, 0)

    @classmethod
    def from_file(cls, path) -> "Pairs":
        """Read a ``.csv`` or ``.parquet`` file of pairs."""
        import pandas as pd

        from .errors import InputError

        path = Path(path)
        if not path.is_file():
            raise InputError.single(str(path), "travel pairs file not found")
        try:
            table = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
                     else pd.read_csv(path, dtype={"from_id": str, "to_id": str}))
        except Exception as exc:
            raise InputError.single(str(path), f"cannot be read as a table of pairs "
                                    f"({type(exc).__name__})") from None
        pairs = cls(table, str(path))
        pairs.digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return pairs

    def _row(self, key: str) -> int | None:
        for candidate in _fallbacks(key):
            if candidate in self.position:
                return self.position[candidate]
        return None

    def matrices(self, keys: Sequence[str], points: np.ndarray, speed_kmh: float,
                 mode: str = "drive") -> Matrices:
        from .errors import InputError, InputIssue

        rows = [self._row(k) for k in keys]
        unknown = [k for k, r in zip(keys, rows) if r is None]
        if unknown:
            raise InputError([InputIssue(self.source, f"has no pair for '{k}'")
                              for k in unknown[:10]])
        index = np.array(rows, dtype=np.int64)
        seconds = self.seconds[np.ix_(index, index)]
        gaps = np.argwhere(np.isnan(seconds))
        if len(gaps):
            shown = [f"'{keys[a]}' -> '{keys[b]}'" for a, b in gaps[:10]]
            raise InputError.single(self.source, f"lacks {len(gaps)} pair(s) the plan needs: "
                                    + ", ".join(shown))
        metres = self.metres[np.ix_(index, index)]
        metres = np.where(np.isnan(metres), 0, metres)
        return np.rint(seconds).astype(np.int64), np.rint(metres).astype(np.int64)

    def describe(self) -> dict:
        return {"model": "pairs", "file": self.source, "sha256": getattr(self, "digest", None)}


def _fallbacks(key: str) -> list[str]:
    if key.startswith("end:"):
        agent = key[4:]
        return [key, f"start:{agent}", agent]
    if key.startswith("start:"):
        return [key, key[6:]]
    return [key]
