"""The ``visitplan`` console command.

Signal handling comes first, before the library (OR-Tools, pandas, PyVRP)
is imported, so that SIGINT and SIGTERM get one answer at every moment of a
run (:mod:`visitplan.signals`). The process also ends with ``os._exit``
once the command is done and its output flushed: Python's own shutdown
puts the default handlers back, and a signal in that last moment would
kill the process without a word.
"""

from __future__ import annotations

import logging
import os
import sys


def main() -> None:
    from .signals import install

    install()  # for the whole process
    code: int = 0
    try:
        from .cli import app
        app(prog_name="visitplan")
    except SystemExit as done:
        code = _exit_code(done.code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
