"""The plan on a map (folium/Leaflet), as one HTML file that works with no network.

One colour per route, numbered stops in visit order, the route line (along the
roads when the plan used road travel and the network file is at hand, straight
legs otherwise), agents' starts and ends, the accounts not visited in grey with
their reason, and a layer per agent to show or hide. Popups carry the visit
time, the window and the account id; names, phones and addresses only when
asked for (``personal``).

``Plan.map()`` calls this module, so it takes the plan as it is and never imports
:mod:`visitplan.plan` (not even for annotations): no import circle.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from .assets import inline_assets

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
           "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#ad494a"]
GREY = "#9a9a9a"
TILES = "OpenStreetMap"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def plan_map(plan, personal: dict[str, dict] | None = None, tiles: bool = True,
             roads=None):
    """A ``folium.Map`` of the plan.

    Parameters
    ----------
    plan
        A plan with its places (``plan.sites``, ``plan.bases``).
    personal
        account_id -> fields (name, phone, address) to show in popups; none by default.
    tiles
        Draw OpenStreetMap tiles behind (they need a network; without one, or with
        ``tiles=False``, the stops and lines show on a plain background).
    roads
        A road network (:class:`visitplan.roads.RoadNetwork`) to draw each leg along
        the roads; ``None``: straight legs.
    """
    import folium
    from branca.element import Element

    points = [(s.lat, s.lon) for s in plan.sites.values()] + \
        [p for b in plan.bases.values() for p in (b.start, b.end)]
    fmap = folium.Map(tiles=TILES if tiles else None, control_scale=True,
                      prefer_canvas=False, zoom_start=12,
                      location=points[0] if points else (0, 0))
    for index, route in enumerate(plan.agent_routes):
        _route_layer(plan, route, colour(index), personal or {}, roads).add_to(fmap)
    _unassigned_layer(plan, personal or {}).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().header.add_child(Element(STYLE), name="vp_style")
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    return fmap


def _route_layer(plan, route, ink: str, personal: dict, roads):
    import folium

    crew = route.agent_id + (f" + {route.partner_id}" if route.partner_id else "")
    layer = folium.FeatureGroup(name=f"{html.escape(crew)} ({len(route.visits)} visits)")
    base = plan.bases.get(route.agent_id)
    stops = [(plan.sites[v.account_id].lat, plan.sites[v.account_id].lon)
             for v in route.visits]
    if base is not None:
        stops = [base.start] + stops + [base.end]
        _base_marker(base.start, f"{crew}: leaves {route.depart:%H:%M}", ink).add_to(layer)
        if base.end != base.start:
            _base_marker(base.end, f"{crew}: back {route.back:%H:%M}", ink).add_to(layer)
    if len(stops) > 1:
        folium.PolyLine(_line(stops, roads), color=ink, weight=3, opacity=0.8,
                        class_name="vp-route", tooltip=html.escape(crew)).add_to(layer)
    for visit in route.visits:
        site = plan.sites[visit.account_id]
        icon = folium.DivIcon(
            html=f'<div class="vp-stop" style="background:{ink}">{visit.seq}</div>',
            icon_size=(22, 22), icon_anchor=(11, 11), class_name="vp-stop-icon")
        folium.Marker((site.lat, site.lon), icon=icon,
                      popup=folium.Popup(_visit_popup(plan, route, visit, personal),
                                         max_width=320)).add_to(layer)
    return layer


def _base_marker(point, text: str, ink: str):
    import folium

    icon = folium.DivIcon(html=f'<div class="vp-base" style="border-color:{ink}"></div>',
                          icon_size=(14, 14), icon_anchor=(7, 7), class_name="vp-base-icon")
    return folium.Marker(point, icon=icon, tooltip=html.escape(text))


def _line(stops: list, roads) -> list:
    """The route's points: straight legs, or each leg along the roads."""
    if roads is None:
        return [list(p) for p in stops]
    line = []
    for a, b in zip(stops, stops[1:]):
        line += roads.path(a, b)
    return line


def _visit_popup(plan, route, visit, personal: dict) -> str:
    site = plan.sites[visit.account_id]
    windows = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in site.windows) or "any time"
    lines = [f"<b>{visit.seq}. {html.escape(visit.account_id)}</b>",
             f"agent {html.escape(route.agent_id)}",
             f"visit {visit.start:%H:%M}-{visit.end:%H:%M} (arrive {visit.arrival:%H:%M})",
             f"window {windows}", f"priority {visit.priority:g}"]
    lines += _personal_lines(personal.get(visit.account_id))
    return "<br>".join(lines)


def _personal_lines(fields: dict | None) -> list[str]:
    if not fields:
        return []
    return [f"{key} {html.escape(str(value))}" for key, value in fields.items()
            if value not in (None, "")]


def _unassigned_layer(plan, personal: dict):
    import folium

    layer = folium.FeatureGroup(name=f"not visited ({len(plan.unassigned_accounts)})")
    for gone in plan.unassigned_accounts:
        site = plan.sites.get(gone.account_id)
        if site is None:  # a row rejected for bad coordinates: nowhere to draw it
            continue
        text = "<br>".join([f"<b>{html.escape(gone.account_id)}</b>",
                            f"not visited: {gone.reason}", html.escape(gone.detail)]
                           + _personal_lines(personal.get(gone.account_id)))
        folium.CircleMarker((site.lat, site.lon), radius=4, color=GREY, fill=True,
                            fill_opacity=0.6, weight=1, class_name="vp-unassigned",
                            popup=folium.Popup(text, max_width=320)).add_to(layer)
    return layer


STYLE = """<style>
.vp-stop{width:22px;height:22px;border-radius:11px;color:#fff;font:bold 11px/22px sans-serif;
text-align:center;border:1px solid #fff;box-shadow:0 0 2px #000}
.vp-base{width:12px;height:12px;background:#fff;border:3px solid;box-sizing:border-box}
.vp-stop-icon,.vp-base-icon{background:none;border:none}
</style>"""


def offline_html(fmap) -> str:
    """The map as one HTML page with Leaflet inlined: no script or style from a network."""
    return inline_assets(fmap.get_root().render())


def map_html(plan, **options) -> str:
    """:func:`plan_map` as one offline HTML page."""
    return offline_html(plan_map(plan, **options))


def count_features(page: str) -> dict:
    """How many stops, route lines and not-visited markers a page's script draws."""
    return {"stops": len(re.findall(r'class=\\?"vp-stop\\?"', page)),
            "routes": len(re.findall(r'"className": "vp-route"', page)),
            "unassigned": len(re.findall(r'"className": "vp-unassigned"', page))}


class RouteMap:
    """What ``plan.map()`` returns: shows itself in a notebook without any network
    (Leaflet inlined); ``save()`` writes the HTML; ``folium`` is the map to extend."""

    def __init__(self, plan, **options):
        self.folium = plan_map(plan, **options)

    def html(self) -> str:
        return offline_html(self.folium)

    def save(self, path: str | Path) -> Path:
        Path(path).write_text(self.html(), encoding="utf-8")
        return Path(path)

    def _repr_html_(self) -> str:
        doc = html.escape(self.html(), quote=True)
        return (f'<iframe srcdoc="{doc}" style="width:100%;height:480px;border:none" '
                'sandbox="allow-scripts"></iframe>')

