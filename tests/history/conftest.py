"""History tests run against a real SQLite file and a real PostgreSQL server.

The server comes from ``VISITPLAN_TEST_PG_URL`` (``.ci/run`` starts one);
without it, one is started here with ``scripts/pg-test-server.sh`` where
PostgreSQL is installed. Only where neither works are the PostgreSQL
cases skipped, with the reason shown.
"""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def _answers(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        engine.connect().close()
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _start_server() -> tuple[str | None, str | None, str]:
    """Start a throwaway server; returns (url, data directory, why not)."""
    try:
        out = subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server.sh")],
                             capture_output=True, text=True, timeout=300,
                             env={**os.environ, "VISITPLAN_PG_PORT": str(LOCAL_PORT)})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, None, f"cannot start PostgreSQL: {exc}"
    found = dict(line.removeprefix("export ").split("=", 1) for line in out.stdout.splitlines()
                 if line.startswith("export "))
    if "VISITPLAN_TEST_PG_URL" in found:
        return found["VISITPLAN_TEST_PG_URL"], found.get("VISITPLAN_TEST_PG_DATA"), ""
    return None, None, ("no PostgreSQL server could be started locally: "
                        + (out.stderr or out.stdout)[-300:])


LOCAL_PORT = 54331


def _unavailable(why: str):
    """Skip where PostgreSQL truly cannot start; in CI (VISITPLAN_REQUIRE_PG=1) fail."""
    if os.environ.get("VISITPLAN_REQUIRE_PG") == "1":
        pytest.fail(f"PostgreSQL is required here: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def pg_server():
    url = os.environ.get("VISITPLAN_TEST_PG_URL")
    if url:
        if not _answers(url):
            _unavailable("PostgreSQL at VISITPLAN_TEST_PG_URL does not answer")
        yield url
        return
    local = f"postgresql+psycopg://postgres@127.0.0.1:{LOCAL_PORT}/postgres"
    if _answers(local):  # left running by an earlier session
        yield local
        return
    url, data, why = _start_server()
    if url is None:
        _unavailable(why)
    yield url
    subprocess.run(["runuser", "-u", "postgres", "--", "bash", "-c",
                    f"$(dirname $(ls -d /usr/lib/postgresql/*/bin/pg_ctl | tail -n1))/pg_ctl "
                    f"-D {data} -m fast stop"] if os.getuid() == 0 else
                   ["bash", "-c", f"pg_ctl -D {data} -m fast stop"], capture_output=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "history.db")
        return
    server = request.getfixturevalue("pg_server")
    name = f"vp_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
