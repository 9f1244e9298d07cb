"""A national morning batch: every region planned as its own day, on a Dask cluster.

``solve_regions`` splits a problem by the ``region`` column (agents work only
in their region), submits one Dask task per region, largest first, and
merges the regions' plans into one plan for the whole batch. A region whose
task fails is reported (its accounts ``SOLVER_FAILED``, the error's class
named) while the others finish. Each region's search keeps its own time
limit; the batch waits as long as the regions need in turn on the workers
there are, and no longer.

The cluster is any Dask ``distributed`` scheduler: a ``Client`` the caller
already has, ``"local"`` (a ``LocalCluster`` on this machine, one process per
core) or a scheduler address such as ``"tcp://scheduler:8786"``.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace

from .errors import InputError
from .models import Problem
from .plan import Plan, Reason, SolverStats, Unassigned, summary
from .solver import SearchParams, solve

NO_REGION = "(no region)"


def split_regions(problem: Problem) -> dict[str, Problem]:
    """One problem per region, largest first; accounts and agents without a region
    form the region ``"(no region)"``. Accounts of a region without agents stay in
    it (they are reported ``NO_AGENT_WORKING``)."""
    agents = {a.agent_id: a for a in problem.agents}
    for agent in problem.agents:
        mate = agents.get(agent.pair_with) if agent.pair_with else None
        if mate is not None and mate.region != agent.region:
            raise InputError.single(problem.source.get("agents", "agents"),
                                    f"agent '{agent.agent_id}' pairs with '{mate.agent_id}' "
                                    "of another region", column="region")
    names = Counter(a.region or NO_REGION for a in problem.accounts)
    names.update({a.region or NO_REGION: 0 for a in problem.agents})
    out = {}
    for name, _ in sorted(names.items(), key=lambda item: (-item[1], item[0])):
        out[name] = problem.model_copy(update={
            "accounts": tuple(a for a in problem.accounts if (a.region or NO_REGION) == name),
            "agents": tuple(a for a in problem.agents if (a.region or NO_REGION) == name),
            "rejected": (), "notes": {k: v for k, v in problem.notes.items()}})
    return out


def solve_region(problem: Problem, params: SearchParams) -> Plan:
    """One region's day (a Dask task): one search process, the cluster gives the rest."""
    return solve(problem, replace(params, workers=1))


def solve_regions(problem: Problem, params: SearchParams | None = None, client=None,
                  cluster: str = "local", progress: bool = False) -> Plan:
    """Plan every region of ``problem`` as its own day, as Dask tasks; one merged plan.

    Parameters
    ----------
    problem
        The whole batch, read and enriched; accounts and agents carry ``region``.
    params
        Search settings of each region (``time_limit`` is per region).
    client
        A ``dask.distributed.Client`` to use; without it one is made for
        ``cluster`` (``"local"`` or a scheduler address) and closed after.
    """
    params = params or SearchParams.from_policy(problem.policy)
    regions = split_regions(problem)
    began = time.monotonic()
    with dask_client(cluster, client) as tasks:
        plans, failures = _run(tasks, regions, params, progress)
    return merge_plans(problem, regions, plans, failures, time.monotonic() - began, params)


@contextmanager
def dask_client(cluster: str = "local", client=None):
    """``client`` if given; else a client of ``cluster`` (``"local"`` or a scheduler
    address), closed (with its ``LocalCluster``) on the way out. Several days planned
    by region share one."""
    if client is not None:
        yield client
        return
    client = _client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster_obj = getattr(client, "_visitplan_cluster", None)
        if cluster_obj is not None:
            cluster_obj.close()


def _client(cluster: str):
    from distributed import Client, LocalCluster

    if cluster == "local":
        local = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=":0")
        client = Client(local)
        client._visitplan_cluster = local
        return client
    try:
        return Client(cluster, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError.single("--cluster", f"cannot reach the Dask scheduler at {cluster} "
                                f"({type(exc).__name__}); check the address and that the "
                                "scheduler runs") from None


def _run(client, regions: dict[str, Problem], params: SearchParams, progress: bool):
    """Submit the regions, largest first; collect plans and failures by region."""
    from distributed import as_completed

    futures = {}
    # Keys unique per call: a client planning several days (or passes) would otherwise
    # be handed the result of an earlier task with the same key, an earlier day's plan.
    batch = uuid.uuid4().hex[:12]
    for rank, (name, region) in enumerate(regions.items()):
        futures[client.submit(solve_region, region, params, pure=False,
                              priority=len(regions) - rank,
                              key=f"visitplan-region-{rank}-{batch}")] = name
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    rounds = math.ceil(len(regions) / workers)
    deadline = time.monotonic() + rounds * params.time_limit * 1.5 + 60
    plans, failures = {}, {}
    bar = _bar(len(regions)) if progress else None
    try:
        for future in as_completed(list(futures), timeout=max(1, deadline - time.monotonic())):
            name = futures[future]
            error = future.exception()
            if error is None:
                plans[name] = future.result()
            else:
                failures[name] = type(error).__name__
            if bar is not None:
                bar.advance(bar.task_ids[0])
    except TimeoutError:
        for future, name in futures.items():
            if name not in plans and name not in failures:
                future.cancel()
                failures[name] = "ran past the batch's deadline"
    finally:
        if bar is not None:
            bar.stop()
    return plans, failures


def _bar(total: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("regions", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    bar.add_task("regions", total=total)
    bar.start()
    return bar


def merge_plans(problem: Problem, regions: dict[str, Problem], plans: dict[str, Plan],
                failures: dict[str, str], wall: float, params: SearchParams) -> Plan:
    """One plan of the regions' plans; a failed region's accounts ``SOLVER_FAILED``."""
    routes, unassigned, checks, warnings = [], list(problem.rejected), {}, []
    per_region, stats = {}, Counter()
    for name, region in regions.items():
        plan = plans.get(name)
        if plan is None:
            detail = f"region {name}: its task failed ({failures.get(name, 'unknown')})"
            unassigned += [Unassigned(account_id=a.account_id, reason=Reason.SOLVER_FAILED,
                                      detail=detail) for a in region.accounts]
            warnings.append(detail)
            per_region[name] = {"failed": failures.get(name, "unknown"),
                                "accounts": len(region.accounts)}
            continue
        routes += plan.agent_routes
        unassigned += plan.unassigned_accounts
        checks.update(plan.checks)
        warnings += [f"region {name}: {w}" for w in plan.warnings]
        per_region[name] = summary(plan)
        stats["solutions"] += plan.stats.solutions
        stats["objective"] += plan.stats.objective or 0
        stats["region_seconds"] += plan.stats.wall_s
    firsts = [p.stats.first_solution_s for p in plans.values()]
    sites, bases = problem.places()
    return Plan(
        date=problem.date, agent_routes=tuple(routes), unassigned_accounts=tuple(unassigned),
        stats=SolverStats(status=f"REGIONS_{len(plans)}_OF_{len(regions)}_PLANNED",
                          objective=stats["objective"], seed=params.seed,
                          time_limit_s=params.time_limit, wall_s=round(wall, 3),
                          first_solution_s=max(firsts) if firsts and None not in firsts
                          and not failures else None,
                          solutions=stats["solutions"], parts=len(regions),
                          budget={"region_seconds": round(stats["region_seconds"], 3)}),
        accounts_in=len(problem.accounts) + len(problem.rejected),
        priority_available=sum(p.priority_available for p in plans.values()),
        must_visit_ids=tuple(a.account_id for a in problem.accounts if a.must_visit),
        working_agents=tuple(a for p in plans.values() for a in p.working_agents),
        checks=checks, notes=problem.notes, warnings=tuple(warnings), regions=per_region,
        sites=sites, bases=bases)
