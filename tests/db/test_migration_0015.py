"""Migration 0015 carries a database of 0014's shape over, on both backends: the board's alert
thresholds are seeded with their sources, and the patients on site at that moment are given a
waiting-room code (recorded for the day, audited); nobody else gets one."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from db.migrate import upgrade
from db.session import get_engine
from mild.board_alerts import THRESHOLD_SETTINGS
from mild.waiting_codes import WAITING_CODE
from tests.conftest import database_at_revision
from tests.db.test_migration_0005 import _office_and_patient

BOOKED = dt.datetime(2030, 3, 1, 15, 30, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_0014(request, tmp_path, monkeypatch):
    with database_at_revision(request.param, tmp_path, monkeypatch, "0014") as url:
        yield url


def test_patients_on_site_get_a_code_and_the_thresholds_come_with_their_sources(db_0014):
    statuses = ["scheduled", "checked_in", "in_procedure", "recovery", "discharged", "cancelled"]
    with get_engine(db_0014).begin() as c:
        _office_and_patient(c)
        for n, status in enumerate(statuses, start=1):
            c.execute(
                text(
                    "INSERT INTO mild_case (id, code, patient_id, office_id, status, "
                    "request_channel, consult_requested_at, scheduled_start, planned_minutes, "
                    "version, updated_at) VALUES (:id, :code, 1, 1, :status, 'phone', :at, :at, "
                    "60, 1, :at)"
                ),
                {"id": n, "code": f"NYC-{n:05d}", "status": status, "at": BOOKED},
            )

    upgrade(db_0014, "0015")

    with get_engine(db_0014).connect() as c:
        codes = dict(c.execute(text("SELECT status, waiting_code FROM mild_case")).all())
        issued = c.execute(text("SELECT office_id, code FROM waiting_code")).all()
        audited = c.execute(
            text(
                "SELECT entity_id, actor_name, detail FROM audit_event "
                "WHERE action = 'case.waiting_code_issued' ORDER BY entity_id"
            )
        ).all()
        settings = dict(c.execute(text("SELECT key, source FROM practice_setting")).all())
        values = dict(c.execute(text("SELECT key, value FROM practice_setting")).all())
    on_site = [codes[s] for s in ("checked_in", "in_procedure", "recovery")]
    assert all(WAITING_CODE.fullmatch(code) for code in on_site)
    assert len(set(on_site)) == 3
    assert [codes[s] for s in ("scheduled", "discharged", "cancelled")] == [None] * 3
    assert sorted(code for _office, code in issued) == sorted(on_site)
    assert [(case_id, who) for case_id, who, _ in audited] == [
        (2, "migration 0015"),
        (3, "migration 0015"),
        (4, "migration 0015"),
    ]
    assert [json.loads(detail)["code"] for *_, detail in audited] == on_site
    for threshold in THRESHOLD_SETTINGS:  # the migration's values are the domain's defaults
        assert values[threshold.key] == threshold.default
        assert settings[threshold.key] == threshold.source
