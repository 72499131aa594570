"""Backup and restore of the SQLite database while the app runs (db/backup.py, manage.py).

A backup taken while nurses tick steps is whole (integrity_check) and holds the database as it
was at one commit: every case's audit rows match its version and checklist, and its rows are a
prefix of what the live database holds afterwards. A restore makes the app's database equal to
the backup, seen at once by connections the app already has open, keeps a safety copy, and ends
every session. Everything else is refused with one `error:` line and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

import manage
from db.backup import BackupRefused, backup, restore
from db.migrate import alembic_config, head_revision
from db.models import AuditEvent, Case, Patient, UserSession
from db.session import dispose_engines, get_engine, read_session, transaction
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Role
from services import sessions
from tests.builders import make_case, make_office, make_user
from tests.support.crash_writer import BURST, tick

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

CASES = 6
FILLER_PATIENTS = 20_000  # enough rows that a backup takes a while for writers to run beside


def path_of(url: str) -> Path:
    return Path(make_url(url).database)


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite file, in rowid order."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}


def case_audit_ids(rows: dict[str, list[tuple]]) -> list[int]:
    return [row[0] for row in rows["audit_event"] if row[5] == "case"]


def assert_every_case_whole(path: Path) -> int:
    """Per case: version = 1 + its audit rows = 1 + its checklist rows. Returns the ticks."""
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        found = conn.execute(
            "SELECT c.id, c.version,"
            " (SELECT count(*) FROM checklist_entry e WHERE e.case_id = c.id),"
            # Printing the discharge instructions is audited but changes nothing on the case.
            " (SELECT count(*) FROM audit_event a WHERE a.entity = 'case' AND a.entity_id = c.id"
            "  AND a.action <> 'document.printed')"
            " FROM mild_case c WHERE c.code LIKE 'T-%'"
        ).fetchall()
    assert found and all(version == 1 + ticks == 1 + audits for _, version, ticks, audits in found)
    return sum(ticks for _, _, ticks, _ in found)


class Ticker(threading.Thread):
    """A nurse's tablet ticking the day's steps on every case, round robin, until told to stop
    or the day is done. Refusals are counted (a restore can move a case back under it)."""

    def __init__(self, actor, case_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.actor, self.case_ids = actor, case_ids
        self.stop = threading.Event()
        self.ticked = 0
        self.refused = 0
        self.failures: list[BaseException] = []

    def run(self) -> None:
        try:
            for step, value in BURST:
                for case_id in self.case_ids:
                    if self.stop.is_set():
                        return
                    try:
                        tick(case_id, step, value, self.actor)
                        self.ticked += 1
                    except RuleViolation:
                        self.refused += 1
        except BaseException as exc:  # anything but a refusal is a failure of the test
            self.failures.append(exc)

    def wait_for(self, ticks: int) -> None:
        deadline = time.monotonic() + 60
        while self.ticked < ticks and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.ticked >= ticks

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=60)
        assert self.failures == []


@pytest.fixture
def day(db_url) -> tuple[object, list[int]]:
    """A nurse and six cases booked today, in a database with some bulk to copy."""
    office = make_office()
    nurse = make_user("nurse1", Role.NURSE, [office])
    now = dt.datetime.now(dt.UTC)
    with transaction() as s:
        s.execute(
            insert(Patient),
            [
                {
                    "mrn": f"F{n:07d}",
                    "first_name": "Filler",
                    "last_name": f"Patient{n}",
                    "date_of_birth": dt.date(1950, 1, 1),
                    "created_at": now,
                }
                for n in range(FILLER_PATIENTS)
            ],
        )
    return nurse, [make_case(office, provider="Dr. Ames") for _ in range(CASES)]


# --- backup --------------------------------------------------------------------------------------


def test_backups_taken_while_ticks_are_written_are_whole_and_each_a_prefix_of_the_database(
    db_url, day, tmp_path
):
    nurse, case_ids = day
    writer = Ticker(nurse, case_ids)
    writer.start()
    copies, during = [], 0
    for n in range(3):
        writer.wait_for(10 * (n + 1))
        before = writer.ticked
        copies.append(backup(tmp_path / f"during-{n}.db"))
        during += writer.ticked - before
    writer.finish()

    live = contents(path_of(db_url))
    for copy in copies:
        ticks = assert_every_case_whole(copy.path)
        saved = contents(copy.path)
        assert case_audit_ids(saved) == case_audit_ids(live)[: len(case_audit_ids(saved))]
        entries = saved["checklist_entry"]
        assert entries == live["checklist_entry"][: len(entries)] and len(entries) == ticks
        assert copy.revision == head_revision() and copy.rows["mild_case"] == CASES
        assert copy.rows["patient"] == CASES + FILLER_PATIENTS
    assert [len(contents(c.path)["checklist_entry"]) for c in copies] == sorted(
        len(contents(c.path)["checklist_entry"]) for c in copies
    )
    # Writers were not held up: ticks were committed while the copies were being made.
    assert during > 0
    print(
        f"\nbackup: {copies[-1].size_bytes / 1e6:.1f} MB in "
        f"{', '.join(f'{c.seconds:.2f}' for c in copies)} s; {during} ticks committed meanwhile"
    )


def test_a_backup_into_a_folder_is_named_by_time_and_is_one_file(db_url, day, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    copy = backup(folder)

    assert copy.path.parent == folder and copy.path.name.startswith("mild-")
    assert [p.name for p in folder.iterdir()] == [copy.path.name]  # no -wal, no partial file
    with closing(sqlite3.connect(copy.path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


# --- restore -------------------------------------------------------------------------------------


def test_a_restore_makes_the_database_equal_to_the_backup_seen_by_connections_already_open(
    db_url, day, tmp_path
):
    nurse, case_ids = day
    for step, value in BURST[:3]:
        tick(case_ids[0], step, value, nurse)
    saved = backup(tmp_path / "saved.db")
    for step, value in BURST[3:6]:  # work done after the backup, which the restore undoes
        tick(case_ids[0], step, value, nurse)
    with read_session() as s:  # the app's pool holds a connection from before the restore
        assert s.scalar(select(Case.version).where(Case.id == case_ids[0])) == 7
    replaced = contents(path_of(db_url))

    restored = restore(saved.path, confirmed=True)

    assert contents(path_of(db_url)) == contents(saved.path)
    assert contents(restored.safety_copy) == replaced
    assert restored.safety_copy.parent == path_of(db_url).parent
    with read_session() as s:  # the same engine, the same pool, no restart
        assert s.scalar(select(Case.version).where(Case.id == case_ids[0])) == 4
    assert restored.database.rows == saved.rows and restored.backup_revision == head_revision()


def test_a_restore_while_ticks_are_written_leaves_every_case_whole(db_url, day, tmp_path):
    nurse, case_ids = day
    writer = Ticker(nurse, case_ids)
    writer.start()
    writer.wait_for(12)
    saved = backup(tmp_path / "saved.db")
    writer.wait_for(30)

    restore(saved.path, confirmed=True)
    after_restore = writer.ticked
    writer.wait_for(after_restore + 6)  # the app goes on writing into the restored database
    writer.finish()

    assert_every_case_whole(path_of(db_url))
    backed_up, live = contents(saved.path), contents(path_of(db_url))
    assert (
        live["checklist_entry"][: len(backed_up["checklist_entry"])]
        == (backed_up["checklist_entry"])
    )
    assert case_audit_ids(live)[: len(case_audit_ids(backed_up))] == case_audit_ids(backed_up)


def test_a_backup_at_an_older_schema_is_migrated_to_the_newest_after_restoring(db_url, tmp_path):
    older = tmp_path / "older.db"
    with get_engine(f"sqlite:///{older}").begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    dispose_engines()

    restored = restore(older, confirmed=True)

    assert restored.backup_revision == "0003"
    assert restored.database.revision == head_revision()
    assert restored.database.state.value == "ready"


def test_a_damaged_database_is_set_aside_whole_and_replaced_by_the_backup(db_url, day, tmp_path):
    saved = backup(tmp_path / "saved.db")
    dispose_engines()
    live = path_of(db_url)
    garbage = b"not a database, a disk gone bad " * 512
    live.write_bytes(garbage)

    restored = restore(saved.path, confirmed=True)

    assert contents(live) == contents(saved.path)
    assert restored.safety_copy.read_bytes() == garbage


# --- the command line ----------------------------------------------------------------------------


def run_manage(capsys, *argv: str) -> tuple[int, str, str]:
    code = manage.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_manage_backup_and_restore_say_what_they_did_audit_it_and_end_every_session(
    db_url, day, tmp_path, capsys
):
    nurse, case_ids = day
    signed_in = sessions.start(nurse).actor  # a browser signed in before the backup
    folder = tmp_path / "backups"
    folder.mkdir()
    code, out, err = run_manage(capsys, "backup", str(folder))
    assert (code, err) == (0, "")
    (saved,) = folder.iterdir()
    assert out.splitlines()[0] == f"Backed up {db_url} to {saved}"
    assert "integrity_check ok; schema " in out and f"mild_case {CASES}" in out
    sessions.end(signed_in)  # signed out after the backup: the restore brings the row back open

    code, out, err = run_manage(capsys, "restore", str(saved), "--yes")

    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith(f"Restored {path_of(db_url)} from {saved} in ")
    assert "the database it replaced is kept at " in out
    assert "1 open session(s) ended: everyone signs in again" in out
    with read_session() as s:
        session_row = s.get(UserSession, signed_in.session_id)
        assert (session_row.end_reason, session_row.ticket_hash) == ("database restored", None)
        restored = s.scalars(select(AuditEvent).where(AuditEvent.action == "database.restored"))
        (event,) = restored
        assert event.actor_name.startswith("cli:")
        assert json.loads(event.detail)["backup"] == str(saved)
        # The backup's own audit row was written after the copy, so the restore dropped it.
        backed_up = select(func.count()).where(AuditEvent.action == "database.backed_up")
        assert s.scalar(backed_up) == 0


def test_a_restore_without_yes_is_refused_and_changes_nothing(db_url, day, tmp_path, capsys):
    saved = backup(tmp_path / "saved.db")
    before = contents(path_of(db_url))

    code, out, err = run_manage(capsys, "restore", str(saved))

    assert (code, out) == (2, "")
    assert err == f"error: {messages.RESTORE_NEEDS_YES.format(path=path_of(db_url))}\n"
    assert contents(path_of(db_url)) == before
    assert sorted(p.name for p in path_of(db_url).parent.glob("*before-restore*")) == []


def _not_sqlite(tmp_path: Path, db_url: str) -> tuple[Path, str]:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n" * 200)
    return path, messages.NOT_A_SQLITE_DATABASE.format(path=path)


def _not_mild(tmp_path: Path, db_url: str) -> tuple[Path, str]:
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x)")
    return path, messages.BACKUP_NOT_MILD.format(path=path)


def _unknown_revision(tmp_path: Path, db_url: str) -> tuple[Path, str]:
    path = backup(tmp_path / "newer.db").path
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    return path, messages.RESTORE_UNKNOWN_REVISION.format(path=path, revision="9999")


def _missing(tmp_path: Path, db_url: str) -> tuple[Path, str]:
    path = tmp_path / "nowhere.db"
    return path, messages.RESTORE_NO_FILE.format(path=path)


def _itself(tmp_path: Path, db_url: str) -> tuple[Path, str]:
    path = path_of(db_url).resolve()
    return path, messages.RESTORE_SAME_FILE.format(path=path)


@pytest.mark.parametrize(
    "bad_backup", [_not_sqlite, _not_mild, _unknown_revision, _missing, _itself]
)
def test_a_restore_from_a_file_that_is_not_a_known_mild_backup_is_refused_changing_nothing(
    db_url, day, tmp_path, capsys, bad_backup
):
    path, message = bad_backup(tmp_path, db_url)
    before = contents(path_of(db_url))

    code, out, err = run_manage(capsys, "restore", str(path), "--yes")

    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert contents(path_of(db_url)) == before
    assert list(path_of(db_url).parent.glob("*before-restore*")) == []


def test_a_backup_onto_an_existing_file_a_missing_folder_or_the_database_is_refused(
    db_url, day, tmp_path, capsys
):
    taken = tmp_path / "taken.db"
    taken.write_text("keep me")
    live = path_of(db_url).resolve()
    refusals = {
        taken: messages.BACKUP_TARGET_EXISTS.format(path=taken),
        tmp_path / "no" / "x.db": messages.BACKUP_FOLDER_MISSING.format(path=tmp_path / "no"),
        live: messages.BACKUP_ONTO_DATABASE.format(path=live),
        Path(f"{live}-wal"): messages.BACKUP_ONTO_DATABASE.format(path=f"{live}-wal"),
    }
    for target, message in refusals.items():
        assert run_manage(capsys, "backup", str(target)) == (2, "", f"error: {message}\n")
    assert taken.read_text() == "keep me"


def test_backup_and_restore_refuse_postgresql_naming_pg_dump_without_showing_the_password(
    db_url, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://mild:s3cret@db.internal/mild")
    message = messages.BACKUP_SQLITE_ONLY.format(backend="postgresql")
    folder = tmp_path / "backups"
    folder.mkdir()
    for argv in (["backup", str(folder)], ["restore", str(folder / "x.db"), "--yes"]):
        assert run_manage(capsys, *argv) == (2, "", f"error: {message}\n")
    assert "pg_dump" in message
    assert list(folder.iterdir()) == []


def test_backing_up_a_database_that_is_not_there_is_refused(db_url, tmp_path, monkeypatch):
    missing = tmp_path / "gone" / "mild.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    with pytest.raises(BackupRefused) as refusal:
        backup(tmp_path)
    assert str(refusal.value) == messages.BACKUP_NO_DATABASE.format(path=missing)
    assert not missing.parent.exists()  # nothing created by a mistyped path
