import datetime as dt

import pandas as pd
import pytest

import visitplan as vp

DATE = dt.date(2026, 12, 1)  # a Tuesday
CENTRE = (31.2304, 121.4737)


def account(i, dlat=0.0, dlon=0.0, **fields):
    row = {"account_id": f"A{i}", "lat": CENTRE[0] + dlat, "lon": CENTRE[1] + dlon}
    row.update(fields)
    return row


def agent(i, **fields):
    row = {"agent_id": f"G{i}", "start_lat": CENTRE[0], "start_lon": CENTRE[1]}
    row.update(fields)
    return row


def problem(accounts, agents, date=DATE, policy=None, **kw):
    return vp.Problem.from_frames(pd.DataFrame(accounts), pd.DataFrame(agents),
                                  policy=policy, date=date, **kw)


def solve_checked(prob, time_limit=1.0, seed=0, **kw):
    """Solve and insist the independent validator finds nothing wrong."""
    plan = vp.solve(prob, time_limit=time_limit, seed=seed, **kw)
    violations = vp.validate(prob, plan)
    assert violations == [], [str(v) for v in violations]
    return plan


@pytest.fixture
def examples(tmp_path):
    from visitplan.demo import write_example
    return write_example(tmp_path / "examples")
