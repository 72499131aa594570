"""Shared fixtures: a freshly migrated database per test, on SQLite and on PostgreSQL.

Database tests take the `db_url` fixture and run once per backend, with the backend in the test
id (`test_x[sqlite]`, `test_x[postgresql]`). The PostgreSQL server is the throwaway cluster that
`make test` starts (scripts/with-test-postgres.sh exports TEST_DATABASE_URL_POSTGRESQL). Nothing
is skipped: without that server the PostgreSQL tests fail and say how to run them.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db.migrate import upgrade  # noqa: E402
from db.session import dispose_engines  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
PG_ENV = "TEST_DATABASE_URL_POSTGRESQL"
TEMPLATE_DB = "mild_template"


def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(
            f"{PG_ENV} is not set: run the suite with `make test`, which starts a throwaway "
            "PostgreSQL server for it."
        )
    return url


def new_postgres_database(
    prefix: str, template: str | None = None
) -> tuple[str, Callable[[], None]]:
    """A new database on the test server, empty or a copy of `template`: its URL, and the
    function that drops it (with any connection still open)."""
    admin_url = postgres_admin_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy_of = f" TEMPLATE {template}" if template else ""
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}{copy_of}"))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return url, drop


@contextmanager
def database_of_the_test(
    url: str, drop: Callable[[], None] | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """`url` as the test's DATABASE_URL; afterwards its connections closed and, where `drop` is
    given, the database dropped."""
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield url
    finally:
        dispose_engines()
        if drop:
            drop()


@contextmanager
def database_at_revision(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, revision: str
) -> Iterator[str]:
    """An empty database on `backend` migrated only as far as `revision` (the shape before the
    migration a test carries data over), as the test's DATABASE_URL."""
    if backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'old.db'}", None
    else:
        url, drop = new_postgres_database(f"m{revision}")
    with database_of_the_test(url, drop, monkeypatch):
        upgrade(url, revision)
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating each time is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    dispose_engines()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """A migrated PostgreSQL database that tests clone with CREATE DATABASE ... TEMPLATE."""
    admin_url = postgres_admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    url = make_url(admin_url).set(database=TEMPLATE_DB).render_as_string(hide_password=False)
    upgrade(url)
    dispose_engines()  # a template must have no open connections
    admin.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    """A migrated, empty database of each backend, set as DATABASE_URL for the test."""
    if request.param == "sqlite":
        path = tmp_path / "mild.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        cleanup = None
    else:
        request.getfixturevalue("postgres_template")
        url, cleanup = new_postgres_database("t", template=TEMPLATE_DB)

    with database_of_the_test(url, cleanup, monkeypatch):
        yield url
