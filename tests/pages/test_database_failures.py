"""A database that is away or not set up: one clear sentence on screen, never a traceback.

The router trusts a database URL for the whole process once it has found it ready
(db.migrate.database_state), so every test here uses a URL of its own.
"""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mild import messages
from mild.staff import Role
from tests.builders import PASSWORD, make_case, make_office, make_user
from tests.conftest import postgres_admin_url
from tests.pages.conftest import POSTGRESQL_ONLY, sign_in


def drop_database(url: str) -> None:
    """Take a test database away from under the app, as a lost server would."""
    name = make_url(url).database
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def assert_only_message(at, message: str) -> None:
    assert not at.exception
    assert [e.value for e in at.error] == [message]
    assert not at.text_input and not at.metric and not at.dataframe
    assert at.sidebar.children == {}


def test_an_unreachable_postgresql_shows_database_unavailable(app, monkeypatch):
    # Port 1 refuses connections; the database name makes the URL unique to this test.
    monkeypatch.setenv(
        "DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:1/none_{uuid.uuid4().hex[:8]}"
    )

    at = app().run()

    assert_only_message(at, messages.DATABASE_UNAVAILABLE)
    assert [t.value for t in at.title] == ["MILD procedure day"]


def test_an_empty_unmigrated_sqlite_file_shows_database_not_migrated(app, tmp_path, monkeypatch):
    path = tmp_path / "empty.db"
    path.touch()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")

    at = app().run()

    assert_only_message(at, messages.DATABASE_NOT_MIGRATED)
    # A second look (a browser refresh) still says so: a broken database is never trusted.
    at.run()
    assert_only_message(at, messages.DATABASE_NOT_MIGRATED)


@POSTGRESQL_ONLY
def test_losing_the_database_after_sign_in_shows_database_unavailable(db_url, app):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office])
    make_case(office)
    at = sign_in(app().run(), "nina", PASSWORD)
    assert [t.value for t in at.title] == ["Today"]

    drop_database(db_url)
    at.run()

    assert_only_message(at, messages.DATABASE_UNAVAILABLE)


@POSTGRESQL_ONLY
def test_signing_in_while_the_database_is_gone_shows_database_unavailable(db_url, app):
    make_user("nina", Role.NURSE, [make_office("AA")])
    at = app().run()  # the database was there when the tab opened
    assert not at.error

    drop_database(db_url)
    sign_in(at, "nina", PASSWORD)

    assert not at.exception
    assert [e.value for e in at.error] == [messages.DATABASE_UNAVAILABLE]
    assert "signed_in_actor" not in at.session_state
    assert not at.metric and not at.dataframe
