"""Migration 0014 carries a database of 0013's shape over: follow-ups gain the last attempt's
outcome (none for attempts made before, as none was recorded) and a visit's day (a recorded
visit takes the day it was recorded, in its office's time zone). On both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from db.migrate import upgrade
from db.session import get_engine
from tests.conftest import database_at_revision
from tests.db.test_migration_0005 import _office_and_patient

RECORDED = dt.datetime(2030, 3, 1, 15, 30, tzinfo=dt.UTC)
EVENING = dt.datetime(2030, 3, 2, 1, 30, tzinfo=dt.UTC)  # 20:30 on 1 March in New York


@pytest.fixture(params=["sqlite", "postgresql"])
def db_0013(request, tmp_path, monkeypatch):
    with database_at_revision(request.param, tmp_path, monkeypatch, "0013") as url:
        yield url


def test_recorded_visits_get_the_day_they_were_recorded_and_nothing_else_changes(db_0013):
    follow_ups = [  # id, kind, reached, completed, attempts
        (1, "next_day_call", True, RECORDED, 2),
        (2, "weeks_2", True, RECORDED, 1),
        (3, "months_3", False, RECORDED, 3),  # closed as not reached: no visit
        (4, "months_6", None, None, 1),  # still open
        (5, "months_12", True, EVENING, 1),  # 20:30 in New York: that day, not the UTC one
    ]
    with get_engine(db_0013).begin() as c:
        _office_and_patient(c)
        c.execute(
            text(
                "INSERT INTO mild_case (id, code, patient_id, office_id, status, "
                "request_channel, consult_requested_at, planned_minutes, version, updated_at) "
                "VALUES (1, 'NYC-00001', 1, 1, 'follow_up', 'phone', :now, 60, 1, :now)"
            ),
            {"now": RECORDED},
        )
        for fid, kind, reached, completed, attempts in follow_ups:
            c.execute(
                text(
                    "INSERT INTO follow_up (id, case_id, office_id, kind, due_at, overdue_at, "
                    "attempts, reached, completed_at) "
                    "VALUES (:id, 1, 1, :kind, :due, :due, :attempts, :reached, :completed)"
                ),
                {
                    "id": fid,
                    "kind": kind,
                    "due": RECORDED,
                    "attempts": attempts,
                    "reached": reached,
                    "completed": completed,
                },
            )

    upgrade(db_0013)

    with get_engine(db_0013).connect() as c:
        rows = c.execute(
            text("SELECT id, visited_on, last_attempt_outcome, attempts FROM follow_up ORDER BY id")
        ).all()
    visited = {fid: str(day) if day is not None else None for fid, day, _, _ in rows}
    assert visited == {1: None, 2: "2030-03-01", 3: None, 4: None, 5: "2030-03-01"}
    assert [outcome for _, _, outcome, _ in rows] == [None] * 5
    assert [attempts for *_, attempts in rows] == [2, 1, 3, 1, 1]
