"""The plain OR-Tools model a team would write first: the quality benchmark's baseline.

The same rules as ``visitplan`` (the accounts its compliance screen lets through, the same
travel matrices, shifts, breaks, visit caps, skills, service times, priorities as drop
penalties at the policy's ``priority_minutes``), modelled the textbook way:

- one node per account; its windows of the day as the time cumul's domain with holes
  (``SetRange`` to the first start and last end, ``RemoveInterval`` for each gap);
- an optional account is a disjunction with its priority as the penalty;
- PARALLEL_CHEAPEST_INSERTION for the first plan, then GUIDED_LOCAL_SEARCH.

The plan is checked by loading it into ``visitplan``'s own model (every rule; a window is
chosen per visit from its arrival), so a baseline that broke a rule is seen.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

import visitplan as vp
from visitplan.compliance import prepare, screen
from visitplan.solver.data import SolverData, build_data
from visitplan.solver.model import build_model


def day_data(problem: vp.Problem, seed: int = 0) -> SolverData:
    """The eligible accounts and working agents of the day, as ``visitplan`` sees them."""
    prepared = prepare(problem)
    eligible, _, _ = screen(prepared)
    return build_data(prepared, eligible, prepared.working_agents(), seed)


def solve_plain(data: SolverData, time_limit: float) -> dict[str, list[tuple[str, int]]]:
    """Routes ``{agent_id: [(account_id, visit start), ...]}`` of the plain model after
    ``time_limit`` seconds (starts in clock units); ``{}`` if it found no plan."""
    accounts, agents = data.accounts, data.agents
    n, vehicles = len(accounts), len(agents)
    first = [data.options(a)[0] for a in range(n)]            # the account's place
    nodes = first + [data.start_node(v) for v in range(vehicles)] + \
        [data.end_node(v) for v in range(vehicles)]
    manager = pywrapcp.RoutingIndexManager(len(nodes), vehicles, list(range(n, n + vehicles)),
                                           list(range(n + vehicles, n + 2 * vehicles)))
    routing = pywrapcp.RoutingModel(manager)
    service = data.service_ticks()[nodes]
    costs, times = {}, {}
    for speed in data.seconds:
        seconds = data.seconds[speed][nodes][:, nodes]
        costs[speed] = routing.RegisterTransitMatrix(seconds.tolist())
        ticks = data.travel_ticks(speed)[nodes][:, nodes] + service[:, None]
        times[speed] = routing.RegisterTransitMatrix(ticks.tolist())
    for v, speed in enumerate(data.speeds):
        routing.SetArcCostEvaluatorOfVehicle(costs[speed], v)
    day = data.problem.day_units
    routing.AddDimensionWithVehicleTransits([times[s] for s in data.speeds], day, day, False,
                                            "time")
    time = routing.GetDimensionOrDie("time")
    for a in range(n):  # the windows of the day as one domain with holes
        windows = sorted(data.windows[o] for o in data.options(a))
        cumul = time.CumulVar(manager.NodeToIndex(a))
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_, end), (start, _) in zip(windows, windows[1:]):
            if start > end + 1:
                cumul.RemoveInterval(end + 1, start - 1)
    solver = routing.solver()
    visit_time = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    for v, agent in enumerate(agents):
        time.CumulVar(routing.Start(v)).SetRange(agent.shift_start, agent.shift_end)
        time.CumulVar(routing.End(v)).SetRange(agent.shift_start, agent.shift_end)
        if agent.break_applies():
            rule = agent.break_rule
            lunch = solver.FixedDurationIntervalVar(rule.earliest, rule.latest, rule.duration,
                                                    False, f"break {v}")
            time.SetBreakIntervalsOfVehicle([lunch], v, visit_time)
    if any(a.max_visits is not None for a in agents):
        ones = routing.RegisterUnaryTransitVector([1] * n + [0] * (2 * vehicles))
        routing.AddDimensionWithVehicleCapacity(
            ones, 0, [a.max_visits if a.max_visits is not None else n for a in agents], True,
            "visits")
    for a, account in enumerate(accounts):
        barred = [v for v, agent in enumerate(agents) if not agent.can_serve(account)]
        if barred:
            routing.VehicleVar(manager.NodeToIndex(a)).RemoveValues(barred)
        per_point = data.problem.policy.weights.priority_minutes * 60
        penalty = 2**40 if account.must_visit else int(round(account.priority * per_point))
        routing.AddDisjunction([manager.NodeToIndex(a)], penalty)
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = \
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    search.local_search_metaheuristic = \
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    search.time_limit.FromMilliseconds(int(time_limit * 1000))
    solution = routing.SolveWithParameters(search)
    if solution is None:
        return {}
    routes = {}
    for v, agent in enumerate(agents):
        index, stops = routing.Start(v), []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            stops.append((accounts[manager.IndexToNode(index)].account_id,
                          solution.Min(time.CumulVar(index))))
            index = solution.Value(routing.NextVar(index))
        routes[agent.agent_id] = stops
    return routes


def check(data: SolverData, routes: dict[str, list[tuple[str, int]]]) -> bool:
    """Whether ``routes`` keep every rule of ``visitplan``'s model: each visit takes the
    window its start falls in, and the routes are loaded into the model."""
    model = build_model(data)
    index = {a.account_id: k for k, a in enumerate(data.accounts)}
    loaded = []
    for agent in data.agents:
        route = []
        for account_id, start in routes.get(agent.agent_id, []):
            options = data.options(index[account_id])
            node = next((o for o in options
                         if data.windows[o][0] <= start <= data.windows[o][1]), None)
            if node is None:
                return False
            route.append(model.manager.NodeToIndex(node))
        loaded.append(route)
    return model.routing.ReadAssignmentFromRoutes(loaded, True) is not None
