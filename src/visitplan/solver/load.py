"""A given plan loaded into a routing model: the morning's routes of a re-plan,
or a plan re-routed elsewhere (``reroute.py``).
"""

from __future__ import annotations

from .model import RoutingModel
from .schedule import fits


def as_routes(plan: dict[str, list[str]], agents) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A plan given as agent id -> account ids, as :func:`start_from` takes it: each of
    ``agents`` in their order, with its accounts (none if the plan has none for it)."""
    return tuple((g.agent_id, tuple(plan.get(g.agent_id, ()))) for g in agents)


def start_from(model: RoutingModel, plan: tuple[tuple[str, tuple[str, ...]], ...],
               place: tuple[str, ...] = (), mend: bool = False, memo: dict | None = None):
    """A given plan loaded into the model: each agent's accounts in order, those that no
    longer fit (window, shift, break, skills, cap, load) left out; then the accounts of
    ``place`` (a re-plan: a sick agent's), most valuable first, each put where it adds
    the least travel among the nearest routes that can take it. With ``mend``, so are
    the accounts of the plan left out, where they fit elsewhere (a promise first: see
    ``reselect.loadable``). ``None`` when the model refuses the result anyway, or
    nothing of it is left.

    ``memo`` (a dict kept by the caller across models of the same day's numbers): the
    option each account of a route took, for routes that loaded whole, so that a route
    loaded again in another model (the pairs load each route many times) is not checked
    stop by stop again. A route fits alike in every model of the same day: the same
    agent, windows and travel."""
    data = model.data
    index = {a.account_id: k for k, a in enumerate(data.accounts)}
    wanted = dict(plan)
    routes, loads, left = [], [], []
    for v, agent in enumerate(data.agents):
        ids = tuple(wanted.get(agent.agent_id, ()))
        known = memo.get((agent.agent_id, ids)) if memo is not None else None
        if known is not None and all(a in index for a in ids):
            routes.append([data.options(index[a])[o] for a, o in zip(ids, known)])
            loads.append(sum(data.accounts[index[a]].load for a in ids))
            continue
        route, load = [], 0
        for account_id in ids:
            k = index.get(account_id)
            if k is None:
                continue
            node = next((n for n in data.options(k) if fits(data, v, route + [n])), None) \
                if _room(data, v, route, load, k) else None
            if node is None:
                left.append(k)
                continue
            route.append(node)
            load += data.accounts[k].load
        routes.append(route)
        loads.append(load)
        if memo is not None and len(route) == len(ids):
            memo[agent.agent_id, ids] = tuple(data.options(data.owner[n]).index(n)
                                              for n in route)
    order = sorted((left if mend else []) + [index[a] for a in place if a in index],
                   key=lambda k: -model.penalties[k])
    for k in order:
        _insert(data, routes, loads, k)
    if not any(routes):
        return None
    indices = [[model.manager.NodeToIndex(node) for node in route] for route in routes]
    return model.routing.ReadAssignmentFromRoutes(indices, True)


def _room(data, v: int, route: list[int], load: int, k: int) -> bool:
    """Whether agent ``v`` may take account ``k`` besides ``route``: skills, cap, load."""
    agent = data.agents[v]
    if not agent.can_serve(data.accounts[k]):
        return False
    if agent.max_visits is not None and len(route) >= agent.max_visits:
        return False
    return agent.capacity is None or load + data.accounts[k].load <= agent.capacity


NEAREST_ROUTES = 6  # routes tried for each account to place: the nearest by their stops


def _insert(data, routes: list[list[int]], loads: list[int], k: int) -> None:
    """Put account ``k`` where it adds the least travel, if anywhere it fits."""
    options = data.options(k)
    near = sorted(range(len(routes)), key=lambda v: min(
        (data.travel_ticks(data.speeds[v])[n, options[0]]
         for n in routes[v] + [data.start_node(v)]), default=0))
    best = None
    for v in near[:NEAREST_ROUTES]:
        if not _room(data, v, routes[v], loads[v], k):
            continue
        ticks = data.travel_ticks(data.speeds[v])
        stops = [data.start_node(v)] + routes[v] + [data.end_node(v)]
        for p in range(len(routes[v]) + 1):
            a, b = stops[p], stops[p + 1]
            for node in options:
                added = ticks[a, node] + ticks[node, b] - ticks[a, b]
                if best is not None and added >= best[0]:
                    continue
                if fits(data, v, routes[v][:p] + [node] + routes[v][p:]):
                    best = (added, v, p, node)
    if best is not None:
        _, v, p, node = best
        routes[v].insert(p, node)
        loads[v] += data.accounts[k].load
