"""Priority scoring: how urgent is a visit to this account today?

The score is a sum of named terms so that a supervisor can see why an
account ranks high. Defaults (``[scoring]`` in ``policy.toml``) and why:

- ``base`` 1: every eligible account is worth something.
- ``amount`` 2 x log10(1 + balance / 1000): more money overdue matters, with
  diminishing returns (1k -> 0.6, 10k -> 2.1, 100k -> 4.0), so one large
  balance does not outrank a street of medium ones.
- ``days_past_due`` 1 per 30 days, capped at 180: later is more urgent and
  rolls toward write-off.
- ``bucket`` M1 0, M2 0.5, M3 1.0, M3+ 1.5: the step at each bucket boundary
  reflects the jump in roll rates the buckets are defined by.
- ``promise_due`` 3: a promise to pay falls due today; a visit now confirms it.
- ``broken_promise`` 1.5 each, up to 3: broken promises call for escalation.
- ``no_contact`` 0.5 per 30 days without contact, up to 90: accounts gone
  silent drift toward loss.
- ``not_home`` -0.5 per not-home in a row, up to 4: the visits are likely
  wasted; the planner also moves such visits to another window.
- ``flags``: per flag, e.g. ``fraud_suspect`` +2, ``skip_trace`` +1,
  ``hardship`` -1.

The score is never below 0.1, so an eligible account always stays worth a visit
when an agent has the time. A user's own column (``priority_column``) or
callable (``scorer``) can replace it; see :func:`apply_scores`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from .errors import InputError
from .models import Account, Problem
from .policy import Policy

TERMS = ("base", "amount", "days_past_due", "bucket", "promise_due", "broken_promise",
         "no_contact", "not_home", "flags")


def bucket(days_past_due: int | None) -> str | None:
    """M1 (1-30), M2 (31-60), M3 (61-90), M3+ (over 90)."""
    if not days_past_due:
        return None
    if days_past_due <= 30:
        return "m1"
    if days_past_due <= 60:
        return "m2"
    return "m3" if days_past_due <= 90 else "m3+"


def score_terms(account: Account, policy: Policy, date) -> dict[str, float]:
    """What each term contributes to the account's score on ``date``."""
    w = policy.scoring
    balance = max(account.balance or 0.0, 0.0)
    dpd = account.days_past_due or 0
    silent = (date - account.last_contact).days if account.last_contact else 0
    due = account.promise_date == date
    return {
        "base": w.base,
        "amount": w.amount * math.log10(1 + balance / w.amount_unit),
        "days_past_due": w.days_past_due * min(dpd, w.dpd_cap) / 30,
        "bucket": w.bucket.get(bucket(dpd) or "", 0.0),
        "promise_due": w.promise_due if due else 0.0,
        "broken_promise": w.broken_promise * min(account.broken_promises, 3),
        "no_contact": w.no_contact * min(max(silent, 0), 90) / 30,
        "not_home": -w.not_home * min(account.not_home_streak, 4),
        "flags": sum(w.flags.get(flag, 0.0) for flag in account.flags),
    }


MAX_PRIORITY = 10_000  # as for a priority read from a file (io/read.py RANGES)
FLOOR = 0.1  # an eligible account is always worth a visit when an agent has the time


def total(terms: dict[str, float]) -> float:
    return round(max(FLOOR, sum(terms.values())), 2)


def scores_frame(problem: Problem) -> pd.DataFrame:
    """``account_id, priority`` and one column per term, highest priority first."""
    rows = []
    for account in problem.accounts:
        terms = score_terms(account, problem.policy, problem.date)
        rows.append({"account_id": account.account_id, "priority": total(terms),
                     **{k: round(v, 3) for k, v in terms.items()}})
    frame = pd.DataFrame(rows, columns=["account_id", "priority", *TERMS])
    return frame.sort_values(["priority", "account_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


Scorer = Callable[[pd.DataFrame], "pd.Series"]


def apply_scores(problem: Problem, scorer: Scorer | None = None,
                 overwrite: bool = False) -> Problem:
    """Fill in priorities: by default only where none was given.

    ``scorer`` is a user's model: it receives the accounts as a DataFrame
    (the model fields, personal fields excluded) and returns a priority per
    row, in the same order. Without it the transparent score is used.
    """
    todo = [a for a in problem.accounts if overwrite or a.priority_source == "default"]
    if not todo:
        return problem
    if scorer is not None:
        frame = pd.DataFrame([a.model_dump(exclude={"name", "phone", "address"}) for a in todo])
        values = [float(v) for v in scorer(frame)]
        if len(values) != len(todo) or any(not math.isfinite(v) or not 0 <= v <= MAX_PRIORITY
                                           for v in values):
            raise InputError.single("scorer", "must return one priority between 0 and "
                                    f"{MAX_PRIORITY:,} per account")
        new = dict(zip((a.account_id for a in todo), values))
        source = "callable"
    else:
        new = {a.account_id: total(score_terms(a, problem.policy, problem.date)) for a in todo}
        source = "score"
    accounts = tuple(a.model_copy(update={"priority": new[a.account_id], "priority_source": source})
                     if a.account_id in new else a for a in problem.accounts)
    return problem.model_copy(update={"accounts": accounts})


def load_scorer(spec: str) -> Scorer:
    """``"package.module:function"`` -> the function."""
    import importlib

    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"'{spec}' is not module:function")
    return getattr(importlib.import_module(module), name)
