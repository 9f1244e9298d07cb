"""Fill ``lat``/``lon`` of ``accounts.csv`` from ``address`` with geopy.

- Providers: ``nominatim`` (OpenStreetMap; a self-hosted one with ``domain``),
  ``arcgis``, ``google`` (key from ``GOOGLE_MAPS_API_KEY`` only, never an option).
- Rate-limited as the provider's terms require (geopy's ``RateLimiter``: at
  most one request a second for the public Nominatim), with retries on
  errors and "too many requests" answers.
- A persistent cache (SQLite) keyed by a hash of the provider and the
  normalised address, so no address is looked up twice; the cache holds
  coordinates and quality, not the address text.
- A ``geocode_quality`` column (the provider's kind of match, e.g. ``house``,
  ``street``, ``city``) and ``geocode_source`` (provider or cache).
- Rows that fail go to a separate file with the reason; messages and logs
  name rows and account ids, never addresses.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .csvsafe import neutralise
from .read import _normalise, read_table

PROVIDERS = ("nominatim", "arcgis", "google")
# Seconds between requests: the public Nominatim allows one a second.
MIN_DELAY = {"nominatim": 1.0, "arcgis": 0.2, "google": 0.05}


@dataclass
class GeocodeReport:
    looked_up: int = 0
    from_cache: int = 0
    kept: int = 0        # rows that already had coordinates
    failed: list[dict] = field(default_factory=list)  # row, account_id, reason
    failed_file: Path | None = None


def _geocoder(provider: str, domain: str | None, scheme: str, timeout: float):
    from geopy.geocoders import ArcGIS, GoogleV3, Nominatim

    if provider == "nominatim":
        options = {"user_agent": "visitplan geocode", "timeout": timeout, "scheme": scheme}
        if domain:
            options["domain"] = domain
        return Nominatim(**options)
    if provider == "arcgis":
        return ArcGIS(timeout=timeout, scheme=scheme)
    if provider == "google":
        key = os.environ.get("GOOGLE_MAPS_API_KEY")
        if not key:
            raise InputError.single("--provider google", "needs the environment variable "
                                    "GOOGLE_MAPS_API_KEY (keys are never options or files)")
        return GoogleV3(api_key=key, timeout=timeout)
    raise InputError.single("--provider", f"must be one of {', '.join(PROVIDERS)}")


class Cache:
    """Coordinates by a hash of (provider, normalised address), in an SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS places (key TEXT PRIMARY KEY, lat REAL, "
                        "lon REAL, quality TEXT)")

    @staticmethod
    def key(provider: str, address: str) -> str:
        normal = " ".join(address.lower().split())
        return hashlib.sha256(f"{provider}\n{normal}".encode("utf-8")).hexdigest()

    def get(self, key: str):
        return self.db.execute("SELECT lat, lon, quality FROM places WHERE key = ?",
                               (key,)).fetchone()

    def put(self, key: str, lat: float, lon: float, quality: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?)",
                            (key, lat, lon, quality))


def _quality(location) -> str:
    raw = getattr(location, "raw", {}) or {}
    for name in ("addresstype", "type", "Addr_type", "location_type"):
        if raw.get(name):
            return str(raw[name]).lower()
    geometry = raw.get("geometry") or {}
    return str(geometry.get("location_type", "unknown")).lower()


def geocode_file(accounts: str | Path, out: str | Path, provider: str = "nominatim",
                 cache: str | Path | None = None, failed: str | Path | None = None,
                 domain: str | None = None, scheme: str = "https", timeout: float = 10.0,
                 min_delay: float | None = None, force: bool = False) -> GeocodeReport:
    """Geocode the rows of ``accounts`` that lack coordinates; write ``out`` (every row)
    and, if any failed, ``failed`` (those rows with ``row`` and ``reason``)."""
    from geopy.extra.rate_limiter import RateLimiter

    file = str(accounts)
    frame = _normalise(read_table(accounts), file)
    if "address" not in frame.columns:
        raise InputError.single(file, "required column is missing", column="address")
    for column in ("lat", "lon", "geocode_quality", "geocode_source"):
        if column not in frame.columns:
            frame[column] = ""
    coder = _geocoder(provider, domain, scheme, timeout)
    lookup = RateLimiter(coder.geocode, min_delay_seconds=MIN_DELAY[provider]
                         if min_delay is None else min_delay, max_retries=2,
                         error_wait_seconds=min(5.0, 2 * (min_delay or 1.0)),
                         swallow_exceptions=False)
    store = Cache(cache or Path(out).with_name("geocode-cache.sqlite"))
    report = GeocodeReport()
    for index, row in frame.iterrows():
        number = int(index) + 1
        if row["lat"] and row["lon"] and not force:
            report.kept += 1
            continue
        address = row["address"]
        if not address:
            report.failed.append(_failed(row, number, "no address"))
            continue
        key = Cache.key(provider, address)
        hit = store.get(key)
        if hit is not None:
            lat, lon, quality = hit
            source = "cache"
            report.from_cache += 1
        else:
            try:
                location = lookup(" ".join(address.split()))
            except Exception as exc:  # the provider's error, timeout or refusal
                report.failed.append(_failed(row, number, _why(exc)))
                continue
            report.looked_up += 1
            if location is None:
                report.failed.append(_failed(row, number, "the provider found no such place"))
                continue
            lat, lon, quality = location.latitude, location.longitude, _quality(location)
            store.put(key, lat, lon, quality)
            source = provider
        frame.loc[index, ["lat", "lon", "geocode_quality", "geocode_source"]] = \
            [f"{lat:.6f}", f"{lon:.6f}", quality, source]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralise(frame).to_csv(out, index=False)
    if report.failed:
        target = Path(failed) if failed else out.with_name(out.stem + ".failed.csv")
        bad = frame.loc[[f["row"] - 1 for f in report.failed]].copy()
        bad.insert(0, "reason", [f["reason"] for f in report.failed])
        bad.insert(0, "row", [f["row"] for f in report.failed])
        neutralise(bad).to_csv(target, index=False)
        report.failed_file = target
    return report


def _failed(row, number: int, reason: str) -> dict:
    return {"row": number, "account_id": row.get("account_id", ""), "reason": reason}


def _why(exc: Exception) -> str:
    """A reason without the provider's message (it may quote the address)."""
    name = type(exc).__name__
    words = {"GeocoderTimedOut": "the provider did not answer in time",
             "GeocoderRateLimited": "the provider refused: too many requests",
             "GeocoderQuotaExceeded": "the provider's quota is used up",
             "GeocoderAuthenticationFailure": "the provider refused the key",
             "GeocoderInsufficientPrivileges": "the provider refused the key",
             "GeocoderUnavailable": "the provider cannot be reached or did not answer in "
                                    "time",
             "GeocoderServiceError": "the provider answered with an error"}
    return f"{words.get(name, 'the lookup failed')} ({name})"
