"""Leave out, before the search, the accounts the day has no room for.

On a day whose agents' visit caps allow ``room`` visits and far more accounts are
eligible, the search spends most of its time on accounts no good plan visits: one priority
point is worth ``priority_minutes`` (ten hours by default) of travel, so a visit slot
always goes to a more urgent account that fits. The search gets the most urgent
``SearchParams.shortlist x room`` accounts (and every must-visit one); the others are reported as
``CAPACITY`` with the numbers. Measured on the realistic days (benchmarks/README.md,
"Quality on realistic days").

Only where every working agent's visits are capped (by the agent or the policy): a
day bound by time has no such count, and an account that is cheap to reach may earn
its place there.
"""

from __future__ import annotations

from ..models import Account, Agent
from ..plan import Reason, Unassigned

def room(agents: list[Agent]) -> int | None:
    """Visits the agents' caps allow; ``None`` if any agent is uncapped. The agents are
    prepared (``compliance.prepare``): the policy's cap is already in each one's."""
    caps = [agent.max_visits for agent in agents]
    return None if None in caps else sum(caps)


def shortlist(eligible: list[Account], agents: list[Agent], factor: float | None,
              area: bool = False) -> tuple[list[Account], list[Unassigned]]:
    """The accounts to search, and those left out for want of room (with why).

    Keeps every must-visit account and the ``factor x room`` most urgent others (ties
    broken by account id, so the same inputs give the same list). ``area``: the
    accounts and agents are one territory of a day cut into several.
    """
    slots = room(agents) if factor else None
    if slots is None or len(eligible) <= factor * slots:
        return eligible, []
    keep = max(1, int(factor * slots))
    ranked = sorted((a for a in eligible if not a.must_visit),
                    key=lambda a: (-a.priority, a.account_id))
    if keep >= len(ranked):  # the must-visit accounts make the numbers
        return eligible, []
    kept = {a.account_id for a in ranked[:keep]} | {
        a.account_id for a in eligible if a.must_visit}
    bar = ranked[keep - 1].priority
    whose = "of the agents serving its area" if area else "of the working agents"
    visits = f"{slots} visit{'s' if slots != 1 else ''}"

    def why(account: Account) -> str:
        return (f"priority {account.priority:g}: the visit caps {whose} allow {visits} "
                f"today, and the {keep} most urgent of {len(eligible)} eligible accounts "
                f"(priority {bar:g} or more) were planned first")

    left = [Unassigned(account_id=a.account_id, reason=Reason.CAPACITY, detail=why(a))
            for a in eligible if a.account_id not in kept]
    return [a for a in eligible if a.account_id in kept], left
