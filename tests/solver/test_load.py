"""A given plan loaded into a model: what fits is kept in order, and with ``mend`` a
visit that does not fit where it was is put back where it does."""

from visitplan.compliance import prepare, screen
from visitplan.solver.load import start_from
from visitplan.solver.model import build
from visitplan.solver.reroute import chosen_routes

from ..conftest import account, agent, problem


def test_a_visit_that_does_not_fit_where_it_was_is_put_back_where_it_fits_when_mended():
    # A1's borrower is in only until 09:30, A2's from 10:00: in the order A2, A1 the second
    # visit is too late.
    rows = [account(1, 0.0, 0.01, windows="09:00-09:30", priority=2.0),
            account(2, 0.0, 0.012, windows="10:00-11:00", priority=1.0)]
    prepared = prepare(problem(rows, [agent(1)]))
    eligible, _, _ = screen(prepared)
    model = build(prepared, eligible, prepared.working_agents(), seed=0)
    given = (("G1", ("A2", "A1")),)
    as_given = start_from(model, given)
    assert chosen_routes(model, as_given) == (("G1", ("A2",)),)  # A1 left out
    mended = start_from(model, given, mend=True)
    assert chosen_routes(model, mended) == (("G1", ("A1", "A2")),)
