"""Leaflet, shipped with the package and inlined into every map page.

folium's pages load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; with
no network they stay blank. Our maps use only Leaflet, and jQuery for folium's
popups (numbered stops are ``DivIcon``s, not Font Awesome markers), so the page
gets those two inline and the other CDN tags are taken out. A page that would
still load anything from a network is refused, loudly.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

SCRIPT = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
EXTERNAL = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*"(?:https?:)?//',
                      re.IGNORECASE)


@cache
def asset(name: str) -> str:
    """The text of a vendored asset (``leaflet.js``, ``leaflet.css``, ``jquery.min.js``)."""
    return files("visitplan.report").joinpath("assets", name).read_text(encoding="utf-8")


def inline_assets(page: str) -> str:
    """``page`` with Leaflet inlined and every other CDN script and stylesheet removed.

    Raises
    ------
    RuntimeError
        when the page would still load a script, style, image or frame from a network.
    """
    def script(match: re.Match) -> str:
        url = match.group(1)
        if url.endswith("/leaflet.js"):
            return "<script>" + asset("leaflet.js") + "</script>"
        if "/jquery-" in url and url.endswith(".min.js"):
            return "<script>" + asset("jquery.min.js") + "</script>"
        return ""

    def style(match: re.Match) -> str:
        if match.group(1).endswith("/leaflet.css"):
            return "<style>" + asset("leaflet.css") + "</style>"
        return ""

    page = STYLESHEET.sub(style, SCRIPT.sub(script, page))
    left = EXTERNAL.search(page)
    if left:
        raise RuntimeError(f"the map page still loads from a network: {left.group(0)[:80]}")
    return page
