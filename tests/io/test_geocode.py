"""Geocoding against a local server that answers like Nominatim, so that geopy's real
client code runs: results, the cache, failures, timeouts and rate-limit answers."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from typer.testing import CliRunner

from visitplan.cli import app

PLACES = {"1 main street": ("31.230000", "121.470000", "house"),
          "2 side road": ("31.240000", "121.480000", "street")}


class Nominatim(BaseHTTPRequestHandler):
    hits: list[str] = []
    limited_once: set[str] = set()

    def do_GET(self):  # noqa: N802 (the http.server name)
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0].lower()
        self.hits.append(query)
        if query == "slow lane":
            time.sleep(2)
        if query == "busy avenue" and query not in self.limited_once:
            self.limited_once.add(query)
            return self._send(429, {"error": "Too Many Requests"})
        if query == "broken way":
            return self._send(500, {"error": "internal"})
        found = PLACES.get(query) or (PLACES["1 main street"] if query == "busy avenue"
                                      else None)
        body = [] if found is None else [{"lat": found[0], "lon": found[1], "type": found[2],
                                          "display_name": query, "importance": 0.5}]
        self._send(200, body)

    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    Nominatim.hits = []
    Nominatim.limited_once = set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Nominatim)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def accounts_file(tmp_path, rows):
    path = tmp_path / "accounts.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run(path, out, server, *extra):
    return CliRunner().invoke(app, ["geocode", str(path), "--out", str(out), "--domain", server,
                                    "--scheme", "http", "--min-delay", "0.05", *extra])


def test_addresses_become_coordinates_and_failures_are_kept_apart(tmp_path, server):
    path = accounts_file(tmp_path, [
        {"account_id": "A1", "address": "1 Main Street", "lat": "", "lon": ""},
        {"account_id": "A2", "address": "2  side ROAD", "lat": "", "lon": ""},
        {"account_id": "A3", "address": "Nowhere Place 9", "lat": "", "lon": ""},
        {"account_id": "A4", "address": "Broken Way", "lat": "", "lon": ""},
        {"account_id": "A5", "address": "", "lat": "", "lon": ""},
        {"account_id": "A6", "address": "x", "lat": "31.1", "lon": "121.1"},
    ])
    out = tmp_path / "geocoded.csv"
    result = run(path, out, server)
    assert result.exit_code == 1
    done = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("account_id")
    assert (done.loc["A1", "lat"], done.loc["A1", "lon"]) == ("31.230000", "121.470000")
    assert done.loc["A1", "geocode_quality"] == "house" and done.loc["A1", "geocode_source"] \
        == "nominatim"
    assert done.loc["A2", "geocode_quality"] == "street"  # spaces and case normalised
    assert done.loc["A6", "lat"] == "31.1"  # already placed: kept
    failed = pd.read_csv(tmp_path / "geocoded.failed.csv", dtype=str).set_index("account_id")
    assert set(failed.index) == {"A3", "A4", "A5"}
    assert failed.loc["A3", "reason"] == "the provider found no such place"
    assert "GeocoderServiceError" in failed.loc["A4", "reason"]
    assert failed.loc["A5", "reason"] == "no address"
    for address in ("1 Main Street", "Nowhere Place 9", "Broken Way"):
        assert address not in result.output  # rows and ids, never addresses


def test_the_cache_means_no_address_is_looked_up_twice(tmp_path, server):
    path = accounts_file(tmp_path, [{"account_id": "A1", "address": "1 Main Street"},
                                    {"account_id": "A2", "address": "1 main  street"}])
    assert run(path, tmp_path / "one.csv", server).exit_code == 0
    assert Nominatim.hits == ["1 main street"]  # the second row came from the cache
    assert run(path, tmp_path / "two.csv", server, "--cache",
               str(tmp_path / "geocode-cache.sqlite")).exit_code == 0
    assert Nominatim.hits == ["1 main street"]
    cache = (tmp_path / "geocode-cache.sqlite").read_bytes()
    assert b"main street" not in cache.lower()  # hashes, not addresses


def test_a_rate_limit_answer_is_waited_out_and_a_timeout_is_a_failure(tmp_path, server):
    path = accounts_file(tmp_path, [{"account_id": "A1", "address": "Busy Avenue"},
                                    {"account_id": "A2", "address": "Slow Lane"}])
    from visitplan.io.geocode import geocode_file

    report = geocode_file(path, tmp_path / "g.csv", domain=server, scheme="http",
                          min_delay=0.05, timeout=0.5)
    assert Nominatim.hits.count("busy avenue") == 2  # 429, then the retry succeeded
    assert [f["account_id"] for f in report.failed] == ["A2"]
    assert "did not answer in time" in report.failed[0]["reason"]


def test_requests_are_spaced_by_the_rate_limit(tmp_path, server):
    path = accounts_file(tmp_path, [{"account_id": f"A{i}", "address": f"{i} Main Street"}
                                    for i in range(4)])
    began = time.monotonic()
    CliRunner().invoke(app, ["geocode", str(path), "--out", str(tmp_path / "g.csv"),
                             "--domain", server, "--scheme", "http", "--min-delay", "0.3"])
    assert time.monotonic() - began >= 0.9 and len(Nominatim.hits) == 4


def test_google_needs_its_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_MAPS_API_KEY", raising=False)
    path = accounts_file(tmp_path, [{"account_id": "A1", "address": "x"}])
    result = CliRunner().invoke(app, ["geocode", str(path), "--out", str(tmp_path / "g.csv"),
                                      "--provider", "google"])
    assert result.exit_code == 2 and "GOOGLE_MAPS_API_KEY" in result.output
