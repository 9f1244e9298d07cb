"""Re-plan the rest of a day from what happened since the morning plan.

The rules (``visitplan replan``; README *Re-planning during the day*):

- Visits with a ``done`` or ``in_progress`` event stay, with their agent, at the
  times the events give. A planned visit that starts before ``--at`` and that no
  event contradicts is taken as done as planned (a dispatcher reports only what
  went differently); after a ``late`` event its agent's later visits run that
  many minutes behind, and after a visit reported to end late the next ones
  start when the agent can be there. One pushed to ``--at`` or later has not
  happened and is planned again.
- Nothing else is scheduled before ``--at``. Each agent starts again from the
  latest ``position`` reported after their last visit (or that visit's place, or
  their start) when they are free: at ``--at``, when the current visit ends, or
  when the delay is over.
- An agent who is ``agent_off`` gets nothing more (a pair stops with its lead, and
  goes on as its lead alone when the partner stops); their remaining accounts go
  back to the pool, with everyone else's not yet visited, plus the ``add``ed
  accounts. A ``cancel``led account leaves today (``CANCELLED``).
- The rest of the day is planned with every daily rule (windows, legal hours,
  shift ends, breaks not yet taken, caps less the visits made, skills, pairs),
  preferring to keep each visit with its morning agent: moving one costs
  ``[replan] move_minutes`` of travel.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .errors import InputError
from .io.events import Event
from .models import Agent, Problem
from .plan import Break, Plan, Reason, Route, SolverStats, Unassigned, Visit
from .solver import SearchParams, solve
from .timeutil import WEEKDAYS, format_clock
from .travel import Matrix, Pairs, end_key, profile, start_key

CHANGE_COLUMNS = ["agent_id", "account_id", "change", "old_start", "new_start",
                  "old_agent_id", "new_agent_id"]
CHANGES = ("added", "removed", "moved_to_other_agent", "retimed")


@dataclass
class AgentState:
    """Where an agent stands at ``--at``: the visits that stay, and when and where
    they can go on."""

    agent_id: str
    fixed: list[Visit] = field(default_factory=list)
    free_at: dt.datetime | None = None
    place: tuple[float, float] | None = None
    off_at: dt.datetime | None = None
    break_taken: Break | None = None
    late_at: dt.datetime | None = None
    late_min: float = 0.0
    break_lost: bool = False  # the break not taken can no longer start in its window


@dataclass(frozen=True)
class Replan:
    """A re-planned day: the whole day's plan, the rest-of-day problem and plan it came
    from, what changed for whom, and the states the rest started from."""

    plan: Plan
    rest: Problem
    rest_plan: Plan
    changes: pd.DataFrame
    states: dict[str, AgentState]
    at: dt.datetime
    events: tuple[Event, ...]


def crews(morning: Plan, day: Problem) -> dict[str, str]:
    """agent_id -> the agent whose route they are on (a pair's partner -> its lead)."""
    lead = {a.agent_id: a.agent_id for a in day.agents}
    for route in morning.agent_routes:
        if route.partner_id:
            lead[route.partner_id] = route.agent_id
    for agent in day.agents:
        if agent.pair_with and agent.pair_with in lead and agent.agent_id not in {
                r.agent_id for r in morning.agent_routes}:
            lead[agent.agent_id] = lead.get(agent.pair_with, agent.pair_with)
    return lead


def replan(day: Problem, morning: Plan, events: list[Event], at: dt.datetime,
           params: SearchParams | None = None, progress: bool = False,
           **search) -> Replan:
    """Plan the rest of the day after ``at``; see the module's rules.

    Parameters
    ----------
    day
        The day's accounts and agents as read now (``ACCOUNTS``, ``AGENTS``), enriched.
    morning
        The plan being re-planned (``plan.json`` of its directory).
    events
        What happened (:func:`visitplan.io.events.read_events`), none after ``at``.
    """
    if morning.date != day.date:
        raise InputError.single("--at", f"the plan is for {morning.date}, the inputs for "
                                f"{day.date}")
    if isinstance(day.travel, (Matrix, Pairs)):
        raise InputError.single("travel", "a re-plan needs travel by coordinates (straight "
                                "or road): agents go on from where they are, which has no id")
    lead = crews(morning, day)
    events = sorted(events, key=lambda e: e.time)
    cancelled = {e.account_id: e.time for e in events if e.event == "cancel"}
    states = _states(day, morning, events, at, lead, cancelled)
    rest, outside = _rest_problem(day, morning, events, states, cancelled, lead, at)
    if params is None:
        params = SearchParams.from_policy(day.policy,
                                          time_limit=day.policy.replan.time_limit_s)
    params = replace(params, **{k: v for k, v in search.items() if v is not None})
    open_ids, working = {a.account_id for a in rest.accounts}, {g.agent_id for g in rest.agents}
    orphans = tuple(v.account_id for v in morning.visits
                    if v.account_id in open_ids and v.agent_id not in working) + \
        tuple(e.account_id for e in events if e.event == "add")
    params = replace(params, start_from=_still_planned(morning, states, rest), place=orphans)
    rest_plan = solve(rest, params, progress=progress)
    plan = _merge(day, morning, rest, rest_plan, states, cancelled, outside)
    return Replan(plan=plan, rest=rest, rest_plan=rest_plan,
                  changes=changes(morning, plan, day.policy.replan.retime_minutes),
                  states=states, at=at, events=tuple(events))


# -- where every agent stands -----------------------------------------------------------

def _states(day, morning, events, at, lead, cancelled) -> dict[str, AgentState]:
    states = {g.agent_id: AgentState(g.agent_id) for g in day.agents if lead[g.agent_id] ==
              g.agent_id}
    planned = {v.account_id: v for v in morning.visits}
    reported: dict[str, Visit] = {}
    for e in events:
        crew = lead.get(e.agent_id) if e.agent_id else None
        state = states.get(crew) if crew else None
        if e.event in ("done", "in_progress"):
            if e.account_id in cancelled:
                raise InputError.single("events", "a cancelled account cannot be visited",
                                        e.row, "account_id")
            reported[e.account_id] = _reported_visit(day, e, crew, planned.get(e.account_id),
                                                     reported.get(e.account_id))
        elif e.event == "agent_off" and state.off_at is None and e.agent_id == crew:
            state.off_at = e.time  # a pair stops with its lead; without its partner it goes on
        elif e.event == "late":
            state.late_at = state.late_at or e.time
            state.late_min += e.minutes
    _no_overlap(reported, events)
    for visit in reported.values():
        states[visit.agent_id].fixed.append(visit)
    for route in morning.agent_routes:
        state = states.get(route.agent_id)
        if state is None:
            continue
        for visit in route.visits:
            if visit.account_id in reported or visit.account_id in cancelled:
                continue
            moved = _late(state, visit)
            if moved.start < at and (state.off_at is None or moved.start < state.off_at):
                state.fixed.append(moved)  # done as planned: nothing said otherwise
    for state in states.values():
        state.fixed.sort(key=lambda v: v.start)
        state.fixed = _after_overruns(state.fixed, set(reported), at, state.off_at)
        _position(day, morning, events, at, state, lead)
    return states


def _after_overruns(visits: list[Visit], reported: set[str], at: dt.datetime,
                    off_at: dt.datetime | None) -> list[Visit]:
    """Visits done as planned start no earlier than the previous visit's end plus the
    planned leg: a visit reported to end late pushes the next ones. One pushed to
    ``at`` or later (or past the agent's stop), or that overlaps a visit reported for
    the agent, has not happened: it is planned again."""
    told = [v for v in visits if v.account_id in reported]
    kept: list[Visit] = []
    for visit in visits:
        if visit.account_id not in reported:
            if kept:
                ready = kept[-1].end + dt.timedelta(minutes=math.ceil(visit.travel_s / 60))
                if visit.start < ready:
                    shift = ready - visit.start
                    visit = visit.model_copy(update={"arrival": visit.arrival + shift,
                                                     "start": ready, "end": visit.end + shift})
            if visit.start >= at or (off_at is not None and visit.start >= off_at) or \
                    any(r.start < visit.end and visit.start < r.end for r in told):
                continue  # not done: too late now, or the agent was at another door then
        kept.append(visit)
    return kept


def _no_overlap(reported: dict[str, Visit], events: list[Event]) -> None:
    """Two visits reported for one agent at overlapping times cannot both be true."""
    row = {e.account_id: e.row for e in events if e.event in ("done", "in_progress")}
    by_agent: dict[str, list[Visit]] = {}
    for visit in reported.values():
        by_agent.setdefault(visit.agent_id, []).append(visit)
    for visits in by_agent.values():
        visits.sort(key=lambda v: v.start)
        for a, b in zip(visits, visits[1:]):
            if b.start < a.end:
                raise InputError.single(
                    "events", f"agent {a.agent_id} is reported at two visits at once "
                    f"({a.account_id} until {a.end:%H:%M}, {b.account_id} from "
                    f"{b.start:%H:%M}; rows {row[a.account_id]} and {row[b.account_id]})",
                    row[b.account_id], "time")


def _reported_visit(day, e: Event, crew: str, planned: Visit | None,
                    earlier: Visit | None) -> Visit:
    """The visit a ``done`` or ``in_progress`` event reports."""
    service = dt.timedelta(minutes=day.to_minutes(day.account(e.account_id).service_min))
    same = planned if planned is not None and planned.agent_id == crew else None
    if e.event == "in_progress":
        start, end = e.time, e.time + service
    else:
        started = earlier.start if earlier is not None and earlier.agent_id == crew else \
            same.start if same is not None and same.start <= e.time else e.time - service
        start, end = started, e.time
    return Visit(date=day.date, agent_id=crew, seq=0, account_id=e.account_id,
                 arrival=min(start, same.arrival) if same else start, start=start, end=end,
                 travel_s=same.travel_s if same else 0, travel_m=same.travel_m if same else 0,
                 priority=day.account(e.account_id).priority,
                 partner_id=same.partner_id if same else None)


def _late(state: AgentState, visit: Visit) -> Visit:
    """A planned visit moved by the agent's delay, if it comes after the delay began."""
    if state.late_at is None or visit.start < state.late_at:
        return visit
    shift = dt.timedelta(minutes=state.late_min)
    return visit.model_copy(update={"arrival": visit.arrival + shift,
                                    "start": visit.start + shift, "end": visit.end + shift})


def _position(day, morning, events, at, state: AgentState, lead) -> None:
    """When and where the agent can go on, and whether the break was taken."""
    agent = next(a for a in day.agents if a.agent_id == state.agent_id)
    last = state.fixed[-1] if state.fixed else None
    shift_start = day.clock(agent.shift_start)
    # Free from the end of the last visit: one who finished just before --at may already be
    # on the way (no visit starts before --at; the rest problem's legal hours say so).
    route = next((r for r in morning.agent_routes if r.agent_id == state.agent_id), None)
    if last is not None:
        free = max(shift_start, last.end)
    else:  # one whose day began before --at is on the way to the first stop
        free = max(shift_start, min(at, route.depart) if route else at)
    if state.late_at is not None:
        free = max(free, state.late_at + dt.timedelta(minutes=state.late_min))
    if last is not None:
        site = day.account(last.account_id)
        state.place = (site.lat, site.lon)
    else:
        state.place = (agent.start_lat, agent.start_lon)
    for e in events:
        if e.event == "position" and lead.get(e.agent_id) == state.agent_id and \
                (last is None or e.time >= last.start):
            state.place = (e.lat, e.lon)
            free = max(free, e.time)
    state.free_at = free
    for brk in route.breaks if route else ():
        start = brk.start
        if state.late_at is not None and start >= state.late_at:
            start += dt.timedelta(minutes=state.late_min)
        if start < free:
            state.break_taken = Break(start=start, end=start + (brk.end - brk.start))


# -- the rest of the day as a problem ------------------------------------------------------

def _rest_problem(day, morning, events, states, cancelled, lead, at):
    """The accounts still to visit and the agents still working, from where they are."""
    fixed = {v.account_id for s in states.values() for v in s.fixed}
    known = {v.account_id for v in morning.visits} | \
        {u.account_id for u in morning.unassigned_accounts}
    added = {e.account_id for e in events if e.event == "add"}
    morning_agent = {v.account_id: v.agent_id for v in morning.visits}
    move = day.policy.replan.move_minutes
    working = {g for g, s in states.items() if s.off_at is None}
    accounts, outside = [], []
    for account in day.accounts:
        key = account.account_id
        if key in fixed or key in cancelled:
            continue
        if key not in known and key not in added:
            outside.append(key)
            continue
        keeper = morning_agent.get(key)
        if keeper in working:  # keep it with its morning agent unless moving pays
            account = account.model_copy(update={"preferred_agent": keeper,
                                                 "preference_min": move})
        elif account.preferred_agent and lead.get(account.preferred_agent) not in working:
            # the borrower's agent stopped for the day: no preference left to keep
            account = account.model_copy(update={"preferred_agent": None})
        accounts.append(account)
    stopped = {e.agent_id for e in events if e.event == "agent_off"}
    agents = []
    for agent in day.agents:
        state = states[lead[agent.agent_id]]
        if state.off_at is not None or agent.agent_id in stopped:
            continue
        rest = _rest_agent(day, agent, state, at)
        if rest is not None:
            agents.append(rest)
    agents = _whole_pairs(agents)
    return day.model_copy(update={"accounts": tuple(accounts), "agents": tuple(agents),
                                  "policy": _from(day.policy, day.weekday, at)}), outside


def _from(policy, weekday: int, at: dt.datetime):
    """The policy with today's legal visiting hours starting no earlier than ``at``:
    nothing new is planned in the past."""
    hours = policy.visiting_hours.hours_on(weekday)
    now = at.hour * 60 + at.minute + (at.second > 0)
    if hours is None:
        return policy
    start, end = max(hours[0], now), hours[1]
    today = "closed" if start >= end else f"{format_clock(start)}-{format_clock(end)}"
    visiting = policy.visiting_hours.model_copy(update={"weekdays": {
        **policy.visiting_hours.weekdays, WEEKDAYS[weekday]: today}})
    return policy.model_copy(update={"visiting_hours": visiting})


def _units_at(day: Problem, when: dt.datetime) -> int:
    minutes = (when - dt.datetime.combine(day.date, dt.time())).total_seconds() / 60
    return math.ceil(day.to_units(minutes))


def _rest_agent(day: Problem, agent: Agent, state: AgentState, at: dt.datetime) -> Agent | None:
    start = _units_at(day, state.free_at)
    if max(start, _units_at(day, at)) >= agent.shift_end:
        return None  # the shift is over
    rule = agent.break_rule if agent.break_applies() and state.break_taken is None else None
    if rule is not None:  # a break not taken yet starts now at the earliest
        earliest = max(rule.earliest, start, _units_at(day, at))
        state.break_lost = rule.latest < earliest
        rule = None if state.break_lost else rule.model_copy(update={"earliest": earliest})
    cap = agent.max_visits
    policy_cap = day.policy.max_visits_per_agent
    if policy_cap is not None:
        cap = policy_cap if cap is None else min(cap, policy_cap)
    made = len(state.fixed)
    load = sum(day.account(v.account_id).load for v in state.fixed)
    end = agent.end
    return agent.model_copy(update={
        "start_lat": state.place[0], "start_lon": state.place[1],
        "out_already": bool(state.fixed) or state.free_at > max(at, day.clock(agent.shift_start))
        or state.free_at < at,
        "end_lat": end[0], "end_lon": end[1], "shift_start": start, "break_rule": rule,
        "max_visits": None if cap is None else max(cap - made, 0),
        "capacity": None if agent.capacity is None else max(agent.capacity - load, 0)})


def _whole_pairs(agents: list[Agent]) -> list[Agent]:
    """A pair whose partner stopped works on alone (no two-agent visits)."""
    ids = {a.agent_id for a in agents}
    return [a if a.pair_with is None or a.pair_with in ids else
            a.model_copy(update={"pair_with": None}) for a in agents]


def _still_planned(morning: Plan, states, rest: Problem) -> tuple:
    """The morning's visits not yet made, per agent still working, in the morning's order:
    where the search starts, so that a small event moves few visits."""
    open_ids = {a.account_id for a in rest.accounts}
    working = {a.agent_id for a in rest.agents}
    return tuple((r.agent_id, tuple(v.account_id for v in r.visits
                                    if v.account_id in open_ids))
                 for r in morning.agent_routes if r.agent_id in working)


# -- the whole day again ------------------------------------------------------------------

def _merge(day, morning, rest, rest_plan, states, cancelled, outside) -> Plan:
    rest_routes = {r.agent_id: r for r in rest_plan.agent_routes}
    morning_routes = {r.agent_id: r for r in morning.agent_routes}
    routes = []
    for agent_id, state in states.items():
        later = rest_routes.get(agent_id)
        if not state.fixed and later is None:
            continue
        routes.append(_route(day, rest, agent_id, state, morning_routes.get(agent_id), later))
    unassigned = [u for u in rest_plan.unassigned_accounts]
    unassigned += [Unassigned(account_id=a, reason=Reason.CANCELLED,
                              detail=f"the borrower cancelled at {t:%H:%M}")
                   for a, t in cancelled.items()]
    unassigned += [Unassigned(account_id=a, reason=Reason.NOT_IN_PLAN,
                              detail="not in the morning plan and no 'add' event")
                   for a in outside]
    fixed = [v for s in states.values() for v in s.fixed]
    sites, bases = day.places()
    warnings = list(rest_plan.warnings)
    warnings += [f"agent {g}: the break was not taken and can no longer start in its window; "
                 "none is planned for the rest of the day" for g, st in states.items()
                 if st.break_lost]
    if outside:
        warnings.append(f"{len(outside)} account(s) of the accounts file are not in the "
                        "morning plan and were not added: NOT_IN_PLAN")
    return Plan(
        date=day.date, agent_routes=tuple(routes), unassigned_accounts=tuple(unassigned),
        stats=SolverStats(**{**rest_plan.stats.model_dump(), "status":
                             f"REPLAN_{rest_plan.stats.status}"}),
        accounts_in=len(day.accounts) + len(day.rejected),
        priority_available=rest_plan.priority_available + sum(v.priority for v in fixed),
        must_visit_ids=tuple(a.account_id for a in day.accounts if a.must_visit),
        working_agents=morning.working_agents,
        checks={**{k: v for k, v in morning.checks.items()}, **rest_plan.checks},
        notes=rest_plan.notes, warnings=tuple(warnings), travel=morning.travel,
        sites=sites, bases=bases)


def _route(day, rest, agent_id, state: AgentState, morning: Route | None,
           later: Route | None) -> Route:
    agent = next(a for a in day.agents if a.agent_id == agent_id)
    visits = list(state.fixed) + (list(later.visits) if later else [])
    visits = [v.model_copy(update={"seq": k, "agent_id": agent_id})
              for k, v in enumerate(visits, start=1)]
    breaks = ([state.break_taken] if state.break_taken else []) + \
        (list(later.breaks) if later else [])
    if later is not None:
        back, ret_s, ret_m = later.back, later.return_travel_s, later.return_travel_m
    elif state.off_at is not None:
        back, ret_s, ret_m = max(state.off_at, visits[-1].end), 0, 0
    else:
        ret_s, ret_m = _leg(day, agent, state.place, agent.end)
        back = max(state.free_at, visits[-1].end) + dt.timedelta(minutes=math.ceil(ret_s / 60))
    if morning is not None and (state.fixed or morning.depart < state.free_at):
        depart = morning.depart
    else:
        depart = later.depart if later is not None else visits[0].arrival
    return Route(date=day.date, agent_id=agent_id, depart=depart, back=back,
                 visits=tuple(visits), breaks=tuple(sorted(breaks, key=lambda b: b.start)),
                 return_travel_s=ret_s, return_travel_m=ret_m,
                 shift_minutes=day.to_minutes(agent.shift_end - agent.shift_start),
                 partner_id=later.partner_id if later is not None else
                 (morning.partner_id if morning else None))


def _leg(day: Problem, agent: Agent, a, b) -> tuple[int, int]:
    """Seconds and metres from ``a`` to ``b`` for this agent, by the day's travel model."""
    from .travel import default_model

    model = day.travel or default_model(day.policy)
    mode, speed = profile(agent, day.policy)
    seconds, metres = model.matrices([start_key(agent.agent_id), end_key(agent.agent_id)],
                                     np.array([a, b], dtype=float), speed, mode)
    return int(seconds[0, 1] * getattr(model, "unit_s", 1.0)), int(metres[0, 1])


# -- who must be told ----------------------------------------------------------------------

def changes(morning: Plan, new: Plan, retime_minutes: int = 10) -> pd.DataFrame:
    """``changes.csv``: one row per agent and account whose day changed.

    A visit moved from one agent to another gives two rows: ``moved_to_other_agent``
    for the agent who lost it, ``added`` for the one who got it. ``retimed``: same
    agent, a start at least ``retime_minutes`` earlier or later. Visits that stay
    as they were (or within those minutes) give no row.
    """
    tolerance = dt.timedelta(minutes=retime_minutes)
    before = {v.account_id: v for v in morning.visits}
    after = {v.account_id: v for v in new.visits}
    rows = []

    def row(agent_id, account_id, change, old, new_visit):
        rows.append({"agent_id": agent_id, "account_id": account_id, "change": change,
                     "old_start": old.start if old else None,
                     "new_start": new_visit.start if new_visit else None,
                     "old_agent_id": old.agent_id if old else "",
                     "new_agent_id": new_visit.agent_id if new_visit else ""})

    for account_id in sorted(set(before) | set(after)):
        old, now = before.get(account_id), after.get(account_id)
        if old is None:
            row(now.agent_id, account_id, "added", None, now)
        elif now is None:
            row(old.agent_id, account_id, "removed", old, None)
        elif old.agent_id != now.agent_id:
            row(old.agent_id, account_id, "moved_to_other_agent", old, now)
            row(now.agent_id, account_id, "added", old, now)
        elif abs(now.start - old.start) >= tolerance and now.start != old.start:
            row(now.agent_id, account_id, "retimed", old, now)
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return frame.sort_values(["agent_id", "change", "account_id"], kind="stable",
                             ignore_index=True)


def per_agent(changes_frame: pd.DataFrame, morning: Plan, new: Plan) -> pd.DataFrame:
    """Per agent: how many visits were added, removed, moved, retimed, and kept (same
    agent; the start moved less than ``retime_minutes``)."""
    agents = sorted({r.agent_id for r in morning.agent_routes} |
                    {r.agent_id for r in new.agent_routes})
    counts = Counter(zip(changes_frame["agent_id"], changes_frame["change"]))
    before = {v.account_id: v for v in morning.visits}
    told = set(zip(changes_frame["agent_id"], changes_frame["account_id"]))
    kept = Counter(v.agent_id for v in new.visits
                   if v.account_id in before and before[v.account_id].agent_id == v.agent_id
                   and (v.agent_id, v.account_id) not in told)
    rows = [{"agent_id": a, **{c: counts[(a, c)] for c in CHANGES}, "unchanged": kept[a]}
            for a in agents]
    frame = pd.DataFrame(rows, columns=["agent_id", *CHANGES, "unchanged"])
    frame["affected"] = frame[list(CHANGES)].sum(axis=1) > 0
    return frame


