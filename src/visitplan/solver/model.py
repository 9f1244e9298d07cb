"""Build the OR-Tools routing model for one day.

Every transit is registered as a matrix or a vector, never as a Python
callback, so the search runs in C++ without calling back into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp

from ..models import Account, Agent, Problem
from .data import SolverData, build_data

MAX_PENALTY = 2**52  # well inside int64 even when summed over many accounts


@dataclass
class RoutingModel:
    data: SolverData
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    breaks: dict[int, object] = field(default_factory=dict)  # vehicle -> interval var
    penalties: list[int] = field(default_factory=list)


def drop_penalties(data: SolverData, max_arc_cost: int) -> list[int]:
    """Penalty for leaving each account out, one per account.

    Proportional to priority. A ``must_visit`` account costs more than every
    other term of the objective can add up to: all the other accounts'
    penalties, every arc of the plan at its longest, and every visit made by
    someone other than the preferred agent. So dropping one never pays, and it
    is dropped only when no plan can include it. Only the *other* accounts
    count: summing the must-visit accounts' own priorities would inflate the
    objective for nothing.
    """
    weights = data.problem.policy.weights
    per_point = weights.priority_minutes * 60
    # A re-plan's visit (its own preference cost) left out also leaves its morning agent:
    # otherwise dropping it would be cheaper than giving it to someone else. (Not for
    # ordinary preferences: measured on the daily day, that cost 3 visits.)
    normal = [int(round(a.priority * per_point)) + (preference_seconds(data.problem, a)
                                                    if a.preference_min is not None else 0)
              for a in data.accounts]
    others = sum(p for a, p in zip(data.accounts, normal) if not a.must_visit)
    preference = sum(preference_seconds(data.problem, a) for a in data.accounts)
    must = min(MAX_PENALTY, others + (data.num_nodes + 1) * max_arc_cost + preference + 1)
    return [must if a.must_visit else p for a, p in zip(data.accounts, normal)]


def build(problem: Problem, accounts: list[Account], agents: list[Agent],
          seed: int) -> RoutingModel:
    """The numbers and the OR-Tools model of these accounts and agents."""
    return build_model(build_data(problem, accounts, agents, seed))


def build_model(data: SolverData) -> RoutingModel:
    num_vehicles = len(data.agents)
    starts = [data.start_node(v) for v in range(num_vehicles)]
    ends = [data.end_node(v) for v in range(num_vehicles)]
    manager = pywrapcp.RoutingIndexManager(data.num_nodes, num_vehicles, starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    time_dim = _add_travel(data, routing)
    model = RoutingModel(data, manager, routing, time_dim)
    _add_time_windows(model)
    _add_breaks(model)
    _add_counts(model)
    _add_skills(model)
    _add_preferences(model)
    _add_drops(model)
    _add_finalizers(model)
    return model


def _add_finalizers(model: RoutingModel) -> None:
    """Leave as late and come back as early as the plan allows: no idle hour at the first door."""
    routing, time_dim = model.routing, model.time
    for v, agent in enumerate(model.data.agents):
        if not agent.out_already:
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))


def _add_travel(data: SolverData, routing) -> pywrapcp.RoutingDimension:
    """Arc costs are travel seconds; the time dimension counts travel plus service, in ticks."""
    service = data.service_ticks()
    cost_index, time_index = {}, {}
    for speed in data.seconds:
        cost_index[speed] = routing.RegisterTransitMatrix(data.seconds[speed].tolist())
        transit = data.travel_ticks(speed) + service[:, None]
        time_index[speed] = routing.RegisterTransitMatrix(transit.tolist())
    for v, speed in enumerate(data.speeds):
        routing.SetArcCostEvaluatorOfVehicle(cost_index[speed], v)
    horizon = data.problem.day_units
    routing.AddDimensionWithVehicleTransits(
        [time_index[s] for s in data.speeds], horizon, horizon, False, "time")
    return routing.GetDimensionOrDie("time")


def _add_time_windows(model: RoutingModel) -> None:
    data, routing, manager, time_dim = model.data, model.routing, model.manager, model.time
    for node, (low, high) in enumerate(data.windows):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(low, high)
    for v, agent in enumerate(data.agents):
        low, high = agent.shift_start, agent.shift_end
        time_dim.CumulVar(routing.Start(v)).SetRange(low, low if agent.out_already else high)
        time_dim.CumulVar(routing.End(v)).SetRange(low, high)


def _add_breaks(model: RoutingModel) -> None:
    data, routing, manager = model.data, model.routing, model.manager
    service = data.service_ticks()
    node_visit = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    solver = routing.solver()
    for v, agent in enumerate(data.agents):
        if not agent.break_applies():
            continue
        rule = agent.break_rule
        interval = solver.FixedDurationIntervalVar(
            rule.earliest, rule.latest, rule.duration,
            False, f"break:{v}")
        model.time.SetBreakIntervalsOfVehicle([interval], v, node_visit)
        routing.AddIntervalToAssignment(interval)  # a plan loaded from routes carries it
        model.breaks[v] = interval


def _add_counts(model: RoutingModel) -> None:
    """Visit cap and work-unit capacity per agent, as unary-vector dimensions."""
    data, routing = model.data, model.routing
    zeros = [0] * (2 * len(data.agents))
    for name, demands, caps in data.limits():
        index = routing.RegisterUnaryTransitVector(demands + zeros)
        routing.AddDimensionWithVehicleCapacity(index, 0, caps, True, name)


def _add_skills(model: RoutingModel) -> None:
    data, routing, manager = model.data, model.routing, model.manager
    # SetAllowedVehiclesForIndex does not take a Python list in recent wheels;
    # removing the barred vehicles from the vehicle variable is the same constraint.
    for node, owner in enumerate(data.owner):
        account = data.accounts[owner]
        barred = [v for v, agent in enumerate(data.agents) if not agent.can_serve(account)]
        if barred:
            routing.VehicleVar(manager.NodeToIndex(node)).RemoveValues(barred)


def preference_seconds(problem, account) -> int:
    """What a visit by someone other than the preferred agent costs, in seconds."""
    minutes = account.preference_min
    if minutes is None:
        minutes = problem.policy.weights.preferred_agent_minutes
    return int(round(minutes * 60)) if account.preferred_agent else 0


def _add_preferences(model: RoutingModel) -> None:
    """A soft preferred agent: each visit by another agent adds that account's cost.

    Modelled as a dimension whose per-vehicle unary transit is the account's
    cost (seconds) on the vehicles other than its preferred agent; its span
    cost coefficient is 1.
    """
    data, routing = model.data, model.routing
    ids = [a.agent_id for a in data.agents]
    costs = [preference_seconds(data.problem, data.accounts[a]) for a in data.owner]
    prefers = [data.accounts[a].preferred_agent for a in data.owner]
    if not any(c and p in ids for c, p in zip(costs, prefers)):
        return
    zeros = [0] * (2 * len(data.agents))
    evaluators = []
    for agent_id in ids:
        misses = [c if p in ids and p != agent_id else 0 for c, p in zip(costs, prefers)]
        evaluators.append(routing.RegisterUnaryTransitVector(misses + zeros))
    routing.AddDimensionWithVehicleTransits(evaluators, 0, sum(costs) + 1, True, "preference")
    routing.GetDimensionOrDie("preference").SetSpanCostCoefficientForAllVehicles(1)


def _add_drops(model: RoutingModel) -> None:
    data, routing, manager = model.data, model.routing, model.manager
    max_arc = int(max((m.max() for m in data.seconds.values()), default=0))
    model.penalties = drop_penalties(data, max_arc)
    for account, penalty in enumerate(model.penalties):
        nodes = [manager.NodeToIndex(node) for node in data.options(account)]
        routing.AddDisjunction(nodes, penalty, 1)  # at most one of its windows
