"""Backup and restore of the SQLite database, safe while the app runs.

A backup is SQLite's online backup API (sqlite3.Connection.backup) copying the live database in
one step: one read transaction, so the copy is the database as it was at one commit while the
app's writers go on (WAL: readers and writers do not block each other). The copy is written
beside its final name, checked (PRAGMA integrity_check, a schema revision this app knows), made
one self-contained file (journal_mode=DELETE), synced, and only then renamed into place: a file
under the final name is always a whole, checked backup.

A restore checks the backup the same way, keeps a safety copy of the database it replaces, then
copies the backup into the live database through the same API. The API takes SQLite's locks
like any writer, so a running app never sees a half-restored file: its next transaction sees
the restored database whole. A live file too damaged for SQLite to open is set aside whole and
replaced instead. A backup at an older schema revision is migrated to the newest afterwards.

PostgreSQL has its own tools (pg_dump, pg_restore); both functions refuse it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from db.migrate import SchemaState, alembic_config, head_revision, schema_state, upgrade
from db.session import SQLITE_BUSY_TIMEOUT_MS, database_url
from mild import messages

# The tables whose rows a backup counts: the ones an administrator recognizes.
MAIN_TABLES = (
    "office",
    "staff_user",
    "patient",
    "mild_case",
    "checklist_entry",
    "follow_up",
    "audit_event",
)


class BackupRefused(Exception):
    """A backup or restore that cannot be done; the message says why, in one line."""


@dataclass(frozen=True)
class Copy:
    """A MILD database file: where, how big, its schema, its main tables' rows."""

    path: Path
    size_bytes: int
    revision: str
    state: SchemaState  # READY: at the newest revision this app knows
    rows: dict[str, int]
    seconds: float  # how long making it took


@dataclass(frozen=True)
class Restored:
    database: Copy  # the live database as restored (seconds: the whole restore)
    backup: Path
    backup_revision: str  # before migrating, when it was older than the app
    safety_copy: Path | None  # the database replaced; None when there was none


def live_database(url: str | None = None) -> Path:
    """The file of the configured SQLite database; refused for any other backend."""
    parsed = make_url(url or database_url())
    backend = parsed.get_backend_name()
    if backend != "sqlite":
        raise BackupRefused(messages.BACKUP_SQLITE_ONLY.format(backend=backend))
    if not parsed.database or parsed.database == ":memory:":
        raise BackupRefused(messages.BACKUP_NO_DATABASE.format(path=parsed.database or "(none)"))
    return Path(parsed.database).expanduser().resolve()


def backup(target: str | Path, url: str | None = None) -> Copy:
    """Copy the live database to `target` (a new file, or a folder to name one in), checked."""
    database = live_database(url)
    if not database.is_file():
        raise BackupRefused(messages.BACKUP_NO_DATABASE.format(path=database))
    target = _new_file(Path(target), database)
    started = time.perf_counter()
    with closing(_open(database)) as live:
        try:
            revision = _revision(live)
        except sqlite3.DatabaseError:
            raise BackupRefused(messages.NOT_A_SQLITE_DATABASE.format(path=database)) from None
        if revision is None:
            raise BackupRefused(messages.BACKUP_NOT_MILD.format(path=database))
        _copy(live, target)
    return _describe(target, time.perf_counter() - started)


def restore(backup_file: str | Path, url: str | None = None, *, confirmed: bool) -> Restored:
    """Replace the live database with a checked backup, keeping a safety copy of it first.

    `confirmed` is the administrator's --yes: a restore loses every change since the backup.
    """
    url = url or database_url()
    database = live_database(url)
    if not confirmed:
        raise BackupRefused(messages.RESTORE_NEEDS_YES.format(path=database))
    started = time.perf_counter()
    chosen = Path(backup_file).expanduser().resolve()
    if not chosen.is_file():
        raise BackupRefused(messages.RESTORE_NO_FILE.format(path=chosen))
    if chosen in _files_of(database):
        raise BackupRefused(messages.RESTORE_SAME_FILE.format(path=chosen))
    with closing(_open(chosen, read_only=True)) as restoring:
        revision = _check_backup(restoring, chosen)
        safety = _keep_safety_copy(database)
        database.parent.mkdir(parents=True, exist_ok=True)
        if safety is not None and not _readable(database):
            _replace_damaged(restoring, database)
        else:
            try:
                with closing(_open(database, create=True)) as live:
                    restoring.backup(live)  # one transaction: all of it, or nothing
            except sqlite3.Error as exc:
                raise BackupRefused(messages.RESTORE_FAILED.format(detail=exc)) from None
    if revision != head_revision():
        upgrade(url)
    return Restored(_describe(database, time.perf_counter() - started), chosen, revision, safety)


# --- copying -------------------------------------------------------------------------------------


def _open(path: Path, *, read_only: bool = False, create: bool = False) -> sqlite3.Connection:
    """A plain sqlite3 connection that never creates a file by accident (a mistyped path)."""
    mode = "ro" if read_only else ("rwc" if create else "rw")
    conn = sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def _files_of(database: Path) -> set[Path]:
    return {database, Path(f"{database}-wal"), Path(f"{database}-shm")}


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")


def _new_file(target: Path, database: Path) -> Path:
    """Where a copy goes: `target`, or a timestamped file in it when it is a folder."""
    target = target.expanduser().resolve()
    if target.is_dir():
        target = target / f"{database.stem}-{_stamp()}.db"
    if target in _files_of(database):
        raise BackupRefused(messages.BACKUP_ONTO_DATABASE.format(path=target))
    if target.exists():
        raise BackupRefused(messages.BACKUP_TARGET_EXISTS.format(path=target))
    if not target.parent.is_dir():
        raise BackupRefused(messages.BACKUP_FOLDER_MISSING.format(path=target.parent))
    return target


def _copy(source: sqlite3.Connection, target: Path, *, check: bool = True) -> None:
    """The online backup into a file beside `target`, checked, synced, renamed to it."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        partial.touch(exist_ok=False)
    except OSError as exc:
        raise BackupRefused(
            messages.BACKUP_CANNOT_WRITE.format(path=target, detail=exc.strerror)
        ) from None
    try:
        with closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            # pages=-1: the whole database in one step, so one consistent snapshot; a stepwise
            # copy starts over after every commit the app makes meanwhile.
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            problem = _integrity_problem(copy) if check else None
        if problem:
            raise BackupRefused(messages.BACKUP_COPY_FAILED.format(path=target, detail=problem))
        _sync(partial)
        partial.replace(target)
        _sync(target.parent)
    finally:
        partial.unlink(missing_ok=True)


def _keep_safety_copy(database: Path) -> Path | None:
    """The database about to be replaced, set aside beside it, even if damaged (a damaged
    database is the usual reason to restore)."""
    if not database.is_file():
        return None
    name = f"{database.stem}-before-restore-{_stamp()}"
    safety = database.with_name(f"{name}.db")
    for n in range(2, 100):  # two restores within a second keep both
        if not safety.exists():
            break
        safety = database.with_name(f"{name}-{n}.db")
    safety = _new_file(safety, database)
    try:
        with closing(_open(database)) as live:
            _copy(live, safety, check=False)
    except sqlite3.DatabaseError:  # SQLite cannot read it: keep its files byte for byte
        for name in (database, Path(f"{database}-wal")):
            if name.is_file():
                shutil.copyfile(name, f"{safety}{name.name.removeprefix(database.name)}")
    return safety


def _replace_damaged(restoring: sqlite3.Connection, database: Path) -> None:
    """Put the backup in place of a live file SQLite cannot open (already set aside)."""
    partial = database.with_name(f".{database.name}.partial-{os.getpid()}")
    try:
        with closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            restoring.backup(copy, pages=-1)
        _sync(partial)
        for stale in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)  # they belong to the damaged file
        partial.replace(database)
        _sync(database.parent)
    finally:
        partial.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flush a file, or a folder's entries (so a rename survives a power cut), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- checks ----------------------------------------------------------------------------------


def _readable(database: Path) -> bool:
    """Whether SQLite can open the file as a database at all."""
    try:
        with closing(_open(database)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def _integrity_problem(conn: sqlite3.Connection) -> str | None:
    found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return None if found == ["ok"] else "; ".join(found[:3])


def _revision(conn: sqlite3.Connection) -> str | None:
    """The Alembic revision recorded in the database, None for a file that has none."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: not one of ours
        return None
    return row[0] if row else None


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _check_backup(conn: sqlite3.Connection, path: Path) -> str:
    """The backup's schema revision, once it is proved a whole MILD database this app knows."""
    try:
        problem = _integrity_problem(conn)
        revision = _revision(conn)
    except sqlite3.DatabaseError:  # "file is not a database"
        raise BackupRefused(messages.NOT_A_SQLITE_DATABASE.format(path=path)) from None
    if problem:
        raise BackupRefused(messages.RESTORE_DAMAGED.format(path=path, detail=problem))
    if revision is None:
        raise BackupRefused(messages.BACKUP_NOT_MILD.format(path=path))
    if not _known(revision):
        raise BackupRefused(messages.RESTORE_UNKNOWN_REVISION.format(path=path, revision=revision))
    return revision


def _describe(path: Path, seconds: float) -> Copy:
    """Size, schema and main-table rows of a database file, as the app would find it."""
    with closing(_open(path, read_only=True)) as conn:
        revision = _revision(conn) or ""
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        rows = {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in MAIN_TABLES
            if name in tables
        }
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        state = schema_state(engine)  # the readiness check the app runs before any page
    finally:
        engine.dispose()
    return Copy(path, path.stat().st_size, revision, state, rows, seconds)
