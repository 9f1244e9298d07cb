"""The history database.

``HistoryStore("history.db")`` opens an SQLite file; any SQLAlchemy URL
(``postgresql+psycopg://user@host/db``) opens a shared database.

A history must exist before a plan reads it: a mistyped path that quietly
became a new, empty history would let a plan ignore past cool-downs and
visit caps. So only ``HistoryStore(target, create=True)`` (``visitplan
history init``, ``visitplan outcomes import``) creates one; otherwise a
missing file or a database without the schema is refused with
:class:`~visitplan.errors.InputError`. An existing history is migrated on
open, inside a transaction, under a lock, so two runs starting together
do not race.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from ..errors import InputError

# Outcome codes of a visit; a public contract for `visitplan outcomes import`.
OUTCOMES = {
    "paid": "paid in full",
    "partial": "paid part of the amount",
    "ptp": "promise to pay (needs promise_date)",
    "not_home": "nobody at home",
    "refused": "refused to talk or pay",
    "wrong_address": "borrower does not live there",
    "hostile": "threatening or violent",
}
NO_CONTACT = frozenset({"not_home", "wrong_address"})

metadata = sa.MetaData()
schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
outcomes = sa.Table(
    "outcomes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(64), nullable=False, index=True),
    sa.Column("agent_id", sa.String(64), nullable=False),
    sa.Column("visited_at", sa.DateTime, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("promise_amount", sa.Float),
    sa.Column("promise_date", sa.Date),
    sa.Column("notes", sa.Text),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("account_id", "agent_id", "visited_at", "outcome", name="uq_outcome"),
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("plan_date", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("seed", sa.Integer),
    sa.Column("status", sa.String(64)),
    sa.Column("accounts_in", sa.Integer),
    sa.Column("planned", sa.Integer),
)
planned_visits = sa.Table(
    "planned_visits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36), sa.ForeignKey("runs.run_id"), nullable=False),
    sa.Column("plan_date", sa.Date, nullable=False, index=True),
    sa.Column("account_id", sa.String(64), nullable=False, index=True),
    sa.Column("agent_id", sa.String(64), nullable=False),
    sa.Column("partner_id", sa.String(64)),
    sa.Column("start", sa.DateTime, nullable=False),
    sa.Column("end", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "account_id", name="uq_planned"),
)


def _v1(conn: Connection) -> None:
    for table in (outcomes, runs, planned_visits):
        table.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    # Look-ups by account and time dominate plan runs.
    # Plain DDL: an sa.Index object would attach itself to the table definition
    # and be created again by version 1 on the next new database.
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_outcomes_account_time "
                         "ON outcomes (account_id, visited_at)"))


MIGRATIONS = (_v1, _v2)  # append, never edit: version N is MIGRATIONS[N-1]


def to_url(target: str | Path) -> str:
    text = str(target)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


@dataclass
class ImportReport:
    inserted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)


def shown(url: str) -> str:
    """The URL as it may be printed: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the history target"


def _advice(exc: Exception) -> str:
    """What is wrong with a database that cannot be opened, and what to do."""
    if isinstance(exc, ModuleNotFoundError):
        return (f"the database driver '{exc.name}' is not installed; for PostgreSQL install "
                "the postgres extra: pip install 'visitplan[postgres]'")
    if isinstance(exc, sa.exc.ArgumentError):
        return "not an SQLite file path or an SQLAlchemy URL (dialect+driver://user@host/db)"
    if isinstance(exc, sa.exc.OperationalError):
        return ("cannot connect or open the database: check the host, port, database name, "
                "user and password (or the file's permissions)")
    return f"cannot open the history database ({type(exc).__name__})"


class HistoryStore:
    """A history database; see the module docstring.

    Parameters
    ----------
    target
        An SQLite file path or an SQLAlchemy URL.
    create
        Create the history (file and schema) when it does not exist. Without it
        a missing history is an :class:`InputError`, and nothing is created.
    """

    def __init__(self, target: str | Path, engine: Engine | None = None, create: bool = False):
        self.url = to_url(target)
        if not create and engine is None and self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if not path.is_file():
                raise InputError.single(str(target), "no visit history here (the file does not "
                                        "exist); check the path, or create one with "
                                        "`visitplan history init`")
        try:
            self.engine = engine or self._engine(self.url)
            if not create and self.version() == 0:
                raise InputError.single(shown(self.url), "holds no visitplan history (no "
                                        "schema); check the target, or create one with "
                                        "`visitplan history init`")
            self.migrate()
        except InputError:
            raise
        except Exception as exc:  # a database that cannot be opened is bad input, not a crash
            raise InputError.single(shown(self.url), _advice(exc)) from None

    @staticmethod
    def _engine(url: str) -> Engine:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi, _):
                dbapi.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
                dbapi.execute("PRAGMA journal_mode=WAL")
                dbapi.execute("PRAGMA foreign_keys=ON")

            @sa.event.listens_for(engine, "begin")
            def _immediate(conn):
                # Take the write lock at BEGIN: concurrent runs queue (up to the
                # 30 s timeout) instead of failing half-way or deadlocking.
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        return sa.create_engine(url, pool_pre_ping=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _lock(self, conn: Connection) -> None:
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(81726354)"))

    def version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0

    def migrate(self) -> int:
        """Create or upgrade the schema; returns the version now in force."""
        with self.engine.begin() as conn:
            self._lock(conn)
            schema_version.create(conn, checkfirst=True)
            current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
            for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
                step(conn)
                conn.execute(schema_version.insert().values(version=number))
        return len(MIGRATIONS)

    # -- outcomes ---------------------------------------------------------------
    def add_outcomes(self, rows: Iterable[dict]) -> tuple[int, int]:
        """Insert outcome rows; rows already present are skipped. Returns (inserted, duplicates)."""
        inserted = duplicates = 0
        now = dt.datetime.now().replace(microsecond=0)
        with self.engine.begin() as conn:
            for row in rows:
                statement = self._insert_ignore(outcomes, {**row, "imported_at": now})
                # RETURNING tells inserted from skipped on every backend; rowcount does not.
                if conn.execute(statement.returning(outcomes.c.id)).first() is not None:
                    inserted += 1
                else:
                    duplicates += 1
        return inserted, duplicates

    def _insert_ignore(self, table: sa.Table, values: dict):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - other databases: plain insert, duplicates raise
            return table.insert().values(**values)
        return insert(table).values(**values).on_conflict_do_nothing()

    def outcomes_on(self, day: dt.date) -> list[dict]:
        """Every outcome recorded for visits on ``day``, in time order."""
        since = dt.datetime.combine(day, dt.time())
        until = since + dt.timedelta(days=1)
        with self.engine.connect() as conn:
            query = (sa.select(outcomes).where(outcomes.c.visited_at >= since,
                                               outcomes.c.visited_at < until)
                     .order_by(outcomes.c.visited_at, outcomes.c.id))
            return [dict(r) for r in conn.execute(query).mappings()]

    def outcomes_for(self, account_ids: Iterable[str], before: dt.date,
                     days: int = 120) -> dict[str, list[dict]]:
        """Outcomes of these accounts in the ``days`` before ``before``, oldest first."""
        ids = list(dict.fromkeys(account_ids))
        since = dt.datetime.combine(before - dt.timedelta(days=days), dt.time())
        until = dt.datetime.combine(before, dt.time())
        found: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                query = (sa.select(outcomes).where(outcomes.c.account_id.in_(chunk))
                         .where(outcomes.c.visited_at >= since, outcomes.c.visited_at < until)
                         .order_by(outcomes.c.account_id, outcomes.c.visited_at, outcomes.c.id))
                for row in conn.execute(query).mappings():
                    found.setdefault(row["account_id"], []).append(dict(row))
        return found

    def count_outcomes(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(outcomes)).scalar()

    # -- plans ------------------------------------------------------------------
    def record_plan(self, plan) -> str:
        """Store a plan's visits under a new run id, which is returned."""
        run_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(runs.insert().values(
                run_id=run_id, plan_date=plan.date, created_at=dt.datetime.now().replace(microsecond=0),
                seed=plan.stats.seed, status=plan.stats.status, accounts_in=plan.accounts_in,
                planned=len(plan.visits)))
            rows = [{"run_id": run_id, "plan_date": v.date, "account_id": v.account_id,
                     "agent_id": v.agent_id, "partner_id": v.partner_id, "start": v.start,
                     "end": v.end} for v in plan.visits]
            if rows:
                conn.execute(planned_visits.insert(), rows)
        return run_id

    def planned(self, run_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            query = sa.select(planned_visits).where(planned_visits.c.run_id == run_id)
            return [dict(r) for r in conn.execute(query.order_by(planned_visits.c.id)).mappings()]

    def planned_runs(self) -> list[dict]:
        """Every recorded run, oldest first."""
        with self.engine.connect() as conn:
            query = sa.select(runs).order_by(runs.c.created_at, runs.c.run_id)
            return [dict(r) for r in conn.execute(query).mappings()]
