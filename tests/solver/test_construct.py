"""Routes built one after another (solver/construct.py)."""

import time

import numpy as np
import pyvrp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visitplan.compliance import prepare, screen
from visitplan.solver import warm
from visitplan.solver.construct import CRITERIA, best_construction, construct
from visitplan.solver.data import build_data

from ..conftest import VRPTW, needs_vrptw, vrptw_harness


@st.composite
def days(draw):
    """Small PyVRP problems: windows, loads, two kinds of vehicle, some groups."""
    n = draw(st.integers(1, 12))
    xy = np.array(draw(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)),
                                min_size=n + 2, max_size=n + 2)))
    matrix = np.rint(np.hypot(*(xy[:, None] - xy[None, :]).transpose(2, 0, 1))).astype(int)
    locations = [pyvrp.Location(x=int(x), y=int(y)) for x, y in xy]
    paired = draw(st.integers(0, n // 2))  # clients 0..2*paired-1 come in required pairs
    groups = [pyvrp.ClientGroup(clients=[2 * g, 2 * g + 1], required=True) for g in range(paired)]
    clients = []
    for c in range(n):
        early = draw(st.integers(0, 250))
        clients.append(pyvrp.Client(
            location=c + 2, delivery=[draw(st.integers(0, 10))],
            service_duration=draw(st.integers(0, 20)), tw_early=early,
            tw_late=early + draw(st.integers(0, 150)),
            required=c >= 2 * paired and draw(st.booleans()),
            group=c // 2 if c < 2 * paired else None))
    vehicles = [pyvrp.VehicleType(num_available=draw(st.integers(1, 3)),
                                  capacity=[draw(st.integers(5, 40))], start_depot=k,
                                  end_depot=k, tw_early=0, tw_late=draw(st.integers(150, 450)))
                for k in range(2)]
    return pyvrp.ProblemData(locations=locations, clients=clients,
                             depots=[pyvrp.Depot(location=0), pyvrp.Depot(location=1)],
                             vehicle_types=vehicles, distance_matrices=[matrix],
                             duration_matrices=[matrix], groups=groups)


def served(solution):
    return [step.idx for route in solution.routes() for step in route.schedule()
            if step.type == pyvrp.ActivityType.CLIENT]


@settings(max_examples=150, deadline=None)
@given(days(), st.sampled_from(CRITERIA))
def test_every_route_keeps_windows_and_capacity_and_serves_only_what_is_required(problem, c):
    solution = construct(problem, c)
    visits = served(solution)
    assert all(not r.has_time_warp() and not r.has_excess_load() for r in solution.routes())
    assert len(visits) == len(set(visits))
    for client in visits:
        data = problem.client(client)
        assert data.required or problem.group(data.group).required
    groups = [problem.client(c).group for c in visits if problem.client(c).group is not None]
    assert len(groups) == len(set(groups))  # one client of a group at most
    assert len(solution.routes()) <= problem.num_vehicles


@settings(max_examples=100, deadline=None)
@given(days())
def test_with_a_vehicle_for_every_client_each_client_that_fits_alone_is_served(problem):
    vehicle = problem.vehicle_type(0)
    problem = problem.replace(vehicle_types=[vehicle.replace(num_available=problem.num_clients)])
    visits = set(served(construct(problem)))

    def alone(c):
        return pyvrp.Route(problem, [c], 0).is_feasible()
    for c in range(problem.num_clients):
        data = problem.client(c)
        if data.group is not None:
            members = problem.group(data.group).clients
            assert visits & set(members) or not any(alone(m) for m in members)
        elif data.required:
            assert c in visits or not alone(c)


def pyvrp_day(name):
    harness = vrptw_harness()
    inst = harness.read_instance(VRPTW / "solomon_100" / name)
    prob = prepare(harness.to_problem(inst))
    eligible, _, _ = screen(prob)
    data = build_data(prob, eligible, prob.working_agents(), 0)
    return data, [10**6] * len(data.accounts)


@needs_vrptw
def test_a_fleet_tight_solomon_day_gets_a_complete_feasible_plan():
    data, prizes = pyvrp_day("C101.100.10.vrptw")  # needs all 10 vehicles
    solution = best_construction(warm.to_pyvrp(data, prizes)[0])
    assert solution.is_feasible() and not solution.unplanned()
    assert sorted(served(solution)) == list(range(100))


@needs_vrptw
@pytest.mark.parametrize("constructed", [True, False])
def test_pyvrp_searches_on_from_the_construction_when_its_random_start_gives_up(
        constructed, monkeypatch):
    data, prizes = pyvrp_day("C101.100.10.vrptw")
    if not constructed:  # the fallback is what finds the plan
        monkeypatch.setattr(warm, "best_construction", lambda p: pyvrp.Solution(p, []))
    now = time.monotonic()
    stop = warm.Stop(end=now + 1.5, give_up=now - 1)  # give up at once
    routes = warm.search(data, prizes, stop, seed=0)
    if constructed:
        assert sorted(node for route in routes for node in route) == \
            sorted(node for options in warm._grouped(data) for node in options)
    else:
        assert routes is None
