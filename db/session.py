"""Engine and sessions. DATABASE_URL picks the database; the default is a SQLite file in data/."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mild.days import sqlite_local_date, sqlite_local_period

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "mild.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, office-local days; and transactions we start ourselves.

    pysqlite's own transaction handling begins late and DEFERRED, which lost most concurrent
    read-modify-write updates in our tests. Writes begin IMMEDIATE (the write lock up front);
    read-only sessions ask for DEFERRED through the `sqlite_begin` execution option.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Office-local days for the metrics, exact like PostgreSQL's timezone() (mild.days).
        dbapi_connection.create_function("local_date", 2, sqlite_local_date, deterministic=True)
        dbapi_connection.create_function("local_period", 3, sqlite_local_period, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL per process."""
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """The unit of work: commits everything done inside it at once, or nothing on any error.

    This is the only place in the app that commits.
    """
    with Session(get_engine(url), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(url: str | None = None) -> Iterator[Session]:
    """A session for reads only: never takes SQLite's write lock, never commits."""
    engine = get_engine(url).execution_options(sqlite_begin="DEFERRED")
    with Session(engine) as session:
        try:
            yield session
        finally:
            session.rollback()
