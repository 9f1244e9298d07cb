import numpy as np
import pytest
from geopy.distance import great_circle
from hypothesis import given, settings, strategies as st

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
