"""Reports people look at: the map, the timeline, a summary page, printable route sheets.

``visitplan report PLAN_DIR --out report/``
(:func:`visitplan.pipeline.report_plan_dir`) and ``visitplan plan --report``
(:func:`render_report`, inside the plan) write::

    report/index.html            KPIs, agents, unassigned by reason, map, timeline, review
    report/map.html              the interactive map, one file that works with no network
    report/timeline.png          one row per agent
    report/sheets/<agent>.html   a print-ready route sheet per agent (dispatchable plans)

Personal data (names, phones, addresses) appears only on each agent's own
sheet, and in map popups when asked for (``personal=True``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..plan import Plan, summary
from .map import map_html
from .page import index_html
from .sheets import sheet_html
from .timeline import timeline_png

PERSONAL_FIELDS = ("name", "phone", "address")


def render_report(plan: Plan, folder: str | Path, *, sheets: dict[str, pd.DataFrame] | None = None,
                  status: dict | None = None, review: pd.DataFrame | None = None,
                  personal: bool = False, tiles: bool = True, roads=None) -> Path:
    """Write the report's files into ``folder`` (created; it should be new or empty).

    Parameters
    ----------
    plan
        The plan (with its places: plans made by this version keep them).
    sheets
        agent_id -> that agent's route sheet (the columns of ``agents/<id>.csv``);
        none for a plan that may not be dispatched.
    status
        ``summary.json``'s ``valid``, ``violations``, ``dispatchable`` and ``partial``.
    review
        The plan against what happened (:func:`visitplan.review.review`), if known.
    personal
        Show names, phones and addresses in the map's popups (taken from the sheets).
    tiles, roads
        See :func:`visitplan.report.map.plan_map`.
    """
    if plan.agent_routes and not plan.sites:
        raise InputError.single("plan", "has no coordinates (made by a visitplan before "
                                "reports); plan the day again to report on it")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sheets = sheets or {}
    popups = _personal(sheets) if personal else None
    page = map_html(plan, personal=popups, tiles=tiles, roads=roads)
    (folder / "map.html").write_text(page, encoding="utf-8")
    picture = timeline_png(plan, folder / "timeline.png").read_bytes()
    if sheets:
        (folder / "sheets").mkdir(exist_ok=True)
        partners = {r.agent_id: r.partner_id for r in plan.agent_routes}
        partners.update({r.partner_id: r.agent_id for r in plan.agent_routes if r.partner_id})
        for agent_id, sheet in sorted(sheets.items()):
            (folder / "sheets" / f"{agent_id}.html").write_text(
                sheet_html(agent_id, plan.date, sheet, partners.get(agent_id)),
                encoding="utf-8")
    (folder / "index.html").write_text(
        index_html(plan, summary(plan), page, picture, status, review, sorted(sheets)),
        encoding="utf-8")
    return folder


def _personal(sheets: dict[str, pd.DataFrame]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for sheet in sheets.values():
        for row in sheet[sheet["kind"] == "visit"].to_dict("records"):
            found[str(row["account_id"])] = {k: row.get(k) for k in PERSONAL_FIELDS}
    return found


def write_report(plan: Plan, out: str | Path, **options) -> Path:
    """:func:`render_report` into ``out``, atomically and only over a report or plan of
    ours (the rules of ``--out``, :mod:`visitplan.io.target`)."""
    from ..io.target import check_target, clean_stale, new_version, publish

    target = check_target(out)
    clean_stale(target)
    staging = new_version(target)
    try:
        render_report(plan, staging, **options)
        publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read_plan(plan_dir: str | Path) -> Plan:
    """The ``Plan`` of a plan directory (``plan.json``)."""
    plan_dir = Path(plan_dir)
    try:
        return Plan.model_validate_json((plan_dir / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError.single(str(plan_dir), "is not a readable plan directory "
                                f"({type(exc).__name__})") from None


def read_plan_dir(plan_dir: str | Path) -> tuple[Plan, dict, dict[str, pd.DataFrame]]:
    """A written plan: the ``Plan``, ``summary.json``, and the route sheets."""
    from ..io.csvsafe import restore

    plan = read_plan(plan_dir)
    plan_dir = Path(plan_dir)
    try:
        status = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
        sheets = {p.stem: restore(pd.read_csv(p, dtype=str, keep_default_na=False))
                  for p in sorted((plan_dir / "agents").glob("*.csv"))}
    except (OSError, ValueError) as exc:
        raise InputError.single(str(plan_dir), "is not a readable plan directory "
                                f"({type(exc).__name__})") from None
    return plan, status, sheets


def plan_roads(plan: Plan, roads: str | Path | bool | None = None):
    """The road network to draw a plan's legs along, or ``None`` (straight legs)."""
    if roads is False:
        return None
    travel = plan.travel or {}
    path = roads if isinstance(roads, (str, Path)) else travel.get("graph")
    if not path or (roads is None and travel.get("model") != "road"):
        return None
    if not Path(path).is_file():
        if roads is not None:
            raise InputError.single(str(path), "road network file not found")
        return None  # the plan's network is gone: straight legs, said on the page
    from ..roads import road_network

    return road_network(path, travel.get("mode", "drive"))


__all__ = ["render_report", "write_report", "read_plan", "read_plan_dir", "plan_roads"]
