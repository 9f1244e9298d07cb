"""What a person sees: the map and the summary page opened in headless chromium, with
every network request refused (no tiles, no CDN)."""

import io

import numpy as np
import pytest
from matplotlib.image import imread


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors, requested = [], []

    def console(message):
        tile = "tile.openstreetmap.org" in (message.location or {}).get("url", "")
        if message.type == "error" and not tile:  # unreachable tiles are expected here
            errors.append(message.text)

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http:", "https:")):
            requested.append(url)
            return request_route.abort()
        return request_route.continue_()

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_timeout(800)
    return page, errors, requested


def _not_blank(png: bytes):
    pixels = imread(io.BytesIO(png))[..., :3]
    assert pixels.std() > 0.05
    assert (np.abs(pixels[..., 0] - pixels[..., 2]) > 0.2).mean() > 0.002  # colour: routes


def test_the_map_shows_every_stop_and_line_offline(browser, day):
    result, plan_dir = day
    page, errors, requested = _open(browser, plan_dir / "report" / "map.html")
    plan = result.plan
    assert errors == []
    assert all("tile.openstreetmap.org" in url for url in requested)  # only tiles asked
    assert page.locator(".vp-stop").count() == len(plan.visits)
    assert page.locator("path.vp-route").count() == len(plan.agent_routes)
    assert page.locator("path.vp-unassigned").count() == len(plan.unassigned_accounts)
    assert page.locator(".leaflet-control-layers-overlays input").count() == \
        len(plan.agent_routes) + 1  # a layer per agent, and the accounts not visited
    page.locator(".leaflet-control-layers-overlays input").first.uncheck()
    assert page.locator(".vp-stop").count() == len(plan.visits) - \
        len(plan.agent_routes[0].visits)  # a layer hides
    page.locator(".leaflet-control-layers-overlays input").first.check()
    page.locator(".vp-stop").first.click()
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "visit " in popup and "window " in popup and "Secret Road" not in popup
    _not_blank(page.screenshot())
    page.close()


def test_the_summary_page_shows_map_and_timeline_offline(browser, day):
    result, plan_dir = day
    page, errors, _ = _open(browser, plan_dir / "report" / "index.html")
    assert errors == []
    frame = page.frame_locator("iframe.map")
    assert frame.locator(".vp-stop").count() == len(result.plan.visits)
    assert frame.locator("path.vp-route").count() == len(result.plan.agent_routes)
    width = page.locator("img.timeline").evaluate("img => img.naturalWidth")
    assert width >= 800  # the inlined timeline decoded
    _not_blank(page.screenshot(full_page=True))
    page.close()


def test_a_route_sheet_prints(browser, day):
    result, plan_dir = day
    agent_id = result.plan.agent_routes[0].agent_id
    page, errors, requested = _open(browser, plan_dir / "report" / "sheets" /
                                    f"{agent_id}.html")
    assert errors == [] and requested == []
    assert page.locator("tr.visit").count() == len(result.plan.agent_routes[0].visits)
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    page.close()


@pytest.mark.parametrize("name", ["map.html", "index.html"])
def test_no_script_error_with_personal_data_either(browser, day, tmp_path, name):
    from visitplan.pipeline import report_plan_dir

    _, plan_dir = day
    report_plan_dir(plan_dir, tmp_path / "r", personal=True)
    page, errors, _ = _open(browser, tmp_path / "r" / name)
    assert errors == []
    page.close()
