"""Killing the server mid-burst loses no acknowledged write and leaves no case half-written.

The writer is a process of its own (tests/support/crash_writer.py): it signs in and ticks the
day-of checklist of several cases at once through services.checklist, one thread per case as
several tablets would, and prints an ACK line after each call returns (its transaction
committed). This test reads those lines, sends SIGKILL after a number of them while the other
threads are mid-transaction, then "restarts": opens the database fresh (SQLite: a first
connection that recovers the WAL file the dead process left, then PRAGMA integrity_check;
PostgreSQL: a new connection once the server has ended the dead process's sessions) and checks:

- every acknowledged tick is there, at the place in its case's history its version says, with
  its audit row;
- every case is whole: one audit row per checklist row (same step, time and user), version = 1
  + its audit rows, its steps a prefix of the burst in order, status, step timestamps and
  values on the case matching its ticks, and follow-ups booked exactly when it was discharged.

Three kills at different stages, then a run to the end proves the app carries on afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from db.models import AuditEvent, Case, ChecklistEntry, FollowUp
from db.session import dispose_engines, read_session
from mild.cases import CaseStatus
from mild.followup import follow_up_schedule
from mild.staff import Role
from tests.builders import PASSWORD, make_case, make_office, make_user
from tests.support.crash_writer import STEP_KEYS

ROOT = Path(__file__).resolve().parents[2]
# Where each case starts the burst (steps already ticked), so the kills land on cases at every
# stage of the day, discharge included.
OFFSETS = (0, 5, 10, 15, 20, 24)
KILL_AFTER = (20, 20, 20)  # acknowledgements read before each SIGKILL
LINE_TIMEOUT = 120  # seconds to wait for the writer's next line

# What each tick leaves on the case row besides its version (spelled out here, not read from
# the services): the status it moves the case to, and the column stamped with its time or value.
MOVES_TO = {
    "checked_in": CaseStatus.CHECKED_IN,
    "procedure_start": CaseStatus.IN_PROCEDURE,
    "recovery_in": CaseStatus.RECOVERY,
    "discharged": CaseStatus.DISCHARGED,
}
STAMPED_AT = {
    "checked_in": "checked_in_at",
    "anesthesia_start": "anesthesia_started_at",
    "procedure_start": "procedure_started_at",
    "procedure_end": "procedure_ended_at",
    "recovery_in": "recovery_in_at",
    "recovery_out": "recovery_out_at",
    "discharged": "discharged_at",
}
VALUE_ON_CASE = {
    "anesthesia_type": "anesthesia_type",
    "imaging_modality": "imaging_modality",
    "levels_treated": "levels_treated",
}


@dataclasses.dataclass
class Run:
    """What one writer process said before it died or finished."""

    lines: list[str]
    killed: bool
    stderr: str

    def events(self, kind: str) -> list[list[str]]:
        return [line.split(" ", 3)[1:] for line in self.lines if line.split(" ", 1)[0] == kind]

    @property
    def acks(self) -> list[tuple[int, str, int]]:
        return [(int(c), s, int(v)) for c, s, v in self.events("ACK")]

    @property
    def in_flight(self) -> int:
        """Service calls begun whose result the process never reported."""
        return len(self.events("START")) - len(self.events("ACK")) - len(self.events("REFUSED"))


def run_writer(url: str, plans: list[str], kill_after: int | None, log: Path) -> Run:
    """Start the writer on `plans` (CASE:FROM:TO); SIGKILL it after `kill_after` ACKs, or let
    it finish when None."""
    dispose_engines()  # the writer is the only process with the database open, as a server is
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash_writer", "nurse1", *plans],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        proc.stdin.write(PASSWORD + "\n")
        proc.stdin.close()
        lines: list[str] = []
        arrived: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                arrived.put(line)
            arrived.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        acks, killed = 0, False
        try:
            while True:
                line = arrived.get(timeout=LINE_TIMEOUT)
                if line is None:
                    break
                if line.startswith("ACK "):
                    acks += 1
                    if acks == kill_after:
                        os.kill(proc.pid, signal.SIGKILL)
                        killed = True
                        break
        finally:
            if proc.poll() is None and not killed:
                proc.kill()
            proc.wait(timeout=LINE_TIMEOUT)
            reader.join(timeout=LINE_TIMEOUT)  # drains what the writer printed before it died
    run = Run(lines, killed, log.read_text())
    assert run.events("REFUSED") == [], run.stderr
    if kill_after is None:
        assert proc.returncode == 0 and lines[-1] == "DONE", run.stderr
    else:
        assert killed and proc.returncode == -signal.SIGKILL, run.stderr
    return run


def restart(url: str) -> dict[str, int]:
    """Open the database as a restarted server would; what the restart found."""
    dispose_engines()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        wal = Path(f"{parsed.database}-wal")
        left = wal.stat().st_size if wal.exists() else 0
        with closing(sqlite3.connect(parsed.database)) as conn:  # first opener: recovers the WAL
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {"wal_bytes_left": left}
    # The server ends a dead client's sessions (rolling back their transactions) when it sees
    # the socket close; wait for that, so nothing the dead writer began still holds a lock.
    deadline = time.monotonic() + 30
    with read_session() as s:
        while True:
            others = s.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            if others == 0 or time.monotonic() > deadline:
                break
            s.rollback()
            time.sleep(0.1)
    assert others == 0
    return {"sessions_left": others}


def ticks_in_database(case_ids: list[int]) -> dict[int, list[str]]:
    """Each case's ticked steps, after proving the case is whole (see the module docstring)."""
    found: dict[int, list[str]] = {}
    with read_session() as s:
        for case_id in case_ids:
            case = s.get(Case, case_id)
            entries = list(
                s.scalars(
                    select(ChecklistEntry)
                    .where(ChecklistEntry.case_id == case_id)
                    .order_by(ChecklistEntry.id)
                )
            )
            audits = list(
                s.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.entity == "case", AuditEvent.entity_id == case_id)
                    # Printing the instructions is audited but changes nothing on the case.
                    .where(AuditEvent.action != "document.printed")
                    .order_by(AuditEvent.id)
                )
            )
            steps = [e.step for e in entries]
            where = f"case {case_id}: {steps}"
            assert [(a.action, json.loads(a.detail)["step"]) for a in audits] == [
                ("checklist.ticked", step) for step in steps
            ], where
            assert [(a.at, a.actor_id) for a in audits] == [
                (e.done_at, e.done_by_id) for e in entries
            ], where
            assert not any(e.undone for e in entries), where
            assert case.version == 1 + len(audits), where
            assert steps == list(STEP_KEYS[: len(steps)]), where
            expected_status = CaseStatus.SCHEDULED
            for step in steps:
                expected_status = MOVES_TO.get(step, expected_status)
            assert case.status == expected_status, where
            at = {e.step: e.done_at for e in entries}
            for step, column in STAMPED_AT.items():
                assert getattr(case, column) == at.get(step), f"{where}: {column}"
            values = {e.step: e.value for e in entries}
            for step, column in VALUE_ON_CASE.items():
                assert getattr(case, column) == values.get(step), f"{where}: {column}"
            if entries:
                assert case.updated_at == entries[-1].done_at, where
            booked = s.scalar(
                select(func.count()).select_from(FollowUp).where(FollowUp.case_id == case_id)
            )
            owed = len(follow_up_schedule(at["discharged"])) if "discharged" in at else 0
            assert booked == owed, where
            found[case_id] = steps
    return found


def assert_acknowledged_ticks_are_there(
    acks: list[tuple[int, str, int]], found: dict[int, list[str]]
) -> None:
    # Version v means the tick is the (v - 1)th of its case: the builder makes cases at 1.
    missing = [
        (case_id, step, version)
        for case_id, step, version in acks
        if len(found[case_id]) < version - 1 or found[case_id][version - 2] != step
    ]
    assert missing == []


def test_killing_the_writer_mid_burst_keeps_every_acknowledged_tick_and_no_case_half_written(
    db_url, tmp_path
):
    office = make_office()
    make_user("nurse1", Role.NURSE, [office])
    cases = [make_case(office, provider="Dr. Ames") for _ in OFFSETS]
    warm_up = [f"{c}:0:{n}" for c, n in zip(cases, OFFSETS, strict=True) if n]
    run_writer(db_url, warm_up, None, tmp_path / "warm-up.log")
    found = ticks_in_database(cases)
    assert [len(found[c]) for c in cases] == list(OFFSETS)

    acknowledged: list[tuple[int, str, int]] = []
    figures = []
    for round_no, kill_after in enumerate([*KILL_AFTER, None], start=1):
        plans = [f"{c}:{len(found[c])}:{len(STEP_KEYS)}" for c in cases]
        before = sum(len(v) for v in found.values())
        run = run_writer(db_url, plans, kill_after, tmp_path / f"round-{round_no}.log")
        seen = restart(db_url)
        found = ticks_in_database(cases)
        acknowledged += run.acks
        assert_acknowledged_ticks_are_there(acknowledged, found)
        committed = sum(len(v) for v in found.values()) - before
        # A call whose ACK never came may have committed just before the kill, or not at all.
        assert len(run.acks) <= committed <= len(run.acks) + run.in_flight
        figures.append(
            f"round {round_no}: {'killed' if run.killed else 'finished'}, "
            f"{len(run.acks)} acknowledged, {committed} found, {run.in_flight} in flight, {seen}"
        )

    # Killed three times, the day still ends with every case discharged exactly once.
    assert all(found[c] == list(STEP_KEYS) for c in cases)
    print(f"\n[{make_url(db_url).get_backend_name()}] " + "\n".join(figures))
