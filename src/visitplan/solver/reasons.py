"""Readable reasons for accounts the solver left out."""

from __future__ import annotations

from ..models import Account
from ..plan import Reason, Route, Unassigned
from .data import SolverData
from .schedule import reachable

UNREACHABLE = "no skilled agent can reach it inside its window and be back by the end of the shift"
MUST = "must-visit account not planned: "


def reachable_by(data: SolverData, account: int, vehicle: int) -> bool:
    """Could this agent, with an otherwise empty day, visit this account and get back in time
    (its break included)?"""
    return any(reachable(data, vehicle, node) for node in data.options(account))


def able_agents(data: SolverData, account: int) -> list[int]:
    """The agents (indices) who may serve this account and could make the visit with an
    otherwise empty day."""
    return [v for v, g in enumerate(data.agents)
            if g.can_serve(data.accounts[account]) and reachable_by(data, account, v)]


def no_room(able: list[str]) -> str:
    """Why an account some agents (``able``, ids) could reach was left out."""
    able = sorted(able)
    names = ", ".join(able[:5]) + (f" and {len(able) - 5} more" if len(able) > 5 else "")
    who = f"agent {names}" if len(able) == 1 else f"agents {names}"
    return (f"{who} could reach it inside its window, but the plan found no room for it "
            "among their visits")


def explain_drops(data: SolverData, dropped: list[int], routes: list[Route],
                  removed: dict[int, str] | None = None) -> list[Unassigned]:
    """A reason for each dropped account (indices into ``data.accounts``).

    ``removed``: accounts taken off a route so that the agent's break fits
    (account index -> agent id), explained as such.
    """
    planned = [v.priority for r in routes for v in r.visits]
    lowest = min(planned) if planned else None
    busy = _full_agents(data, routes)
    removed = removed or {}
    out = []
    for index in dropped:
        account = data.accounts[index]
        if index in removed:
            reason, detail = Reason.CAPACITY, (
                f"taken off agent {removed[index]}'s route so that the agent's break fits "
                f"(priority {account.priority:g}, the least valuable visit on that route)")
        elif account.must_visit:
            # A promise outweighs any other visit: "costs more than it brings" never holds.
            able = [data.agents[v].agent_id for v in able_agents(data, index)]
            reason = Reason.MUST_VISIT_INFEASIBLE
            detail = MUST + (no_room(able) if able else UNREACHABLE)
        else:
            reason, detail = _explain(data, index, account, lowest, busy)
        if account.must_visit and reason != Reason.MUST_VISIT_INFEASIBLE:  # off for a break
            reason, detail = Reason.MUST_VISIT_INFEASIBLE, MUST + detail
        out.append(Unassigned(account_id=account.account_id, reason=reason, detail=detail))
    return out


def _full_agents(data: SolverData, routes: list[Route]) -> set[int]:
    """Agents who reached their visit cap or their work-unit capacity."""
    count = {r.agent_id: len(r.visits) for r in routes}
    load = {r.agent_id: sum(data.problem.account(v.account_id).load for v in r.visits)
            for r in routes}
    full = set()
    for v, agent in enumerate(data.agents):
        if agent.max_visits is not None and count.get(agent.agent_id, 0) >= agent.max_visits:
            full.add(v)
        elif agent.capacity is not None and load.get(agent.agent_id, 0) >= agent.capacity:
            full.add(v)
    return full


def _explain(data: SolverData, index: int, account: Account, lowest: float | None,
             full: set[int]) -> tuple[Reason, str]:
    reachable = able_agents(data, index)
    if not reachable:
        return Reason.NOT_REACHABLE, UNREACHABLE
    if account.skills and all(v in full for v in reachable):
        return (Reason.SKILLED_AGENTS_BUSY,
                f"every agent with skills {', '.join(sorted(account.skills))} is fully booked")
    if lowest is not None and account.priority < lowest:
        detail = (f"not enough agent time today: priority {account.priority:g} is below "
                  f"the lowest planned visit ({lowest:g})")
    else:
        detail = (f"not enough agent time today: priority {account.priority:g}; fitting it in "
                  "would cost more travel or planned priority than it brings")
    return Reason.CAPACITY, detail
