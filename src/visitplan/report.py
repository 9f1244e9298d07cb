"""The figures a supervisor reads first: ``summary.json``."""

from __future__ import annotations

from collections import Counter

from .plan import TIME_FORMAT, Plan


def summary(plan: Plan) -> dict:
    """Accounts in/planned/unassigned, priority served, travel, per-agent figures, solver facts."""
    visits = plan.visits
    by_reason = Counter(str(u.reason) for u in plan.unassigned_accounts)
    served = sum(v.priority for v in visits)
    planned_ids = {v.account_id for v in visits}
    routes = {r.agent_id: r for r in plan.agent_routes}
    return {
        "date": plan.date.isoformat(),
        "accounts": {
            "in": plan.accounts_in,
            "planned": len(visits),
            "unassigned": len(plan.unassigned_accounts),
            "unassigned_by_reason": dict(sorted(by_reason.items())),
        },
        "priority": {
            "available": round(plan.priority_available, 3),
            "served": round(served, 3),
            "served_pct": round(100 * served / plan.priority_available, 1)
            if plan.priority_available else None,
        },
        "travel": {
            "km": round(sum(r.travel_m for r in plan.agent_routes) / 1000, 2),
            "minutes": round(sum(r.travel_s for r in plan.agent_routes) / 60, 1),
        },
        "agents": [_agent(routes.get(a), a) for a in plan.working_agents],
        "must_visit_not_planned": [a for a in plan.must_visit_ids if a not in planned_ids],
        "solver": plan.stats.model_dump(),
    }


def _agent(route, agent_id: str) -> dict:
    if route is None:
        return {"agent_id": agent_id, "partner_id": None, "visits": 0, "travel_km": 0.0, "travel_min": 0.0,
                "visit_min": 0, "utilisation": 0.0, "depart": None, "back": None}
    visit_min = sum(int((v.end - v.start).total_seconds() // 60) for v in route.visits)
    travel_min = route.travel_s / 60
    shift = route.shift_minutes or 1
    return {
        "agent_id": agent_id,
        "partner_id": route.partner_id,
        "visits": len(route.visits),
        "travel_km": round(route.travel_m / 1000, 2),
        "travel_min": round(travel_min, 1),
        "visit_min": visit_min,
        "utilisation": round((visit_min + travel_min) / shift, 3),
        "depart": route.depart.strftime(TIME_FORMAT),
        "back": route.back.strftime(TIME_FORMAT),
    }
