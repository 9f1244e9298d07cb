"""Jobs in forked processes that may crash: every answer collected, none waited for
past the deadline.

Used by the portfolio (independent searches of one day) and by a day split into
territories (groups of territories searched side by side).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from contextlib import nullcontext
from queue import Empty

from ..errors import InputError
from .budget import Budget


def run_jobs(jobs: dict[int, tuple[Callable, tuple]], budget: Budget,
             status: str | None = None, wait_for_all: bool = False) -> tuple[dict, dict]:
    """Run ``jobs`` (number -> (function, arguments)) in forked processes.

    Returns ``(results, crashed)``: each job's return value by number, and why
    each crashed job did (its exception's class only, or its exit code: no
    message, which could carry data). At ``budget.portfolio_end`` the parent
    stops waiting if it has an answer (unless ``wait_for_all``); at the limit
    itself, in any case. Jobs still running then are stopped.

    Raises
    ------
    InputError
        When a job found the input unusable (e.g. a travel matrix without a pair it
        needs): the same error as the job would raise in this process, not a crash.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    parent = os.getpid()
    processes = {k: context.Process(target=_main, args=(k, fn, args, queue, parent),
                                    daemon=True)
                 for k, (fn, args) in jobs.items()}
    shown = None
    if status:
        from rich.console import Console
        shown = Console(stderr=True).status(status)
    results: dict = {}
    crashed: dict[int, str] = {}
    with shown or nullcontext():
        for process in processes.values():
            process.start()
        _collect(processes, queue, budget, results, crashed, wait_for_all)
    for process in processes.values():
        if process.is_alive():
            process.terminate()
        process.join(timeout=1.0)
        if process.is_alive():  # deaf to SIGTERM (stuck in compiled code): no more waiting
            process.kill()
            process.join()
    bad_input = [why for why in crashed.values() if isinstance(why, InputError)]
    if bad_input:
        raise bad_input[0]
    return results, crashed


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """End this job when the parent process ends, however it ends (SIGKILL included).

    Otherwise a job outlives a killed command: nothing reads its answer any more, so it
    blocks on the full queue for ever, holding the command's stdout and stderr open.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:  # not Linux: daemon processes are all there is
        return
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _main(k: int, fn: Callable, args: tuple, queue, parent: int) -> None:
    _die_with(parent)
    # A forked worker inherits the command's signal stop (a wakeup pipe and handlers that
    # do nothing): put the defaults back, so that terminate() ends it at once.
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    try:
        result = fn(*args)
    except InputError as exc:  # the input's fault, not the job's: the parent raises it
        queue.put(("crashed", k, exc))
        return
    except BaseException as exc:  # reported to the parent, which keeps the others
        queue.put(("crashed", k, type(exc).__name__))
        return
    queue.put(("ok", k, result))


def _collect(processes, queue, budget: Budget, results: dict, crashed: dict,
             wait_for_all: bool) -> None:
    """Receive the answers until all have answered or died, or time is up."""
    hard_stop = budget.began + budget.limit
    while len(results) + len(crashed) < len(processes):
        now = time.monotonic()
        if (now >= budget.portfolio_end and results and not wait_for_all) or now >= hard_stop:
            return
        if _receive(queue, 0.1, results, crashed):
            continue
        for k, process in processes.items():
            if k in results or k in crashed or process.is_alive():
                continue
            # Dead without an answer seen: its answer may still be in the pipe.
            while _receive(queue, 0.5, results, crashed):
                pass
            if k not in results and k not in crashed:
                crashed[k] = f"process ended with exit code {process.exitcode}"


def _receive(queue, timeout: float, results: dict, crashed: dict) -> bool:
    try:
        kind, k, payload = queue.get(timeout=timeout)
    except Empty:
        return False
    (results if kind == "ok" else crashed)[k] = payload
    return True
