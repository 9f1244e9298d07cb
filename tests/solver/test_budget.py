"""The time budget: every deadline computed once, in order, and recorded."""

import pytest

from visitplan.solver.budget import RESERVE, Budget, reserve

from ..conftest import account, agent, problem, solve_checked


@pytest.mark.parametrize("nodes", [10, 1_000, 5_000, 50_000])
def test_deadlines_come_in_order_and_inside_the_limit(nodes):
    budget = Budget(began=100.0, limit=30.0, nodes=nodes)
    assert 100 < budget.search_end <= budget.hard_end < budget.portfolio_end < 130
    assert budget.hard_end == pytest.approx(100 + 30 * (1 - RESERVE))
    assert reserve(nodes) <= RESERVE + 0.10  # never more than 13% kept back


def test_pyvrp_gets_a_share_when_or_tools_polishes_and_the_rest_otherwise():
    budget = Budget(began=0.0, limit=100.0, nodes=1_000)
    end, give_up = budget.pyvrp(now=10.0, polishes=True, share=0.5, patience=0.3)
    assert end == pytest.approx(10 + (budget.search_end - 10) * 0.5)
    assert give_up == pytest.approx(10 + (budget.search_end - 10) * 0.3)
    alone, _ = budget.pyvrp(now=10.0, polishes=False, share=0.5, patience=0.3)
    assert budget.search_end < alone < budget.hard_end


def test_the_plan_records_where_the_time_went():
    prob = problem([account(i, 0.002 * i) for i in range(6)], [agent(1)])
    plan = solve_checked(prob, time_limit=2)
    budget = plan.stats.budget
    assert budget["limit"] == 2.0
    assert 0 < budget["built"] < budget["search_end"] <= budget["hard_end"] < 2.0
    assert plan.stats.wall_s <= 2.0
