"""Bring a database to the newest schema, and tell whether one is ready for the app."""

from __future__ import annotations

import enum
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


def upgrade(url: str | None = None) -> None:
    """Run every migration not yet applied (the app never calls create_all)."""
    config = alembic_config()
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


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
