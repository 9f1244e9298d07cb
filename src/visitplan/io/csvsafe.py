"""CSV files for people, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by spreadsheets as a formula (``=HYPERLINK(...)`` in a
borrower's name would run on a supervisor's machine). Every text cell of a
CSV written for people gets a leading ``'`` in that case (the usual
practice; OWASP "CSV injection"), and a text cell that already starts with
``'`` followed by one of those gets one more, so that :func:`restore` gives
back exactly what was written. Numbers are left alone. ``plan.json``
keeps every value raw.
"""

from __future__ import annotations

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: str) -> str:
    body = value.lstrip("'")
    return "'" + value if body.startswith(TRIGGERS) else value


def restore_text(value: str) -> str:
    body = value.lstrip("'")
    return value[1:] if value.startswith("'") and body.startswith(TRIGGERS) else value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell made inert."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(lambda v: neutralise_text(v) if isinstance(v, str)
                                      else v)
    return out


def _text_columns(frame: pd.DataFrame) -> list:
    """Columns that may hold text (object, or pandas' string dtype)."""
    return [c for c in frame.columns
            if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]


def restore(frame: pd.DataFrame) -> pd.DataFrame:
    """The values as they were before :func:`neutralise` (for reading our own files)."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(lambda v: restore_text(v) if isinstance(v, str) else v)
    return out
