"""Plan several days at once: due dates, earliest dates, days off, a visit cadence.

The method (``visitplan plan --days N``; numbers in benchmarks/README.md): the days are
planned in order, each with every daily rule, and each day knows the horizon:

- an account is a candidate on day ``d`` only inside ``[earliest_date, due_date]`` and
  while it has visits left (``[horizon] max_visits_per_account``); a visit made earlier
  in the horizon counts for the cool-down and the 7/30-day caps on later days;
- before each day, the day-assignment stage (:mod:`visitplan.dayassign`) spreads the
  accounts left over the days left; an account it places on a later day weighs
  ``[horizon] defer_weight`` of its priority today (:func:`defer`);
- an account due within the horizon that the day assignment visits weighs more as its
  due date comes closer (``priority x (1 + due_boost / (days left + 1))``, on the due date
  ``x (1 + 2 due_boost)``, or must-visit there with ``due_must_visit``); one it does not
  visit is not pushed in, where it would take the slot of a more urgent account;
- an account the day assignment visits whose last chance comes before the horizon ends
  (it is home on weekdays only, the last working day of the week is a Saturday:
  :func:`last_chances`) weighs as if due on that day, so an account that can wait does not
  take its slot; it is never made must-visit for it, nor reported ``MISSED_DUE_DATE``;
- a ``must_visit`` account is placed on the first day that can take it (it is must-visit
  on every day it is a candidate);
- agents do not work on their ``off_dates``.

The obvious alternative, "rolling daily" (plan day 1, remove what was planned, plan day 2,
...: the same days without the horizon's urgency), is :func:`plan_horizon` with
``aware=False``; the benchmark compares the two.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from .compliance import start_intervals
from .dayassign import Assignment, assign
from .models import Account, Problem
from .plan import Plan, Reason, Unassigned
from .solver import SearchParams, solve

# A day's planner: (the day's problem, search settings, progress=...) -> its plan.
Solver = Callable[..., Plan]


@dataclass(frozen=True)
class HorizonPlan:
    """A plan over several days: one :class:`Plan` per day (with the problem it planned),
    and the accounts visited on no day, once each, with why."""

    start: dt.date
    plans: tuple[Plan, ...]
    problems: tuple[Problem, ...]
    unassigned: tuple[Unassigned, ...]
    aware: bool = True
    wall_s: float = 0.0
    first_plan_s: float | None = None

    @property
    def dates(self) -> list[dt.date]:
        return [p.date for p in self.plans]

    @property
    def visits(self):
        return [v for plan in self.plans for v in plan.visits]

    def priority_served(self, base: Problem, discount: float = 0.0) -> float:
        """Priority of the visits (as in the input), a visit on day k counted at
        ``(1 - discount)^k``."""
        return served(self.plans, base, discount)

    def missed_due(self) -> list[str]:
        return [u.account_id for u in self.unassigned if u.reason == Reason.MISSED_DUE_DATE]


FIRST_PASS = 0.25      # share of the time limit for a first complete horizon ...
FIRST_PASS_MAX_S = 25  # ... at most this long: a whole week planned early
LP_SHARE = 0.25        # at most this share of a day's time for its day assignment


def plan_horizon(problem: Problem, days: int, params: SearchParams | None = None, *,
                 aware: bool = True, progress: bool = False, solver: Solver | None = None,
                 **search) -> HorizonPlan:
    """Plan ``days`` days from ``problem.date``; the time limit is shared by the days.

    Two passes: a quick one that plans every day (a complete horizon within
    ``FIRST_PASS`` of the time limit, at most ``FIRST_PASS_MAX_S`` seconds), then one with
    the rest of the time; the better of the two is kept (more discounted priority, then
    fewer due dates missed, then less travel).

    Parameters
    ----------
    problem
        The first day's problem, read and enriched.
    aware
        Use the horizon (due-date urgency, must-visit on the due date). ``False`` is the
        rolling-daily baseline: the same days, each planned as if it were the only one.
    solver
        How a day is planned: ``solver(day, params, progress=...)`` returning its
        :class:`Plan`; default :func:`visitplan.solve` (``plan --days N --by region``
        passes :func:`visitplan.batch.solve_regions` on one Dask client).
    """
    solver = solver or solve
    began = time.monotonic()
    params = params or SearchParams.from_policy(problem.policy)
    params = replace(params, **{k: v for k, v in search.items() if v is not None})
    dates = [problem.date + dt.timedelta(days=k) for k in range(days)]
    quick = min(FIRST_PASS * params.time_limit, FIRST_PASS_MAX_S)
    if days == 1 or params.solution_limit is not None:
        quick = params.time_limit  # one pass: nothing to gain from two
    chances = last_chances(problem, dates) if aware else None
    first = _pass(problem, dates, replace(params, time_limit=quick), aware, progress, began,
                  solver, chances)
    first_s = time.monotonic() - began
    best = first
    left = params.time_limit - first_s
    if left > 1.0 and quick < params.time_limit:
        second = _pass(problem, dates, replace(params, time_limit=left), aware, progress,
                       time.monotonic(), solver, chances)
        if _rank(second, problem) < _rank(first, problem):
            best = second
    plans, problems, made = best
    unassigned = _never_visited(problem, dates, plans, made)
    return HorizonPlan(start=problem.date, plans=tuple(plans), problems=tuple(problems),
                       unassigned=tuple(unassigned), aware=aware,
                       wall_s=round(time.monotonic() - began, 3),
                       first_plan_s=round(first_s, 3))


def _pass(problem, dates, params, aware, progress, began, solver=solve, chances=None):
    """Every day in order within ``params.time_limit`` from ``began``."""
    made: dict[str, list[dt.date]] = defaultdict(list)
    plans, problems = [], []
    for k, date in enumerate(dates):
        day_began = time.monotonic()
        share = max(0.5, (params.time_limit - (day_began - began)) / (len(dates) - k))
        advice = advise(problem, dates[k:], made, LP_SHARE * share) if aware else None
        day = day_problem(problem, date, dates[-1], made, aware, chances,
                          advice.served if advice is not None else None)
        if advice is not None:
            day = defer(day, advice.later, problem.policy.horizon.defer_weight)
        # The day assignment's time comes out of the day's share: the last day's would
        # otherwise run past the horizon's time limit.
        search = max(0.5, share - (time.monotonic() - day_began))
        plan = solver(day, replace(params, time_limit=search), progress=progress)
        for visit in plan.visits:
            made[visit.account_id].append(date)
        plans.append(plan)
        problems.append(day)
    return plans, problems, made


def advise(base: Problem, dates: list[dt.date], made: dict[str, list[dt.date]],
           time_limit: float | None = None) -> Assignment | None:
    """The day-assignment stage (:mod:`visitplan.dayassign`) on the days ``dates`` left,
    the visits ``made`` so far counted, each account at its own priority; None if its
    programme was not solved within ``time_limit`` seconds."""
    days = [day_problem(base, date, dates[-1], made, aware=False) for date in dates]
    return assign(days, base.policy.horizon.discount_per_day, time_limit)


def defer(day: Problem, later: frozenset[str], weight: float) -> Problem:
    """``day`` with the accounts ``later`` (placed on a later day by the day assignment)
    weighed at ``weight`` of their priority; never a must-visit."""
    if weight >= 1 or not later:
        return day
    accounts = tuple(a.model_copy(update={"priority": a.priority * weight})
                     if a.account_id in later and not a.must_visit else a
                     for a in day.accounts)
    return day.model_copy(update={"accounts": accounts})


def _rank(result, problem) -> tuple:
    """Smaller is better: more discounted priority served, then fewer due dates
    missed, then less travel."""
    plans, _, made = result
    due = [a for a in problem.accounts if a.due_date and a.due_date <= plans[-1].date]
    missed = sum(a.account_id not in made for a in due)
    discounted = served(plans, problem, problem.policy.horizon.discount_per_day)
    travel = sum(r.travel_s for p in plans for r in p.agent_routes)
    return -round(discounted, 6), missed, travel


def served(plans, base: Problem, discount: float = 0.0) -> float:
    """The input priority of the plans' visits, a visit on day k (from ``base.date``)
    counted at ``(1 - discount)^k``."""
    priority = {a.account_id: a.priority for a in base.accounts}
    return sum(priority[v.account_id] * (1 - discount) ** (p.date - base.date).days
               for p in plans for v in p.visits)


def last_chances(base: Problem, dates: list[dt.date]) -> dict[str, dt.date]:
    """Each account's last day of the horizon on which it can be visited at all: a day
    someone works, not a holiday, with a window of the account's inside the legal hours.
    An account home on weekdays only has its last chance on Friday of a week that ends on
    Saturday; one with no chance at all is not listed."""
    open_days = []
    for date in dates:
        day = base.model_copy(update={"date": date, "agents": _agents_on(base, date)})
        if day.working_agents() and not base.policy.is_holiday(date):
            open_days.append(day)
    chances = {}
    for account in base.accounts:
        last = next((d.date for d in reversed(open_days) if start_intervals(account, d)), None)
        if last is not None:
            chances[account.account_id] = last
    return chances


def day_problem(base: Problem, date: dt.date, last: dt.date,
                made: dict[str, list[dt.date]], aware: bool = True,
                chances: dict[str, dt.date] | None = None,
                served: frozenset[str] | None = None) -> Problem:
    """Day ``date`` of the horizon: who may be visited, by whom, weighed how.
    ``chances``: each account's last day that can take it (:func:`last_chances`), which
    weighs like a due date when it comes before the horizon's last day. ``served``: the
    accounts the day assignment visits in the days left; when given, only these weigh
    more for a due date or a last chance."""
    rules = base.policy.horizon
    accounts = []
    for account in base.accounts:
        done = made.get(account.account_id, [])
        if len(done) >= rules.max_visits_per_account:
            continue
        if account.earliest_date and date < account.earliest_date:
            continue
        if account.due_date and date > account.due_date:
            continue
        urgent = aware and (served is None or account.account_id in served)
        chance = (chances or {}).get(account.account_id)
        accounts.append(_on(account, date, last, done, urgent, rules.due_boost,
                            rules.due_must_visit, chance if chance and chance < last else None))
    return base.model_copy(update={"date": date, "accounts": tuple(accounts),
                                   "agents": _agents_on(base, date)})


def _agents_on(base: Problem, date: dt.date) -> tuple:
    """The agents not off on ``date`` (``off_dates``); their shifts say who works."""
    return tuple(a for a in base.agents if date not in a.off_dates)


def _on(account: Account, date: dt.date, last: dt.date, done: list[dt.date], aware: bool,
        boost: float, must: bool = True, chance: dt.date | None = None) -> Account:
    update: dict = {}
    if done:  # the horizon's own visits count like the history's
        latest = max(done)
        update["last_visit"] = max(latest, account.last_visit or latest)
        update["visits_7d"] = (account.visits_7d or 0) + sum((date - d).days < 7 for d in done)
        update["visits_30d"] = (account.visits_30d or 0) + sum((date - d).days < 30 for d in done)
    due = account.due_date
    if aware and due == date and must:
        update["must_visit"] = True
        due = None
    elif aware and chance is not None and date <= chance and (due is None or chance < due):
        due = chance  # its last chance weighs as a due date would (never must-visit)
    if aware and due is not None and due <= last:
        if due == date:
            update["priority"] = account.priority * (1 + 2 * boost)
        else:
            update["priority"] = account.priority * (1 + boost / ((due - date).days + 1))
    return account.model_copy(update=update) if update else account


def _never_visited(base: Problem, dates, plans, made) -> list[Unassigned]:
    """Each account visited on no day, once: the last day's reason, or why none applied;
    a due date inside the horizon that passed unvisited is MISSED_DUE_DATE."""
    last_reason: dict[str, Unassigned] = {}
    for plan in plans:
        for gone in plan.unassigned_accounts:
            last_reason[gone.account_id] = gone
    out = list(base.rejected)
    for account in base.accounts:
        key = account.account_id
        if key in made:
            continue
        why = last_reason.get(key)
        if why is None:  # on no day a candidate
            if account.earliest_date and account.earliest_date > dates[-1]:
                why = Unassigned(account_id=key, reason=Reason.NOT_YET,
                                 detail=f"earliest date {account.earliest_date} is after the "
                                 f"horizon ({dates[0]} to {dates[-1]})")
            else:
                why = Unassigned(account_id=key, reason=Reason.MISSED_DUE_DATE,
                                 detail=f"due {account.due_date}, before the horizon or "
                                 "between its earliest date and the horizon")
        if account.due_date is not None and account.due_date <= dates[-1] and \
                why.reason != Reason.MISSED_DUE_DATE:
            why = Unassigned(account_id=key, reason=Reason.MISSED_DUE_DATE,
                             detail=f"due {account.due_date}, not planned by then: "
                             f"{why.reason}: {why.detail}")
        out.append(why)
    return out
