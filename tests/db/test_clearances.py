"""Comorbidity values on both backends: each service writes the values and one audit row with
before and after in one transaction, a refusal writes nothing, dabigatran's stop follows the
eGFR, a practice limit set to block stops "Confirm for the day", Medicare's study, and the
admin's edit of a limit is audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, update

from db.models import AuditEvent, Case, CaseClearance, CaseMedication
from db.queries.clearances import LimitView, limit_rows
from db.queries.intake import case_detail
from db.queries.readiness import readiness_for_cases
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.clearances import (
    DEFAULT_LIMITS,
    ClearanceKind,
    DeviceType,
    LimitAction,
    LimitKey,
    Sex,
    StopBangBand,
    stop_bang,
)
from mild.days import local_today
from mild.intake import Condition
from mild.staff import Role
from services.booking import book_case, confirm_case
from services.clearances import (
    record_cardiology_clearance,
    record_device,
    record_egfr,
    record_hba1c,
    record_stop_bang,
)
from services.intake import flag_condition, save_medicare
from services.limits import update_clinical_limit
from services.medications import add_medication, confirm_hold_with_patient
from tests.builders import (
    edit_hold_rule,
    make_case,
    make_office,
    make_user,
    refusal,
    set_clinical_limit,
)

TZ = "America/Chicago"
TODAY = local_today(TZ, dt.datetime.now(dt.UTC))  # the office's day, not the machine's


@pytest.fixture
def clinic(db_url):
    office = make_office("CHI", timezone=TZ)
    return office, make_user("cora", Role.COORDINATOR, [office])


def in_intake(office: int) -> int:
    case_id = make_case(office, CaseStatus.INTAKE)
    with transaction() as s:
        s.execute(update(Case).where(Case.id == case_id).values(scheduled_start=None))
    return case_id


def book(case_id: int, actor, days: int) -> None:
    with read_session() as s:
        provider = s.scalar(select(Case.provider_id).where(Case.id == case_id))
    book_case(
        case_id,
        day=TODAY + dt.timedelta(days=days),
        start=dt.time(9),
        provider_id=provider,
        actor=actor,
    )


def audits(action: str) -> list[dict]:
    with read_session() as s:
        rows = s.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
    return [json.loads(r) for r in rows]


def counts() -> tuple[int, int, int]:
    with read_session() as s:
        return (
            s.scalar(select(func.count()).select_from(CaseClearance)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
            s.scalar(select(func.sum(Case.version))),
        )


def limit_as_shown(key: LimitKey) -> LimitView:
    """One practice limit as the admin's screen reads it (its `updated_at` is what they saw)."""
    (row,) = [r for r in limit_rows() if r.limit.key == key]
    return row


def edit_limit(shown: LimitView, value: float, action: str, source: str, *, actor) -> dt.datetime:
    """Save a limit's value, action and source from a screen that read it as `shown`."""
    return update_clinical_limit(
        str(shown.limit.key),
        value=value,
        action=action,
        source=source,
        expected_updated_at=shown.updated_at,
        actor=actor,
    )


def dabigatran(case_id: int) -> CaseMedication:
    with read_session() as s:
        med = s.scalars(
            select(CaseMedication).where(
                CaseMedication.case_id == case_id, CaseMedication.drug == "dabigatran"
            )
        ).one()
        s.expunge(med)
        return med


def test_the_migration_seeds_every_limit_with_its_source(clinic):
    rows = limit_rows()
    assert [r.limit for r in rows] == list(DEFAULT_LIMITS)
    assert all(r.updated_by is None for r in rows)


def test_an_hba1c_is_recorded_with_who_and_when_and_audited_before_and_after(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    flag_condition(case_id, Condition.DIABETES, actor=cora)
    assert "HbA1c value and date (diabetes)" in case_detail(case_id, cora.office_ids).missing

    measured = TODAY - dt.timedelta(days=20)
    record_hba1c(case_id, percent=7.1, measured_on=measured, actor=cora)
    record_hba1c(case_id, percent=6.8, measured_on=measured, actor=cora)

    detail = case_detail(case_id, cora.office_ids)
    record = detail.clearances[ClearanceKind.HBA1C]
    assert (record.values.percent, record.values.measured_on, record.recorded_by) == (
        6.8,
        measured,
        "Cora",
    )
    assert record.recorded_at is not None
    assert "HbA1c value and date (diabetes)" not in detail.missing
    first, second = audits("clearance.hba1c_recorded")
    assert first["before"] is None and first["after"]["percent"] == 7.1
    assert (second["before"]["percent"], second["after"]["percent"]) == (7.1, 6.8)


def test_a_refused_value_writes_nothing(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    flag_condition(case_id, Condition.DIABETES, actor=cora)
    before = counts()

    assert refusal(record_hba1c, case_id, percent=42, measured_on=TODAY, actor=cora) == (
        "hba1c_percent",
        messages.HBA1C_RANGE.format(low=3, high=20),
    )
    tomorrow = TODAY + dt.timedelta(days=2)
    assert refusal(record_hba1c, case_id, percent=7, measured_on=tomorrow, actor=cora) == (
        "hba1c_measured_on",
        messages.CLEARANCE_DATE_FUTURE,
    )
    assert refusal(record_stop_bang, case_id, answers={}, neck_cm=40, sex="male", actor=cora) == (
        "condition",
        messages.CLEARANCE_NEEDS_CONDITION.format(condition="sleep apnea"),
    )
    assert counts() == before


def test_stop_bang_and_the_device_are_recorded_and_read_back_whole(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    flag_condition(case_id, Condition.SLEEP_APNEA, actor=cora)
    flag_condition(case_id, Condition.IMPLANTED_DEVICE, actor=cora)
    record_stop_bang(
        case_id,
        answers={"snoring": True, "observed_apnea": True},
        neck_cm=44,
        sex="male",
        actor=cora,
    )
    assert refusal(
        record_device,
        case_id,
        device_type="pacemaker",
        manufacturer="Abbott",
        indication="complete heart block",
        pacing_dependent=None,
        last_interrogated_on=TODAY,
        plan="",
        actor=cora,
    ) == ("pacing_dependent", messages.PACING_DEPENDENT_REQUIRED)
    record_device(
        case_id,
        device_type="pacemaker",
        manufacturer="Abbott",
        indication="complete heart block",
        pacing_dependent=True,
        last_interrogated_on=TODAY - dt.timedelta(days=60),
        plan="Magnet over the generator; no monopolar cautery",
        actor=cora,
    )

    detail = case_detail(case_id, cora.office_ids)
    answers = detail.clearances[ClearanceKind.STOP_BANG].values
    assert (answers.yes, answers.neck_cm, answers.sex) == (
        ("snoring", "observed_apnea"),
        44,
        Sex.MALE,
    )
    result = stop_bang(answers)
    assert (result.score, result.band, result.high_by_alternative_rule) == (
        4,
        StopBangBand.HIGH,
        True,
    )
    device = detail.clearances[ClearanceKind.DEVICE].values
    assert (device.device_type, device.pacing_dependent) == (DeviceType.PACEMAKER, True)
    assert not [m for m in detail.missing if "sleep apnea" in m or "implanted device" in m]


def test_dabigatrans_interval_follows_the_egfr(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    book(case_id, cora, days=14)
    add_medication(case_id, "Pradaxa 150 mg", actor=cora)
    start = case_detail(case_id, cora.office_ids).scheduled_start
    assert dabigatran(case_id).stop_before_hours == 120
    assert "eGFR value and date (dabigatran)" in readiness_for_cases([case_id])[case_id]

    record_egfr(case_id, value=42, measured_on=TODAY, actor=cora)

    med = dabigatran(case_id)
    assert med.stop_before_hours == 144
    assert med.last_dose_by == start - dt.timedelta(hours=144)
    (change,) = audits("medication.kidney_function_applied")
    assert (
        change["egfr"],
        change["from"]["stop_before_hours"],
        change["to"]["stop_before_hours"],
    ) == (
        42,
        120,
        144,
    )
    assert audits("clearance.egfr_recorded")[0]["dabigatran_stop_changed"] == [change]
    assert case_detail(case_id, cora.office_ids).warnings == (
        "eGFR 42 is below 50 mL/min/1.73 m2: dabigatran is stopped 6 days before",
    )

    record_egfr(case_id, value=75, measured_on=TODAY, actor=cora)
    assert dabigatran(case_id).stop_before_hours == 120
    assert dabigatran(case_id).last_dose_by == start - dt.timedelta(hours=120)


def test_dabigatran_added_after_a_low_egfr_gets_the_longer_stop_at_once(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    flag_condition(case_id, Condition.KIDNEY_DISEASE, actor=cora)
    record_egfr(case_id, value=35, measured_on=TODAY, actor=cora)
    book(case_id, cora, days=14)

    add_medication(case_id, "dabigatran", actor=cora)

    assert dabigatran(case_id).stop_before_hours == 144
    assert len(audits("medication.kidney_function_applied")) == 1


def test_a_changed_stop_withdraws_the_hold_confirmed_with_the_patient(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    book(case_id, cora, days=14)
    med = add_medication(case_id, "dabigatran", actor=cora)
    record_egfr(case_id, value=80, measured_on=TODAY, actor=cora)
    from services.medications import record_prescriber_clearance

    record_prescriber_clearance(med, "Dr. Kidney", actor=cora)
    confirm_hold_with_patient(med, actor=cora)

    record_egfr(case_id, value=40, measured_on=TODAY, actor=cora)

    assert dabigatran(case_id).hold_confirmed_at is None


def test_a_block_limit_stops_confirm_for_the_day_with_the_reason(clinic):
    office, cora = clinic
    case_id = make_case(office, CaseStatus.INTAKE, start=dt.datetime.now(dt.UTC))
    book(case_id, cora, days=7)
    with transaction() as s:
        case = s.get(Case, case_id)
        case.asa_class, case.escort_name, case.escort_phone = 2, "Ann", "555-0100"
    flag_condition(case_id, Condition.DIABETES, actor=cora)
    record_hba1c(case_id, percent=9.2, measured_on=TODAY, actor=cora)
    high = "HbA1c 9.2% is above the practice's limit of 8%: elective surgery is usually postponed"
    assert case_detail(case_id, cora.office_ids).warnings == (high,)

    set_clinical_limit(LimitKey.HBA1C_MAX, action=LimitAction.BLOCK)

    assert refusal(confirm_case, case_id, actor=cora) == (
        "readiness",
        messages.NOT_READY.format(missing=high),
    )
    record_hba1c(case_id, percent=7.9, measured_on=TODAY, actor=cora)
    confirm_case(case_id, actor=cora)


def test_a_medicare_case_is_ready_only_with_its_study_enrolment_and_nct_number(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    save_medicare(case_id, medicare=True, study_enrolled=False, study_nct="", actor=cora)
    item = "Study enrolment and NCT number (Medicare)"
    assert item in readiness_for_cases([case_id])[case_id]
    assert refusal(
        save_medicare, case_id, medicare=True, study_enrolled=True, study_nct="NCT123", actor=cora
    ) == ("study_nct", messages.NCT_FORMAT)

    save_medicare(case_id, medicare=True, study_enrolled=True, study_nct="nct03610737", actor=cora)

    detail = case_detail(case_id, cora.office_ids)
    assert (detail.medicare, detail.cms_study_enrolled, detail.cms_study_nct) == (
        True,
        True,
        "NCT03610737",
    )
    assert item not in detail.missing
    assert audits("intake.medicare_saved")[-1] == {
        "from": [True, False, None],
        "to": [True, True, "NCT03610737"],
    }


def test_a_cardiology_clearance_older_than_the_policy_warns(clinic):
    office, cora = clinic
    case_id = in_intake(office)
    flag_condition(case_id, Condition.HEART_DISEASE, actor=cora)
    old = TODAY - dt.timedelta(days=400)
    record_cardiology_clearance(case_id, cleared_by="Dr. Heart", cleared_on=old, actor=cora)
    detail = case_detail(case_id, cora.office_ids)
    assert detail.warnings == (
        f"Cardiology clearance of {old:%d %b %Y} is older than 6 months on the procedure day",
    )
    assert not [m for m in detail.missing if "heart disease" in m]


def test_an_admins_edit_of_a_limit_is_audited_and_refused_for_anyone_else(clinic):
    office, cora = clinic
    admin = make_user("ada", Role.ADMIN, [office])
    hba1c = limit_as_shown(LimitKey.HBA1C_MAX)

    assert refusal(edit_limit, hba1c, 8.5, "block", "practice", actor=cora) == (
        "role",
        messages.ADMIN_ONLY,
    )
    at = edit_limit(hba1c, 8.5, "block", "Medical director, 2026", actor=admin)

    row = limit_as_shown(LimitKey.HBA1C_MAX)
    assert (row.limit.value, row.limit.action, row.updated_by, row.updated_at) == (
        8.5,
        LimitAction.BLOCK,
        "ada",
        at,
    )
    (change,) = audits("clinical_limit.changed")
    assert change["before"]["value"] == 8.0 and change["after"]["action"] == "block"
    # The same screen, saved again: someone (here the admin) changed it since it was read.
    assert refusal(edit_limit, hba1c, 9, "block", "x", actor=admin) == (
        "value",
        messages.LIMIT_CHANGED_BY_SOMEONE_ELSE,
    )


def test_raising_the_dabigatran_limit_reapplies_it_to_open_cases(clinic):
    office, cora = clinic
    admin = make_user("ada", Role.ADMIN, [office])
    case_id = in_intake(office)
    book(case_id, cora, days=14)
    add_medication(case_id, "dabigatran", actor=cora)
    record_egfr(case_id, value=55, measured_on=TODAY, actor=cora)
    assert dabigatran(case_id).stop_before_hours == 120

    limit = limit_as_shown(LimitKey.EGFR_DABIGATRAN)
    edit_limit(limit, 60, "warn", limit.limit.source, actor=admin)

    assert dabigatran(case_id).stop_before_hours == 144
    assert audits("case.kidney_function_reapplied") == [{"egfr": 55.0}]


def test_a_hold_table_edit_keeps_dabigatrans_longer_stop_when_the_egfr_is_low(clinic):
    office, cora = clinic
    root = make_user("root", Role.ADMIN, [])
    case_id = in_intake(office)
    flag_condition(case_id, Condition.KIDNEY_DISEASE, actor=cora)
    record_egfr(case_id, value=35, measured_on=TODAY, actor=cora)
    add_medication(case_id, "dabigatran", actor=cora)

    edit_hold_rule("dabigatran", root, instruction="Check the INR too")
    edit_hold_rule("dabigatran", root, stop_before_hours=96)

    assert dabigatran(case_id).stop_before_hours == 144  # the table's row, then the kidneys
