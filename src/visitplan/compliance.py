"""Screening before the solver: which accounts may lawfully be visited today.

Each rule is a small function that returns ``None`` (the account passes)
or an :class:`Unassigned` with the rule's reason and the values behind it.
Rules run in a fixed order and the first that fails is reported.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Account, Agent, Problem
from .plan import Reason, Unassigned
from .timeutil import WEEKDAYS, format_clock

Rule = Callable[[Account, Problem, list[Agent]], Unassigned | None]


def start_intervals(account: Account, problem: Problem) -> list[tuple[int, int]]:
    """Minutes at which a visit may *start* today: inside an availability window,
    and starting and ending inside the legal visiting hours."""
    hours = problem.policy.visiting_hours
    latest_start = hours.end_min - account.service_min
    intervals = []
    for start, end in account.windows_on(problem.weekday):
        low, high = max(start, hours.start_min), min(end, latest_start)
        if low <= high:
            intervals.append((low, high))
    return intervals


def _out(account: Account, reason: Reason, detail: str) -> Unassigned:
    return Unassigned(account_id=account.account_id, reason=reason, detail=detail)


def holiday(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    if problem.date in problem.policy.holidays:
        return _out(account, Reason.HOLIDAY, f"{problem.date} is a holiday in the policy")
    return None


def do_not_visit(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    if problem.policy.is_do_not_visit(account.status):
        return _out(account, Reason.DO_NOT_VISIT,
                    f"status '{account.status}' must not be visited")
    return None


def _days_since_last(account: Account, problem: Problem) -> int | None:
    if account.last_visit is None:
        return None
    return (problem.date - account.last_visit).days


def cool_down(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    days = _days_since_last(account, problem)
    needed = problem.policy.min_days_between_visits
    if days is not None and days < needed:
        return _out(account, Reason.COOL_DOWN,
                    f"last visit {account.last_visit} is {days} day(s) ago; "
                    f"the policy needs {needed}")
    return None


def recent_visits(account: Account, problem: Problem, window_days: int) -> int:
    """Visits counted in the last ``window_days``: the given count, and at least
    one when the last visit falls inside the window."""
    given = account.visits_7d if window_days == 7 else account.visits_30d
    days = _days_since_last(account, problem)
    implied = 1 if days is not None and 0 <= days < window_days else 0
    return max(given or 0, implied)


def visit_caps(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    policy = problem.policy
    for days, cap, reason in ((7, policy.max_visits_7d, Reason.VISIT_CAP_7D),
                              (30, policy.max_visits_30d, Reason.VISIT_CAP_30D)):
        count = recent_visits(account, problem, days)
        if count >= cap:
            return _out(account, reason,
                        f"{count} visit(s) in the last {days} days; the cap is {cap}")
    return None


def no_agent_working(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    if not agents:
        day = WEEKDAYS[problem.weekday].capitalize()
        return _out(account, Reason.NO_AGENT_WORKING, f"no agent works on {day}")
    return None


def window_today(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    if start_intervals(account, problem):
        return None
    hours = problem.policy.visiting_hours
    day = WEEKDAYS[problem.weekday].capitalize()
    windows = account.windows_on(problem.weekday)
    if not windows:
        detail = f"no availability window on {day}"
    else:
        shown = ", ".join(f"{format_clock(s)}-{format_clock(e)}" for s, e in windows)
        detail = (f"windows on {day} ({shown}) leave no {account.service_min}-minute visit "
                  f"inside the legal hours {hours.start}-{hours.end}")
    return _out(account, Reason.NO_WINDOW_TODAY, detail)


def skilled_agent(account: Account, problem: Problem, agents: list[Agent]) -> Unassigned | None:
    skilled = [a for a in agents if a.can_serve(account)]
    if not skilled:
        needed = ", ".join(sorted(account.skills))
        return _out(account, Reason.NO_SKILLED_AGENT,
                    f"no agent working today has the skills: {needed}")
    if all(a.capacity is not None and a.capacity < account.load for a in skilled):
        return _out(account, Reason.LOAD_EXCEEDS_CAPACITY,
                    f"load {account.load} exceeds the capacity of every skilled agent")
    return None


RULES: tuple[Rule, ...] = (holiday, do_not_visit, cool_down, visit_caps, no_agent_working,
                           window_today, skilled_agent)


def screen(problem: Problem) -> tuple[list[Account], list[Unassigned]]:
    """Split the problem's accounts into those the solver may plan and those
    that leave now, each with the first rule it fails."""
    agents = problem.working_agents()
    eligible, unassigned = [], []
    for account in problem.accounts:
        verdict = next((v for rule in RULES if (v := rule(account, problem, agents))), None)
        if verdict is None:
            eligible.append(account)
        else:
            unassigned.append(verdict)
    return eligible, unassigned
