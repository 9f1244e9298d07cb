"""Benchmark: re-plan a 1,000-account, 25-agent day when an agent goes home sick at 13:00.

The morning plan is made once (``--morning-limit`` seconds, as the batch would); then, for
each sick agent chosen (the ones with most visits left after 13:00), the whole re-plan is
timed as ``visitplan replan`` runs it (read the files, replan, validate, write), and what
happened to the *other* agents' visits is counted: kept (same agent, start within
``[replan] retime_minutes``), retimed, moved to another agent, removed; and the sick
agent's accounts: re-assigned or reported.

    python benchmarks/replan.py --out benchmarks/out/replan.csv [--sick 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

import visitplan as vp
from visitplan.demo import DEMO_DATE, generate_accounts, generate_agents
from table import show


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--morning-limit", type=float, default=30)
    parser.add_argument("--sick", type=int, default=3, help="how many sick agents to try")
    parser.add_argument("--at", default="13:00")
    parser.add_argument("--move-minutes", type=float, nargs="+", default=[30.0],
                        help="[replan] move_minutes values to compare")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="replan-bench-"))
    generate_accounts(args.accounts, args.seed).to_csv(folder / "accounts.csv", index=False)
    generate_agents(args.agents, args.seed).to_csv(folder / "agents.csv", index=False)
    morning = vp.plan_files(folder / "accounts.csv", folder / "agents.csv", folder / "plan",
                            date=DEMO_DATE, time_limit=args.morning_limit, seed=args.seed)
    assert morning.dispatchable
    at = pd.Timestamp(f"{DEMO_DATE} {args.at}").to_pydatetime()
    left = sorted(morning.plan.agent_routes, key=lambda r: -sum(v.start >= at
                                                                for v in r.visits))
    rows = []
    for move in args.move_minutes:
        policy = vp.Policy().model_copy(update={"replan": vp.Policy().replan.model_copy(
            update={"move_minutes": move})})
        for route in left[:args.sick]:
            sick = route.agent_id
            events = folder / f"events-{sick}.csv"
            events.write_text("time,event,agent_id,account_id,minutes,lat,lon\n"
                              f"{args.at},agent_off,{sick},,,,\n")
            began = time.monotonic()
            result = vp.replan_files(folder / "plan", folder / "accounts.csv",
                                     folder / "agents.csv", events, args.at,
                                     folder / f"re-{sick}", policy=policy, seed=args.seed)
            wall = time.monotonic() - began
            rows.append({"move_minutes": move, **_counts(morning.plan, result, sick, at,
                                                         wall)})
            print(rows[-1])
    show(rows, args.out)


def _counts(morning, result, sick, at, wall) -> dict:
    changes = result.changes
    others = changes[changes["agent_id"] != sick]
    theirs = [v for v in morning.visits if v.agent_id != sick and v.start >= at]
    orphans = {v.account_id for v in morning.visits if v.agent_id == sick and v.start >= at}
    now = {v.account_id: v.agent_id for v in result.plan.visits}
    lost_by_others = set(others.loc[others["change"].isin(
        ["removed", "moved_to_other_agent"]), "account_id"])
    retimed = set(others.loc[others["change"] == "retimed", "account_id"])
    return {
        "sick_agent": sick, "wall_s": round(wall, 2), "valid": not result.violations,
        "other_visits_after_at": len(theirs),
        "kept": sum(v.account_id not in lost_by_others | retimed for v in theirs),
        "retimed": len(retimed & {v.account_id for v in theirs}),
        "moved_or_removed": len(lost_by_others & {v.account_id for v in theirs}),
        "sick_accounts_after_at": len(orphans),
        "reassigned": sum(a in now for a in orphans),
        "agents_told": int(result.by_agent["affected"].sum()),
        "priority_served": result.plan.kpis["priority"]["served"],
        "morning_priority_served": morning.kpis["priority"]["served"],
    }


if __name__ == "__main__":
    main()
