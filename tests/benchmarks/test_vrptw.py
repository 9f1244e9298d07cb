"""Smoke test of the VRPTW harness: two small instances, a few seconds, checked solutions."""

import pytest

from ..conftest import VRPTW, needs_vrptw, vrptw_harness

bench = vrptw_harness()
pytestmark = needs_vrptw


@pytest.mark.parametrize("name", ["C101.100.10", "R201.100.8"])
def test_solves_and_checks(name, tmp_path):
    path = VRPTW / "solomon_100" / f"{name}.vrptw"
    row = bench.run(path, time_limit=3, seed=0, workers=1, out=tmp_path,
                    refs=bench.references(VRPTW))
    assert row["feasible"] and row["vehicles"] <= int(name.split(".")[-1])
    inst = bench.read_instance(path)
    text = (tmp_path / f"{name}.sol").read_text().splitlines()
    routes = [[int(c) for c in line.split(":")[1].split()] for line in text if line.startswith("Route")]
    ok, cost, problems = bench.check(inst, routes)
    assert ok, problems
    assert text[-1] == f"Cost {cost}" and row["cost"] == cost
    assert 0 <= row["gap_pct"] < 15


def test_reader_follows_the_cost_convention():
    inst = bench.read_instance(VRPTW / "solomon_100" / "C101.100.10.vrptw")
    assert inst.customers == 100 and inst.vehicles == 10 and inst.capacity == 200
    assert inst.service == 900  # 90 x SCALE 10
    # FLOOR_2D with SCALE 10: depot (40, 50) to customer 1 (45, 68): floor(10 * 18.68) = 186
    assert inst.matrix[0, 1] == 186


def test_checker_catches_a_broken_solution():
    inst = bench.read_instance(VRPTW / "solomon_100" / "C101.100.10.vrptw")
    everyone = list(range(1, 101))
    ok, _, problems = bench.check(inst, [everyone])
    assert not ok and any("carries" in p for p in problems)  # one truck for all: over capacity
    ok, _, problems = bench.check(inst, [[c] for c in everyone[:-1]])
    assert not ok and any("missing" in p for p in problems)
