import datetime as dt
import functools
import importlib.util
import math
import sys
from pathlib import Path

import pandas as pd
import pytest

import visitplan as vp

DATE = dt.date(2026, 12, 1)  # a Tuesday
CENTRE = (31.2304, 121.4737)
ROOT = Path(__file__).resolve().parents[1]
VRPTW = ROOT.parent / "shared" / "benchmarks" / "vrptw"  # the benchmark instances
needs_vrptw = pytest.mark.skipif(not VRPTW.is_dir(), reason=f"no benchmark instances in {VRPTW}")


@functools.cache
def vrptw_harness():
    """``benchmarks/vrptw.py`` (not a package), loaded once."""
    spec = importlib.util.spec_from_file_location("vrptw_bench", ROOT / "benchmarks" / "vrptw.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def account(i, dlat=0.0, dlon=0.0, **fields):
    row = {"account_id": f"A{i}", "lat": CENTRE[0] + dlat, "lon": CENTRE[1] + dlon}
    row.update(fields)
    return row


def agent(i, **fields):
    row = {"agent_id": f"G{i}", "start_lat": CENTRE[0], "start_lon": CENTRE[1]}
    row.update(fields)
    return row


def problem(accounts, agents, date=DATE, policy=None, history=None, scorer=None, **kw):
    """Read and enrich a day from rows, as the pipeline does."""
    raw = vp.read_frames(pd.DataFrame(accounts), pd.DataFrame(agents), policy=policy,
                         date=date, **kw)
    return vp.enrich(raw, history, scorer)


def no_room_for_the_break():
    """Six 20-minute visits, every place 10 minutes from every other, a one-hour break:
    k visits take 30k + 10 min, an hour more with the break. All six need 4 h 10 min,
    the shift has 3 h 50; A4 is the least valuable."""
    import numpy as np

    index = {f"A{i}": i for i in range(1, 7)} | {"start:G1": 0, "end:G1": 0}
    seconds = np.full((7, 7), 600) - 600 * np.eye(7, dtype=int)
    accounts = [account(i, windows="09:00-18:00", service_min=20,
                        priority=0.5 if i == 4 else 5.0) for i in range(1, 7)]
    return problem(accounts, [agent(1, shift_start="09:00", shift_end="12:50",
                                    **{"break": "10:00-11:00/60"})],
                   travel=vp.Matrix(seconds, index))


def solve_checked(prob, time_limit=1.0, seed=0, **kw):
    """Solve and insist the independent validator finds nothing wrong."""
    plan = vp.solve(prob, time_limit=time_limit, seed=seed, **kw)
    violations = vp.validate(prob, plan)
    assert violations == [], [str(v) for v in violations]
    return plan


@pytest.fixture(autouse=True, scope="session")
def _matrix_cache(tmp_path_factory):
    """Road matrices cached in a folder of the test run, never in ~/.cache."""
    import os
    os.environ["VISITPLAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("matrix-cache"))


# A three-account day for the command line (tests/test_cli.py, tests/test_pipeline.py).
CLI_ACCOUNTS = ("account_id,lat,lon,windows,priority,status\n"
                "A1,31.230,121.470,09:00-18:00,3,\nA2,31.235,121.475,,1,\n"
                "A3,31.240,121.470,,2,dispute\n")
CLI_AGENTS = "agent_id,start_lat,start_lon,break\nG1,31.23,121.47,12:00-14:00/30\n"


@pytest.fixture
def files(tmp_path):
    """``accounts.csv`` and ``agents.csv`` of that day in a fresh folder."""
    (tmp_path / "accounts.csv").write_text(CLI_ACCOUNTS)
    (tmp_path / "agents.csv").write_text(CLI_AGENTS)
    return tmp_path


@pytest.fixture
def examples(tmp_path):
    from visitplan.demo import write_example
    return write_example(tmp_path / "examples")


def ring_day(n, skills=False):
    """``n`` accounts on a ring 4 km across, six agents starting around the centre; with
    ``skills``, every fifth account needs Cantonese, which only G0 speaks."""
    accounts = [account(i, 0.02 * math.cos(2 * math.pi * i / n),
                        0.02 * math.sin(2 * math.pi * i / n), priority=1.0 + i % 4,
                        windows="09:00-18:00", service_min=20,
                        **({"skills": "cantonese"} if skills and i % 5 == 0 else {}))
                for i in range(n)]
    agents = [agent(k, start_lat=CENTRE[0] + 0.01 * math.cos(k),
                    start_lon=CENTRE[1] + 0.01 * math.sin(k),
                    **({"skills": "cantonese"} if skills and k == 0 else {}))
              for k in range(6)]
    return problem(accounts, agents)
