"""The benchmarks' one way to end: print the rows as a table, and save them as CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def show(rows: list[dict], out: Path | None = None) -> pd.DataFrame:
    """Print ``rows`` as a table; write them to ``out`` (CSV) when given."""
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
    return table
