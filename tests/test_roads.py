"""Road-network travel on the Helsinki extract (../shared/osm)."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import connected_components

import visitplan as vp
from visitplan.roads import NOT_FOR, load_graph, road_network
from visitplan.travel import haversine_m

from .conftest import ROOT

OSM = ROOT.parent / "shared" / "osm" / "helsinki_center_roads.osm.bz2"
pytestmark = pytest.mark.skipif(not OSM.is_file(), reason=f"no road extract at {OSM}")
DATE = "2026-12-01"


@pytest.fixture(scope="module")
def net():
    return road_network(OSM, "drive")


def points(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(60.166, 60.177, n), rng.uniform(24.937, 24.951, n)])


def test_road_time_is_never_shorter_than_the_straight_line_at_top_speed(net):
    top = max(net.metres.data / net.seconds.data)  # metres per second, the fastest edge
    pts = points(40)
    seconds, _ = net.matrices([str(i) for i in range(40)], pts, 25)
    straight = haversine_m(pts)
    assert (seconds >= np.floor(straight / top) - 1).all()


def test_one_way_streets_give_asymmetric_times(net):
    seconds, _ = net.matrices([str(i) for i in range(60)], points(60, 1), 25)
    assert (seconds != seconds.T).sum() > 0


def test_the_matrix_agrees_with_networkx_shortest_paths(net):
    graph = load_graph(OSM)
    import osmnx as ox
    graph = ox.add_edge_travel_times(ox.add_edge_speeds(graph, hwy_speeds={
        k: v for k, v in __import__("visitplan.roads", fromlist=["x"]).FALLBACK_KMH.items()},
        fallback=25))
    drive = nx.DiGraph()
    for u, v, data in graph.edges(data=True):
        highway = data["highway"][0] if isinstance(data["highway"], list) else data["highway"]
        if highway in NOT_FOR["drive"]:
            continue
        weight = data["length"] / (data["speed_kph"] / 3.6)
        if not drive.has_edge(u, v) or drive[u][v]["w"] > weight:
            drive.add_edge(u, v, w=weight)
    position = {n: i for i, n in enumerate(net.node_ids)}
    rng = np.random.default_rng(3)
    nodes = [n for n in rng.choice(list(drive.nodes), 30, replace=False)]
    ours, _ = net.node_matrices(np.array([position[n] for n in nodes]),
                                np.array([position[n] for n in nodes]))
    for i, u in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(drive, u, weight="w")
        for j, v in enumerate(nodes):
            theirs = lengths.get(v, np.inf)
            assert ours[i, j] == pytest.approx(theirs, rel=1e-6) or \
                (np.isinf(ours[i, j]) and np.isinf(theirs))


def _island(net):
    """A node in a small strongly connected part of the drive network."""
    count, labels = connected_components(net.seconds, directed=True, connection="strong")
    sizes = np.bincount(labels)
    main = sizes.argmax()
    for node in range(len(labels)):
        if labels[node] != main and net.seconds[node].nnz and sizes[labels[node]] <= 3:
            return net.lat[node], net.lon[node]
    pytest.skip("no small island in this extract")


def test_an_island_is_not_reachable_and_says_why(net):
    lat, lon = _island(net)
    centre = (60.1710, 24.9440)
    accounts = pd.DataFrame([{"account_id": "ISLE", "lat": lat, "lon": lon},
                             {"account_id": "MAIN", "lat": 60.1705, "lon": 24.9445}])
    agents = pd.DataFrame([{"agent_id": "G1", "start_lat": centre[0], "start_lon": centre[1]}])
    problem = vp.read_frames(accounts, agents, date=DATE, travel=net)
    plan = vp.solve(problem, time_limit=2)
    reasons = plan.unassigned.set_index("account_id")
    assert reasons.loc["ISLE", "reason"] == "NOT_REACHABLE"
    assert "disconnected part of the map" in reasons.loc["ISLE", "detail"]
    assert vp.validate(problem, plan) == []


def test_a_plan_with_road_times_validates_from_the_cli(tmp_path):
    from typer.testing import CliRunner

    from visitplan.cli import app

    pts = points(30, 5)
    pd.DataFrame({"account_id": [f"H{i}" for i in range(30)], "lat": pts[:, 0],
                  "lon": pts[:, 1], "windows": "09:00-17:00"}).to_csv(tmp_path / "a.csv",
                                                                     index=False)
    pd.DataFrame([{"agent_id": "G1", "start_lat": 60.1710, "start_lon": 24.9440},
                  {"agent_id": "G2", "start_lat": 60.1690, "start_lon": 24.9420}]) \
        .to_csv(tmp_path / "g.csv", index=False)
    out = tmp_path / "plan"
    run = CliRunner().invoke(app, ["plan", str(tmp_path / "a.csv"), str(tmp_path / "g.csv"),
                                   "--date", DATE, "--out", str(out), "--time-limit", "3",
                                   "--travel", "road", "--graph", str(OSM), "--quiet"])
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["travel_model"]["model"] == "road" and summary["accounts"]["planned"] > 5
    # validate rebuilds the same road model from the plan's record
    check = CliRunner().invoke(app, ["validate", str(tmp_path / "a.csv"),
                                     str(tmp_path / "g.csv"), str(out)])
    assert check.exit_code == 0, check.output
    # ... and the same plan checked with straight lines would be a different model: still
    # valid or not, but it is the road model that validate used by default.
    routes = pd.read_csv(out / "routes.csv")
    assert (routes["travel_km"] > 0).any()


def test_policy_road_settings_and_bad_files(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[travel]\nmodel = "road"\n')
    with pytest.raises(vp.InputError, match="needs graph"):
        vp.load_policy(policy)
    policy.write_text(f'[travel]\nmodel = "road"\ngraph = "{OSM}"\nmode = "walk"\n')
    assert vp.load_policy(policy).travel.mode == "walk"
    with pytest.raises(vp.InputError, match="not a road network file"):
        road_network(tmp_path / "policy.toml")
    with pytest.raises(vp.InputError, match="not found"):
        road_network(tmp_path / "missing.graphml")


def test_graph_fetch_offline_is_a_clear_error(tmp_path, monkeypatch):
    """No network here: osmnx's download fails and the command says so (exit 2)."""
    import osmnx as ox
    from typer.testing import CliRunner

    from visitplan.cli import app

    def offline(*args, **kwargs):
        raise ConnectionError("no route to host")
    monkeypatch.setattr(ox, "graph_from_place", offline)
    result = CliRunner().invoke(app, ["graph", "fetch", "Futian District, Shenzhen", "--out",
                                      str(tmp_path / "city.graphml")])
    assert result.exit_code == 2 and "needs the internet" in result.output
    assert not (tmp_path / "city.graphml").exists()


def test_a_saved_graphml_loads_and_gives_the_same_times(tmp_path, net):
    import osmnx as ox

    ox.save_graphml(load_graph(OSM), tmp_path / "helsinki.graphml")
    again = road_network(tmp_path / "helsinki.graphml", "drive")
    pts = points(20, 9)
    keys = [str(i) for i in range(20)]
    assert (again.matrices(keys, pts, 25)[0] == net.matrices(keys, pts, 25)[0]).all()


# -- the matrix cache -------------------------------------------------------------------

def _counting(monkeypatch):
    import visitplan.roads as roads

    sources = []
    real = roads.dijkstra

    def counted(graph, directed, indices):
        sources.extend(np.atleast_1d(indices).tolist())
        return real(graph, directed=directed, indices=indices)
    monkeypatch.setattr(roads, "dijkstra", counted)
    return sources


def test_the_cache_computes_only_new_pairs_and_gives_the_same_answers(tmp_path, monkeypatch):
    sources = _counting(monkeypatch)
    cached = road_network(OSM, "drive", cache=tmp_path)
    plain = road_network(OSM, "drive", cache=None)
    pts = points(30, 4)
    keys = [str(i) for i in range(30)]
    first = cached.matrices(keys, pts, 25)
    nodes = len(np.unique(cached.snap(pts)[0]))
    assert len(sources) == 2 * nodes  # time and length, from every node once
    sources.clear()
    again = cached.matrices(keys, pts, 25)
    assert sources == []  # all from the file
    more = np.vstack([pts, [[60.1700, 24.9410], [60.1750, 24.9480]]])
    sources.clear()
    grown = cached.matrices(keys + ["n1", "n2"], more, 25)
    new = len(np.setdiff1d(cached.snap(more)[0], cached.snap(pts)[0]))
    assert 0 < len(sources) <= 4 * new  # forward and reversed, time and length, new nodes only
    sources.clear()
    reference = plain.matrices(keys + ["n1", "n2"], more, 25)
    for ours, theirs in zip(grown, reference):
        assert (ours == theirs).all()
    assert (first[0] == again[0]).all() and (grown[0][:30, :30] == first[0]).all()


def test_a_damaged_or_deleted_cache_is_only_recomputed(tmp_path):
    cached = road_network(OSM, "drive", cache=tmp_path)
    pts = points(10, 6)
    keys = [str(i) for i in range(10)]
    good = cached.matrices(keys, pts, 25)[0]
    (file,) = tmp_path.glob("roads-*.npz")
    file.write_bytes(b"half a file")
    assert (cached.matrices(keys, pts, 25)[0] == good).all()
    file.unlink()
    assert (cached.matrices(keys, pts, 25)[0] == good).all()


def test_the_cache_key_follows_the_network_and_the_mode(tmp_path):
    drive = road_network(OSM, "drive", cache=tmp_path)
    walk = road_network(OSM, "walk", cache=tmp_path)
    drive.matrices(["a", "b"], points(2), 25)
    walk.matrices(["a", "b"], points(2), 25)
    assert len(list(tmp_path.glob("roads-*.npz"))) == 2


def _cached_run(args):
    folder, seed = args
    net = road_network(OSM, "drive", cache=folder)
    pts = points(25, seed)
    return net.matrices([str(i) for i in range(25)], pts, 25)[0]


def test_two_runs_at_once_share_the_cache_safely(tmp_path):
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map(_cached_run, [(tmp_path, 11), (tmp_path, 12)] * 2)
    plain = road_network(OSM, "drive", cache=None)
    for seed, result in zip([11, 12] * 2, results):
        pts = points(25, seed)
        assert (result == plain.matrices([str(i) for i in range(25)], pts, 25)[0]).all()
    from visitplan.roads import MatrixCache
    (file,) = tmp_path.glob("roads-*.npz")
    nodes, seconds, _ = MatrixCache(tmp_path, file.stem[6:]).load()
    assert len(nodes) and seconds.shape == (len(nodes), len(nodes))
    assert not list(tmp_path.glob("*.tmp"))


def test_walkers_and_drivers_get_their_own_road_matrices(tmp_path):
    from visitplan.roads import road_travel

    travel = road_travel(OSM, "drive", cache=tmp_path)
    pts = points(25, 8)
    keys = [str(i) for i in range(25)]
    walk, _ = travel.matrices(keys, pts, 5, mode="walk")
    drive, _ = travel.matrices(keys, pts, 25, mode="drive")
    assert (walk == walk.T).all()  # one-way streets are two-way on foot
    reachable = drive < 30 * 86_400
    # Mostly slower on foot; not always: a driver walks from the door to the nearest road
    # he may drive on and around one-way streets, where a walker takes the footpath.
    assert (walk[reachable] >= drive[reachable]).mean() > 0.9
    accounts = pd.DataFrame({"account_id": keys, "lat": pts[:, 0], "lon": pts[:, 1],
                             "windows": "09:00-17:00"})
    agents = pd.DataFrame([{"agent_id": "W", "start_lat": 60.171, "start_lon": 24.944,
                            "mode": "walk"},
                           {"agent_id": "D", "start_lat": 60.171, "start_lon": 24.944}])
    problem = vp.read_frames(accounts, agents, date=DATE, travel=travel)
    plan = vp.solve(problem, time_limit=20, solution_limit=60)  # not the machine's load
    assert vp.validate(problem, plan) == [] and len(plan.visits) > 5
    assert set(plan.routes["agent_id"]) == {"W", "D"}


MATRIX_DIGEST = """
import hashlib, sys
import numpy as np
from visitplan.roads import road_travel
rng = np.random.default_rng(8)
pts = np.column_stack([rng.uniform(60.166, 60.177, 25), rng.uniform(24.937, 24.951, 25)])
travel = road_travel(sys.argv[1], "drive", cache=None)
digest = hashlib.sha256()
for mode in ("walk", "drive"):
    seconds, metres = travel.matrices([str(i) for i in range(25)], pts, 25, mode=mode)
    digest.update(seconds.tobytes() + metres.tobytes())
print(digest.hexdigest())
"""


def test_the_same_file_gives_the_same_times_whatever_the_string_hashing():
    # Simplified edges carry their roads' tags in lists built from sets; with hash
    # seed 6 two directions of a construction/cycleway edge listed them in opposite
    # orders, so on foot one direction was closed and the other open.
    import os
    import subprocess
    import sys

    digests = set()
    for seed in ("1", "2", "6"):
        run = subprocess.run([sys.executable, "-c", MATRIX_DIGEST, str(OSM)],
                             env={**os.environ, "PYTHONHASHSEED": seed},
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_merged_tags_are_sorted_and_a_walker_avoids_any_road_closed_to_him():
    graph = load_graph(OSM)
    merged = [d["highway"] for _, _, d in graph.edges(data=True)
              if isinstance(d.get("highway"), list)]
    assert merged and all(h == sorted(h) for h in merged)

    def closed(data):
        return bool(set(_list(data.get("highway"))) & NOT_FOR["walk"])

    walk = road_network(OSM, "walk", cache=None)
    at = {n: i for i, n in enumerate(walk.node_ids)}
    links = {}
    for u, v, d in graph.edges(data=True):
        links.setdefault(frozenset((u, v)), []).append(closed(d))
    half_closed = [pair for pair, shut in links.items() if all(shut) and len(pair) == 2
                   and any(len(_list(d.get("highway"))) > 1 and
                           not set(_list(d["highway"])) <= NOT_FOR["walk"]
                           for d in graph.get_edge_data(*pair).values())]
    assert half_closed  # construction + cycleway: closed on foot, whichever comes first
    for u, v in map(tuple, half_closed):
        assert walk.seconds[at[u], at[v]] == 0 and walk.seconds[at[v], at[u]] == 0


def _list(value):
    return value if isinstance(value, list) else [value]


def test_a_driver_joins_the_network_on_a_road_he_can_use(net):
    # The centre's nodes are mostly on footways; snapped to one, an address was cut off
    # for drivers (96% of pairs between these 400 addresses had no road, now 17%).
    rng = np.random.default_rng(3)
    pts = np.column_stack([rng.uniform(60.166, 60.177, 400), rng.uniform(24.937, 24.951, 400)])
    nodes, _ = net.snap(pts)
    assert all(net.seconds[n].nnz or net.seconds[:, n].nnz for n in nodes)
    seconds, _ = net.matrices([str(i) for i in range(400)], pts, 25)
    assert (seconds >= 30 * 86_400).mean() < 0.25
