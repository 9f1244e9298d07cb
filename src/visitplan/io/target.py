"""Where a plan goes: the ``--out`` directory, replaced atomically, and only if ours.

Layout: ``plan`` (the ``--out`` path) is a symbolic link to a hidden
sibling directory ``.plan.<stamp>-<pid>.plan`` that holds one complete plan
and a marker file. A new plan is written into a new sibling, then one
``os.replace`` points the link at it: a reader or a crash at any moment
sees the old plan or the new one, whole, never neither. The old sibling is
then removed; siblings left by a killed run (their process gone) are
removed by the next run.

Only what the planner wrote itself may be replaced: a link to a marked plan
directory, a plain plan directory from an earlier version of visitplan (plan
files only), or an empty directory. Anything else at ``--out`` (a file, a
folder with other files) is refused, never touched.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import time
from pathlib import Path

from ..errors import InputError

MARKER = ".visitplan-plan"  # in every plan directory the planner writes
# What a plan directory of an earlier visitplan (before the marker) may hold.
LEGACY_ENTRIES = frozenset({"routes.csv", "unassigned.csv", "summary.json", "plan.json",
                            "audit.jsonl", "agents"})


def out_path(directory: str | Path) -> Path:
    """The ``--out`` path made absolute without following a link (the link is ours to swap)."""
    return Path(os.path.abspath(os.path.expanduser(str(directory))))


def _is_plan_dir(path: Path) -> bool:
    return path.is_dir() and (path / MARKER).is_file()


def _our_dangling_link(link: Path) -> bool:
    """A link of ours whose plan directory someone deleted: ours to replace."""
    pointed = Path(os.readlink(link))
    return (not link.exists() and pointed.parent == Path(".")
            and pointed.name.startswith(f".{link.name}.") and pointed.name.endswith(".plan"))


def _legacy_plan(path: Path) -> bool:
    names = {p.name for p in path.iterdir()}
    return "summary.json" in names and names <= LEGACY_ENTRIES


def check_target(directory: str | Path) -> Path:
    """Refuse, before any work is done, an ``--out`` that is not ours or cannot be written.

    Returns the absolute target. Creates missing parent directories.

    Raises
    ------
    InputError
        naming the path: something else is there, or it cannot be written.
    """
    target = out_path(directory)
    if target.is_symlink():
        if not (_is_plan_dir(target.resolve()) or _our_dangling_link(target)):
            raise InputError.single(str(target), "is a link to something that is not a plan "
                                    "written by visitplan; refusing to replace it")
    elif target.exists():
        if not target.is_dir():
            raise InputError.single(str(target), "is a file, not a plan directory; refusing "
                                    "to replace it (give --out a new or plan directory)")
        if not (_is_plan_dir(target) or _legacy_plan(target) or not any(target.iterdir())):
            raise InputError.single(str(target), "holds files that visitplan did not write; "
                                    "refusing to replace them (give --out a new directory)")
    _check_writable(target.parent)
    return target


def _check_writable(parent: Path) -> None:
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f".visitplan-write-test-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise InputError.single(str(parent), "cannot be written "
                                f"({exc.strerror or type(exc).__name__}); choose another "
                                "--out") from None


def new_version(target: Path) -> Path:
    """A new hidden sibling directory for the next plan, marked as ours."""
    version = target.parent / f".{target.name}.{time.time_ns()}-{os.getpid()}.plan"
    version.mkdir()
    (version / MARKER).write_text("a plan written by visitplan; replaced whole by the next "
                                  "plan\n", encoding="utf-8")
    return version


def publish(version: Path, target: Path) -> None:
    """Point ``target`` at ``version`` in one atomic step, then remove the old plan."""
    old = target.resolve() if target.is_symlink() else None
    link = target.parent / f".{target.name}.link-{os.getpid()}-{time.time_ns()}"
    os.symlink(version.name, link)
    try:
        if target.is_symlink() or not target.exists():
            os.replace(link, target)              # atomic: the old plan or the new one
        else:                                     # a plain directory (legacy or empty)
            _exchange(link, target)               # now `link` names the old directory
            shutil.rmtree(link, ignore_errors=True)
    except BaseException:
        if link.is_symlink():
            link.unlink()
        raise
    if old is not None and old != version.resolve() and old.parent == target.parent:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # pragma: no cover - not Linux/glibc: two renames, once, on upgrade
        aside = b.with_name(b.name + f".old-{os.getpid()}")
        os.replace(b, aside)
        os.replace(a, b)
        os.replace(aside, a)
        return
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def clean_stale(target: Path) -> None:
    """Remove our own leftovers beside ``target``: plan directories of runs that were
    killed (their process gone) and that ``target`` does not point to, and temporary links."""
    current = target.resolve() if target.is_symlink() else None
    prefix = f".{target.name}."
    for path in target.parent.glob(prefix + "*"):
        rest = path.name[len(prefix):]
        pid = _pid(rest)
        if pid is None or _alive(pid):
            continue
        if rest.endswith(".plan") and path.is_dir() and not path.is_symlink() \
                and (path / MARKER).is_file() and path.resolve() != current:
            shutil.rmtree(path, ignore_errors=True)
        elif rest.startswith("link-") and path.is_symlink():
            path.unlink()


def _pid(rest: str) -> int | None:
    """The process id in ``<stamp>-<pid>.plan`` or ``link-<pid>-<stamp>``."""
    try:
        if rest.startswith("link-"):
            return int(rest.split("-")[1])
        if rest.endswith(".plan"):
            return int(rest.removesuffix(".plan").rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
