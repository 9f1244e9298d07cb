"""Road-network matrices: seconds for an n x n matrix on a city-sized network.

    .venv/bin/python benchmarks/roads.py --grid 224 --locations 250 500 1000 --out benchmarks/out/roads.csv
    .venv/bin/python benchmarks/roads.py --grid 112 158 224 --locations 1000

No 50,000-intersection city extract is reachable offline (../shared/NOTES.md), so the network
is synthetic and osmnx-shaped: a GRID x GRID street grid 80 m apart, every 8th street an
arterial (secondary, 40 km/h), residential streets at 25 km/h, every 5th residential street
one-way. The Helsinki extract (2,675 nodes) is timed beside it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from visitplan.roads import RoadNetwork, road_network

ROOT = Path(__file__).resolve().parents[1]
OSM = ROOT.parent / "shared" / "osm" / "helsinki_center_roads.osm.bz2"


def grid(side: int, spacing_m: float = 80.0):
    graph = nx.MultiDiGraph(crs="epsg:4326")
    lat0, lon0 = 22.54, 114.05  # a Shenzhen-like place
    dlat, dlon = spacing_m / 110_574, spacing_m / (111_320 * np.cos(np.radians(lat0)))
    for i in range(side):
        for j in range(side):
            graph.add_node(i * side + j, y=lat0 + i * dlat, x=lon0 + j * dlon)

    def street(a, b, line):
        arterial = line % 8 == 0
        highway = "secondary" if arterial else "residential"
        speed = 40 if arterial else 25
        oneway = not arterial and line % 5 == 0
        data = dict(length=spacing_m, highway=highway, maxspeed=str(speed), oneway=oneway)
        graph.add_edge(a, b, **data)
        if not oneway:
            graph.add_edge(b, a, **data)

    for i in range(side):
        for j in range(side - 1):
            street(i * side + j, i * side + j + 1, i)        # east-west streets
            street(j * side + i, (j + 1) * side + i, i)      # north-south streets
    return graph


def time_matrix(net: RoadNetwork, n: int, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    pts = np.column_stack([rng.uniform(net.lat.min(), net.lat.max(), n),
                           rng.uniform(net.lon.min(), net.lon.max(), n)])
    began = time.perf_counter()
    net.matrices([str(i) for i in range(n)], pts, 25)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, nargs="+", default=[224])
    parser.add_argument("--locations", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    if OSM.is_file():
        began = time.perf_counter()
        net = road_network(OSM)
        build = time.perf_counter() - began
        for n in args.locations:
            rows.append({"network": "helsinki extract", "nodes": len(net.node_ids),
                         "locations": n, "build_s": round(build, 2),
                         "matrix_s": round(time_matrix(net, n), 2)})
            print(rows[-1], flush=True)
    for side in args.grid:
        began = time.perf_counter()
        net = RoadNetwork(grid(side), "drive", source=f"grid {side}x{side}")
        build = time.perf_counter() - began
        for n in args.locations:
            rows.append({"network": f"synthetic grid {side}x{side}", "nodes": side * side,
                         "locations": n, "build_s": round(build, 2),
                         "matrix_s": round(time_matrix(net, n), 2)})
            print(rows[-1], flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
