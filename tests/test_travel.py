import numpy as np
import pytest
from geopy.distance import great_circle
from hypothesis import given, settings, strategies as st

import visitplan as vp

from visitplan.travel import Matrix, StraightLine, haversine_m

coords = st.tuples(st.floats(-80, 80), st.floats(-179, 179))


@settings(max_examples=50)
@given(st.lists(coords, min_size=2, max_size=6))
def test_haversine_agrees_with_geopy(points):
    ours = haversine_m(np.array(points))
    for i, p in enumerate(points):
        for j, q in enumerate(points):
            assert ours[i, j] == pytest.approx(great_circle(p, q).m, rel=1e-9, abs=1e-6)


def test_straight_line_speed_and_detour():
    # 0.01 degree of latitude is about 1.112 km
    points = np.array([[31.0, 121.0], [31.01, 121.0]])
    seconds, metres = StraightLine(1.3).matrices(["a", "b"], points, speed_kmh=36.0)
    assert metres[0, 1] == round(1111.95 * 1.3)
    assert seconds[0, 1] == round(metres[0, 1] / 10)  # 36 km/h = 10 m/s
    assert seconds[0, 0] == 0 and seconds.dtype == np.int64


def test_large_matrix_shape():
    rng = np.random.default_rng(0)
    points = np.column_stack([31 + rng.random(5000) * 0.3, 121 + rng.random(5000) * 0.3])
    seconds, metres = StraightLine().matrices([str(i) for i in range(5000)], points, 25.0)
    assert seconds.shape == (5000, 5000) and (seconds == seconds.T).all()


def test_matrix_lookup_by_key_and_shared_rows():
    model = Matrix([[0, 5, 7], [5, 0, 3], [7, 3, 0]],
                   index={"depot": 0, "start:G1": 0, "end:G1": 0, "A": 1, "B": 2})
    seconds, metres = model.matrices(["start:G1", "A", "B", "end:G1"], np.zeros((4, 2)), 25)
    assert seconds.tolist() == [[0, 5, 7, 0], [5, 0, 3, 5], [7, 3, 0, 7], [0, 5, 7, 0]]
    assert (metres == seconds).all()
    with pytest.raises(KeyError):
        model.matrices(["C"], np.zeros((1, 2)), 25)


def test_matrix_rejects_bad_shapes():
    with pytest.raises(ValueError):
        Matrix([[0, 1]], index={})
    with pytest.raises(ValueError):
        Matrix([[0, -1], [1, 0]], index={})


# -- the user's own pairs (OSRM, Valhalla, a maps API) ------------------------------------

def _pairs_day(tmp_path, drop=None, fmt="csv"):
    import itertools

    import pandas as pd

    places = ["A1", "A2", "A3", "G1"]  # G1: the agent's bare id stands for its start and end
    rows = [{"from_id": a, "to_id": b, "seconds": 600 + 60 * (i % 3), "metres": 4000}
            for i, (a, b) in enumerate(itertools.permutations(places, 2))
            if (a, b) != drop]
    (tmp_path / "a.csv").write_text("account_id,lat,lon\nA1,31.2,121.4\nA2,31.3,121.5\n"
                                    "A3,31.1,121.3\n")
    (tmp_path / "g.csv").write_text("agent_id,start_lat,start_lon\nG1,31.2,121.4\n")
    frame = pd.DataFrame(rows)
    target = tmp_path / f"pairs.{fmt}"
    frame.to_parquet(target) if fmt == "parquet" else frame.to_csv(target, index=False)
    return target


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_plan_on_the_users_pairs_validates(tmp_path, fmt):
    import json

    from typer.testing import CliRunner

    from visitplan.cli import app

    pairs = _pairs_day(tmp_path, fmt=fmt)
    out = tmp_path / "plan"
    run = CliRunner().invoke(app, ["plan", str(tmp_path / "a.csv"), str(tmp_path / "g.csv"),
                                   "--date", "2026-12-01", "--out", str(out), "--matrix",
                                   str(pairs), "--time-limit", "1", "--quiet"])
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["travel_model"]["model"] == "pairs" and summary["accounts"]["planned"] == 3
    assert summary["travel"]["km"] == 16.0  # four legs of the given 4,000 m
    check = CliRunner().invoke(app, ["validate", str(tmp_path / "a.csv"),
                                     str(tmp_path / "g.csv"), str(out)])
    assert check.exit_code == 0, check.output


def test_a_missing_pair_is_a_clear_error(tmp_path):
    from typer.testing import CliRunner

    from visitplan.cli import app

    pairs = _pairs_day(tmp_path, drop=("A2", "A3"))
    run = CliRunner().invoke(app, ["plan", str(tmp_path / "a.csv"), str(tmp_path / "g.csv"),
                                   "--date", "2026-12-01", "--out", str(tmp_path / "p"),
                                   "--matrix", str(pairs), "--time-limit", "1"])
    assert run.exit_code == 2 and "'A2' -> 'A3'" in run.output and "Traceback" not in run.output


def test_bad_numbers_in_pairs_name_row_and_column(tmp_path):
    from visitplan.travel import Pairs

    (tmp_path / "p.csv").write_text("from_id,to_id,seconds,metres\nA,B,60,100\nB,A,-5,100\n")
    with pytest.raises(vp.InputError, match="row 2.*column 'seconds'"):
        Pairs.from_file(tmp_path / "p.csv")


# -- agents' travel modes ----------------------------------------------------------------

def test_each_mode_gets_its_own_matrix_and_the_same_rules():
    from visitplan.compliance import prepare, screen
    from visitplan.solver.data import build_data

    from .conftest import account, agent, problem

    # A1 is about 2.4 km out (with the detour): 7 minutes by car at 25 km/h, 37 on foot.
    accounts = [account(1, 0.0167, 0, windows="09:00-09:20"), account(2, 0.001, 0)]
    agents = [agent(1, mode="walk", shift_start="09:00"), agent(2, shift_start="09:00")]
    prob = problem(accounts, agents)
    prepared = prepare(prob)
    eligible, _, _ = screen(prepared)
    data = build_data(prepared, eligible, prepared.working_agents(), 0)
    assert data.speeds == [("walk", 5.0), ("drive", 25.0)]
    walk, drive = data.travel_ticks(("walk", 5.0)), data.travel_ticks(("drive", 25.0))
    assert (walk >= drive).all() and walk.max() >= 4 * drive.max()
    plan = vp.solve(prob, time_limit=1, solution_limit=20)
    assert vp.validate(prob, plan) == []
    by = plan.routes.set_index("account_id")["agent_id"]
    assert by["A1"] == "G2"  # only the car makes the early window


def test_a_mode_outside_the_list_names_row_and_column(tmp_path):
    (tmp_path / "a.csv").write_text("account_id,lat,lon\nA1,31.2,121.4\n")
    (tmp_path / "g.csv").write_text("agent_id,start_lat,start_lon,mode\nG1,31.2,121.4,WALK\n"
                                    "G2,31.2,121.4,hovercraft\n")
    with pytest.raises(vp.InputError, match="row 2 \\(line 3\\), column 'mode'"):
        vp.read_csv(tmp_path / "a.csv", tmp_path / "g.csv", date="2026-12-01")
