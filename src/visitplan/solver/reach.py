"""Which working agents could make a visit at all: the day-wide check that a day cut
into territories needs.

A territory's model knows only its own agents. A must-visit account whose only
window is in the evening, cut into a territory whose agents all work days, is
dropped there as "no agent can reach it", although an evening agent of another
territory could (1000-time, seed 1: two promises dropped so, each with that
reason; benchmarks/README.md, "Promises kept"). :func:`reach` answers the
question for the whole day, so that such an account is cut into a territory with
an agent who can make the visit, offered to the pairs of those agents, and, if it
is still left out, explained against every agent of the day.
"""

from __future__ import annotations

from ..models import Account, Agent, Problem
from ..plan import Reason, Unassigned
from .data import build_data
from .reasons import MUST, UNREACHABLE, able_agents, no_room

Reach = dict[str, frozenset[str]]  # account id -> ids of the agents who could visit it


def reach(problem: Problem, accounts: list[Account], agents: list[Agent]) -> Reach:
    """For each of ``accounts``, the agents who could visit it with an otherwise empty
    day (skills, its windows, their shift and break, travel from and back home)."""
    if not accounts or not agents:
        return {a.account_id: frozenset() for a in accounts}
    data = build_data(problem, list(accounts), list(agents), 0)
    return {account.account_id: frozenset(data.agents[v].agent_id
                                          for v in able_agents(data, k))
            for k, account in enumerate(data.accounts)}


def must_reach(problem: Problem, accounts: list[Account], agents: list[Agent]) -> Reach:
    """:func:`reach` of the must-visit accounts among ``accounts``."""
    return reach(problem, [a for a in accounts if a.must_visit], agents)


def serves(agent: Agent, account: Account, known: Reach | None = None) -> bool:
    """Whether ``agent`` may serve ``account`` (skills) and, where ``known`` says who
    could reach it, is one of those."""
    if not agent.can_serve(account):
        return False
    return known is None or account.account_id not in known \
        or agent.agent_id in known[account.account_id]


def across_the_day(problem: Problem, agents: list[Agent], unassigned: list[Unassigned],
                   known: Reach | None = None) -> list[Unassigned]:
    """``unassigned`` with each "no skilled agent can reach it", and each promise left
    out, checked against every working agent of the day (``known`` first, :func:`reach`
    for the rest): a territory's model judged it by its own agents only. One an agent of
    the day could reach is explained as it is: left out for want of room, with the agents
    who could make it, not for want of an agent."""
    doubtful = [u for u in unassigned if u.detail.endswith(UNREACHABLE)
                or u.reason == Reason.MUST_VISIT_INFEASIBLE]
    if not doubtful:
        return list(unassigned)
    known = dict(known or {})
    unknown = [problem.account(u.account_id) for u in doubtful if u.account_id not in known]
    known.update(reach(problem, unknown, agents))
    ids = {u.account_id for u in doubtful}
    return [_explained(problem.account(u.account_id), known[u.account_id])
            if u.account_id in ids and known.get(u.account_id) else u for u in unassigned]


def _explained(account: Account, able: frozenset[str]) -> Unassigned:
    room = no_room(list(able))
    if account.must_visit:
        return Unassigned(account_id=account.account_id, reason=Reason.MUST_VISIT_INFEASIBLE,
                          detail=MUST + room)
    return Unassigned(account_id=account.account_id, reason=Reason.CAPACITY,
                      detail=f"not enough agent time today: priority {account.priority:g}; "
                             + room)
