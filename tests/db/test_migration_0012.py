"""Migration 0012 carries a database of 0011's shape over: the tiers and the red-flag mapping
are seeded, each escalation raised before it gets the most urgent tier of its flags (one it
cannot read counts as an emergency), and nothing is queued for them. On both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from db.migrate import upgrade
from db.session import get_engine
from tests.conftest import database_at_revision
from tests.db.test_migration_0005 import _office_and_patient

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_0011(request, tmp_path, monkeypatch):
    """An empty database migrated only as far as 0011 (the shape before this revision)."""
    with database_at_revision(request.param, tmp_path, monkeypatch, "0011") as url:
        yield url


def _escalations(url: str, flags_by_id: dict[int, str | None]) -> None:
    with get_engine(url).begin() as c:
        _office_and_patient(c)
        c.execute(
            text(
                "INSERT INTO mild_case (id, code, patient_id, office_id, status, "
                "request_channel, consult_requested_at, planned_minutes, version, updated_at) "
                "VALUES (1, 'NYC-00001', 1, 1, 'follow_up', 'phone', :now, 60, 1, :now)"
            ),
            {"now": NOW},
        )
        for n, (follow_up_id, flags) in enumerate(flags_by_id.items()):
            c.execute(
                text(
                    "INSERT INTO follow_up (id, case_id, office_id, kind, due_at, overdue_at, "
                    "attempts, red_flags, escalated_at) "
                    "VALUES (:id, 1, 1, :kind, :now, :now, 1, :flags, :now)"
                ),
                {
                    "id": follow_up_id,
                    "kind": ["next_day_call", "weeks_2", "months_3"][n],
                    "flags": flags,
                    "now": NOW,
                },
            )


def test_escalations_raised_before_tiers_get_the_most_urgent_tier_of_their_flags(db_0011):
    _escalations(db_0011, {1: "fever,wound", 2: "fever,saddle_numbness", 3: None})

    upgrade(db_0011)

    with get_engine(db_0011).connect() as c:
        tiers = dict(c.execute(text("SELECT id, escalation_tier FROM follow_up")).all())
        queued = c.execute(text("SELECT count(*) FROM notification")).scalar()
        limits = dict(c.execute(text("SELECT key, limit_minutes FROM escalation_tier")).all())
        mapped = c.execute(text("SELECT count(*) FROM red_flag_tier")).scalar()
    assert tiers == {1: "provider_today", 2: "emergency", 3: "emergency"}
    assert queued == 0  # no notification for what was raised before notifications
    assert limits == {"emergency": 15, "provider_today": 120}
    assert mapped == 8
