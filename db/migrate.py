"""Bring a database to the newest schema, and tell whether one is ready for the app."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.session import database_url, get_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def migration_config(url: str | None = None) -> Iterator[Config]:
    """An Alembic config bound to one connection, in one transaction.

    On SQLite, foreign keys are off while migrations run: a batch migration rebuilds a table
    (copy, drop, rename), and dropping the old `mild_case` with foreign keys on would cascade
    into every case's medications, conditions and checklist. The keys are checked before the
    transaction commits (a violation aborts the migration) and switched on again after.
    """
    engine = get_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if sqlite:  # outside any transaction: SQLite ignores this pragma inside one
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config = alembic_config()
                config.attributes["connection"] = connection
                yield config
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Run every migration not yet applied, up to `revision` (the app never calls
    create_all)."""
    with migration_config(url) as config:
        command.upgrade(config, revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class SchemaState(enum.StrEnum):
    READY = "ready"
    NOT_MIGRATED = "not_migrated"
    UNREACHABLE = "unreachable"


def schema_state(engine: Engine | None = None) -> SchemaState:
    """READY when the database answers and is at the newest migration."""
    engine = engine or get_engine()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return SchemaState.UNREACHABLE
    return SchemaState.READY if current == head_revision() else SchemaState.NOT_MIGRATED


_ready_urls: set[str] = set()


def database_state() -> SchemaState:
    """schema_state() of the configured database (DATABASE_URL), checked before any page runs.

    A database found ready stays trusted for the process; later failures surface where they
    happen, as short messages.
    """
    url = database_url()
    if url in _ready_urls:
        return SchemaState.READY
    state = schema_state(get_engine(url))
    if state == SchemaState.READY:
        _ready_urls.add(url)
    return state
