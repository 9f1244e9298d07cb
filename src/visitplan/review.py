"""Plan against what happened: the evening's look back at the day.

From a written plan and the outcomes imported for its day: visits planned and
done, done by the planned agent (or the pair's partner), on time (started
within ``[review] on_time_min`` of the planned start), not done, and done but
not planned; per agent and in total.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from .errors import InputError
from .io.csvsafe import restore

COLUMNS = ["agent_id", "planned", "done", "done_by_planned_agent", "on_time", "not_done",
           "done_not_planned"]
TOTAL = "TOTAL"


def read_plan_routes(plan_dir: str | Path) -> tuple[dt.date, pd.DataFrame]:
    """The plan's date and its ``routes.csv`` (raw values)."""
    plan_dir = Path(plan_dir)
    try:
        date = dt.date.fromisoformat(
            json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))["date"])
        routes = restore(pd.read_csv(plan_dir / "routes.csv", dtype=str,
                                     keep_default_na=False))
    except (OSError, ValueError, KeyError) as exc:
        raise InputError.single(str(plan_dir), f"is not a readable plan "
                                f"({type(exc).__name__})") from None
    return date, routes


def review(routes: pd.DataFrame, outcomes: list[dict], on_time_min: int) -> pd.DataFrame:
    """One row per agent (and ``TOTAL``): the columns of ``review.csv``."""
    done: dict[str, dict] = {}
    for outcome in outcomes:  # the first outcome of an account that day is its visit
        done.setdefault(outcome["account_id"], outcome)
    planned_ids = set(routes["account_id"])
    rows: dict[str, dict] = {}

    def row(agent_id: str) -> dict:
        return rows.setdefault(agent_id, {c: 0 for c in COLUMNS[1:]})

    tolerance = dt.timedelta(minutes=on_time_min)
    for visit in routes.itertuples(index=False):
        counts = row(visit.agent_id)
        counts["planned"] += 1
        outcome = done.get(visit.account_id)
        if outcome is None:
            counts["not_done"] += 1
            continue
        counts["done"] += 1
        crew = {visit.agent_id, getattr(visit, "partner_id", "") or visit.agent_id}
        if outcome["agent_id"] in crew:
            counts["done_by_planned_agent"] += 1
        start = dt.datetime.fromisoformat(visit.start)
        if abs(outcome["visited_at"] - start) <= tolerance:
            counts["on_time"] += 1
    for account_id, outcome in done.items():
        if account_id not in planned_ids:
            row(outcome["agent_id"])["done_not_planned"] += 1
    table = pd.DataFrame([{"agent_id": k, **v} for k, v in sorted(rows.items())],
                         columns=COLUMNS)
    total = {"agent_id": TOTAL, **{c: int(table[c].sum()) for c in COLUMNS[1:]}}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)
