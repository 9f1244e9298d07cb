"""``report/index.html``: a one-page, printable summary of a plan.

KPIs (accounts planned, priority served of available, travel), utilisation
per agent, unassigned accounts by reason, the map and the timeline, and, when
outcomes are known, the plan against what happened. One self-contained file:
the map is embedded (``srcdoc``) and the timeline inlined as a PNG.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

CSS = """
body{font:13px/1.4 "Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:16px;color:#111;max-width:1100px}
h1{font-size:20px;margin:0 0 6px}h2{font-size:15px;margin:18px 0 6px}
.kpis{display:flex;flex-wrap:wrap;gap:10px}
.kpi{border:1px solid #ccc;border-radius:4px;padding:6px 10px;min-width:140px}
.kpi b{display:block;font-size:18px}
table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:2px 6px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f0f0f0}
.alert{border:2px solid #c00;color:#900;padding:6px 10px;font-weight:bold}
iframe.map{width:100%;height:520px;border:1px solid #ccc}
img.timeline{max-width:100%}
@media print{iframe.map{height:420px}h2{page-break-after:avoid}}
"""


def _table(frame: pd.DataFrame, css_class: str) -> str:
    head = "".join(f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table class='{css_class}'><tr>{head}</tr>{body}</table>"


def kpi_cards(kpis: dict) -> str:
    accounts, priority, travel = kpis["accounts"], kpis["priority"], kpis["travel"]
    cards = [("accounts planned", f"{accounts['planned']} of {accounts['in']}"),
             ("priority served", f"{priority['served']:g} of {priority['available']:g}"
              + (f" ({priority['served_pct']}%)" if priority["served_pct"] is not None
                 else "")),
             ("travel", f"{travel['km']:g} km, {travel['minutes']:g} min"),
             ("agents working", str(len(kpis["agents"]))),
             ("not visited", str(accounts["unassigned"]))]
    return "<div class='kpis'>" + "".join(
        f"<div class='kpi'><b>{html.escape(v)}</b>{html.escape(k)}</div>" for k, v in cards
    ) + "</div>"


def index_html(plan, kpis: dict, map_page: str, timeline_png: bytes,
               status: dict | None = None, review: pd.DataFrame | None = None,
               sheets: list[str] = ()) -> str:
    """The summary page; ``status`` carries ``dispatchable`` / ``valid`` / ``violations``."""
    status = status or {}
    alerts = []
    if status.get("dispatchable") is False:
        alerts.append("NOT DISPATCHABLE: " + ("no plan was found" if not plan.found_plan else
                      f"{len(status.get('violations', []))} rule violation(s)"))
    if status.get("partial"):
        alerts.append("PARTIAL: part of the day failed to plan (see unassigned)")
    agents = pd.DataFrame(kpis["agents"], columns=[
        "agent_id", "partner_id", "visits", "travel_km", "travel_min", "visit_min",
        "utilisation", "depart", "back"]).fillna("")
    agents["utilisation"] = agents["utilisation"].map(lambda u: f"{100 * float(u):.0f}%")
    for column in ("depart", "back"):  # "2026-12-01T09:05" -> "09:05"
        agents[column] = agents[column].map(lambda t: str(t)[11:16])
    reasons = pd.DataFrame(sorted(kpis["accounts"]["unassigned_by_reason"].items()),
                           columns=["reason", "accounts"])
    picture = base64.b64encode(timeline_png).decode()
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Plan "
             f"{plan.date.isoformat()}</title><style>{CSS}</style></head><body>",
             f"<h1>Plan for {plan.date:%A %Y-%m-%d}</h1>",
             *(f"<p class='alert'>{html.escape(a)}</p>" for a in alerts),
             kpi_cards(kpis),
             "<h2>Agents</h2>", _table(agents, "vp-agents"),
             "<h2>Not visited, by reason</h2>", _table(reasons, "vp-reasons"),
             "<h2>Map</h2>",
             f"<iframe class='map' title='map' srcdoc=\"{html.escape(map_page, quote=True)}\">"
             "</iframe>",
             "<h2>Timeline</h2>",
             f"<img class='timeline' alt='timeline' src='data:image/png;base64,{picture}'>"]
    if review is not None:
        parts += ["<h2>Plan against what happened</h2>", _table(review, "vp-review")]
    if sheets:
        links = " · ".join(f"<a href='sheets/{html.escape(a)}.html'>{html.escape(a)}</a>"
                           for a in sheets)
        parts += ["<h2>Route sheets</h2>", f"<p>{links}</p>"]
    parts.append("</body></html>")
    return "".join(parts)
