"""The day as a timeline: one row per route, what each agent does when.

:func:`timeline_blocks` turns a plan into blocks (travel, service, waiting,
break, and the borrower's window behind each visit); :func:`timeline_figure`
draws them with matplotlib (``timeline.png``); :func:`timeline_svg` draws
them as an SVG whose blocks say what they are on hover (notebooks, pages).

``Plan.timeline()`` calls this module, so it takes the plan as it is and never
imports :mod:`visitplan.plan` (not even for annotations): no import circle.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path

import pandas as pd

BLOCK_COLUMNS = ["agent_id", "kind", "start", "end", "account_id"]
KINDS = ("window", "travel", "wait", "service", "break")  # drawing order: windows behind
COLOURS = {"window": "#cfe8cf", "travel": "#f0a04b", "wait": "#d9d9d9",
           "service": "#3b75af", "break": "#8c6bb1"}
LABELS = {"window": "borrower's window", "travel": "travel", "wait": "waiting",
          "service": "visit", "break": "break"}


def timeline_blocks(plan) -> pd.DataFrame:
    """Every block of every route: ``agent_id, kind, start, end, account_id``.

    Travel takes whole minutes, rounded up, as in the schedule. A leg ends at
    the arrival unless the break lies across it, in which case it is driven
    before the break (travel never overlaps the break). Waiting is what is
    left between a leg's end and the visit's start, the break taken out.
    """
    rows: list[dict] = []
    for route in plan.agent_routes:
        rows += _route_blocks(plan, route)
    frame = pd.DataFrame(rows, columns=BLOCK_COLUMNS)
    return frame.sort_values(["agent_id", "start", "kind"], kind="stable", ignore_index=True)


def _route_blocks(plan, route) -> list[dict]:
    breaks = [(b.start, b.end) for b in route.breaks]
    rows = [{"agent_id": route.agent_id, "kind": "break", "start": s, "end": e,
             "account_id": ""} for s, e in breaks]
    free_from = route.depart
    legs = [(v.arrival, v.travel_s, v) for v in route.visits]
    legs.append((route.back, route.return_travel_s, None))
    for arrival, travel_s, visit in legs:
        travel = dt.timedelta(minutes=math.ceil(travel_s / 60))
        start, end = arrival - travel, arrival
        if travel and any(s < end and start < e for s, e in breaks):
            start, end = free_from, free_from + travel  # driven before the break
        account = visit.account_id if visit else ""
        if travel:
            rows.append(_row(route, "travel", start, end, account))
        if visit is None:
            break
        for s, e in _without(end, visit.start, breaks):
            rows.append(_row(route, "wait", s, e, account))
        rows.append(_row(route, "service", visit.start, visit.end, account))
        window = _window_of(plan, visit.account_id, visit.start)
        if window is not None:
            rows.append(_row(route, "window", window[0], window[1], account))
        free_from = visit.end
    return rows


def _row(route, kind: str, start, end, account_id: str) -> dict:
    return {"agent_id": route.agent_id, "kind": kind, "start": start, "end": end,
            "account_id": account_id}


def _without(start, end, breaks) -> list[tuple]:
    """``start``..``end`` with the breaks taken out (empty pieces dropped)."""
    pieces = [(start, end)] if end > start else []
    for bs, be in breaks:
        pieces = [p for s, e in pieces for p in ((s, min(e, bs)), (max(s, be), e)) if p[1] > p[0]]
    return pieces


def _window_of(plan, account_id: str, start: dt.datetime):
    site = plan.sites.get(account_id)
    if site is None:
        return None
    return next(((s, e) for s, e in site.windows if s <= start <= e), None)


def _span(plan) -> tuple[dt.datetime, dt.datetime]:
    """From the first departure to the last return or break."""
    routes = plan.agent_routes
    return (min(r.depart for r in routes),
            max([r.back for r in routes] + [b.end for r in routes for b in r.breaks]))


def timeline_figure(plan, width: float = 11.0):
    """A matplotlib figure: one row per route, blocks coloured by kind, a legend.

    A plain ``Figure`` (no pyplot): no backend is switched, nothing global is kept,
    and a notebook shows it as it shows any figure."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    blocks = timeline_blocks(plan)
    agents = [r.agent_id for r in plan.agent_routes]
    height = max(2.0, 0.45 * len(agents) + 1.3)
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.subplots()
    for row, agent_id in enumerate(agents):
        mine = blocks[blocks["agent_id"] == agent_id]
        for kind in KINDS:
            part = mine[mine["kind"] == kind]
            if part.empty:
                continue
            spans = [(mdates.date2num(s), mdates.date2num(e) - mdates.date2num(s))
                     for s, e in zip(part["start"], part["end"])]
            low, tall = (row - 0.42, 0.84) if kind == "window" else (row - 0.3, 0.6)
            ax.broken_barh(spans, (low, tall), facecolors=COLOURS[kind], linewidth=0)
    ax.set_yticks(range(len(agents)), agents)
    ax.set_ylim(len(agents) - 0.5, -0.5)
    ax.xaxis.set_major_locator(mdates.HourLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.grid(axis="x", color="#eeeeee")
    ax.set_title(f"Routes of {plan.date.isoformat()}")
    ax.legend(handles=[Patch(color=COLOURS[k], label=LABELS[k]) for k in KINDS],
              loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(KINDS), frameon=False)
    if agents:
        first, last = _span(plan)
        ax.set_xlim(mdates.date2num(first - dt.timedelta(minutes=15)),
                    mdates.date2num(last + dt.timedelta(minutes=15)))
    fig.tight_layout()
    return fig


def timeline_png(plan, path: str | Path) -> Path:
    """Write ``timeline.png``."""
    timeline_figure(plan).savefig(path, format="png")
    return Path(path)


def timeline_svg(plan, width: int = 960, row_height: int = 26) -> str:
    """The timeline as an SVG element; hovering a block shows what it is and when."""
    blocks = timeline_blocks(plan)
    agents = [r.agent_id for r in plan.agent_routes]
    if not agents:
        return "<p>No routes.</p>"
    first, last = _span(plan)
    first, last = first - dt.timedelta(minutes=15), last + dt.timedelta(minutes=15)
    left, span = 110, (last - first).total_seconds()
    scale = (width - left - 10) / span
    height = row_height * len(agents) + 30
    parts = [f'<svg class="vp-timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" font-family="sans-serif" font-size="11">']
    hour = first.replace(minute=0, second=0) + dt.timedelta(hours=1)
    while hour < last:
        x = left + (hour - first).total_seconds() * scale
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" '
                     f'stroke="#eee"/><text x="{x:.1f}" y="{height - 6}" '
                     f'text-anchor="middle">{hour:%H:%M}</text>')
        hour += dt.timedelta(hours=1)
    for row, agent_id in enumerate(agents):
        y = row * row_height
        parts.append(f'<text x="4" y="{y + row_height * 0.65:.1f}">{html.escape(agent_id)}'
                     '</text>')
        mine = blocks[blocks["agent_id"] == agent_id]
        for kind in KINDS:
            for b in mine[mine["kind"] == kind].itertuples(index=False):
                x = left + (b.start - first).total_seconds() * scale
                w = max((b.end - b.start).total_seconds() * scale, 1)
                top, tall = (y + 2, row_height - 4) if kind == "window" else \
                    (y + 6, row_height - 12)
                title = f"{LABELS[kind]} {b.start:%H:%M}-{b.end:%H:%M}" + \
                    (f" · {b.account_id}" if b.account_id else "")
                parts.append(f'<rect class="vp-{kind}" x="{x:.1f}" y="{top}" width="{w:.1f}" '
                             f'height="{tall}" fill="{COLOURS[kind]}"><title>'
                             f'{html.escape(title)}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


class Timeline:
    """What ``plan.timeline()`` returns: shows itself in a notebook (an SVG with a
    tooltip on every block); ``figure()`` for matplotlib, ``save()`` for a PNG."""

    def __init__(self, plan):
        self.plan = plan

    @property
    def blocks(self) -> pd.DataFrame:
        return timeline_blocks(self.plan)

    def figure(self):
        return timeline_figure(self.plan)

    def save(self, path: str | Path) -> Path:
        return timeline_png(self.plan, path)

    def _repr_html_(self) -> str:
        return timeline_svg(self.plan)
