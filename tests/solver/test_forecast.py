"""The forecast that chooses between cuts: shifts, less the drive, hold the most urgent
accounts; the day's travel model measures the drive."""

import importlib

import numpy as np

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.solver.decompose import Territory, territories
from visitplan.solver.forecast import VISIT_GAP_MIN, expected, finest_likeliest, likeliest

from ..conftest import account, agent, problem, solve_checked
from .test_decompose import city

solve_module = importlib.import_module("visitplan.solver.solve")

FAR = 0.3  # degrees of latitude: about 33 km, 1.7 h each way at 25 km/h x 1.3


def two_towns():
    """Ten accounts at the agents' office and ten 33 km north; G1 starts at the office,
    G2 in the north town."""
    accounts = [account(i, priority=float(i + 1), service_min=20) for i in range(10)]
    accounts += [account(i, FAR, priority=float(i - 9), service_min=20)
                 for i in range(10, 20)]
    agents = [agent(1, shift_start="09:00", shift_end="17:00"),
              agent(2, start_lat=31.23 + FAR, shift_start="09:00", shift_end="17:00")]
    prob = prepare(problem(accounts, agents))
    return prob, prob.accounts[:10], prob.accounts[10:], prob.working_agents()


def test_a_shift_holds_its_visits_at_service_plus_the_gap():
    prob, home, _, agents = two_towns()
    [[worth]] = expected(prob, [[Territory(home, agents[:1])]])
    visits = round(8 * 60 / (20 + VISIT_GAP_MIN))  # no drive: every place is the office
    assert visits == 16  # more than the ten accounts: all are expected
    assert worth == sum(a.priority for a in home)
    [[short]] = expected(prob, [[Territory(home, [agents[0].model_copy(
        update={"shift_end": 9 * 60 + 3 * 30})])]])
    assert short == sum(sorted((a.priority for a in home), reverse=True)[:3])


def test_agents_sent_to_the_other_town_are_expected_to_serve_less():
    prob, home, north, (g1, g2) = two_towns()
    crossed = [Territory(home, [g2]), Territory(north, [g1])]
    matched = [Territory(home, [g1]), Territory(north, [g2])]
    (across, along) = expected(prob, [crossed, matched])
    assert sum(across) < sum(along)
    assert likeliest(prob, [crossed, matched]) == 1
    assert likeliest(prob, [matched, crossed]) == 0
    assert likeliest(prob, [matched, matched]) == 0  # the first of equals


def test_the_finest_cut_is_chosen_and_the_forecast_ranks_cuts_as_fine():
    prob, home, north, (g1, g2) = two_towns()
    whole = [Territory(home + north, [g1, g2])]
    crossed = [Territory(home, [g2]), Territory(north, [g1])]
    matched = [Territory(home, [g1]), Territory(north, [g2])]
    (pooled,), across, _ = expected(prob, [whole, crossed, matched])
    assert pooled > sum(across)  # the forecast alone would keep the day whole
    assert finest_likeliest(prob, [whole, crossed]) == 1
    assert finest_likeliest(prob, [whole, crossed, matched]) == 2
    assert finest_likeliest(prob, [matched, whole, crossed]) == 0


def test_the_drive_is_measured_by_the_days_travel_model():
    """A matrix that puts the office four hours from every account (there and back: the
    whole shift) leaves the shift no visits, although the places coincide."""
    accounts = [account(i, priority=2.0) for i in range(4)]
    index = {f"A{i}": i for i in range(4)} | {"start:G1": 4, "end:G1": 4}
    seconds = np.zeros((5, 5), dtype=int)
    seconds[4, :4] = seconds[:4, 4] = 4 * 3600
    prob = prepare(problem(accounts, [agent(1, shift_start="09:00", shift_end="17:00")],
                           travel=vp.Matrix(seconds, index)))
    [[worth]] = expected(prob, [[Territory(prob.accounts, prob.working_agents())]])
    assert worth == 0.0
    plain = prepare(problem(accounts, [agent(1, shift_start="09:00", shift_end="17:00")]))
    assert expected(plain, [[Territory(plain.accounts, plain.working_agents())]]) == [[8.0]]


def test_a_territory_without_agents_or_accounts_is_expected_to_serve_nothing():
    prob, home, _, agents = two_towns()
    assert expected(prob, [[Territory(home, []), Territory([], agents)]]) == [[0.0, 0.0]]


def test_a_day_bound_by_time_is_cut_the_finest_likeliest_way_and_a_capped_day_by_its_seed():
    timed = prepare(city(400, 12, max_visits=None))
    eligible, _, _ = screen(timed)
    agents = timed.working_agents()
    cuts = [territories(eligible, agents, 60, 3 + k) for k in range(solve_module.CUT_TRIES)]
    worth = [sum(w) for w in expected(timed, cuts)]
    chosen, cut = solve_module._first_cut(timed, eligible, agents, 60, 3, None, by_time=True)
    assert chosen != 3  # a cut other than the seed's own is chosen
    finest = max(len(cut) for cut in cuts)
    assert len(cuts[chosen - 3]) == finest
    assert worth[chosen - 3] == max(w for w, c in zip(worth, cuts) if len(c) == finest)
    assert [p.accounts for p in cut] == [p.accounts for p in cuts[chosen - 3]]
    capped = prepare(city(400, 12))
    eligible, _, _ = screen(capped)
    assert solve_module._first_cut(capped, eligible, capped.working_agents(), 60, 3,
                                   None, by_time=False)[0] == 3


def test_the_plan_says_which_cut_it_searched():
    day = city(700, 8, max_visits=None)
    plan = solve_checked(day, time_limit=4.0, seed=2, workers=1,
                         params=vp.SearchParams(territory_size=150))
    assert plan.stats.parts > 1
    eligible, _, _ = screen(prepare(day))
    cuts = [territories(eligible, prepare(day).working_agents(), 150, 2 + k)
            for k in range(solve_module.CUT_TRIES)]
    assert plan.stats.cut_seed == 2 + finest_likeliest(prepare(day), cuts)
    assert plan.stats.parts == len(cuts[plan.stats.cut_seed - 2])
    whole = solve_checked(city(100, 3, max_visits=None), time_limit=1.0)
    assert whole.stats.parts == 1 and whole.stats.cut_seed is None


def test_with_a_cut_per_worker_the_second_worker_cuts_after_the_chosen_cut():
    day = city(700, 8, max_visits=None)
    params = vp.SearchParams(territory_size=250)
    plan = solve_checked(day, time_limit=6.0, seed=3, workers=2, params=params)
    prepared = prepare(day)
    eligible, _, _ = screen(prepared)
    agents = prepared.working_agents()
    first, cut = solve_module._first_cut(prepared, eligible, agents, 250, 3, None, True)
    assert first not in (3, 4)  # the chosen cut is neither worker's own seed
    assert len(cut) <= solve_module.CUTS_UP_TO * 2  # a cut per worker
    assert plan.stats.cut_seed in (first, first + 1)
    kept = territories(eligible, agents, 250, plan.stats.cut_seed)
    assert plan.stats.parts == len(kept)
