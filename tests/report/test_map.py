"""The map: one offline HTML file, what the plan holds and no more."""

import re

import numpy as np
import pytest

import visitplan as vp
from visitplan.report.assets import inline_assets
from visitplan.report.map import count_features, map_html

from visitplan.travel import haversine_m

from ..test_roads import OSM
from .conftest import NAMES, fixed_plan

EXTERNAL = re.compile(r'<(script|link|img|iframe)\b[^>]*(src|href)="(https?:)?//', re.I)


def test_the_map_loads_nothing_from_a_network(day):
    result, plan_dir = day
    page = (plan_dir / "report" / "map.html").read_text()
    assert EXTERNAL.search(page) is None
    assert "Leaflet 1.9.4" in page and "jQuery v3.7.1" in page  # inlined, not linked
    assert "cdn.jsdelivr" not in page and "code.jquery.com" not in page


def test_the_map_draws_every_visit_route_and_account_not_visited(day):
    result, plan_dir = day
    plan = result.plan
    found = count_features((plan_dir / "report" / "map.html").read_text())
    assert found["stops"] == len(plan.visits) >= 5
    assert found["routes"] == sum(1 for r in plan.agent_routes)
    assert found["unassigned"] == len(plan.unassigned_accounts) >= 1


def test_no_personal_data_unless_asked(day):
    result, plan_dir = day
    report = plan_dir / "report"
    for name in ("map.html", "index.html"):
        page = (report / name).read_text()
        assert "Secret Road" not in page and "+86 138" not in page
        assert not any(n in page for n in NAMES.values() if n.startswith("Borrower"))
    sheets = {k: v for k, v in _sheets(plan_dir).items()}
    with_data = map_html(result.plan, personal=sheets)
    assert "Secret Road" in with_data and "+86 138" in with_data
    assert "<script>alert" not in with_data  # a name is text, never markup


def _sheets(plan_dir):
    from visitplan.report import _personal, read_plan_dir
    return _personal(read_plan_dir(plan_dir)[2])


def test_popups_say_time_window_and_reason():
    page = map_html(fixed_plan(), tiles=False)
    assert "visit 09:30-09:50" in page and "window 09:00-11:00, 12:00-15:00" in page
    assert "not visited: CAPACITY" in page
    assert "tile.openstreetmap.org" not in page  # tiles=False: a plain background


def test_a_page_that_still_loads_from_a_network_is_refused():
    page = '<html><head><script src="https://cdn.example.com/x.js"></script></head></html>'
    assert inline_assets(page) == "<html><head></head></html>"  # a CDN script is dropped
    with pytest.raises(RuntimeError, match="loads from a network"):
        inline_assets('<img src="https://example.com/a.png">')


@pytest.mark.skipif(not OSM.is_file(), reason=f"no road extract at {OSM}")
def test_with_road_travel_the_lines_follow_the_roads(tmp_path):
    from visitplan.roads import road_network

    net = road_network(OSM, "drive")
    plan = fixed_plan()
    sites = {k: s.model_copy(update={"lat": 60.166 + 0.002 * i, "lon": 24.94 + 0.002 * i})
             for i, (k, s) in enumerate(plan.sites.items())}
    bases = {k: b.model_copy(update={"start": (60.171, 24.944), "end": (60.171, 24.944)})
             for k, b in plan.bases.items()}
    plan = plan.model_copy(update={"sites": sites, "bases": bases})
    straight = vp.report.map.plan_map(plan, tiles=False)
    roads = vp.report.map.plan_map(plan, tiles=False, roads=net)
    points = lambda m: [len(c.locations) for c in _lines(m)]  # noqa: E731
    assert points(straight) == [5, 3]  # start, visits, end
    assert all(r > s for r, s in zip(points(roads), points(straight)))
    a, b = _far_apart(net)
    path = net.path(a, b)
    assert path[0] == list(a) and path[-1] == list(b) and len(path) > 3
    points = np.array(path)
    along = np.diag(haversine_m(points[:-1], points[1:])).sum()
    assert along > haversine_m(np.array([a]), np.array([b]))[0, 0]  # roads bend
    # no drivable road between two places (here: out of a dead-end pocket): a straight leg
    a, b = _no_road_between(net)
    assert net.path(a, b) == [list(a), list(b)]


def _no_road_between(net):
    """Two drivable nodes, the second not reachable by road from the first."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    nodes, _ = net.snap(np.column_stack([net.lat, net.lon]))
    drivable = np.unique(nodes)
    for start in drivable:
        seconds = dijkstra(net.seconds, directed=True, indices=int(start))
        cut = drivable[~np.isfinite(seconds[drivable])]
        if len(cut):
            end = int(cut[0])
            return ((float(net.lat[start]), float(net.lon[start])),
                    (float(net.lat[end]), float(net.lon[end])))
    raise AssertionError("every drivable node reaches every other in this extract")


def _far_apart(net):
    """Two nodes, the second the farthest in time that the first reaches by road."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    seconds = dijkstra(net.seconds, directed=True, indices=0)
    far = int(np.argmax(np.where(np.isfinite(seconds), seconds, -1)))
    return (float(net.lat[0]), float(net.lon[0])), (float(net.lat[far]), float(net.lon[far]))


def _lines(fmap):
    import folium

    found = []

    def walk(element):
        for child in element._children.values():
            if isinstance(child, folium.PolyLine):
                found.append(child)
            walk(child)
    walk(fmap)
    return found


@pytest.mark.skipif(not OSM.is_file(), reason=f"no road extract at {OSM}")
def test_a_plan_made_on_roads_is_drawn_on_its_roads(tmp_path):
    import pandas as pd

    from visitplan.pipeline import report_plan_dir

    from ..test_cli import run
    from ..test_roads import points

    pts = points(12, 5)
    pd.DataFrame({"account_id": [f"H{i}" for i in range(12)], "lat": pts[:, 0],
                  "lon": pts[:, 1]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame([{"agent_id": "G1", "start_lat": 60.1710, "start_lon": 24.9440}]) \
        .to_csv(tmp_path / "g.csv", index=False)
    done = run("plan", tmp_path / "a.csv", tmp_path / "g.csv", "--date", "2026-12-01",
               "--out", tmp_path / "plan", "--time-limit", "2", "--travel", "road",
               "--graph", OSM, "--report", "--quiet")
    assert done.exit_code == 0, done.output
    on_roads = (tmp_path / "plan" / "report" / "map.html").read_text()
    report_plan_dir(tmp_path / "plan", tmp_path / "again")           # the plan's own network
    report_plan_dir(tmp_path / "plan", tmp_path / "straight", roads=False)
    again = (tmp_path / "again" / "map.html").read_text()
    straight = (tmp_path / "straight" / "map.html").read_text()
    line = re.compile(r"L\.polyline\(\s*(\[\[.*?\]\])", re.S)
    count = lambda page: line.search(page).group(1).count("[60.")  # noqa: E731
    visits = count_features(straight)["stops"]
    assert count(straight) == visits + 2  # start, the visits, the end
    assert count(on_roads) == count(again) > visits + 2
