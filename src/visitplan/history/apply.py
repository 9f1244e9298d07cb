"""Turn the visit history into today's facts about each account.

For every account with outcomes before the planning date:

- every outcome is a visit: the last visit date and the 7/30-day counts
  become the larger of the input file's and the history's, so cool-downs
  and caps count real visits;
- a promise to pay due today and not yet paid makes the account must-visit
  (``history.promise_due_must_visit``) and adds the ``promise_due`` score;
- a promise whose date has passed without a payment after it is broken
  (not must-visit: it was due on its own day, which has gone): the count feeds the score and, with ``history.broken_promise_needs_senior``,
  the visit needs a senior agent;
- ``history.not_home_shift_after`` not-home results in a row move the visit
  away from the windows (or, with no windows, the two hours) in which
  nobody was home, while another window remains today;
- with ``history.continuity`` the agent who last met the borrower becomes
  the preferred agent, unless the input names one.

Each change is written to ``Problem.notes`` for the audit log.
"""

from __future__ import annotations

from ..models import Account, Problem, TimeWindow
from ..timeutil import ALL_DAYS, format_clock
from .store import NO_CONTACT, HistoryStore

PAID = frozenset({"paid", "partial"})
AVOID_MIN = 60  # real minutes either side of a not-home visit, for accounts without windows


def apply_history(problem: Problem, store: HistoryStore) -> Problem:
    history = store.outcomes_for([a.account_id for a in problem.accounts], problem.date)
    accounts, notes = [], dict(problem.notes)
    for account in problem.accounts:
        events = history.get(account.account_id)
        if not events:
            accounts.append(account)
            continue
        updated, said = _apply(account, events, problem)
        accounts.append(updated)
        notes[account.account_id] = tuple(notes.get(account.account_id, ())) + tuple(said)
    return problem.model_copy(update={"accounts": tuple(accounts), "notes": notes})


def _apply(account: Account, events: list[dict], problem: Problem) -> tuple[Account, list[str]]:
    date, rules = problem.date, problem.policy.history
    update: dict = {}
    said: list[str] = []
    _count_visits(account, events, date, update, said)
    _promises(account, events, date, rules, update, said)
    contacts = [e for e in events if e["outcome"] not in NO_CONTACT]
    if contacts:
        last_contact = contacts[-1]["visited_at"].date()
        if account.last_contact is None or last_contact > account.last_contact:
            update["last_contact"] = last_contact
        if rules.continuity and not account.preferred_agent:
            update["preferred_agent"] = contacts[-1]["agent_id"]
            said.append(f"continuity: prefer agent {contacts[-1]['agent_id']}, who met the "
                        f"borrower on {last_contact}")
    streak = _not_home_streak(events)
    if streak:
        update["not_home_streak"] = max(streak, account.not_home_streak)
        if streak >= rules.not_home_shift_after:
            _shift_windows(account, events[-streak:], problem, update, said)
    return account.model_copy(update=update), said


def _count_visits(account, events, date, update, said) -> None:
    last = events[-1]["visited_at"].date()
    if account.last_visit is None or last > account.last_visit:
        update["last_visit"] = last
    for days, field in ((7, "visits_7d"), (30, "visits_30d")):
        count = sum(1 for e in events if 0 <= (date - e["visited_at"].date()).days < days)
        given = getattr(account, field)
        if count > (given or 0):
            update[field] = count
            said.append(f"history: {count} visit(s) in the last {days} days"
                        + (f" (the input said {given})" if given is not None else ""))


def _promises(account, events, date, rules, update, said) -> None:
    broken, due = 0, None
    for index, event in enumerate(events):
        if event["outcome"] != "ptp" or event["promise_date"] is None:
            continue
        paid_after = any(e["outcome"] in PAID for e in events[index + 1:])
        if paid_after:
            continue
        if event["promise_date"] < date:
            broken += 1
        elif event["promise_date"] == date:
            due = event
    if broken > account.broken_promises:
        update["broken_promises"] = broken
        said.append(f"{broken} broken promise(s) to pay: escalated"
                    + (" (senior agent)" if rules.broken_promise_needs_senior else ""))
    if due is not None:
        update["promise_date"] = date
        if due["promise_amount"] is not None:
            update["promise_amount"] = due["promise_amount"]
        if rules.promise_due_must_visit:
            update["must_visit"] = True
        said.append("promise to pay due today" + (" -> must visit" if rules.promise_due_must_visit
                                                  else " -> higher priority"))


def _not_home_streak(events: list[dict]) -> int:
    streak = 0
    for event in reversed(events):
        if event["outcome"] != "not_home":
            break
        streak += 1
    return streak


def _shift_windows(account: Account, misses: list[dict], problem: Problem, update, said) -> None:
    """Avoid the windows in which nobody was home, if another remains today."""
    minutes = sorted({e["visited_at"].hour * 60 + e["visited_at"].minute for e in misses})
    shown = ", ".join(format_clock(t) for t in minutes)
    times = [problem.to_units(t) for t in minutes]  # windows are in clock units
    if account.windows:
        kept = tuple(w for w in account.windows
                     if not any(w.start <= t <= w.end for t in times))
    else:
        kept = _complement(times, problem.to_units(AVOID_MIN), problem.day_units)
    if not any(problem.weekday in w.days for w in kept):
        said.append(f"{len(misses)} not-home results in a row (at {shown}); no other window "
                    "today, so the windows stay")
        return
    update["windows"] = kept
    said.append(f"{len(misses)} not-home results in a row (at {shown}): those windows are "
                "avoided today")


def _complement(times: list[int], band: int, day: int) -> tuple[TimeWindow, ...]:
    """The day (``day`` clock units) without ``band`` units either side of each time."""
    windows, start = [], 0
    for t in times:
        end = max(0, t - band)
        if end > start:
            windows.append(TimeWindow(days=ALL_DAYS, start=start, end=end))
        start = max(start, min(day, t + band))
    if start < day:
        windows.append(TimeWindow(days=ALL_DAYS, start=start, end=day))
    return tuple(windows)
