"""What-if experiments: two plans' KPIs side by side (two more agents, other weights...)."""

from __future__ import annotations

import pandas as pd

FIGURES = [
    ("accounts planned", lambda k: k["accounts"]["planned"]),
    ("accounts not visited", lambda k: k["accounts"]["unassigned"]),
    ("priority served", lambda k: k["priority"]["served"]),
    ("priority served %", lambda k: k["priority"]["served_pct"]),
    ("travel km", lambda k: k["travel"]["km"]),
    ("travel minutes", lambda k: k["travel"]["minutes"]),
    ("agents working", lambda k: len(k["agents"])),
    ("visits per working agent", lambda k: round(k["accounts"]["planned"] /
                                                 max(len(k["agents"]), 1), 2)),
    ("km per visit", lambda k: round(k["travel"]["km"] / k["accounts"]["planned"], 2)
     if k["accounts"]["planned"] else None),
    ("must-visit not planned", lambda k: len(k["must_visit_not_planned"])),
]


def compare(a, b, names: tuple[str, str] = ("a", "b")) -> pd.DataFrame:
    """One row per KPI: the value in each plan and the change from ``a`` to ``b``.

    Unassigned accounts by reason follow, one row per reason that occurs in either.
    """
    ka, kb = a.kpis, b.kpis
    rows = [(name, get(ka), get(kb)) for name, get in FIGURES]
    reasons = sorted(set(ka["accounts"]["unassigned_by_reason"]) |
                     set(kb["accounts"]["unassigned_by_reason"]))
    rows += [(f"not visited: {r}", ka["accounts"]["unassigned_by_reason"].get(r, 0),
              kb["accounts"]["unassigned_by_reason"].get(r, 0)) for r in reasons]
    frame = pd.DataFrame(rows, columns=["kpi", names[0], names[1]], dtype=object).set_index("kpi")
    frame["change"] = [None if x is None or y is None else round(y - x, 3)
                       for x, y in zip(frame[names[0]], frame[names[1]])]
    return frame
