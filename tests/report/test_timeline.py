"""The timeline: blocks that add up to the plan, a PNG that shows them."""

import math

import numpy as np
import pytest
from matplotlib.image import imread
from matplotlib.testing.compare import compare_images

from visitplan.report.timeline import timeline_blocks, timeline_png, timeline_svg

from .conftest import fixed_plan

SNAPSHOT = __import__("pathlib").Path(__file__).parent / "data" / "timeline_fixed.png"


def _check_blocks(plan):
    blocks = timeline_blocks(plan)
    for route in plan.agent_routes:
        mine = blocks[blocks["agent_id"] == route.agent_id]
        service = mine[mine["kind"] == "service"]
        assert list(service["account_id"]) == [v.account_id for v in route.visits]
        assert list(service["start"]) == [v.start for v in route.visits]
        travel = mine[mine["kind"] == "travel"]
        legs = [v.travel_s for v in route.visits] + [route.return_travel_s]
        assert sum((travel["end"] - travel["start"]).dt.total_seconds()) == \
            sum(60 * math.ceil(s / 60) for s in legs)
        assert len(mine[mine["kind"] == "break"]) == len(route.breaks)
        busy = mine[mine["kind"] != "window"].sort_values("start")
        assert (busy["start"].iloc[1:].values >= busy["end"].iloc[:-1].values).all(), \
            "two blocks of one agent overlap"
        work = busy[busy["kind"] != "break"]  # a break may fall after an early return
        assert work["start"].min() >= route.depart and work["end"].max() <= route.back
        for w in mine[mine["kind"] == "window"].itertuples():
            visit = next(v for v in route.visits if v.account_id == w.account_id)
            assert w.start <= visit.start <= w.end
    return blocks


def test_blocks_of_a_hand_made_plan():
    blocks = _check_blocks(fixed_plan())
    g1 = blocks[blocks["agent_id"] == "G1"]
    # the leg to A3 (10 min, arriving 12:10) crosses no break; the return does not either
    assert ("wait" in set(g1["kind"])) and ("break" in set(g1["kind"]))
    waits = g1[g1["kind"] == "wait"]
    assert waits["start"].min().strftime("%H:%M") == "09:20"  # arrived 09:20, starts 09:30
    # waiting never covers the break
    brk = g1[g1["kind"] == "break"].iloc[0]
    assert not ((waits["start"] < brk["end"]) & (waits["end"] > brk["start"])).any()


def test_blocks_of_a_solved_day(day):
    result, _ = day
    assert len(_check_blocks(result.plan)) > 2 * len(result.plan.visits)


def test_the_png_is_a_picture(day, tmp_path):
    result, plan_dir = day
    path = plan_dir / "report" / "timeline.png"
    pixels = imread(path)
    assert pixels.shape[0] >= 150 and pixels.shape[1] >= 800
    assert pixels[..., :3].std() > 0.1  # not blank
    coloured = (np.abs(pixels[..., 0] - pixels[..., 2]) > 0.2).mean()
    assert coloured > 0.02  # the blocks are there, not only axes


def test_the_fixed_plan_looks_as_it_did(tmp_path):
    """A visual snapshot: an accidental change in the drawing shows here. After a wanted
    change, re-make it: ``timeline_png(fixed_plan(), SNAPSHOT)``."""
    actual = timeline_png(fixed_plan(), tmp_path / "timeline.png")
    if not SNAPSHOT.exists():
        pytest.fail(f"no snapshot at {SNAPSHOT}")
    assert compare_images(str(SNAPSHOT), str(actual), tol=8) is None


def test_the_svg_has_a_tooltip_on_every_block():
    plan = fixed_plan()
    svg = timeline_svg(plan)
    assert svg.count('class="vp-service"') == len(plan.visits)
    assert svg.count('class="vp-break"') == 1
    assert "<title>visit 09:30-09:50 · A1</title>" in svg
