"""Road-network travel: times and distances along a street network (osmnx), in
compiled code (``scipy.sparse.csgraph``).

A location reaches the network at its nearest node among those the mode can
use (a KD-tree over them, in a local flat projection: a driver never joins the
network on a footway) along a short straight leg at walking speed; between
nodes, the fastest path along the roads. Edge speeds come from OpenStreetMap's
``maxspeed`` where given and, where not, from :data:`FALLBACK_KMH` by road
class and mode (osmnx ``add_edge_speeds`` / ``add_edge_travel_times``);
bicycles and walkers go at their own pace, never faster than the road's limit.
One-way streets give asymmetric times and stay so, except on foot.

Distances (``metres``) are the shortest road distance between the two nodes
(a second Dijkstra over lengths), which is the fastest path's length or
shorter: the route sheet's km, not a bound the schedule relies on.

A location the agents cannot reach, or from which they cannot come back (a
disconnected island of the network), is never given a time: the model says
which (:meth:`RoadNetwork.cut_off`) and those accounts are reported
``NOT_REACHABLE`` before the search.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .errors import InputError

MODES = ("drive", "bike", "walk", "scooter")
NETWORK_RULES = 3  # raise when the way a file becomes a network changes: old caches go stale
WALK_KMH = 5.0            # the leg between a location and its node, and walking mode
BIKE_KMH = 15.0
SCOOTER_KMH = 25.0          # on the roads cars use, never faster than this
# Speeds by road class where OpenStreetMap gives no maxspeed (km/h, driving).
FALLBACK_KMH = {
    "motorway": 90, "motorway_link": 50, "trunk": 70, "trunk_link": 40, "primary": 50,
    "primary_link": 30, "secondary": 40, "secondary_link": 30, "tertiary": 35,
    "tertiary_link": 25, "unclassified": 30, "residential": 25, "living_street": 10,
    "service": 15, "road": 25,
}
FALLBACK_DEFAULT_KMH = 25
# Road classes each mode may use.
NOT_FOR = {
    "drive": {"footway", "pedestrian", "path", "steps", "cycleway", "platform", "trail",
              "track", "corridor", "bridleway", "elevator", "proposed", "construction"},
    "bike": {"motorway", "motorway_link", "trunk", "trunk_link", "steps", "platform",
             "elevator", "proposed", "construction", "corridor"},
    "walk": {"motorway", "motorway_link", "trunk", "trunk_link", "proposed", "construction"},
}
NOT_FOR["scooter"] = NOT_FOR["drive"]
# Dijkstra runs from this many sources at a time: rows of (sources x nodes) floats.
CHUNK = 256


def load_graph(path: str | Path):
    """A street network from ``.graphml`` (osmnx) or OpenStreetMap XML (``.osm``,
    ``.osm.bz2``); :class:`InputError` for anything else or a file that cannot be read."""
    import osmnx as ox

    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise InputError.single(str(path), "road network file not found")
    try:
        if name.endswith(".graphml"):
            return _canonical(ox.load_graphml(path))
        if name.endswith((".osm", ".osm.bz2", ".xml")):
            return _canonical(ox.graph_from_xml(path, simplify=True, retain_all=True))
    except Exception as exc:
        raise InputError.single(str(path), f"cannot be read as a road network "
                                f"({type(exc).__name__})") from None
    raise InputError.single(str(path), "is not a road network file visitplan reads "
                            "(.graphml, .osm, .osm.bz2; for .osm.pbf convert it with osmium "
                            "first)")


def _canonical(graph):
    """The graph with every list-valued edge attribute sorted.

    Simplification merges the tags of the ways an edge runs along into a list built
    from a set, so its order follows Python's string hashing, which changes from one
    process to the next; osmnx takes a list's first ``highway`` for its speeds. Sorted,
    the same file gives the same network, the same times and the same plan in every run.
    """
    for _, _, data in graph.edges(data=True):
        for key, value in data.items():
            if isinstance(value, list):
                data[key] = sorted(value, key=str)
    return graph


def _highways(value) -> set[str]:
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def _highway(value) -> str:
    return min(_highways(value))


def _kmh(data: dict, mode: str) -> float:
    road = data.get("speed_kph") or FALLBACK_KMH.get(_highway(data.get("highway")),
                                                     FALLBACK_DEFAULT_KMH)
    if mode == "walk":
        return WALK_KMH
    if mode == "bike":
        return min(BIKE_KMH, road)
    if mode == "scooter":
        return min(SCOOTER_KMH, road)
    return road


class RoadNetwork:
    """Travel along a street network; a travel model (see :mod:`visitplan.travel`).

    Parameters
    ----------
    graph
        An osmnx ``MultiDiGraph`` (``load_graph``), unprojected (lat/lon nodes).
    mode
        ``drive``, ``bike`` or ``walk``: which roads, and how fast.
    source
        Where the graph came from, for the record (``describe``).
    """

    unit_s = 1.0

    def __init__(self, graph, mode: str = "drive", source: str | None = None,
                 cache: str | Path | None = None, digest: str | None = None):
        import osmnx as ox

        if mode not in MODES:
            raise InputError.single("travel mode", f"must be one of {', '.join(MODES)}")
        self.mode, self.source = mode, source
        self.digest = digest or (_digest(source) if source else None)
        graph = ox.add_edge_speeds(graph, hwy_speeds=FALLBACK_KMH,
                                   fallback=FALLBACK_DEFAULT_KMH)
        graph = ox.add_edge_travel_times(graph)
        nodes = list(graph.nodes)
        self.node_ids = np.array(nodes)
        position = {n: i for i, n in enumerate(nodes)}
        self.lat = np.array([graph.nodes[n]["y"] for n in nodes], dtype=float)
        self.lon = np.array([graph.nodes[n]["x"] for n in nodes], dtype=float)
        self._lat0 = float(self.lat.mean()) if len(nodes) else 0.0
        rows, cols, seconds, metres = [], [], [], []
        for u, v, data in graph.edges(data=True):
            if _highways(data.get("highway")) & NOT_FOR[mode]:
                continue  # a merged edge runs along every one of its roads
            length = float(data.get("length", 0.0))
            pairs = [(u, v)]
            if mode == "walk":
                pairs.append((v, u))  # every street is two-way on foot
            for a, b in pairs:
                rows.append(position[a])
                cols.append(position[b])
                seconds.append(max(length / (_kmh(data, mode) / 3.6), 1e-3))
                metres.append(max(length, 1e-3))
        n = len(nodes)
        # Parallel edges: the fastest / the shortest (csr sums duplicates, so reduce first).
        self.seconds = _min_csr(rows, cols, seconds, n)
        self.metres = _min_csr(rows, cols, metres, n)
        self.cache = MatrixCache(cache, self._cache_key()) if cache and self.digest else None
        # Places snap only to nodes this mode can use: in a city centre most nodes are on
        # footways, and a driver snapped to one could reach nobody (Helsinki's extract: 96%
        # of pairs between random addresses, against 17% on the drivers' own nodes).
        self._snappable = _used_nodes(self.seconds)
        self._tree = cKDTree(self._flat(self.lat[self._snappable], self.lon[self._snappable]))

    def _flat(self, lat, lon) -> np.ndarray:
        return np.column_stack([np.asarray(lon) * 111_320 * math.cos(math.radians(self._lat0)),
                                np.asarray(lat) * 110_574])

    def snap(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each (lat, lon) point that this mode can use, and the straight
        distance to it, metres."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        distance, index = self._tree.query(self._flat(points[:, 0], points[:, 1]))
        return self._snappable[index], distance

    def node_matrices(self, sources: np.ndarray, targets: np.ndarray, reverse: bool = False):
        """Seconds and metres from each source node to each target node (``inf``: no path);
        with ``reverse``, along the edges turned round (from each target to each source)."""
        times, lengths = (self.seconds, self.metres) if not reverse else \
            (self.seconds.T.tocsr(), self.metres.T.tocsr())
        seconds = np.empty((len(sources), len(targets)))
        metres = np.empty((len(sources), len(targets)))
        unique, back = np.unique(sources, return_inverse=True)
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            rows = np.flatnonzero((back >= start) & (back < start + len(chunk)))
            time_rows = dijkstra(times, directed=True, indices=chunk)
            seconds[rows] = time_rows[back[rows] - start][:, targets]
            length_rows = dijkstra(lengths, directed=True, indices=chunk)
            metres[rows] = length_rows[back[rows] - start][:, targets]
        return seconds, metres

    def _cache_key(self) -> str:
        """The network file's content, the mode and every speed setting."""
        settings = repr((NETWORK_RULES, self.digest, self.mode, sorted(FALLBACK_KMH.items()),
                         FALLBACK_DEFAULT_KMH, WALK_KMH, BIKE_KMH, sorted(NOT_FOR[self.mode])))
        return hashlib.sha256(settings.encode()).hexdigest()[:24]

    def node_pairs(self, nodes: np.ndarray):
        """Seconds and metres between these nodes (all pairs), through the cache if any."""
        if self.cache is None:
            return self.node_matrices(nodes, nodes)
        return self.cache.pairs(self, nodes)

    def matrices(self, keys: Sequence[str], points: np.ndarray, speed_kmh: float,
                 mode: str | None = None):
        """``(seconds, metres)`` between every pair of locations, as ``int64``.

        Pairs with no path get a time longer than any day (the solver can never use
        them); :meth:`cut_off` tells which accounts have none to or from the agents,
        and those never reach the solver. ``speed_kmh`` is not used: the roads and
        this network's mode set the pace (:class:`RoadTravel` picks the network of
        each agent's mode).
        """
        nodes, leg = self.snap(points)
        seconds, metres = self.node_pairs(nodes)
        walk = leg / (WALK_KMH / 3.6)
        seconds = seconds + walk[:, None] + walk[None, :]
        metres = metres + leg[:, None] + leg[None, :]
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        never = 30 * 86_400
        seconds = np.where(np.isfinite(seconds), seconds, never)
        metres = np.where(np.isfinite(metres), metres, 10**9)
        return np.rint(seconds).astype(np.int64), np.rint(metres).astype(np.int64)

    def cut_off(self, accounts: Sequence[tuple[str, float, float]],
                agents: Sequence[tuple[tuple[float, float], tuple[float, float]]]) -> dict:
        """Accounts no agent can reach and come back from: ``account_id -> why``.

        ``accounts`` are ``(id, lat, lon)``; ``agents`` are ``(start, end, ...)`` places.
        """
        if not accounts or not agents:
            return {}
        agents = [(a[0], a[1]) for a in agents]
        places = np.array([(lat, lon) for _, lat, lon in accounts], dtype=float)
        spots, _ = self.snap(places)
        starts, _ = self.snap(np.array([s for s, _ in agents], dtype=float))
        ends, _ = self.snap(np.array([e for _, e in agents], dtype=float))
        out_, _ = self.node_matrices(starts, spots)       # agent start -> account
        back, _ = self.node_matrices(spots, ends)         # account -> agent end
        able = np.isfinite(out_).T & np.isfinite(back)    # (account, agent)
        cut = {}
        for k, (account_id, _, _) in enumerate(accounts):
            if able[k].any():
                continue
            reach = np.isfinite(out_[:, k]).any()
            cut[account_id] = ("no road from any working agent's start reaches it"
                               if not reach else "no road leads back from it to any working "
                               "agent's end place") + f" on the {self.mode} network " \
                                                      "(a disconnected part of the map)"
        return cut

    def path(self, a: tuple[float, float], b: tuple[float, float]) -> list[list[float]]:
        """The fastest way from ``a`` to ``b`` as ``[lat, lon]`` points along the roads
        (for maps): the two places, their nearest nodes, and the nodes in between.
        Straight from ``a`` to ``b`` when no road connects them."""
        (start, end), _ = self.snap(np.array([a, b]))
        _, before = dijkstra(self.seconds, directed=True, indices=int(start),
                             return_predecessors=True)
        nodes = [int(end)]
        while nodes[-1] != start and before[nodes[-1]] >= 0:
            nodes.append(int(before[nodes[-1]]))
        if nodes[-1] != start:
            return [list(a), list(b)]
        return [list(a)] + [[float(self.lat[n]), float(self.lon[n])] for n in reversed(nodes)] \
            + [list(b)]

    def describe(self) -> dict:
        """What ``plan.json`` records so that ``validate`` can use the same model."""
        return {"model": "road", "graph": self.source, "mode": self.mode,
                "sha256": self.digest}


def _used_nodes(edges: csr_matrix) -> np.ndarray:
    """The nodes with an edge in or out (all of them if there is none at all)."""
    degree = np.diff(edges.indptr) + np.bincount(edges.indices, minlength=edges.shape[0])
    used = np.flatnonzero(degree > 0)
    return used if len(used) else np.arange(edges.shape[0])


def _min_csr(rows, cols, values, n: int) -> csr_matrix:
    if not rows:
        return csr_matrix((n, n))
    order = np.lexsort((np.asarray(values), np.asarray(cols), np.asarray(rows)))
    r, c, v = (np.asarray(a)[order] for a in (rows, cols, values))
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return csr_matrix((v[first], (r[first], c[first])), shape=(n, n))


def _digest(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class RoadTravel:
    """A road network for every mode the agents use: one :class:`RoadNetwork` per mode,
    built on first use, from one graph. The travel model of ``--travel road``."""

    unit_s = 1.0

    def __init__(self, graph, mode: str = "drive", source: str | None = None,
                 cache: str | Path | None = None):
        if mode not in MODES:
            raise InputError.single("travel mode", f"must be one of {', '.join(MODES)}")
        self.graph, self.mode, self.source, self.cache = graph, mode, source, cache
        self.digest = _digest(source) if source else None
        self._networks: dict[str, RoadNetwork] = {}

    def network(self, mode: str | None = None) -> RoadNetwork:
        mode = mode or self.mode
        if mode not in self._networks:
            self._networks[mode] = RoadNetwork(self.graph, mode, self.source, self.cache,
                                               self.digest)  # the file hashed once
        return self._networks[mode]

    def matrices(self, keys, points, speed_kmh: float, mode: str | None = None):
        return self.network(mode).matrices(keys, points, speed_kmh)

    def cut_off(self, accounts, agents) -> dict:
        """Accounts that no agent, on the network of the agent's own mode, can reach and
        come back from (see :meth:`RoadNetwork.cut_off`)."""
        by_mode: dict[str, list] = {}
        for agent in agents:
            by_mode.setdefault(agent[2] if len(agent) > 2 and agent[2] else self.mode,
                               []).append(agent)
        cut = None
        for mode, crew in by_mode.items():
            here = self.network(mode).cut_off(accounts, crew)
            cut = here if cut is None else {k: v for k, v in cut.items() if k in here}
        return cut or {}

    def describe(self) -> dict:
        return {"model": "road", "graph": self.source, "mode": self.mode,
                "sha256": self.digest}


def road_travel(path: str | Path, mode: str = "drive",
                cache: str | Path | None = "default") -> RoadTravel:
    """The road travel model of a network file (every mode on demand)."""
    return RoadTravel(load_graph(path), mode, source=str(path), cache=_cache_folder(cache))


def road_network(path: str | Path, mode: str = "drive",
                 cache: str | Path | None = "default") -> RoadNetwork:
    """Load a network file and build its travel model; matrices are cached in
    ``cache`` (``"default"``: :func:`default_cache_dir`; ``None``: no cache)."""
    return RoadNetwork(load_graph(path), mode, source=str(path), cache=_cache_folder(cache))


def _cache_folder(cache: str | Path | None) -> str | Path | None:
    return default_cache_dir() if cache == "default" else cache


OSMNX_NETWORK = {"drive": "drive", "bike": "bike", "walk": "walk"}


def fetch_graph(place: str, mode: str, out: str | Path) -> Path:
    """Download ``place``'s network with osmnx and save it as GraphML (needs the internet)."""
    import osmnx as ox

    if mode not in MODES:
        raise InputError.single("--mode", f"must be one of {', '.join(MODES)}")
    try:
        graph = ox.graph_from_place(place, network_type=OSMNX_NETWORK[mode])
    except Exception as exc:  # no network, unknown place, a server that refused
        raise InputError.single(place, f"cannot download its road network "
                                f"({type(exc).__name__}); this needs the internet and a "
                                "place OpenStreetMap's geocoder knows") from None
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(graph, out)
    return out


# Nodes a cache file keeps at most: two float32 matrices of this side (128 MB at 4,000).
CACHE_MAX_NODES = 4000


def default_cache_dir() -> Path:
    """``$VISITPLAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/visitplan``, else ``~/.cache/visitplan``."""
    import os
    if os.environ.get("VISITPLAN_CACHE_DIR"):
        return Path(os.environ["VISITPLAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "visitplan"


class MatrixCache:
    """Road times and distances between network nodes already computed, on disk.

    One file per network content, mode and speed settings. A run needs the pairs
    between its locations' nodes: those between known nodes come from the file;
    for new nodes, one Dijkstra from each (their rows) and one on the reversed
    network (their columns): only new pairs are computed. The file is replaced
    whole (written aside, then ``os.replace``), so two runs at once each leave a
    valid file, and deleting it only costs time.
    """

    def __init__(self, folder: str | Path, key: str):
        self.path = Path(folder) / f"roads-{key}.npz"

    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        try:
            with np.load(self.path) as data:
                return data["nodes"], data["seconds"], data["metres"]
        except Exception:  # missing, half-copied or from another version: start again
            empty = np.zeros((0, 0), dtype=np.float32)
            return np.zeros(0, dtype=np.int64), empty, empty

    def pairs(self, net: "RoadNetwork", nodes: np.ndarray):
        known, seconds, metres = self.load()
        wanted = np.unique(nodes)
        new = np.setdiff1d(wanted, known)
        if len(new):
            known, seconds, metres = self._extend(net, known, seconds, metres, new)
            if len(known) > CACHE_MAX_NODES:  # keep what this run needs
                keep = np.searchsorted(known, wanted)
                known, seconds, metres = (known[keep], seconds[np.ix_(keep, keep)],
                                          metres[np.ix_(keep, keep)])
            self._save(known, seconds, metres)
        at = np.searchsorted(known, nodes)
        grid = np.ix_(at, at)
        return seconds[grid].astype(float), metres[grid].astype(float)

    @staticmethod
    def _extend(net, known, seconds, metres, new):
        everyone = np.concatenate([known, new])
        order = np.argsort(everyone)
        size, k = len(everyone), len(known)
        out_s = np.full((size, size), np.inf, dtype=np.float32)
        out_m = np.full((size, size), np.inf, dtype=np.float32)
        out_s[:k, :k], out_m[:k, :k] = seconds, metres
        rows_s, rows_m = net.node_matrices(new, everyone)            # new -> everyone
        out_s[k:, :], out_m[k:, :] = rows_s, rows_m
        if k:
            back_s, back_m = net.node_matrices(new, known, reverse=True)  # known -> new
            out_s[:k, k:], out_m[:k, k:] = back_s.T, back_m.T
        return everyone[order], out_s[np.ix_(order, order)], out_m[np.ix_(order, order)]

    def _save(self, nodes, seconds, metres) -> None:
        import os
        import tempfile
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, aside = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp",
                                         dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, nodes=nodes, seconds=seconds, metres=metres)
            os.replace(aside, self.path)
        except BaseException:
            Path(aside).unlink(missing_ok=True)
            raise

