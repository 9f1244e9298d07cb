"""Compliance: the rules that decide whether an account may lawfully be visited today.

:func:`prepare` turns policy rules into plain requirements the solver
understands (a senior agent for high-risk accounts, the per-agent daily
cap, two-agent visits). :func:`screen` then applies every rule to every
account and records each result, so that the audit log can say which
rules were applied with which values; the first rule that fails is the
account's reason.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Account, Agent, Problem
from .plan import Reason, RuleCheck, Unassigned
from .timeutil import WEEKDAYS, format_clock

PAIR_SKILL = "two-agent"  # carried by pair routes, needed by accounts flagged for a pair

Rule = Callable[[Account, Problem, list[Agent]], RuleCheck]


def prepare(problem: Problem) -> Problem:
    """Apply the policy's derived requirements; idempotent.

    - accounts whose risk is in ``senior_for_risks`` need ``senior_skill``, and so do
      accounts with broken promises when ``history.broken_promise_needs_senior``;
    - accounts whose risk is in ``pair_for_risks`` need a two-agent route;
    - every agent's visit cap is at most ``max_visits_per_agent``;
    - agents with ``pair_with`` become one route (see :func:`merge_pairs`).
    """
    policy = problem.policy
    accounts = []
    for account in problem.accounts:
        needs = set(account.skills)
        escalated = account.broken_promises and policy.history.broken_promise_needs_senior
        if account.risk in policy.senior_for_risks or escalated:
            needs.add(policy.senior_skill.lower())
        if account.risk in policy.pair_for_risks:
            needs.add(PAIR_SKILL)
        accounts.append(account if needs == account.skills
                        else account.model_copy(update={"skills": frozenset(needs)}))
    agents = [_capped(a, policy.max_visits_per_agent) for a in merge_pairs(problem.agents)]
    return problem.model_copy(update={"accounts": tuple(accounts), "agents": tuple(agents)})


def input_warnings(problem: Problem) -> list[str]:
    """What the inputs ask for that cannot be done, said instead of silently dropped
    (ids and clock times only). ``problem`` is prepared (pairs merged).

    - an agent's break whose window does not lie inside the shift: no break is
      planned for that agent (a part-time shift may legitimately skip lunch);
    - a ``preferred_agent`` who is not in the roster: the preference is ignored.
    """
    def clock(units: int) -> str:
        return format_clock(round(problem.to_minutes(units)))

    out = []
    for agent in problem.working_agents():
        rule = agent.break_rule
        if rule is not None and not agent.break_applies():
            out.append(f"agent {agent.agent_id}: the break {clock(rule.earliest)}-"
                       f"{clock(rule.latest)}/{rule.duration} does not fit inside the shift "
                       f"{clock(agent.shift_start)}-{clock(agent.shift_end)}; no break is "
                       "planned")
    roster = {a.agent_id for a in problem.agents} | {a.partner for a in problem.agents
                                                       if a.partner}
    unknown = [a.account_id for a in problem.accounts
               if a.preferred_agent and a.preferred_agent not in roster]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10
                                           else "")
        out.append(f"{len(unknown)} account(s) prefer an agent who is not in the roster "
                   f"({shown}); the preference is ignored")
    return out


def _capped(agent: Agent, cap: int | None) -> Agent:
    if cap is None or (agent.max_visits is not None and agent.max_visits <= cap):
        return agent
    return agent.model_copy(update={"max_visits": cap})


def merge_pairs(agents: tuple[Agent, ...]) -> list[Agent]:
    """Agents who work as a pair today travel as one route.

    The lead is the agent whose row names a partner in ``pair_with``; the
    route keeps the lead's id, start, end and break, works the overlap of
    both shifts, moves at the slower speed, and carries both agents' skills.
    """
    by_id = {a.agent_id: a for a in agents}
    partners = {a.pair_with for a in agents if a.pair_with}
    out = []
    for agent in agents:
        if agent.agent_id in partners and not agent.pair_with:
            continue  # merged into its lead
        if agent.pair_with and agent.partner is None:
            mate = by_id[agent.pair_with]
            speeds = [s for s in (agent.speed_kmh, mate.speed_kmh) if s]
            caps = [c for c in (agent.max_visits, mate.max_visits) if c is not None]
            loads = [c for c in (agent.capacity, mate.capacity) if c is not None]
            agent = agent.model_copy(update={
                "partner": mate.agent_id,
                "shift_start": max(agent.shift_start, mate.shift_start),
                "shift_end": min(agent.shift_end, mate.shift_end),
                "skills": agent.skills | mate.skills | {PAIR_SKILL},
                "speed_kmh": min(speeds) if speeds else None,
                "max_visits": min(caps) if caps else None,
                "capacity": min(loads) if loads else None,
                "days": agent.days & mate.days,
            })
        out.append(agent)
    return out


def start_intervals(account: Account, problem: Problem) -> list[tuple[int, int]]:
    """Minutes at which a visit may *start* today: inside an availability window,
    and starting and ending inside the legal visiting hours of the weekday."""
    hours = problem.policy.visiting_hours.hours_on(problem.weekday)
    if hours is None:
        return []
    hours = problem.to_units(hours[0]), problem.to_units(hours[1])
    latest_start = hours[1] - account.service_min
    intervals = []
    for start, end in account.windows_on(problem.weekday, problem.day_units):
        low, high = max(start, hours[0]), min(end, latest_start)
        if low <= high:
            intervals.append((low, high))
    return intervals


def _check(rule: str, failed: bool, detail: str, reason: Reason) -> RuleCheck:
    return RuleCheck(rule=rule, passed=not failed, detail=detail,
                     reason=reason if failed else None)


def holiday(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    hit = problem.policy.is_holiday(problem.date)
    return _check("holiday", hit, f"{problem.date} is {'' if hit else 'not '}a holiday",
                  Reason.HOLIDAY)


def visiting_day(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    hours = problem.policy.visiting_hours.hours_on(problem.weekday)
    day = WEEKDAYS[problem.weekday].capitalize()
    detail = (f"no visits allowed on {day}" if hours is None else
              f"legal hours on {day}: {format_clock(hours[0])}-{format_clock(hours[1])}")
    return _check("visiting_hours", hours is None, detail, Reason.CLOSED_DAY)


def do_not_visit(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    hit = problem.policy.is_do_not_visit(account.status)
    status = account.status or "none"
    return _check("do_not_visit", hit, f"status '{status}'"
                  + (" must not be visited" if hit else " is not on the do-not-visit list"),
                  Reason.DO_NOT_VISIT)


def workplace(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    hit = account.address_type == "workplace" and not problem.policy.allow_workplace_visits
    return _check("workplace", hit, "the address is a workplace and the policy forbids visits "
                  "there" if hit else f"address type '{account.address_type or 'home'}'",
                  Reason.WORKPLACE_ADDRESS)


def _days_since_last(account: Account, problem: Problem) -> int | None:
    if account.last_visit is None:
        return None
    return (problem.date - account.last_visit).days


def cool_down(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    days = _days_since_last(account, problem)
    needed = problem.policy.min_days_between_visits
    hit = days is not None and days < needed
    seen = "no earlier visit" if days is None else f"last visit {account.last_visit}, {days} day(s) ago"
    return _check("cool_down", hit, f"{seen}; the policy needs {needed}", Reason.COOL_DOWN)


def recent_visits(account: Account, problem: Problem, window_days: int) -> int:
    """Visits counted in the last ``window_days``: the given count, and at least
    one when the last visit falls inside the window."""
    given = account.visits_7d if window_days == 7 else account.visits_30d
    days = _days_since_last(account, problem)
    implied = 1 if days is not None and 0 <= days < window_days else 0
    return max(given or 0, implied)


def _cap(days: int, reason: Reason) -> Rule:
    """The rule for the policy's cap on visits in ``days`` days."""
    def rule(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
        count = recent_visits(account, problem, days)
        limit = getattr(problem.policy, f"max_visits_{days}d")
        return _check(f"visit_cap_{days}d", count >= limit,
                      f"{count} visit(s) in the last {days} days; the cap is {limit}", reason)
    return rule


def agent_working(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    day = WEEKDAYS[problem.weekday].capitalize()
    return _check("agent_working", not agents, f"{len(agents)} agent(s) work on {day}",
                  Reason.NO_AGENT_WORKING)


def window_today(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    day = WEEKDAYS[problem.weekday].capitalize()
    allowed = start_intervals(account, problem)
    windows = account.windows_on(problem.weekday, problem.day_units)
    shown = ", ".join(f"{format_clock(s)}-{format_clock(e)}" for s, e in windows)
    if allowed:
        starts = ", ".join(f"{format_clock(s)}-{format_clock(e)}" for s, e in allowed)
        return _check("window_today", False, f"visit may start {starts}", Reason.NO_WINDOW_TODAY)
    if not windows:
        return _check("window_today", True, f"no availability window on {day}",
                      Reason.NO_WINDOW_TODAY)
    return _check("window_today", True, f"windows on {day} ({shown}) leave no "
                  f"{account.service_min}-minute visit inside the legal hours",
                  Reason.NO_WINDOW_TODAY)


def skilled_agent(account: Account, problem: Problem, agents: list[Agent]) -> RuleCheck:
    if account.region and any(a.region for a in agents) and \
            not any(a.region == account.region for a in agents):
        day = WEEKDAYS[problem.weekday].capitalize()
        return _check("skilled_agent", True, f"no agent of region {account.region} works on "
                      f"{day}", Reason.NO_AGENT_WORKING)
    skilled = [a for a in agents if a.can_serve(account)]
    needed = ", ".join(sorted(account.skills)) or "none"
    if PAIR_SKILL in account.skills and not skilled:
        return _check("skilled_agent", True, "flagged for a two-agent visit and no pair of "
                      "agents works today with the skills: " + needed, Reason.NO_PAIR_AVAILABLE)
    if not skilled:
        return _check("skilled_agent", True, f"no agent working today has the skills: {needed}",
                      Reason.NO_SKILLED_AGENT)
    if all(a.capacity is not None and a.capacity < account.load for a in skilled):
        return _check("skilled_agent", True, f"load {account.load} exceeds the capacity of "
                      "every skilled agent", Reason.LOAD_EXCEEDS_CAPACITY)
    return _check("skilled_agent", False, f"{len(skilled)} agent(s) with skills: {needed}",
                  Reason.NO_SKILLED_AGENT)


RULES: tuple[Rule, ...] = (
    holiday, visiting_day, do_not_visit, workplace, cool_down,
    _cap(7, Reason.VISIT_CAP_7D), _cap(30, Reason.VISIT_CAP_30D),
    agent_working, window_today, skilled_agent,
)


def _cut_off(problem: Problem, agents: list[Agent]) -> dict[str, str] | None:
    """Accounts a road network leaves out of the agents' reach (``None``: no such model)."""
    model = problem.travel
    if not hasattr(model, "cut_off"):
        return None
    return model.cut_off([(a.account_id, a.lat, a.lon) for a in problem.accounts],
                         [((g.start_lat, g.start_lon), g.end, g.mode) for g in agents])


def screen(problem: Problem) -> tuple[list[Account], list[Unassigned], dict[str, tuple[RuleCheck, ...]]]:
    """Apply every rule to every account of a prepared problem.

    Returns the accounts the solver may plan, those that leave now (each
    with the first rule it fails) and, per account, every check made.
    """
    agents = problem.working_agents()
    cut = _cut_off(problem, agents)
    eligible, unassigned, checks = [], [], {}
    for account in problem.accounts:
        results = tuple(rule(account, problem, agents) for rule in RULES)
        if cut is not None:
            results += (_check("road_reachable", account.account_id in cut,
                               cut.get(account.account_id, "on the road network with the "
                                       "agents"), Reason.NOT_REACHABLE),)
        checks[account.account_id] = results
        failed = next((c for c in results if not c.passed), None)
        if failed is None:
            eligible.append(account)
        else:
            unassigned.append(Unassigned(account_id=account.account_id, reason=failed.reason,
                                         detail=failed.detail))
    return eligible, unassigned, checks
