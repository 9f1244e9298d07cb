"""A small planned day for the report tests, written once (plan, report), and a
headless browser (Debian's chromium through Playwright) where one can start."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

import visitplan as vp
from visitplan.plan import Base, Break, Plan, Route, Site, SolverStats, Unassigned, Visit

from ..conftest import CENTRE, DATE, account, agent, problem

NAMES = {f"A{i}": f"Borrower Name {i}" for i in range(1, 15)}
NAMES["A3"] = "<script>alert('x')</script>"


def day_problem():
    """14 accounts, two agents (one with a break), one account not to be visited."""
    rows = []
    for i in range(1, 15):
        rows.append(account(i, dlat=0.004 * (i % 5) - 0.008, dlon=0.005 * (i // 5) - 0.005,
                            windows="09:00-12:00;14:00-17:00" if i % 2 else "",
                            name=NAMES[f"A{i}"], phone=f"+86 138 0000 {1000 + i}",
                            address=f"{i} Secret Road", priority=1 + i % 4,
                            status="dispute" if i == 14 else ""))
    agents = [agent(1, shift_start="09:00", shift_end="17:00", max_visits=5,
                    **{"break": "12:00-13:00/30"}),
              agent(2, shift_start="09:00", shift_end="17:00", max_visits=5,
                    start_lat=CENTRE[0] + 0.01)]
    return problem(rows, agents)


@pytest.fixture(scope="package")
def day(tmp_path_factory):
    """The day planned and written with its report (``plan --report``)."""
    folder = tmp_path_factory.mktemp("day")
    result = vp.plan_day(day_problem(), folder / "plan", time_limit=2, seed=0, report=True)
    assert result.dispatchable
    return result, folder / "plan"


def fixed_plan() -> Plan:
    """A hand-made plan (no solver): the visual snapshot's input."""
    t = lambda h, m: dt.datetime.combine(DATE, dt.time(h, m))  # noqa: E731
    visits = [Visit(date=DATE, agent_id="G1", seq=1, account_id="A1", arrival=t(9, 20),
                    start=t(9, 30), end=t(9, 50), travel_s=1200, travel_m=5000, priority=2),
              Visit(date=DATE, agent_id="G1", seq=2, account_id="A2", arrival=t(10, 5),
                    start=t(10, 5), end=t(10, 35), travel_s=900, travel_m=4000, priority=1),
              Visit(date=DATE, agent_id="G1", seq=3, account_id="A3", arrival=t(12, 10),
                    start=t(12, 10), end=t(12, 30), travel_s=600, travel_m=2500, priority=3)]
    other = [Visit(date=DATE, agent_id="G2", seq=1, account_id="A4", arrival=t(13, 0),
                   start=t(14, 0), end=t(14, 45), travel_s=1800, travel_m=9000, priority=1)]
    routes = (Route(date=DATE, agent_id="G1", depart=t(9, 0), back=t(12, 50),
                    visits=tuple(visits), breaks=(Break(start=t(11, 0), end=t(11, 45)),),
                    return_travel_s=1200, return_travel_m=5000, shift_minutes=480),
              Route(date=DATE, agent_id="G2", depart=t(12, 30), back=t(15, 15),
                    visits=tuple(other), return_travel_s=1800, return_travel_m=9000,
                    shift_minutes=480))
    sites = {f"A{i}": Site(lat=CENTRE[0] + 0.01 * i, lon=CENTRE[1] + 0.01 * (i % 2),
                           windows=((t(9, 0), t(11, 0)), (t(12, 0), t(15, 0))))
             for i in range(1, 6)}
    bases = {g: Base(start=CENTRE, end=CENTRE, shift_start=t(9, 0), shift_end=t(17, 0))
             for g in ("G1", "G2")}
    return Plan(date=DATE, agent_routes=routes,
                unassigned_accounts=(Unassigned(account_id="A5", reason="CAPACITY",
                                                detail="not enough agent time"),),
                stats=SolverStats(status="FIXED"), accounts_in=5, priority_available=9,
                working_agents=("G1", "G2"), sites=sites, bases=bases)


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright; every request to a network is aborted
    (tiles are unreachable). Skips, with the reason, where it cannot start; with
    ``VISITPLAN_REQUIRE_BROWSER=1`` (CI) it fails instead."""
    required = os.environ.get("VISITPLAN_REQUIRE_BROWSER") == "1"
    executable = os.environ.get("VISITPLAN_CHROMIUM") or shutil.which("chromium") \
        or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
        if not Path(executable).is_file():
            raise FileNotFoundError(f"no chromium at {executable} (apt-get install chromium)")
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any reason it cannot start is the skip's reason
        if required:
            pytest.fail(f"the headless browser did not start: {exc}")
        pytest.skip(f"no headless browser: {type(exc).__name__}: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()
