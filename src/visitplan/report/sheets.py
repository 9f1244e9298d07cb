"""A print-ready route sheet for one agent (``report/sheets/<agent_id>.html``).

Made from the agent's route sheet (``agents/<agent_id>.csv``, or
:func:`visitplan.io.write.route_sheet`): that agent's accounts only, and only
what a visit needs: order, times, window, address and phone, the notes, and an
empty column for the outcome.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

PRINT_CSS = """
body{font:12px/1.35 "Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:12px;color:#111}
h1{font-size:17px;margin:0 0 4px}
p.meta{margin:0 0 10px;color:#444}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #888;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#eee}
td.outcome{min-width:130px}
tr.break td,tr.depart td,tr.return td{background:#f6f6f6;color:#444}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0}tr{page-break-inside:avoid}}
"""
OUTCOMES = "paid · partial · ptp (date, amount) · not_home · refused · wrong_address · hostile"


def _clock(text) -> str:
    """``2026-12-01T09:05`` -> ``09:05`` (empty stays empty)."""
    text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return text[11:16] if len(text) >= 16 else text


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def sheet_html(agent_id: str, date: dt.date, sheet: pd.DataFrame,
               partner_id: str | None = None) -> str:
    """The agent's day as a printable HTML page (every value escaped)."""
    crew = agent_id + (f" with {partner_id}" if partner_id else "")
    visits = int((sheet["kind"] == "visit").sum())
    rows = []
    for row in sheet.to_dict("records"):
        kind = row.get("kind", "")
        if kind == "visit":
            rows.append(
                "<tr class='visit'>"
                f"<td>{_cell(row.get('seq'))}</td>"
                f"<td>{_clock(row.get('start'))}-{_clock(row.get('end'))}<br>"
                f"<small>arrive {_clock(row.get('arrival'))}</small></td>"
                f"<td>{_cell(row.get('windows'))}</td>"
                f"<td>{_cell(row.get('account_id'))}</td>"
                f"<td>{_cell(row.get('name'))}<br>{_cell(row.get('phone'))}</td>"
                f"<td>{_cell(row.get('address'))}</td>"
                f"<td>{_cell(row.get('balance'))}</td>"
                f"<td>{_cell(row.get('days_past_due'))}</td>"
                f"<td>{_cell(row.get('notes'))}</td>"
                "<td class='outcome'></td></tr>")
        else:
            what = {"depart": "leave", "return": "back", "break": "break"}.get(kind, kind)
            times = _clock(row.get("start")) if kind != "break" else \
                f"{_clock(row.get('start'))}-{_clock(row.get('end'))}"
            rows.append(f"<tr class='{_cell(kind)}'><td></td><td>{times}</td>"
                        f"<td colspan='8'>{_cell(what)}</td></tr>")
    header = ("<tr><th>#</th><th>time</th><th>window</th><th>account</th><th>name / phone</th>"
              "<th>address</th><th>balance</th><th>days past due</th><th>notes</th>"
              "<th>outcome</th></tr>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>Route {html.escape(crew)} {date.isoformat()}</title>"
            f"<style>{PRINT_CSS}</style></head><body>"
            f"<h1>Route sheet: {html.escape(crew)}, {date:%A %Y-%m-%d}</h1>"
            f"<p class='meta'>{visits} visits. Outcome codes: {OUTCOMES}.</p>"
            f"<table class='vp-sheet'>{header}{''.join(rows)}</table></body></html>")
