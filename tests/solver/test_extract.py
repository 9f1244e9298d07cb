from hypothesis import assume, given, strategies as st

from visitplan.solver.schedule import Leg, place_break


def keeps_rule(legs, placed, duration):
    """The break sits in a gap and the leg's travel fits wholly before or after it."""
    start, leg, after = placed
    end = start + duration
    if leg == -1:
        return end <= legs[0].ready
    if leg == len(legs):
        return start >= legs[-1].due
    gap = legs[leg]
    if after:
        return gap.ready <= start and end + gap.travel <= gap.due
    return gap.ready + gap.travel <= start and end <= gap.due


def test_break_that_splits_travel_is_moved_before_the_travel():
    # Visit ends at 0, next starts at 75; 30 of travel, a 45-minute break the solver put at 10.
    legs = [Leg(ready=-100, due=-60, travel=20), Leg(ready=0, due=75, travel=30),
            Leg(ready=95, due=200, travel=20)]
    placed = place_break(legs, start=10, earliest=0, latest=20, duration=45)
    assert placed == (0, 1, True) and keeps_rule(legs, placed, 45)


def test_break_kept_where_the_solver_put_it_when_it_already_fits():
    legs = [Leg(ready=0, due=200, travel=30)]
    assert place_break(legs, start=100, earliest=60, latest=120, duration=30) == (100, 0, False)


def test_break_after_the_route():
    legs = [Leg(ready=0, due=50, travel=30)]
    start, leg, _ = place_break(legs, start=70, earliest=60, latest=120, duration=30)
    assert leg in (0, 1) and keeps_rule(legs, (start, leg, _), 30)


def test_no_place_when_the_window_lies_inside_a_tight_leg():
    legs = [Leg(ready=0, due=75, travel=30), Leg(ready=95, due=100, travel=5)]
    assert place_break(legs, start=10, earliest=5, latest=20, duration=45) is None


@st.composite
def routes(draw):
    t, legs = draw(st.integers(0, 200)), []
    for _ in range(draw(st.integers(1, 5))):
        travel = draw(st.integers(0, 60))
        slack = draw(st.integers(0, 120))
        legs.append(Leg(ready=t, due=t + travel + slack, travel=travel))
        t = t + travel + slack + draw(st.integers(1, 60))  # the next visit's service
    return legs


@given(routes(), st.integers(1, 90), st.integers(0, 900), st.integers(0, 200), st.integers(0, 900))
def test_any_placement_keeps_the_rule(legs, duration, earliest, width, solver_start):
    latest = earliest + width
    assume(earliest <= solver_start <= latest)
    placed = place_break(legs, solver_start, earliest, latest, duration)
    if placed is not None:
        assert keeps_rule(legs, placed, duration)
        assert earliest <= placed[0] <= latest
    else:  # no spot at all: every start and every position breaks the rule
        assert not any(keeps_rule(legs, (start, leg, after), duration)
                       for start in range(earliest, latest + 1)
                       for leg in range(-1, len(legs) + 1) for after in (False, True))
