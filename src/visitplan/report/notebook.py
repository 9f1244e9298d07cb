"""How a plan shows itself in a notebook: the KPIs and a small map.

No module of the report imports :mod:`visitplan.plan` here: ``Plan`` calls
these views (``plan.map()``, ``plan.timeline()``, ``_repr_html_``) and they
take the plan as it is.
"""

from __future__ import annotations

import html

from .map import RouteMap
from .page import kpi_cards


def plan_html(plan) -> str:
    """KPIs, the unassigned accounts by reason and a small offline map."""
    kpis = plan.kpis
    reasons = ", ".join(f"{html.escape(k)} {v}" for k, v in
                        kpis["accounts"]["unassigned_by_reason"].items()) or "none"
    head = (f"<div><b>Plan for {plan.date.isoformat()}</b> · solver "
            f"{html.escape(plan.stats.status)}</div>")
    small = RouteMap(plan, tiles=True)._repr_html_().replace("height:480px", "height:320px")
    return (f"<div class='vp-plan'>{head}<style>.vp-plan .kpis{{display:flex;gap:8px;"
            "flex-wrap:wrap}.vp-plan .kpi{border:1px solid #ccc;padding:4px 8px}"
            f".vp-plan .kpi b{{display:block}}</style>{kpi_cards(kpis)}"
            f"<div>Not visited by reason: {reasons}</div>{small}</div>")
