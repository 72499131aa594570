"""The schema comes only from Alembic, matches the models, and is the same on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from db.migrate import SchemaState, migration_config, schema_state, upgrade
from db.models import AuditEvent, Base
from db.queries.holds import hold_table
from db.session import get_engine, read_session, transaction
from mild.medications import DEFAULT_HOLD_TABLE

EXPECTED_TABLES = {
    "alembic_version",
    "audit_event",
    "case_clearance",
    "case_condition",
    "case_medication",
    "checklist_entry",
    "clinical_limit",
    "escalation_tier",
    "follow_up",
    "hold_rule",
    "kpi_target",
    "mild_case",
    "notification",
    "office",
    "office_notification",
    "patient",
    "practice_setting",
    "preop_call",
    "provider",
    "red_flag_tier",
    "safety_event",
    "sign_in_throttle",
    "staff_office",
    "staff_user",
    "user_session",
    "waiting_code",
}


def test_the_migrations_build_exactly_what_the_models_describe(db_url):
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert set(inspect(get_engine()).get_table_names()) == EXPECTED_TABLES


def test_audit_rows_cannot_be_updated_or_deleted_even_by_sql_written_by_hand(db_url):
    """Triggers from migration 0004: whatever code asks, the database refuses."""
    with transaction() as s:
        s.add(AuditEvent(at=dt.datetime.now(dt.UTC), actor_name="t", action="x", entity="case"))
    for statement in ("UPDATE audit_event SET action = 'y'", "DELETE FROM audit_event"):
        with (
            pytest.raises(DBAPIError, match="audit_event is append-only"),
            transaction() as s,
        ):
            s.execute(text(statement))
    with read_session() as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["x"]


def test_the_hold_table_is_seeded_with_the_policy_defaults_row_for_row(db_url):
    with read_session() as s:
        table = hold_table(s)
    assert table == DEFAULT_HOLD_TABLE
    assert table["apixaban"].stop_before == dt.timedelta(hours=72)
    assert table["apixaban"].brands == ("Eliquis",)


def test_every_table_has_the_same_columns_on_both_backends(db_url):
    insp = inspect(get_engine())
    for table in Base.metadata.sorted_tables:
        # Added columns come last in the database, so compare names, not their order.
        assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}


def test_the_schema_downgrades_to_nothing_and_upgrades_again(db_url):
    with migration_config() as config:
        command.downgrade(config, "base")
    assert set(inspect(get_engine()).get_table_names()) <= {"alembic_version"}
    assert schema_state() == SchemaState.NOT_MIGRATED
    upgrade()
    assert schema_state() == SchemaState.READY


def test_an_unreachable_database_is_reported_as_such():
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"
    assert schema_state(get_engine(url)) == SchemaState.UNREACHABLE


def test_sqlite_runs_with_wal_busy_timeout_foreign_keys_and_immediate_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    with get_engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    with transaction(url) as session:
        # Inside a write transaction the connection already holds the RESERVED lock, so a
        # second writer cannot sneak in between our read and our write.
        raw = session.connection().connection.dbapi_connection
        assert raw.in_transaction
