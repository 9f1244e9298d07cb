"""Stop a command-line run at once on SIGINT or SIGTERM.

Standard library only: installed before the heavy imports, so that an
interrupt at any moment of a run gets the same answer.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from contextlib import contextmanager

INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 143}


def install() -> tuple[int, dict]:
    """Install the stop for the rest of the process (the console command): unlike
    :func:`stop_on_signals`, nothing is restored at the end, so a signal that comes
    while the process is exiting still gets the same answer. Returns what was there."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous_fd = signal.set_wakeup_fd(write_end)
    previous = {s: signal.signal(s, lambda *_: None) for s in INTERRUPTED}
    threading.Thread(target=_watch, args=(read_end,), name="visitplan-signals",
                     daemon=True).start()
    return write_end, {"wakeup_fd": previous_fd, "handlers": previous}


def _watch(read_end: int) -> None:
    try:
        got = os.read(read_end, 1)
    except OSError:
        return
    if not got:
        return
    number = signal.Signals(got[0])
    for child in multiprocessing.active_children():
        child.kill()
    sys.stderr.write(f"visitplan: interrupted by {number.name}; stopped (--out holds the "
                     "previous plan, or the new one whole if it was already in place)\n")
    sys.stderr.flush()
    os._exit(INTERRUPTED.get(number, 128 + int(number)))


@contextmanager
def stop_on_signals():
    """SIGINT and SIGTERM stop the run at once, whatever it is doing.

    The search runs in C++, where Python's own handlers would wait for it; so
    the signal is written to a pipe (``signal.set_wakeup_fd``) and a watcher
    thread stops the search workers, prints one line and exits with 130
    (SIGINT) or 143 (SIGTERM). A plan is switched in one atomic step, so
    ``--out`` then holds the previous plan untouched (or, if the switch had
    already happened, the new one whole); a half-written plan directory is
    removed by the next run.
    """
    write_end, previous = install()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous["wakeup_fd"])
        for s, handler in previous["handlers"].items():
            signal.signal(s, handler)
        os.close(write_end)
