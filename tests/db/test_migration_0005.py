"""Migration 0005 carries a database of 0004's shape over: the driver becomes the escort, the
hold table becomes one row per drug (an admin's own edits kept), the drugs of cases not yet in
procedure are matched again (an ambiguous name back to review, audited, the case's confirmation
withdrawn), history keeps what it was, and old ticks stay readable. On both backends."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from db.migrate import upgrade
from db.session import get_engine
from tests.conftest import database_of_the_test, new_postgres_database

START = dt.datetime(2030, 3, 15, 13, 0, tzinfo=dt.UTC)  # a Friday, 09:00 in New York
NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def db_0004(request, tmp_path, monkeypatch):
    """An empty database migrated only as far as 0004 (the shape before this revision)."""
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        cleanup = None
    else:
        url, cleanup = new_postgres_database("m5")

    with database_of_the_test(url, cleanup, monkeypatch):
        _migrate(url, "0004")
        yield url


def _migrate(url: str, revision: str) -> None:
    upgrade(url, revision)


def _office_and_patient(c) -> None:
    """Office 1 (NYC) and patient 1, on a connection in a transaction."""
    c.execute(
        text(
            "INSERT INTO office (id, code, name, timezone, active) "
            "VALUES (1, 'NYC', 'New York', 'America/New_York', true)"
        )
    )
    c.execute(
        text(
            "INSERT INTO patient (id, mrn, first_name, last_name, date_of_birth, created_at) "
            "VALUES (1, 'MRN0001', 'Test', 'Patient', '1950-01-01', :now)"
        ),
        {"now": NOW},
    )


def _old_data(url: str) -> None:
    """A practice on 0004: two cases booked (one confirmed, listing aspirin and apixaban), one
    closed with its history, a driver ticked on the day, an admin's edit of the hold table."""
    with get_engine(url).begin() as c:
        _office_and_patient(c)
        c.execute(
            text(
                "INSERT INTO staff_user (id, username, display_name, password_hash, role, "
                "active, created_at) VALUES (1, 'ann', 'Ann', 'x', 'admin', true, :now)"
            ),
            {"now": NOW},
        )
        for cid, status, cancel in (
            (1, "scheduled", None),
            (2, "closed", None),
            (3, "cancelled", "no_driver"),
        ):
            c.execute(
                text(
                    "INSERT INTO mild_case (id, code, patient_id, office_id, status, "
                    "request_channel, consult_requested_at, scheduled_start, planned_minutes, "
                    "driver_name, driver_relationship, driver_phone, confirmed_at, "
                    "confirmed_by_id, cancellation_reason, version, updated_at) VALUES "
                    "(:id, :code, 1, 1, :status, 'phone', :now, :start, 60, 'Sam Lee', 'son', "
                    "'555-0100', :now, 1, :cancel, 1, :now)"
                ),
                {
                    "id": cid,
                    "code": f"NYC-{cid:05d}",
                    "status": status,
                    "now": NOW,
                    "start": START,
                    "cancel": cancel,
                },
            )
        meds = (
            (1, 1, "aspirin", "aspirin", 6),
            (2, 1, "apixaban", "doac", 3),
            (3, 2, "aspirin", "aspirin", 6),
        )
        for mid, cid, drug, med_class, days in meds:
            c.execute(
                text(
                    "INSERT INTO case_medication (id, case_id, drug, med_class, hold_days, "
                    "last_dose_on, needs_review, needs_clearance) VALUES "
                    "(:id, :cid, :drug, :cls, :days, '2030-03-10', false, true)"
                ),
                {"id": mid, "cid": cid, "drug": drug, "cls": med_class, "days": days},
            )
        c.execute(
            text(
                "INSERT INTO checklist_entry (case_id, step, done_at, done_by_id, value, undone) "
                "VALUES (2, 'driver_confirmed', :now, 1, 'Sam Lee, son, 555-0100', false)"
            ),
            {"now": NOW},
        )
        # An admin changed warfarin to 6 days and added a drug of the practice's own.
        c.execute(
            text("UPDATE hold_rule SET hold_days = 6, updated_by_id = 1 WHERE drug = 'warfarin'")
        )
        # ... and aspirin, a drug the revision splits by use (primary, secondary prevention).
        c.execute(
            text("UPDATE hold_rule SET hold_days = 7, updated_by_id = 1 WHERE drug = 'aspirin'")
        )
        c.execute(
            text(
                "INSERT INTO hold_rule (drug, med_class, hold_days, needs_clearance, "
                "instruction, active, updated_at, updated_by_id) VALUES "
                "('vorapaxar', 'p2y12_inhibitor', 14, true, '', true, :now, 1)"
            ),
            {"now": NOW},
        )


@pytest.mark.parametrize("db_0004", ["sqlite", "postgresql"], indirect=True)
def test_migration_0005_carries_a_practice_on_0004_over_to_the_published_standard(db_0004):
    _old_data(db_0004)
    _migrate(db_0004, "head")
    with get_engine(db_0004).connect() as c:
        case = c.execute(
            text(
                "SELECT escort_name, escort_relationship, escort_phone, confirmed_at "
                "FROM mild_case WHERE id = 1"
            )
        ).one()
        assert case[:3] == ("Sam Lee", "son", "555-0100")
        # aspirin alone now means two rows: back to review, so "confirmed" no longer holds.
        assert case.confirmed_at is None
        assert (
            c.execute(text("SELECT cancellation_reason FROM mild_case WHERE id = 3")).scalar()
            == "no_escort"
        )
        assert c.execute(text("SELECT step FROM checklist_entry")).scalar() == "escort_confirmed"

        rules = {r.drug: r for r in c.execute(text("SELECT * FROM hold_rule"))}
        assert rules["warfarin"].stop_before_hours == 144  # the admin's 6 days, as hours
        assert rules["warfarin"].brands == "Coumadin; Jantoven"
        assert rules["vorapaxar"].stop_before_hours == 14 * 24
        assert "before the 2026-12 revision" in rules["vorapaxar"].source
        assert "aspirin, primary prevention" in rules
        # The practice's single aspirin row would read two ways: kept as history, out of use.
        assert (
            not rules["aspirin"].active and "replaced by one row per use" in rules["aspirin"].source
        )
        assert rules["apixaban"].stop_before_hours == 72 and rules["apixaban"].brands == "Eliquis"

        meds = {
            m.id: m
            for m in c.execute(
                text(
                    "SELECT id, drug, name_given, med_class, needs_review, stop_before_hours, "
                    "hold_rule, last_dose_by FROM case_medication"
                )
            )
        }
        assert meds[1].needs_review and meds[1].med_class == "unknown"
        assert meds[2].hold_rule == "apixaban" and meds[2].stop_before_hours == 72
        last = meds[2].last_dose_by
        last = dt.datetime.fromisoformat(last) if isinstance(last, str) else last
        assert last.replace(tzinfo=dt.UTC) == START - dt.timedelta(hours=72)
        # History keeps what it was given, in hours.
        assert meds[3].drug == "aspirin" and not meds[3].needs_review
        assert meds[3].stop_before_hours == 144 and meds[3].name_given == "aspirin"

        audits = [
            json.loads(r.detail)
            for r in c.execute(
                text(
                    "SELECT detail FROM audit_event WHERE action = 'medication.reclassed' "
                    "AND actor_name = 'migration 0005'"
                )
            )
        ]
        assert {a["medication"] for a in audits} == {1}
        assert audits[0]["to"]["needs_review"] is True
        withdrawn = (
            c.execute(
                text(
                    "SELECT entity_id FROM audit_event WHERE action = 'case.confirmation_withdrawn'"
                )
            )
            .scalars()
            .all()
        )
        assert withdrawn == [1]


@pytest.mark.parametrize("db_0004", ["sqlite", "postgresql"], indirect=True)
def test_migration_0006_withdraws_confirmations_given_on_a_bare_tick_of_a_valued_condition(
    db_0004,
):
    _migrate(db_0004, "0005")
    with get_engine(db_0004).begin() as c:
        _office_and_patient(c)
        for cid, condition in ((1, "diabetes"), (2, "latex_allergy")):
            c.execute(
                text(
                    "INSERT INTO mild_case (id, code, patient_id, office_id, status, "
                    "request_channel, consult_requested_at, scheduled_start, planned_minutes, "
                    "confirmed_at, version, updated_at) VALUES (:id, :code, 1, 1, 'scheduled', "
                    "'phone', :now, :start, 60, :now, 1, :now)"
                ),
                {"id": cid, "code": f"NYC-{cid:05d}", "now": NOW, "start": START},
            )
            c.execute(
                text(
                    "INSERT INTO case_condition (case_id, condition, cleared_at) "
                    "VALUES (:id, :condition, :now)"
                ),
                {"id": cid, "condition": condition, "now": NOW},
            )
    _migrate(db_0004, "0006")
    with get_engine(db_0004).connect() as c:
        confirmed = dict(c.execute(text("SELECT id, confirmed_at FROM mild_case")).all())
        assert confirmed[1] is None  # diabetes now needs its HbA1c value and date
        assert confirmed[2] is not None  # a latex allergy still needs only its tick
        withdrawn = c.execute(
            text(
                "SELECT entity_id, actor_name FROM audit_event "
                "WHERE action = 'case.confirmation_withdrawn'"
            )
        ).all()
        assert [tuple(w) for w in withdrawn] == [(1, "migration 0006")]


@pytest.mark.parametrize("db_0004", ["sqlite", "postgresql"], indirect=True)
def test_migration_0007_adds_the_glucose_limits_and_withdraws_confirmations_without_medicare(
    db_0004,
):
    """Readiness now asks whether Medicare covers the patient: a confirmed case not yet
    checked in with the question unanswered is no longer confirmed (audited); one answered
    keeps its confirmation. The glucose limits for proceeding arrive with their sources."""
    _migrate(db_0004, "0006")
    with get_engine(db_0004).begin() as c:
        _office_and_patient(c)
        for cid, status, medicare in (
            (1, "scheduled", None),
            (2, "scheduled", False),
            (3, "checked_in", None),  # on the day: the nurse goes on, the question is history
        ):
            c.execute(
                text(
                    "INSERT INTO mild_case (id, code, patient_id, office_id, status, "
                    "request_channel, consult_requested_at, scheduled_start, planned_minutes, "
                    "confirmed_at, medicare, version, updated_at) VALUES (:id, :code, 1, 1, "
                    ":status, 'phone', :now, :start, 60, :now, :medicare, 1, :now)"
                ),
                {
                    "id": cid,
                    "code": f"NYC-{cid:05d}",
                    "status": status,
                    "medicare": medicare,
                    "now": NOW,
                    "start": START,
                },
            )
    _migrate(db_0004, "head")
    with get_engine(db_0004).connect() as c:
        confirmed = dict(c.execute(text("SELECT id, confirmed_at FROM mild_case")).all())
        assert confirmed[1] is None
        assert confirmed[2] is not None and confirmed[3] is not None
        withdrawn = c.execute(
            text(
                "SELECT entity_id, actor_name FROM audit_event "
                "WHERE action = 'case.confirmation_withdrawn'"
            )
        ).all()
        assert [tuple(w) for w in withdrawn] == [(1, "migration 0007")]
        limits = dict(
            c.execute(text("SELECT key, value FROM clinical_limit WHERE key LIKE 'glucose%'")).all()
        )
        assert limits == {"glucose_low": 70.0, "glucose_high": 250.0}
