"""The ``visitplan`` console command.

Signal handling comes first, before the library (OR-Tools, pandas, PyVRP)
is imported, so that SIGINT and SIGTERM get one answer at every moment of a
run (:mod:`visitplan.signals`).
"""

from __future__ import annotations


def main() -> None:
    from .signals import stop_on_signals

    with stop_on_signals():
        from .cli import app
        app(prog_name="visitplan")
