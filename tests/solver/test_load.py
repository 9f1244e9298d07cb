"""A given plan loaded into a model: what fits is kept in order, and with ``mend`` a
visit that does not fit where it was is put back where it does; a route that loaded whole
loads again from the memo."""

from visitplan.compliance import prepare, screen
from visitplan.solver.load import start_from
from visitplan.solver.model import build
from visitplan.solver.reroute import chosen_routes

from ..conftest import account, agent, problem


def one_agent_day(rows, seed=0):
    """The day of ``rows`` and one agent G1, prepared and screened, and its model."""
    prepared = prepare(problem(rows, [agent(1)]))
    eligible, _, _ = screen(prepared)
    return prepared, eligible, build(prepared, eligible, prepared.working_agents(), seed=seed)


def test_a_visit_that_does_not_fit_where_it_was_is_put_back_where_it_fits_when_mended():
    # A1's borrower is in only until 09:30, A2's from 10:00: in the order A2, A1 the second
    # visit is too late.
    rows = [account(1, 0.0, 0.01, windows="09:00-09:30", priority=2.0),
            account(2, 0.0, 0.012, windows="10:00-11:00", priority=1.0)]
    _, _, model = one_agent_day(rows)
    given = (("G1", ("A2", "A1")),)
    as_given = start_from(model, given)
    assert chosen_routes(model, as_given) == (("G1", ("A2",)),)  # A1 left out
    mended = start_from(model, given, mend=True)
    assert chosen_routes(model, mended) == (("G1", ("A1", "A2")),)


def test_a_route_loaded_whole_once_loads_again_from_the_memo_in_another_model(monkeypatch):
    # A2's borrower is in at 09:00-09:15 or 13:00-14:00; after A1 (10:00-11:00) only the
    # second window is left, which the memo must remember for the next model.
    rows = [account(1, 0.0, 0.01, windows="10:00-11:00", priority=2.0),
            account(2, 0.0, 0.012, windows="09:00-09:15; 13:00-14:00", priority=1.0)]
    prepared, eligible, first = one_agent_day(rows)
    given, memo = (("G1", ("A1", "A2")),), {}
    loaded = start_from(first, given, memo=memo)
    assert chosen_routes(first, loaded) == given
    assert memo == {("G1", ("A1", "A2")): (0, 1)}  # A2 took its second option

    import visitplan.solver.load as load
    monkeypatch.setattr(load, "fits", lambda *a: (_ for _ in ()).throw(
        AssertionError("checked stop by stop again")))
    other = build(prepared, list(reversed(eligible)), prepared.working_agents(), seed=1)
    again = start_from(other, given, memo=memo)
    assert chosen_routes(other, again) == given
    assert again.ObjectiveValue() == loaded.ObjectiveValue()
    data = other.data
    a2 = next(k for k, a in enumerate(data.accounts) if a.account_id == "A2")
    second = again.Value(other.routing.NextVar(
        again.Value(other.routing.NextVar(other.routing.Start(0)))))
    assert other.manager.IndexToNode(second) == data.options(a2)[1]


def test_a_route_that_did_not_load_whole_is_not_remembered():
    rows = [account(1, 0.0, 0.01, windows="09:00-09:30", priority=2.0),
            account(2, 0.0, 0.012, windows="10:00-11:00", priority=1.0)]
    _, _, model = one_agent_day(rows)
    memo = {}
    start_from(model, (("G1", ("A2", "A1")),), memo=memo)
    assert memo == {}
