"""The discharge instructions PDF on both backends: filled from the case, read back with pypdf,
each print audited with its template version and checksum, scoped to the nurse's offices, and
never failing on hostile text."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from db.models import AuditEvent, ChecklistEntry, HoldRuleRow
from db.queries.documents import confirmed_escort, discharge_record
from db.session import read_session, transaction
from mild import discharge_instructions as di
from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.hold_rules import MedClass
from mild.staff import Role
from services.checklist import record_instructions_given
from services.documents import DOCUMENT_PRINTED, discharge_instructions
from tests.builders import (
    add_medication,
    arrange_escort,
    exempt_from_escort,
    make_case,
    make_discharged_case,
    make_office,
    make_user,
    record_procedure,
    rename_patient,
    set_office_phone,
)

NY = "America/New_York"
# The procedure ends Saturday 7 March 2026 at 20:00 EST; summer time starts that night.
STARTED = dt.datetime(2026, 3, 8, 0, 20, tzinfo=dt.UTC)
ENDED = dt.datetime(2026, 3, 8, 1, 0, tzinfo=dt.UTC)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as one line per paragraph is not kept: words joined by single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def recovery_case(office_id: int) -> int:
    """A case in recovery: procedure recorded, escort arranged, apixaban and metformin held."""
    case_id = make_case(office_id, CaseStatus.RECOVERY, STARTED - dt.timedelta(minutes=15))
    rename_patient(case_id, "Maria", "Lopez")
    record_procedure(case_id, STARTED, ENDED, levels="L4-L5")
    arrange_escort(case_id, "Ann Lee", "daughter", "555-010-0199")
    add_medication(
        case_id,
        "apixaban",
        hold_rule="apixaban",
        name_given="Eliquis 5 mg",
        stop_before_hours=72,
        restart_after_hours=24,
        med_class=MedClass.DOAC,
    )
    add_medication(
        case_id, "metformin", hold_rule="metformin", skip_on_day=True, med_class=MedClass.DIABETES
    )
    add_medication(case_id, "atorvastatin")
    return case_id


@pytest.fixture
def north(db_url):
    office_id = make_office("NTH", timezone=NY)
    set_office_phone(office_id, "555-010-0100")
    return office_id, make_user("nina", Role.NURSE, [office_id])


def test_the_pdf_holds_patient_escort_24h_rules_red_flags_office_phone_and_restart_times(north):
    office_id, nurse = north
    case_id = recovery_case(office_id)

    printed = discharge_instructions(case_id, actor=nurse)

    assert printed.pdf.startswith(b"%PDF-")
    assert printed.filename.startswith("discharge-instructions-T-") and "Lopez" not in (
        printed.filename
    )
    text = pdf_text(printed.pdf)
    assert "Patient: Maria Lopez, born January 1, 1950." in text
    assert "levels treated: L4-L5, on Saturday, March 7, 2026" in text
    assert "Your escort: Ann Lee (daughter), phone 555-010-0199." in text
    assert "Do not drive. Do not drink alcohol. Do not make important decisions." in text
    assert "Some pain, swelling and bruising at the incisions is normal." in text
    assert "Call us at once, do not wait for our call, if you have any of these:" in text
    for wording in di.RED_FLAG_WORDING.values():
        assert wording.text in text
    assert "NTH Office: 555-010-0100" in text
    # 20:00 EST + 24 h = 21:00 EDT: real hours across the change to summer time.
    assert (
        "Apixaban (Eliquis 5 mg): you may take it again from Sunday, March 8, 2026 at 9:00 PM EDT."
        in text
    )
    assert "Metformin: restart when eating and drinking normally." in text
    assert "Atorvastatin" not in text
    assert f"Template {di.VERSION}." in text
    assert printed.warnings == ()


def test_the_restart_sentence_and_source_come_from_the_hold_table_row(north):
    office_id, nurse = north
    with read_session() as s:
        instruction, source = s.execute(
            select(HoldRuleRow.instruction, HoldRuleRow.source).where(
                HoldRuleRow.drug == "metformin"
            )
        ).one()
    assert "Restart when eating and drinking normally." in instruction
    record = discharge_record(recovery_case(office_id), nurse.office_ids)
    metformin = next(d for d in record.facts.drugs if d.drug == "metformin")
    assert metformin.source == source and metformin.held


def test_printing_writes_one_audit_row_with_the_template_version_and_checksum(north):
    office_id, nurse = north
    case_id = recovery_case(office_id)

    printed = discharge_instructions(case_id, actor=nurse)

    with read_session() as s:
        rows = s.execute(
            select(
                AuditEvent.id,
                AuditEvent.entity,
                AuditEvent.entity_id,
                AuditEvent.office_id,
                AuditEvent.actor_id,
                AuditEvent.detail,
                AuditEvent.at,
            ).where(AuditEvent.action == DOCUMENT_PRINTED)
        ).all()
    assert len(rows) == 1
    audit_id, entity, entity_id, audit_office, actor_id, detail, at = rows[0]
    assert (entity, entity_id, audit_office, actor_id) == ("case", case_id, office_id, nurse.id)
    detail = json.loads(detail)
    assert detail["template_version"] == di.VERSION
    assert detail["sha256"] == hashlib.sha256(printed.pdf).hexdigest()
    assert printed.version == f"{di.VERSION} #{audit_id}"
    assert at == printed.printed_at


def test_each_print_is_its_own_version(north):
    office_id, nurse = north
    case_id = recovery_case(office_id)
    first = discharge_instructions(case_id, actor=nurse)
    second = discharge_instructions(case_id, actor=nurse)
    assert first.version != second.version


def test_a_case_of_another_office_is_not_found_and_nothing_is_recorded(north):
    _, nurse = north
    elsewhere = make_office("STH", timezone=NY)
    case_id = recovery_case(elsewhere)

    with pytest.raises(RuleViolation) as refusal:
        discharge_instructions(case_id, actor=nurse)

    assert refusal.value.message == messages.CASE_NOT_FOUND
    assert discharge_record(case_id, nurse.office_ids) is None
    with read_session() as s:
        assert (
            s.scalars(select(AuditEvent).where(AuditEvent.action == DOCUMENT_PRINTED)).all() == []
        )


def test_a_role_without_the_checklist_is_refused(north):
    office_id, _ = north
    coordinator = make_user("cora", Role.COORDINATOR, [office_id])
    with pytest.raises(RuleViolation) as refusal:
        discharge_instructions(recovery_case(office_id), actor=coordinator)
    assert refusal.value.message == messages.NOT_ALLOWED_HERE


def test_the_escort_met_in_person_is_printed_rather_than_the_one_arranged(north):
    office_id, nurse = north
    case_id = recovery_case(office_id)
    with transaction() as s:
        s.add(
            ChecklistEntry(
                case_id=case_id,
                step="escort_confirmed",
                done_at=ENDED,
                done_by_id=nurse.id,
                value="Lee, Ann Jr., son, 555-010-0200",
                undone=False,
            )
        )
    text = pdf_text(discharge_instructions(case_id, actor=nurse).pdf)
    assert "Your escort: Lee, Ann Jr. (son), phone 555-010-0200." in text


def test_an_escort_tick_reads_as_its_three_parts_or_json():
    assert confirmed_escort('{"escort_name": "A", "escort_relationship": "b", "escort_phone": "1"}')
    assert confirmed_escort("Ann, daughter, 555") == di.EscortFacts(
        "Ann", "daughter", "555", confirmed=True
    )
    assert confirmed_escort("just a name").name == "just a name"
    assert confirmed_escort(None) is None


def test_the_physicians_exemption_is_printed_instead_of_an_escort(north):
    office_id, nurse = north
    case_id = recovery_case(office_id)
    exempt_from_escort(case_id, "Dr. Ames", "walks home with a neighbour")
    text = pdf_text(discharge_instructions(case_id, actor=nurse).pdf)
    assert "Dr. Ames, exempted you. Reason: walks home with a neighbour" in text
    assert "Ann Lee" not in text


def test_the_booked_next_day_call_is_the_next_contact(north):
    office_id, nurse = north
    discharged = dt.datetime(2026, 3, 10, 18, 0, tzinfo=dt.UTC)  # 14:00 EDT
    case_id, _ = make_discharged_case(office_id, discharged)
    text = pdf_text(discharge_instructions(case_id, actor=nurse).pdf)
    assert (
        "will call you between Wednesday, March 11, 2026 at 2:00 PM EDT and Thursday, "
        "March 12, 2026 at 2:00 PM EDT." in text
    )


def test_without_an_office_phone_the_nurse_is_warned_and_a_blank_is_printed(north):
    office_id, nurse = north
    set_office_phone(office_id, None)
    printed = discharge_instructions(recovery_case(office_id), actor=nurse)
    assert printed.warnings == (messages.INSTRUCTIONS_NO_OFFICE_PHONE,)
    assert "the nurse writes the office's number here" in pdf_text(printed.pdf)


HOSTILE_NAMES = [
    ("李", "小龍"),
    ("مريم", "\u200fالحسن"),
    ("\u202eevil", "Lee\u200b"),
    ("👩\u200d⚕️🎉", "Ōtake"),
    ("Z" + "\u0301\u0336" * 30, "x" * 30),
    ("{nb}", "<script>alert(1)</script>"),
    ("Robert'); DROP TABLE patient;--", "**bold** \\n"),
    ("a\tb\x0bc", "d" * 80),
]


def test_hostile_unicode_names_do_not_crash(north):
    office_id, nurse = north
    case_id = recovery_case(office_id)
    arrange_escort(case_id, "Ẓ̈ Ω ж 中 🙂", "\u202efriend", "555\u00a0010 0199")
    for first, last in HOSTILE_NAMES:
        rename_patient(case_id, first[:80], last[:80])
        printed = discharge_instructions(case_id, actor=nurse)
        text = pdf_text(printed.pdf)
        assert "Patient: " in text and "Call us at once" in text
    # Characters the font lacks are marked and the document says so.
    assert "\ufffd" in text and "could not be printed" in text
    # Latin, Greek and Cyrillic print as typed; fpdf2's page-count alias is inert in a name.
    rename_patient(case_id, "{nb}", "Ōtake-Ωж")
    text = pdf_text(discharge_instructions(case_id, actor=nurse).pdf)
    assert "Patient: {nb} Ōtake-Ωж, born" in text
    assert "could not be printed" in text  # the escort's 中 and 🙂


def test_instructions_given_records_the_version_printed_for_this_patient(db_url):
    office = make_office("AA")
    nurse = make_user("nina", Role.NURSE, [office])
    case_id = make_case(office, CaseStatus.RECOVERY)
    other = make_case(office, CaseStatus.RECOVERY)
    with pytest.raises(RuleViolation) as caught:
        record_instructions_given(case_id, None, actor=nurse)
    assert caught.value.message == messages.INSTRUCTIONS_PRINT_FIRST
    elsewhere = discharge_instructions(other, actor=nurse)
    with pytest.raises(RuleViolation) as caught:  # another patient's print does not count
        record_instructions_given(case_id, elsewhere.version, actor=nurse)
    assert caught.value.message == messages.INSTRUCTIONS_PRINT_FIRST

    stale = discharge_instructions(case_id, actor=nurse)
    printed = discharge_instructions(case_id, actor=nurse)
    with pytest.raises(RuleViolation) as caught:  # only the latest print counts
        record_instructions_given(case_id, stale.version, actor=nurse)
    assert caught.value.message == messages.INSTRUCTIONS_NOT_LATEST
    record_instructions_given(case_id, printed.version, actor=nurse)

    with read_session() as s:
        value, by, detail = s.execute(
            select(ChecklistEntry.value, ChecklistEntry.done_by_id, ChecklistEntry.detail).where(
                ChecklistEntry.case_id == case_id, ChecklistEntry.step == "instructions_given"
            )
        ).one()
    assert value == printed.version and by == nurse.id
    assert json.loads(detail)["printed_audit_id"] == int(printed.version.split("#")[1])
