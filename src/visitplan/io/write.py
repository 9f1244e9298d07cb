"""Write a plan to a directory, atomically.

Everything is written into a new hidden sibling directory, which the
``--out`` link is then pointed at in one atomic step (:mod:`.target`): a
crash never leaves a half-written plan that looks complete, nor no plan at
all, and nothing that the planner did not write is ever replaced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from ..plan import TIME_FORMAT, Plan, Route, summary
from ..timeutil import format_clock
from .csvsafe import neutralise
from .target import check_target, clean_stale, new_version, publish

SHEET_COLUMNS = ["kind", "seq", "arrival", "start", "end", "travel_min", "travel_km",
                 "account_id", "name", "phone", "address", "balance", "days_past_due",
                 "priority", "service_min", "windows", "notes"]


def write_plan(plan: Plan, directory: str | Path, problem=None,
               violations: list | None = None, report: bool = False,
               extra_files: dict[str, pd.DataFrame] | None = None,
               extra_summary: dict | None = None) -> Path:
    """Write ``routes.csv``, ``unassigned.csv``, ``summary.json``, ``plan.json`` and,
    given the problem, ``audit.jsonl`` and one route sheet per agent in ``agents/``.

    ``violations`` are what the validator found. A plan that breaks a rule, or
    a search that found no plan, is written so that nobody can dispatch it by
    accident: ``summary.json`` says ``"dispatchable": false`` (with ``"valid":
    false`` and the violations), and no route sheets are written. A valid plan
    of which a part failed (a region's task, a territory without a first plan)
    says ``"partial": true``: the route sheets of the planned part are written.
    With ``report``, ``report/`` (:mod:`visitplan.report`) is written inside.
    ``extra_files`` (name -> table) and ``extra_summary`` (more keys of
    ``summary.json``) carry what a re-plan adds (``changes.csv``, ``"replan"``).
    """
    target = check_target(directory)  # ours to replace, and writable; else InputError
    clean_stale(target)
    staging = new_version(target)
    try:
        for name, table in (extra_files or {}).items():
            neutralise(table).to_csv(staging / name, index=False)
        _write_all(plan, staging, problem, violations, report, extra_summary or {})
        publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_all(plan: Plan, folder: Path, problem, violations: list | None,
               report_too: bool = False, extra_summary: dict | None = None) -> None:
    routes = plan.routes
    for column in ("arrival", "start", "end"):
        routes[column] = routes[column].map(lambda t: t.strftime(TIME_FORMAT))
    neutralise(routes).to_csv(folder / "routes.csv", index=False)
    neutralise(plan.unassigned).to_csv(folder / "unassigned.csv", index=False)
    (folder / "plan.json").write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    report = summary(plan)
    if violations is not None:
        report["valid"] = not violations
        report["violations"] = [str(v) for v in violations]
    report["dispatchable"] = plan.found_plan and not violations
    # Part of the day planned (a region or territory failed, the rest found a plan and
    # keeps every rule): those routes are sound and go out; the failure is still loud.
    report["partial"] = not plan.found_plan and bool(plan.visits) and not violations
    report.update(extra_summary or {})
    if problem is not None:
        write_audit(plan, problem, folder / "audit.jsonl")
    sheets = {}
    if problem is not None and (report["dispatchable"] or report["partial"]):
        (folder / "agents").mkdir()
        for route in plan.agent_routes:
            sheet = route_sheet(route, problem)
            for member in filter(None, (route.agent_id, route.partner_id)):
                neutralise(sheet).to_csv(folder / "agents" / f"{member}.csv", index=False)
                sheets[member] = sheet
    if report_too:
        from ..report import render_report
        render_report(plan, folder / "report", sheets=sheets, status=report,
                      roads=_roads(problem))
    # summary.json last: its presence marks a complete plan.
    (folder / "summary.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


def _roads(problem):
    """The road network the plan was made on, to draw its legs along (or none)."""
    travel = getattr(problem, "travel", None)
    if hasattr(travel, "path"):
        return travel
    network = getattr(travel, "network", None)
    return network() if callable(network) else None


def audit_entries(plan: Plan, problem):
    """One record per input account: the rules applied with their values, the
    history that changed it, its priority and where it came from, and the decision."""
    from ..scoring import score_terms

    visits = {}
    for visit in plan.visits:
        visits.setdefault(visit.account_id, visit)
    dropped = {u.account_id: u for u in plan.unassigned_accounts}
    accounts = {a.account_id: a for a in problem.accounts}
    for account_id in list(accounts) + [u.account_id for u in problem.rejected]:
        account = accounts.get(account_id)
        entry: dict = {"date": plan.date.isoformat(), "account_id": account_id}
        if account is not None:
            entry["priority"] = account.priority
            entry["priority_source"] = account.priority_source
            if account.priority_source == "score":
                entry["score_terms"] = {k: round(v, 3) for k, v in
                                        score_terms(account, problem.policy, plan.date).items()}
            entry["must_visit"] = account.must_visit
        entry["rules"] = [c.model_dump(mode="json", exclude={"reason"})
                          for c in plan.checks.get(account_id, ())]
        entry["history"] = list(problem.notes.get(account_id, ()))
        visit = visits.get(account_id)
        if visit is not None:
            entry["decision"] = {"visited": True, "agent_id": visit.agent_id,
                                 "partner_id": visit.partner_id,
                                 "start": visit.start.strftime(TIME_FORMAT),
                                 "end": visit.end.strftime(TIME_FORMAT)}
        else:
            gone = dropped[account_id]
            entry["decision"] = {"visited": False, "reason": str(gone.reason),
                                 "detail": gone.detail}
        yield entry


def write_audit(plan: Plan, problem, path: Path) -> None:
    """``audit.jsonl``: ids and rule values only, never names, phones or addresses."""
    with path.open("w", encoding="utf-8") as out:
        for entry in audit_entries(plan, problem):
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def route_sheet(route: Route, problem) -> pd.DataFrame:
    """One agent's day in order: leave, visits (with what the agent needs), break, return.

    Only this agent's accounts appear, and only the fields the visit needs.
    """
    rows = [{"kind": "depart", "start": route.depart, "end": route.depart}]
    for visit in route.visits:
        account = problem.account(visit.account_id)
        rows.append({
            "kind": "visit", "seq": visit.seq, "arrival": visit.arrival, "start": visit.start,
            "end": visit.end, "travel_min": round(visit.travel_s / 60, 1),
            "travel_km": round(visit.travel_m / 1000, 2), "account_id": account.account_id,
            "name": account.name, "phone": account.phone, "address": account.address,
            "balance": account.balance, "days_past_due": account.days_past_due,
            "priority": account.priority, "service_min": account.service_min,
            "windows": _windows_text(account, problem.date.weekday()),
            "notes": visit_notes(account, problem.date),
        })
    rows.append({"kind": "return", "arrival": route.back, "start": route.back, "end": route.back,
                 "travel_min": round(route.return_travel_s / 60, 1),
                 "travel_km": round(route.return_travel_m / 1000, 2)})
    for brk in route.breaks:
        rows.append({"kind": "break", "start": brk.start, "end": brk.end})
    frame = pd.DataFrame(rows, columns=SHEET_COLUMNS)
    frame["order"] = frame["start"]
    frame["rank"] = frame["kind"].map({"depart": 0, "break": 1, "visit": 2, "return": 3})
    frame = frame.sort_values(["order", "rank"], kind="stable").drop(columns=["order", "rank"])
    for column in ("arrival", "start", "end"):
        frame[column] = frame[column].map(lambda t: t.strftime(TIME_FORMAT) if pd.notna(t) else "")
    for column in ("seq", "days_past_due", "service_min"):
        frame[column] = frame[column].map(lambda s: "" if pd.isna(s) else int(s))
    return frame


def visit_notes(account, date) -> str:
    """What the agent should know before knocking: must-visit, the promise, the history."""
    notes = []
    if account.must_visit:
        notes.append("must visit today")
    if account.promise_date is not None:
        amount = f" of {account.promise_amount:g}" if account.promise_amount else ""
        state = "due today" if account.promise_date == date else \
            "broken" if account.promise_date < date else "open"
        notes.append(f"promise{amount} for {account.promise_date.isoformat()} ({state})")
    if account.broken_promises:
        notes.append(f"{account.broken_promises} broken promise(s)")
    if account.not_home_streak:
        notes.append(f"not home the last {account.not_home_streak} visit(s)")
    if account.risk:
        notes.append(f"risk: {account.risk}")
    notes += sorted(f"flag: {f}" for f in account.flags)
    return "; ".join(notes)


def _windows_text(account, weekday: int) -> str:
    if not account.windows:
        return "any time"
    return "; ".join(f"{format_clock(s)}-{format_clock(e)}" for s, e in account.windows_on(weekday))


def write_horizon(horizon, directory: str | Path, base, violations: list,
                  report: bool = False) -> Path:
    """A plan of several days, atomically as :func:`write_plan`:

    ``routes.csv`` (every day; its ``date`` varies), ``unassigned.csv`` (accounts visited on
    no day, once), ``summary.json`` (the horizon, and each day's), ``audit.jsonl`` (each
    account: the day it got, or why none), and ``days/<date>/``: that day's plan files
    (route sheets in ``agents/``, written only when the whole horizon is dispatchable;
    with ``report``, ``report/``: that day's map, timeline, summary page and sheets).
    """
    target = check_target(directory)
    clean_stale(target)
    staging = new_version(target)
    try:
        _write_horizon(horizon, staging, base, violations, report)
        publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_horizon(horizon, folder: Path, base, violations: list, report: bool) -> None:
    frames = []
    for plan in horizon.plans:
        routes = plan.routes
        for column in ("arrival", "start", "end"):
            routes[column] = routes[column].map(lambda t: t.strftime(TIME_FORMAT))
        frames.append(routes)
    neutralise(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()) \
        .to_csv(folder / "routes.csv", index=False)
    gone = pd.DataFrame([{"account_id": u.account_id, "reason": str(u.reason),
                          "detail": u.detail} for u in horizon.unassigned],
                        columns=["account_id", "reason", "detail"])
    neutralise(gone).to_csv(folder / "unassigned.csv", index=False)
    found = all(p.found_plan for p in horizon.plans)
    dispatchable = found and not violations
    for plan, problem in zip(horizon.plans, horizon.problems):
        day = folder / "days" / plan.date.isoformat()
        day.mkdir(parents=True)
        # a day of a week that breaks a rule goes out no more than the week does
        broken = [] if dispatchable else \
            [v for v in violations if f"{plan.date}:" in str(v)] or ["the horizon breaks a rule"]
        _write_all(plan, day, problem if dispatchable else None, broken, report)
    _write_horizon_audit(horizon, base, folder / "audit.jsonl")
    summary_ = horizon_summary(horizon, base)
    summary_.update(valid=not violations, violations=[str(v) for v in violations],
                    dispatchable=dispatchable, found_plan=found)
    (folder / "summary.json").write_text(json.dumps(summary_, indent=2), encoding="utf-8")


def horizon_summary(horizon, base) -> dict:
    """The horizon's figures, with each day's summary."""
    from collections import Counter

    visits = horizon.visits
    by_reason = Counter(str(u.reason) for u in horizon.unassigned)
    rules = base.policy.horizon
    return {
        "date": horizon.start.isoformat(), "days": len(horizon.plans),
        "dates": [d.isoformat() for d in horizon.dates],
        "method": "horizon" if horizon.aware else "rolling daily",
        "accounts": {"in": len(base.accounts) + len(base.rejected),
                     "planned": len({v.account_id for v in visits}), "visits": len(visits),
                     "unassigned": len(horizon.unassigned),
                     "unassigned_by_reason": dict(sorted(by_reason.items()))},
        "priority": {"served": round(horizon.priority_served(base), 3),
                     "served_discounted": round(horizon.priority_served(
                         base, rules.discount_per_day), 3),
                     "discount_per_day": rules.discount_per_day},
        "missed_due_date": horizon.missed_due(),
        "travel": {"km": round(sum(r.travel_m for p in horizon.plans
                                   for r in p.agent_routes) / 1000, 2),
                   "minutes": round(sum(r.travel_s for p in horizon.plans
                                        for r in p.agent_routes) / 60, 1)},
        "wall_s": horizon.wall_s, "first_plan_s": horizon.first_plan_s,
        "per_day": [summary(p) for p in horizon.plans],
    }


def _write_horizon_audit(horizon, base, path: Path) -> None:
    """``audit.jsonl`` of a horizon: each account's day (or days), or why none."""
    visits: dict[str, list] = {}
    for visit in horizon.visits:
        visits.setdefault(visit.account_id, []).append(visit)
    gone = {u.account_id: u for u in horizon.unassigned}
    with path.open("w", encoding="utf-8") as out:
        for account in list(base.accounts) + list(base.rejected):
            key = account.account_id
            entry = {"account_id": key,
                     "due_date": getattr(account, "due_date", None) and
                     account.due_date.isoformat(),
                     "earliest_date": getattr(account, "earliest_date", None) and
                     account.earliest_date.isoformat()}
            if key in visits:
                entry["decision"] = {"visited": True, "visits": [
                    {"date": v.date.isoformat(), "agent_id": v.agent_id,
                     "start": v.start.strftime(TIME_FORMAT)} for v in visits[key]]}
            else:
                why = gone[key]
                entry["decision"] = {"visited": False, "reason": str(why.reason),
                                     "detail": why.detail}
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
