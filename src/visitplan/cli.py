"""The ``visitplan`` command: a thin layer over the library (:mod:`visitplan.pipeline`).

Exit codes: 0 success, 1 the plan breaks a rule (validation), 2 bad input,
3 the search found no plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .demo import DEMO_DATE, write_example
from .errors import InputError
from .io.csvsafe import neutralise
from .io.read import as_policy, read_csv
from .models import Problem
from .pipeline import (DayResult, enrich, open_history, plan_files, recorded_travel,
                       replan_files, report_plan_dir, travel_model)
from .plan import Plan
from .validation import validate_files

EXIT_NO_PLAN = 3  # the search ended without a plan (1: a rule broken, 2: bad input)

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="Plan the day's field visits to borrowers with overdue loans.")


def _version(value: bool) -> None:
    if value:
        from . import __version__
        print(f"visitplan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Plan the day's field visits to borrowers with overdue loans."""
# soft_wrap: error lines stay whole in cron logs, whatever the terminal width.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DateOpt = Annotated[Optional[str], typer.Option("--date", help="Planning date YYYY-MM-DD "
                                                "(default: today in the policy's time zone).")]
PolicyOpt = Annotated[Optional[Path], typer.Option("--policy", help="policy.toml")]
OutOpt = Annotated[Path, typer.Option("--out", help="Directory for the plan files.")]
TimeOpt = Annotated[Optional[float], typer.Option("--time-limit", min=0.1,
                                                  help="Seconds for the whole solve.")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", min=0, help="Search seed.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
LimitOpt = Annotated[Optional[int], typer.Option(
    "--solution-limit", min=1, help="Stop after N solutions: exactly reproducible plans.")]
WorkersOpt = Annotated[Optional[int], typer.Option(
    "--workers", min=1, help="Parallel independent searches; the best plan is kept "
    "[default: the cores available, at most 4].")]
HistoryOpt = Annotated[Optional[str], typer.Option(
    "--history", help="Visit history: an SQLite file or an SQLAlchemy URL.")]
ScorerOpt = Annotated[Optional[str], typer.Option(
    "--scorer", help="module:function computing priorities from a DataFrame of accounts.")]
PriorityColumnOpt = Annotated[Optional[str], typer.Option(
    "--priority-column", help="Use this column of accounts.csv as the priority.")]
TravelOpt = Annotated[Optional[str], typer.Option(
    "--travel", help="'straight' (default) or 'road' (a road network, with --graph).")]
GraphOpt = Annotated[Optional[Path], typer.Option(
    "--graph", help="Road network for --travel road: .graphml, .osm or .osm.bz2.")]
MatrixOpt = Annotated[Optional[Path], typer.Option(
    "--matrix", help="Your own travel times: a CSV/Parquet of pairs from_id,to_id,seconds,"
                     "metres (--travel pairs).")]
SkipOpt = Annotated[bool, typer.Option("--skip-bad-rows", help="Report unusable account rows "
                                       "as unassigned (BAD_DATA/BAD_COORDINATES) instead of "
                                       "stopping.")]


def _scorer(spec: str | None):
    from .scoring import load_scorer
    try:
        return load_scorer(spec) if spec else None
    except (ValueError, ImportError, AttributeError) as exc:
        raise InputError.single("--scorer", str(exc)) from None


def _fail_input(error: InputError) -> None:
    err.print("[bold red]error:[/] bad input", highlight=False)
    err.print(error.render(), highlight=False, markup=False)
    raise typer.Exit(2)


def _finish(result: DayResult, quiet: bool) -> None:
    """Tell what happened, and exit with its code: 3 no plan, 1 a broken rule, 0 fine."""
    plan = result.plan
    if not quiet:
        _print_summary(plan, result.directory)
        if result.run_id:
            out.print(f"recorded as run {result.run_id} in the history", highlight=False)
    for line in plan.warnings:
        err.print(f"[yellow]warning:[/] {line}", highlight=False)
    if not plan.found_plan and not result.violations:
        failed = sum(u.reason == "SOLVER_FAILED" for u in plan.unassigned_accounts)
        if plan.visits:
            err.print(f"[bold red]error:[/] part of the search found no plan: {failed} "
                      "account(s) SOLVER_FAILED (see the warnings); the planned part's route "
                      'sheets are written and recorded, summary.json says "partial": true',
                      highlight=False)
        else:
            err.print("[bold red]error:[/] the search found no plan: nothing to dispatch "
                      "(every eligible account is SOLVER_FAILED; summary.json says "
                      '"dispatchable": false; not recorded)', highlight=False)
        raise typer.Exit(EXIT_NO_PLAN)
    if result.violations:
        err.print(f"[bold red]{len(result.violations)} rule(s) broken by the plan; it is "
                  'written undispatchable ("dispatchable": false, no route sheets) and '
                  "not recorded:[/]")
        for v in result.violations:
            err.print(f"  {v}", markup=False, highlight=False)
        raise typer.Exit(1)


def _print_summary(plan: Plan, out_dir: Path | None) -> None:
    kpis = plan.kpis
    table = Table(title=f"Plan for {kpis['date']}", title_justify="left")
    for column in ("agent", "visits", "travel km", "travel min", "utilisation", "out", "back"):
        table.add_column(column, justify="right" if column != "agent" else "left")
    for a in kpis["agents"]:
        table.add_row(a["agent_id"], str(a["visits"]), f"{a['travel_km']:.1f}",
                      f"{a['travel_min']:.0f}", f"{a['utilisation']:.0%}",
                      (a["depart"] or "")[-5:], (a["back"] or "")[-5:])
    out.print(table)
    acc, pri, solver = kpis["accounts"], kpis["priority"], kpis["solver"]
    out.print(f"accounts: {acc['in']} in, {acc['planned']} planned, {acc['unassigned']} "
              f"unassigned {acc['unassigned_by_reason']}", highlight=False)
    out.print(f"priority served: {pri['served']} of {pri['available']} "
              f"({pri['served_pct']}%); travel {kpis['travel']['km']} km", highlight=False)
    if kpis["must_visit_not_planned"]:
        out.print(f"[yellow]must-visit accounts not planned: "
                  f"{', '.join(kpis['must_visit_not_planned'])}[/]")
    for name, region in kpis.get("regions", {}).items():
        if "failed" in region:
            out.print(f"[red]region {name}: failed ({region['failed']}), "
                      f"{region['accounts']} accounts SOLVER_FAILED[/]", highlight=False)
        else:
            out.print(f"region {name}: {region['accounts']['in']} in, "
                      f"{region['accounts']['planned']} planned, "
                      f"{region['priority']['served_pct']}% priority", highlight=False)
    out.print(f"solver: {solver['status']}, {solver['solutions']} solutions, "
              f"{solver['wall_s']} s, seed {solver['seed']}; files in {out_dir}/",
              highlight=False)


@app.command()
def plan(accounts: Annotated[Path, typer.Argument(help="accounts.csv")],
         agents: Annotated[Path, typer.Argument(help="agents.csv")],
         date: DateOpt = None, out_dir: OutOpt = Path("plan"), policy: PolicyOpt = None,
         time_limit: TimeOpt = None, seed: SeedOpt = None, quiet: QuietOpt = False,
         skip_bad_rows: SkipOpt = False, solution_limit: LimitOpt = None,
         history: HistoryOpt = None, scorer: ScorerOpt = None,
         priority_column: PriorityColumnOpt = None, workers: WorkersOpt = None,
         by: Annotated[Optional[str], typer.Option(
             "--by", help="'region': plan every region (the region column) as its own day, "
                          "as Dask tasks.")] = None,
         cluster: Annotated[str, typer.Option(
             "--cluster", help="With --by: 'local' (a Dask LocalCluster here) or a scheduler "
                               "address such as tcp://scheduler:8786.")] = "local",
         travel: TravelOpt = None, graph: GraphOpt = None,
         matrix: MatrixOpt = None,
         report: Annotated[bool, typer.Option(
             "--report", help="Also write OUT/report/ (with --days: OUT/days/DATE/report/): "
                              "map, timeline, summary page and printable route sheets.")] = False,
         days: Annotated[int, typer.Option(
             "--days", min=1, max=31, help="Plan this many days from --date (due dates, "
                                           "earliest dates, off dates).")] = 1) -> None:
    """Plan the day: write routes, unassigned accounts, a summary, an audit log and one
    sheet per agent; with --history, read past outcomes and record the plan."""
    if days > 1:
        if history and not quiet:
            err.print("[yellow]note:[/] the history is read for the week; it records only "
                      "what goes out: plan each day again with --history when it is "
                      "dispatched", highlight=False)
        _plan_days(accounts, agents, out_dir, days, policy=policy, date=date,
                   history=history, scorer=_scorer(scorer), priority_column=priority_column,
                   skip_bad_rows=skip_bad_rows, progress=not quiet, time_limit=time_limit,
                   seed=seed, solution_limit=solution_limit, workers=workers,
                   travel=travel, graph=graph, matrix=matrix, quiet=quiet, by=by,
                   cluster=cluster, report=report)
        return
    try:
        result = plan_files(accounts, agents, out_dir, policy=policy, date=date,
                            history=history, scorer=_scorer(scorer),
                            priority_column=priority_column, skip_bad_rows=skip_bad_rows,
                            progress=not quiet, time_limit=time_limit, seed=seed,
                            solution_limit=solution_limit, workers=workers, by=by,
                            cluster=cluster, travel=travel, graph=graph, matrix=matrix,
                            report=report)
    except InputError as error:
        _fail_input(error)
    _finish(result, quiet)


def _plan_days(accounts, agents, out_dir, days, quiet, **options) -> None:
    """``plan --days N``: the horizon, its summary, and the exit code of a plan."""
    from .pipeline import plan_horizon_files
    try:
        result = plan_horizon_files(accounts, agents, out_dir, days, **options)
    except InputError as error:
        _fail_input(error)
    horizon = result.horizon
    if not quiet:
        for plan in horizon.plans:
            kpis = plan.kpis
            out.print(f"{plan.date}: {kpis['accounts']['planned']} visits, priority "
                      f"{kpis['priority']['served']}, {kpis['travel']['km']} km",
                      highlight=False)
        out.print(f"{days} days: {len(horizon.visits)} visits; "
                  f"{len(horizon.missed_due())} due date(s) missed; files in "
                  f"{result.directory}/", highlight=False)
    if not all(p.found_plan for p in horizon.plans):
        err.print("[bold red]error:[/] the search found no plan for a day", highlight=False)
        raise typer.Exit(EXIT_NO_PLAN)
    if result.violations:
        err.print(f"[bold red]{len(result.violations)} rule(s) broken by the plan:[/]")
        for v in result.violations[:50]:
            err.print(f"  {v}", markup=False, highlight=False)
        raise typer.Exit(1)


@app.command("validate")
def validate_cmd(accounts: Annotated[Path, typer.Argument(help="accounts.csv")],
                 agents: Annotated[Path, typer.Argument(help="agents.csv")],
                 plan_dir: Annotated[Path, typer.Argument(help="A plan directory.")],
                 date: DateOpt = None, policy: PolicyOpt = None,
                 quiet: QuietOpt = False, skip_bad_rows: SkipOpt = False,
                 history: HistoryOpt = None, travel: TravelOpt = None,
                 graph: GraphOpt = None, matrix: MatrixOpt = None) -> None:
    """Check a written plan against its inputs without trusting the solver (with the
    travel model the plan was made with, unless --travel says otherwise)."""
    try:
        store = open_history(history) if history else None
        date = date or _plan_date(plan_dir)
        rules = as_policy(policy)
        model = (travel_model(rules, travel, graph, matrix) if travel or matrix
                 else recorded_travel(plan_dir, rules))
        problem = enrich(read_csv(accounts, agents, policy=rules, date=date, travel=model,
                                  skip_bad_rows=skip_bad_rows), store)
    except InputError as error:
        _fail_input(error)
    if (plan_dir / "days").is_dir():  # a horizon: plan --days N
        from .pipeline import validate_horizon_dir
        try:
            violations = validate_horizon_dir(problem, plan_dir)
        except InputError as error:
            _fail_input(error)
    else:
        violations = validate_files(problem, plan_dir)
    if violations:
        err.print(f"[bold red]{len(violations)} violation(s):[/]")
        for v in violations:
            err.print(f"  {v}", markup=False, highlight=False)
        raise typer.Exit(1)
    if not quiet:
        out.print(f"plan in {plan_dir}/ is valid: every account accounted for, every rule kept.",
                  highlight=False)


def _plan_date(plan_dir: Path) -> str:
    summary = plan_dir / "summary.json"
    try:
        return json.loads(summary.read_text(encoding="utf-8"))["date"]
    except (OSError, ValueError, KeyError):
        raise InputError.single(str(summary), "cannot read the plan's date; give --date") from None


@app.command()
def demo(examples: Annotated[Path, typer.Option("--examples", help="Example data folder.")]
         = Path("examples"), out_dir: OutOpt = Path("plan"), time_limit: TimeOpt = None,
         seed: SeedOpt = None, quiet: QuietOpt = False, solution_limit: LimitOpt = None,
         workers: WorkersOpt = None) -> None:
    """Generate the example day if it is missing, and plan it."""
    paths = {n: examples / n for n in ("accounts.csv", "agents.csv", "policy.toml")}
    if not all(p.exists() for p in paths.values()):
        write_example(examples)
        if not quiet:
            err.print(f"wrote example data to {examples}/")
    try:
        result = plan_files(paths["accounts.csv"], paths["agents.csv"], out_dir,
                            policy=paths["policy.toml"], date=DEMO_DATE, progress=not quiet,
                            time_limit=time_limit, seed=seed, solution_limit=solution_limit,
                            workers=workers)
    except InputError as error:
        _fail_input(error)
    _finish(result, quiet)


@app.command()
def score(accounts: Annotated[Path, typer.Argument(help="accounts.csv")],
          policy: PolicyOpt = None, history: HistoryOpt = None, date: DateOpt = None,
          out_file: Annotated[Optional[Path], typer.Option("--out", help="scores.csv")] = None,
          top: Annotated[int, typer.Option("--top", min=1, help="Rows to print.")] = 20) -> None:
    """Score accounts: priority and what each term contributed."""
    from .io.read import as_date, as_policy, parse_accounts, read_table
    from .history import apply_history
    from .scoring import scores_frame
    try:
        store = open_history(history) if history else None
        rules = as_policy(policy)
        day = as_date(date, rules)
        found, _ = parse_accounts(read_table(accounts), str(accounts), rules, date=day)
        problem = Problem(accounts=tuple(found), agents=(), policy=rules, date=day)
        if store is not None:
            problem = apply_history(problem, store)
    except InputError as error:
        _fail_input(error)
    frame = scores_frame(problem)
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        neutralise(frame).to_csv(out_file, index=False)
        out.print(f"wrote {len(frame)} scores to {out_file}", highlight=False)
        return
    table = Table(title=f"Top {min(top, len(frame))} of {len(frame)} accounts, {problem.date}")
    for column in frame.columns:
        table.add_column(column, justify="left" if column == "account_id" else "right")
    for row in frame.head(top).itertuples(index=False):
        table.add_row(*(str(v) if isinstance(v, str) else f"{v:g}" for v in row))
    out.print(table)


outcomes_app = typer.Typer(help="Visit outcomes: feed what happened back into the history.")
app.add_typer(outcomes_app, name="outcomes")


@outcomes_app.command("import")
def outcomes_import(results: Annotated[Path, typer.Argument(help="outcomes CSV")],
                    history: Annotated[str, typer.Option("--history", help="SQLite file or URL")],
                    rejects: Annotated[Optional[Path], typer.Option(
                        "--rejects", help="Where bad rows go (default: <file>.rejects.csv)")]
                    = None, quiet: QuietOpt = False) -> None:
    """Import outcomes. Good rows are stored (twice-imported rows are skipped); bad rows
    go to a rejects file with their row number, and the exit code is then 1."""
    from .history import OUTCOMES
    from .io.outcomes import read_outcomes
    try:
        good, issues, bad = read_outcomes(results, OUTCOMES)
        store = open_history(history, create=True)
    except InputError as error:
        _fail_input(error)
    inserted, duplicates = store.add_outcomes(good)
    if not quiet:
        out.print(f"{inserted} outcome(s) imported, {duplicates} already present, "
                  f"{len(bad)} row(s) rejected", highlight=False)
    if len(bad):
        target = rejects or results.with_name(results.stem + ".rejects.csv")
        neutralise(bad).to_csv(target, index=False)
        for issue in issues:
            err.print(f"  {issue}", markup=False, highlight=False)
        err.print(f"rejected rows written to {target}", highlight=False)
        raise typer.Exit(1)


@app.command()
def geocode(accounts: Annotated[Path, typer.Argument(help="accounts.csv with an address column")],
            out_file: Annotated[Path, typer.Option("--out", help="geocoded.csv")],
            provider: Annotated[str, typer.Option(
                "--provider", help="nominatim, arcgis or google (key from "
                                   "GOOGLE_MAPS_API_KEY)")] = "nominatim",
            cache: Annotated[Optional[Path], typer.Option(
                "--cache", help="Cache file (default: geocode-cache.sqlite beside --out)")]
            = None,
            failed: Annotated[Optional[Path], typer.Option(
                "--failed", help="Rows that failed (default: <out>.failed.csv)")] = None,
            domain: Annotated[Optional[str], typer.Option(
                "--domain", help="A self-hosted Nominatim, e.g. nominatim.example.org")] = None,
            scheme: Annotated[str, typer.Option("--scheme", help="https or http")] = "https",
            min_delay: Annotated[Optional[float], typer.Option(
                "--min-delay", min=0, help="Seconds between requests (default: the "
                                           "provider's terms; 1 s for Nominatim)")] = None,
            force: Annotated[bool, typer.Option(
                "--force", help="Geocode rows that already have coordinates too.")] = False,
            quiet: QuietOpt = False) -> None:
    """Fill lat/lon from addresses (rate-limited, cached); failed rows go to their own file
    with the reason, and the exit code is then 1."""
    from .io.geocode import geocode_file
    try:
        report = geocode_file(accounts, out_file, provider, cache, failed, domain, scheme,
                              min_delay=min_delay, force=force)
    except InputError as error:
        _fail_input(error)
    if not quiet:
        out.print(f"{report.looked_up} looked up, {report.from_cache} from the cache, "
                  f"{report.kept} already placed, {len(report.failed)} failed; "
                  f"written to {out_file}", highlight=False)
    if report.failed:
        for item in report.failed[:50]:
            err.print(f"  row {item['row']} (account {item['account_id']}): {item['reason']}",
                      markup=False, highlight=False)
        err.print(f"failed rows written to {report.failed_file}", highlight=False)
        raise typer.Exit(1)


@app.command("review")
def review_cmd(plan_dir: Annotated[Path, typer.Argument(help="A plan directory.")],
               history: Annotated[str, typer.Option("--history", help="SQLite file or URL")],
               policy: PolicyOpt = None,
               out_file: Annotated[Path, typer.Option("--out", help="review.csv")]
               = Path("review.csv"), quiet: QuietOpt = False) -> None:
    """Plan against what happened that day: planned and done, by the planned agent, on time,
    not done, done but not planned; per agent and in total."""
    from .review import read_plan_routes, review
    try:
        rules = as_policy(policy)
        date, routes = read_plan_routes(plan_dir)
        outcomes = open_history(history).outcomes_on(date)
    except InputError as error:
        _fail_input(error)
    table = review(routes, outcomes, rules.review.on_time_min)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    neutralise(table).to_csv(out_file, index=False)
    if not quiet:
        shown = Table(title=f"Plan against what happened, {date}", title_justify="left")
        for column in table.columns:
            shown.add_column(column.replace("_", " "), justify="left" if column == "agent_id"
                             else "right")
        for values in table.itertuples(index=False):
            shown.add_row(*(str(v) for v in values))
        out.print(shown)
        out.print(f"written to {out_file}", highlight=False)


@app.command("replan")
def replan_cmd(plan_dir: Annotated[Path, typer.Argument(help="The plan being re-planned.")],
               accounts: Annotated[Path, typer.Argument(help="accounts.csv (as now)")],
               agents: Annotated[Path, typer.Argument(help="agents.csv")],
               at: Annotated[str, typer.Option("--at", help="Now, HH:MM: nothing new is "
                                               "planned before it.")],
               events: Annotated[Path, typer.Option("--events", help="events.csv: what "
                                                    "happened since the plan.")],
               out_dir: Annotated[Path, typer.Option("--out", help="Where the re-planned "
                                                     "day goes.")],
               policy: PolicyOpt = None, time_limit: TimeOpt = None, seed: SeedOpt = None,
               quiet: QuietOpt = False, skip_bad_rows: SkipOpt = False,
               solution_limit: LimitOpt = None, history: HistoryOpt = None,
               workers: WorkersOpt = None,
               report: Annotated[bool, typer.Option(
                   "--report", help="Also write OUT/report/.")] = False) -> None:
    """Re-plan the rest of the day from events (done, in_progress, late, position,
    agent_off, cancel, add): the whole day to --out, with changes.csv saying who must
    be told what."""
    try:
        result = replan_files(plan_dir, accounts, agents, events, at, out_dir, policy=policy,
                              history=history, skip_bad_rows=skip_bad_rows,
                              progress=not quiet, report=report, time_limit=time_limit,
                              seed=seed, solution_limit=solution_limit, workers=workers)
    except InputError as error:
        _fail_input(error)
    if not quiet:
        shown = Table(title=f"Changes after {at}", title_justify="left")
        for column in result.by_agent.columns[:-1]:
            shown.add_column(column.replace("_", " "),
                             justify="left" if column == "agent_id" else "right")
        for values in result.by_agent.itertuples(index=False):
            if values.affected:
                shown.add_row(*(str(v) for v in values[:-1]))
        out.print(shown)
        told = int(result.by_agent["affected"].sum())
        out.print(f"{told} agent(s) to tell; changes in {result.directory}/changes.csv",
                  highlight=False)
    _finish(result, quiet)


@app.command("report")
def report_cmd(plan_dir: Annotated[Path, typer.Argument(help="A plan directory.")],
               out_dir: Annotated[Path, typer.Option("--out", help="Report directory.")]
               = Path("report"),
               history: Annotated[Optional[str], typer.Option(
                   "--history", help="SQLite file or URL: add the plan against what "
                                     "happened (the outcomes imported for its day).")] = None,
               policy: PolicyOpt = None,
               with_personal_data: Annotated[bool, typer.Option(
                   "--with-personal-data", help="Show names, phones and addresses in the "
                                                "map's popups.")] = False,
               tiles: Annotated[bool, typer.Option(
                   "--tiles/--no-tiles", help="OpenStreetMap tiles behind the map (they "
                                              "need a network; the map works without).")]
               = True,
               roads: Annotated[Optional[Path], typer.Option(
                   "--roads", help="A road network file to draw legs along (default: the "
                                   "plan's own, when it used road travel).")] = None,
               quiet: QuietOpt = False) -> None:
    """Write a report people can look at: index.html (KPIs, map, timeline), map.html
    (works offline), timeline.png and a printable route sheet per agent."""
    try:
        rules = as_policy(policy)
        where = report_plan_dir(plan_dir, out_dir, history=history,
                                on_time_min=rules.review.on_time_min,
                                personal=with_personal_data, tiles=tiles, roads=roads)
    except InputError as error:
        _fail_input(error)
    if not quiet:
        out.print(f"report written to {where}/ (open index.html)", highlight=False)


graph_app = typer.Typer(help="Road networks for --travel road.")
app.add_typer(graph_app, name="graph")


@graph_app.command("fetch")
def graph_fetch(place: Annotated[str, typer.Argument(help='A place name, e.g. "Futian '
                                                     'District, Shenzhen".')],
                out_file: Annotated[Path, typer.Option("--out", help="city.graphml")],
                mode: Annotated[str, typer.Option("--mode", help="drive, bike or walk")]
                = "drive", quiet: QuietOpt = False) -> None:
    """Download a place's street network with osmnx (needs the internet) and save it as
    GraphML for --travel road. Planning itself never needs the network."""
    from .roads import fetch_graph
    try:
        saved = fetch_graph(place, mode, out_file)
    except InputError as error:
        _fail_input(error)
    if not quiet:
        out.print(f"saved the {mode} network of {place} to {saved}", highlight=False)


history_app = typer.Typer(help="The visit history database.")
app.add_typer(history_app, name="history")


@history_app.command("init")
def history_init(target: Annotated[str, typer.Argument(help="SQLite file or SQLAlchemy URL")],
                 quiet: QuietOpt = False) -> None:
    """Create a visit history (or upgrade an existing one to the current schema).

    plan, score and validate refuse a --history that does not exist, so that a
    mistyped path never becomes a new, empty history."""
    from .history.store import shown
    try:
        store = open_history(target, create=True)
    except InputError as error:
        _fail_input(error)
    if not quiet:
        out.print(f"history ready at {shown(store.url)} (schema version {store.version()})",
                  highlight=False)


