"""One planning day, stage by stage.

::

    read      files / DataFrames -> a raw Problem           (io.read: read_csv, read_frames)
    enrich    + visit history, then priority scores        (enrich)
    screen    every compliance rule per account            (compliance.screen)
    solve     the search on the eligible accounts          (solver.solve)
    explain   a reason for every account not routed        (solver.reasons, inside solve)
    validate  an independent check from the raw inputs      (validate.validate)
    write     atomic plan directory, and record the run     (io.write.write_plan, history)
    report    map, timeline, summary page, route sheets     (report; report_plan_dir)

:func:`plan_day` runs solve -> write exactly as ``visitplan plan`` does;
:func:`plan_files` reads and enriches first. Each stage is also a plain
function to call alone in a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from .errors import InputError
from .history import HistoryStore, apply_history
from .io.read import as_policy, read_csv
from .io.target import check_target
from .io.write import write_plan
from .models import Problem
from .plan import Plan
from .report import plan_roads, read_plan, read_plan_dir, write_report
from .review import read_plan_routes, review
from .scoring import Scorer, apply_scores
from .solver import SearchParams, solve
from .validation import Violation, validate


def open_history(target: str | Path | HistoryStore, create: bool = False) -> HistoryStore:
    """An existing history (an SQLite file or an SQLAlchemy URL); with ``create``,
    a new one where there is none. A history that does not exist is an
    :class:`~visitplan.errors.InputError`, and nothing is created."""
    if isinstance(target, HistoryStore):
        return target
    return HistoryStore(target, create=create)


def travel_model(policy, travel=None, graph: str | Path | None = None,
                 matrix: str | Path | None = None, mode: str | None = None):
    """The travel model of a run: ``travel`` if it is one; a road network when
    ``travel == "road"`` (or the policy's ``[travel] model = "road"``), from ``graph``
    or the policy's; the user's pairs when ``"pairs"`` (``matrix``, or the policy's);
    ``None`` (straight lines) otherwise."""
    if travel is not None and not isinstance(travel, str):
        return travel
    settings = policy.travel
    kind = travel or ("pairs" if matrix else settings.model)
    if kind == "pairs":
        from .travel import Pairs
        source = matrix or settings.matrix
        if not source:
            raise InputError.single("--matrix", "pairs travel needs a file of pairs "
                                    "(--matrix, or [travel] matrix in policy.toml)")
        return Pairs.from_file(source)
    if kind != "road":
        if kind != "straight":
            raise InputError.single("--travel", "must be 'straight', 'road' or 'pairs', "
                                    f"not '{travel}'")
        return None
    graph = graph or settings.graph
    if not graph:
        raise InputError.single("--graph", "road travel needs a network file (--graph, or "
                                "[travel] graph in policy.toml)")
    from .roads import road_travel
    return road_travel(graph, mode or settings.mode)


def enrich(problem: Problem, history: str | Path | HistoryStore | None = None,
           scorer: Scorer | None = None) -> Problem:
    """What the raw problem does not say by itself: first the visit history
    (visits counted, promises due or broken, not-home streaks, continuity),
    then a priority for every account that has none (``scorer``, or the
    transparent score of :mod:`visitplan.scoring`)."""
    if history is not None:
        problem = apply_history(problem, open_history(history))
    return apply_scores(problem, scorer)


@dataclass(frozen=True)
class DayResult:
    """A planned day: the problem as planned, the plan, what the validator found,
    where the plan was written and the run id under which it was recorded."""

    problem: Problem
    plan: Plan
    violations: list[Violation]
    directory: Path | None = None
    run_id: str | None = None

    @property
    def dispatchable(self) -> bool:
        """A plan was found and it keeps every rule: safe to hand to the agents."""
        return self.plan.found_plan and not self.violations


def plan_day(problem: Problem, out: str | Path | None = None, *,
             history: str | Path | HistoryStore | None = None,
             params: SearchParams | None = None, progress: bool = False,
             by: str | None = None, cluster: str = "local", client=None,
             report: bool = False, **search) -> DayResult:
    """Solve, validate, write and record one day, as ``visitplan plan`` does.

    Parameters
    ----------
    problem
        A read and enriched problem (:func:`plan_files` does both from files).
    out
        Directory for the plan files; ``None`` writes nothing.
    history
        Where the run is recorded. Only a plan that was found and keeps every
        rule is recorded; one that is not is written undispatchable (see
        :func:`~visitplan.io.write.write_plan`).
    params, search
        Search settings (:class:`SearchParams`, or single settings such as
        ``time_limit=10``).
    by, cluster, client
        ``by="region"`` plans every region as its own day, as Dask tasks on
        ``client`` (a ``dask.distributed.Client``) or on ``cluster``
        (``"local"`` or a scheduler address); see :mod:`visitplan.batch`.
    report
        Also write ``report/`` (map, timeline, summary page, route sheets) inside
        the plan directory, as part of the same atomic write.
    """
    if out is not None:
        check_target(out)  # refuse a target that is not ours, or unwritable, before solving
    if by is None:
        plan = solve(problem, params, progress=progress, **search)  # screen, search, explain
    elif by == "region":
        from .batch import solve_regions
        params = params or SearchParams.from_policy(problem.policy)
        params = replace(params, **{k: v for k, v in search.items() if v is not None})
        plan = solve_regions(problem, params, client=client, cluster=cluster,
                             progress=progress)
    else:
        raise InputError.single("--by", f"can only be 'region', not '{by}'")
    violations = validate(problem, plan)                          # trusts nothing of the solver
    directory = write_plan(plan, out, problem, violations, report=report) \
        if out is not None else None
    run_id = None
    if history is not None and plan.visits and not violations:  # what goes out is recorded
        run_id = open_history(history).record_plan(plan)
    return DayResult(problem, plan, violations, directory, run_id)


def plan_files(accounts: str | Path, agents: str | Path, out: str | Path | None = None, *,
               policy=None, date=None, history: str | Path | HistoryStore | None = None,
               scorer: Scorer | None = None, priority_column: str | None = None,
               skip_bad_rows: bool = False, travel=None, graph: str | Path | None = None,
               matrix: str | Path | None = None,
               params: SearchParams | None = None, progress: bool = False,
               report: bool = False, **search) -> DayResult:
    """Read, enrich and plan a day from ``accounts.csv`` and ``agents.csv``:
    everything ``visitplan plan`` does, as one call. ``travel``: a travel model,
    ``"straight"`` or ``"road"`` (with ``graph``, or the policy's)."""
    store = open_history(history) if history is not None else None  # refuse before solving
    policy = as_policy(policy)
    problem = read_csv(accounts, agents, policy=policy, date=date, skip_bad_rows=skip_bad_rows,
                       travel=travel_model(policy, travel, graph, matrix),
                       priority_column=priority_column)
    problem = enrich(problem, store, scorer)
    return plan_day(problem, out, history=store, params=params, progress=progress,
                    report=report, **search)


def report_plan_dir(plan_dir: str | Path, out: str | Path, *,
                    history: str | Path | HistoryStore | None = None,
                    on_time_min: int = 30, personal: bool = False, tiles: bool = True,
                    roads: str | Path | bool | None = None) -> Path:
    """The report of a plan directory (``visitplan report``); with ``history``, a
    section on the plan against what happened (the outcomes imported for its day).

    ``roads``: a network file to draw legs along, ``None`` to use the plan's own
    (when it used road travel and the file is still there), ``False`` for straight legs.
    """
    if check_target(out) == Path(plan_dir).resolve() or \
            check_target(out).resolve() == Path(plan_dir).resolve():
        raise InputError.single(str(out), "is the plan directory itself; give the report "
                                "its own --out")
    plan, status, sheets = read_plan_dir(plan_dir)
    table = None
    if history is not None:
        date, routes = read_plan_routes(plan_dir)
        table = review(routes, open_history(history).outcomes_on(date), on_time_min)
    return write_report(plan, out, sheets=sheets if status.get("dispatchable") or
                        status.get("partial") else {}, status=status, review=table,
                        personal=personal, tiles=tiles, roads=plan_roads(plan, roads))


def recorded_travel(plan_dir: str | Path, policy):
    """The travel model a written plan was made with (``summary.json``), loaded again;
    ``None`` for straight lines. A road network or pairs file must be the same file."""
    import json

    try:
        record = json.loads((Path(plan_dir) / "summary.json").read_text(encoding="utf-8"))
        record = record.get("travel_model") or {}
    except (OSError, ValueError):
        return None
    if record.get("model") not in ("road", "pairs"):
        return None
    source = record.get("graph") or record.get("file")
    model = travel_model(policy, record["model"], record.get("graph"), record.get("file"),
                         record.get("mode"))
    if record.get("sha256") and model.digest != record["sha256"]:
        raise InputError.single(source, "the travel file changed since the plan was made; "
                                "give --travel (and --graph or --matrix) to check against it")
    return model


@dataclass(frozen=True)
class ReplanResult(DayResult):
    """A re-planned day: as :class:`DayResult`, plus what changed for whom."""

    changes: object = None    # DataFrame: the rows of changes.csv
    by_agent: object = None   # DataFrame: per agent, the changes counted


def replan_files(plan_dir: str | Path, accounts: str | Path, agents: str | Path,
                 events: str | Path, at: str, out: str | Path | None = None, *,
                 policy=None, history: str | Path | HistoryStore | None = None,
                 skip_bad_rows: bool = False, params: SearchParams | None = None,
                 progress: bool = False, report: bool = False, **search) -> ReplanResult:
    """Re-plan the rest of a day, as ``visitplan replan`` does.

    Reads the morning plan (``plan_dir``), the day's accounts and agents as they are
    now, and ``events.csv``; plans the rest of the day after ``at`` (``"HH:MM"``);
    validates it against the morning plan and the events; writes the whole day to
    ``out`` with ``changes.csv``. Bad input (an unknown event, agent or account, a time
    after ``at``) raises :class:`InputError` before anything is planned or written.
    """
    import datetime as dt

    from .io.events import read_events
    from .replan import per_agent, replan
    from .timeutil import parse_clock
    from .validation import validate_replan

    if out is not None:
        check_target(out)
    store = open_history(history) if history is not None else None
    morning = read_plan(plan_dir)  # the route sheets are not needed
    rules = as_policy(policy)
    try:
        when = dt.datetime.combine(morning.date, dt.time()) + \
            dt.timedelta(minutes=parse_clock(at))
    except ValueError:
        raise InputError.single("--at", "expected a time HH:MM") from None
    day = enrich(read_csv(accounts, agents, policy=rules, date=morning.date,
                          skip_bad_rows=skip_bad_rows, travel=recorded_travel(plan_dir, rules)),
                 store)
    happened = read_events(events, morning.date, when, {a.agent_id for a in day.agents},
                           {a.account_id for a in day.accounts})
    result = replan(day, morning, happened, when, params, progress=progress, **search)
    violations = validate_replan(day, morning, happened, when, result.plan, result.rest,
                                 result.rest_plan)
    table = result.changes
    by_agent = per_agent(table, morning, result.plan)
    directory = None
    if out is not None:
        directory = write_plan(
            result.plan, out, day, violations, report=report,
            extra_files={"changes.csv": _clock_columns(table, ("old_start", "new_start"))},
            extra_summary={"replan": {
                "at": when.strftime("%H:%M"), "morning_plan": str(plan_dir),
                "events": len(happened),
                "fixed_visits": sum(len(s.fixed) for s in result.states.values()),
                "agents": by_agent.to_dict("records"),
                "affected_agents": list(by_agent.loc[by_agent["affected"], "agent_id"])}})
    return ReplanResult(day, result.plan, violations, directory, None, changes=table,
                        by_agent=by_agent)


def _clock_columns(frame, columns):
    """Times as ``YYYY-MM-DDTHH:MM`` (empty where there is none), as in routes.csv."""
    from .plan import TIME_FORMAT

    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(lambda t: t.strftime(TIME_FORMAT)
                                          if t is not None and t == t else "")
    return frame


@dataclass(frozen=True)
class HorizonResult:
    """Several days planned: the first day's problem, the horizon plan, what the validator
    found, and where it was written."""

    problem: Problem
    horizon: object
    violations: list
    directory: Path | None = None

    @property
    def dispatchable(self) -> bool:
        return all(p.found_plan for p in self.horizon.plans) and not self.violations


def plan_horizon_files(accounts: str | Path, agents: str | Path, out: str | Path | None,
                       days: int, *, policy=None, date=None, history=None,
                       scorer: Scorer | None = None, priority_column: str | None = None,
                       skip_bad_rows: bool = False, travel=None,
                       graph: str | Path | None = None, matrix: str | Path | None = None,
                       params: SearchParams | None = None, progress: bool = False,
                       aware: bool = True, report: bool = False, by: str | None = None,
                       cluster: str = "local", client=None, **search) -> HorizonResult:
    """``visitplan plan --days N``: read, enrich, plan the days, validate, write
    (``report``: each day's report in ``days/<date>/report/``; ``by="region"``: every
    day's regions planned as Dask tasks, as :func:`plan_day` does for one day)."""
    from .horizon import plan_horizon
    from .io.write import write_horizon
    from .validation import validate_horizon

    if out is not None:
        check_target(out)
    store = open_history(history) if history is not None else None
    policy = as_policy(policy)
    problem = read_csv(accounts, agents, policy=policy, date=date, skip_bad_rows=skip_bad_rows,
                       travel=travel_model(policy, travel, graph, matrix),
                       priority_column=priority_column)
    problem = enrich(problem, store, scorer)
    if by not in (None, "region"):
        raise InputError.single("--by", f"can only be 'region', not '{by}'")
    if by is None:
        horizon = plan_horizon(problem, days, params, aware=aware, progress=progress, **search)
    else:
        from .batch import dask_client, solve_regions
        with dask_client(cluster, client) as tasks:
            horizon = plan_horizon(problem, days, params, aware=aware, progress=progress,
                                   solver=partial(solve_regions, client=tasks), **search)
    violations = validate_horizon(problem, horizon)
    directory = write_horizon(horizon, out, problem, violations, report) \
        if out is not None else None
    return HorizonResult(problem, horizon, violations, directory)


def validate_horizon_dir(problem: Problem, plan_dir: str | Path) -> list:
    """Check a written horizon (``plan --days N``) against its inputs: each day from its
    ``days/<date>/plan.json``, the days rebuilt from the raw inputs, and the accounts
    visited on no day from ``unassigned.csv``."""
    import json

    import pandas as pd

    from .horizon import HorizonPlan, day_problem
    from .io.csvsafe import restore
    from .plan import Unassigned
    from .validation import validate_horizon

    plan_dir = Path(plan_dir)
    try:
        summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
        plans = [Plan.model_validate_json((d / "plan.json").read_text(encoding="utf-8"))
                 for d in sorted((plan_dir / "days").iterdir())]
        gone = restore(pd.read_csv(plan_dir / "unassigned.csv", dtype=str,
                                   keep_default_na=False))
    except (OSError, ValueError) as exc:
        raise InputError.single(str(plan_dir), "is not a readable horizon plan "
                                f"({type(exc).__name__})") from None
    aware = summary.get("method") != "rolling daily"
    made: dict = {}
    problems = []
    for plan in plans:
        problems.append(day_problem(problem, plan.date, plans[-1].date, made, aware))
        for visit in plan.visits:
            made.setdefault(visit.account_id, []).append(plan.date)
    unassigned = tuple(Unassigned(account_id=r.account_id, reason=r.reason, detail=r.detail)
                       for r in gone.itertuples(index=False))
    horizon = HorizonPlan(start=plans[0].date, plans=tuple(plans), problems=tuple(problems),
                          unassigned=unassigned, aware=aware)
    return validate_horizon(problem, horizon)
