"""compare(): two plans' KPIs side by side, for what-if experiments."""

import visitplan as vp

from .conftest import day_problem


def test_two_more_agents_show_as_deltas():
    base = day_problem()
    extra = [g.model_copy(update={"agent_id": f"X{i}"}) for i, g in enumerate(base.agents)]
    more = base.model_copy(update={"agents": base.agents + tuple(extra)})
    a = vp.solve(base, time_limit=1, seed=0)
    b = vp.solve(more, time_limit=1, seed=0)
    table = vp.compare(a, b, names=("today", "two more agents"))
    assert list(table.columns) == ["today", "two more agents", "change"]
    assert table.loc["agents working", "change"] == 2
    planned = table.loc["accounts planned"]
    assert planned["today"] == len(a.visits) and planned["two more agents"] == len(b.visits)
    assert planned["change"] == len(b.visits) - len(a.visits) > 0
    assert table.loc["not visited: DO_NOT_VISIT", "change"] == 0
    for reason in a.kpis["accounts"]["unassigned_by_reason"]:
        assert f"not visited: {reason}" in table.index
