"""Booking and confirming a case, on both backends: stored in UTC from the office's local time,
a provider's double booking refused naming the case, re-booking moving last-dose dates and
withdrawing confirmations, confirmation refused until ready, readiness read in a few queries."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import event, select, update

from db.models import AuditEvent, Case, CaseMedication
from db.queries.readiness import readiness_for_cases
from db.session import get_engine, read_session, transaction
from mild import messages
from mild.booking import TURNOVER_MINUTES
from mild.cases import CancelReason, CaseStatus
from mild.days import at_local, local_today, to_local
from mild.errors import RuleViolation
from mild.intake import Condition
from mild.staff import Role
from services.booking import book_case, confirm_case
from services.cases import cancel_case
from services.clearances import record_cardiology_clearance
from services.intake import (
    flag_condition,
    save_assessment,
    save_escort,
)
from services.medications import (
    add_medication,
    confirm_hold_with_patient,
    record_prescriber_clearance,
)
from tests.builders import make_case, make_office, make_provider, make_user

TZ = "America/Chicago"
NINE = dt.time(9)


def intake_case(office_id: int, status: CaseStatus = CaseStatus.INTAKE) -> int:
    """A case in intake, not booked and with no provider yet."""
    case_id = make_case(office_id, status)
    with transaction() as s:
        s.execute(
            update(Case).where(Case.id == case_id).values(scheduled_start=None, provider_id=None)
        )
    return case_id


def load(case_id: int) -> Case:
    with read_session() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def medications(case_id: int) -> dict[str, CaseMedication]:
    with read_session() as s:
        rows = s.scalars(select(CaseMedication).where(CaseMedication.case_id == case_id)).all()
        for r in rows:
            s.expunge(r)
        return {r.drug: r for r in rows}


def audits(case_id: int, action: str) -> list[dict]:
    with read_session() as s:
        rows = s.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.entity_id == case_id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    return [json.loads(r) for r in rows]


@pytest.fixture
def clinic(db_url):
    office = make_office("CHI", timezone=TZ)
    coordinator = make_user("cora", Role.COORDINATOR, [office])
    day = local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=7)
    return office, coordinator, make_provider(office), day


def test_booking_stores_the_office_local_start_in_utc_and_is_audited(clinic):
    office, cora, provider, day = clinic
    case_id = intake_case(office)

    version = book_case(case_id, day=day, start=NINE, provider_id=provider, actor=cora)

    case = load(case_id)
    assert case.scheduled_start == at_local(TZ, day, NINE)
    assert (case.planned_minutes, case.provider_id, case.version) == (60, provider, version)
    (detail,) = audits(case_id, "case.booked")
    assert detail["from"]["start"] is None
    assert detail["to"]["local_start"].startswith(f"{day.isoformat()}T09:00")


def test_a_double_booking_of_the_provider_is_refused_naming_the_clashing_case(clinic):
    office, cora, provider, day = clinic
    first, second = intake_case(office), intake_case(office)
    book_case(first, day=day, start=NINE, planned_minutes=90, provider_id=provider, actor=cora)

    with pytest.raises(RuleViolation) as refusal:
        book_case(second, day=day, start=dt.time(10), provider_id=provider, actor=cora)

    local = to_local(TZ, at_local(TZ, day, NINE))
    assert refusal.value.field == "start"
    assert refusal.value.message == messages.BOOKING_CLASH.format(
        provider="Dr. Ames",
        code=load(first).code,
        start=f"{local:%H:%M} on {local:%a %d %b %Y}",
        minutes=90,
    )
    assert load(second).scheduled_start is None


def test_cases_the_turnover_apart_and_cancelled_cases_do_not_clash(clinic):
    office, cora, provider, day = clinic
    first, second, third = intake_case(office), intake_case(office), intake_case(office)
    book_case(first, day=day, start=NINE, provider_id=provider, actor=cora)
    book_case(second, day=day, start=dt.time(10, 20), provider_id=provider, actor=cora)
    cancel_case(second, CancelReason.NO_ESCORT, actor=cora)

    book_case(third, day=day, start=dt.time(10, 20), provider_id=provider, actor=cora)

    assert load(third).scheduled_start == at_local(TZ, day, dt.time(10, 20))


def test_a_start_within_the_turnover_after_the_providers_case_is_refused_naming_it(clinic):
    office, cora, provider, day = clinic
    first, second = intake_case(office), intake_case(office)
    book_case(first, day=day, start=NINE, provider_id=provider, actor=cora)

    with pytest.raises(RuleViolation) as refusal:
        book_case(second, day=day, start=dt.time(10), provider_id=provider, actor=cora)

    local = to_local(TZ, at_local(TZ, day, NINE))
    assert (refusal.value.field, refusal.value.message) == (
        "start",
        messages.BOOKING_TURNOVER_CLASH.format(
            provider="Dr. Ames",
            code=load(first).code,
            start=f"{local:%H:%M} on {local:%a %d %b %Y}",
            minutes=60,
            turnover=TURNOVER_MINUTES,
        ),
    )
    assert load(second).scheduled_start is None


def test_another_provider_at_the_same_time_is_no_clash(clinic):
    office, cora, provider, day = clinic
    other = make_provider(office, "Dr. Baker")
    first, second = intake_case(office), intake_case(office)
    book_case(first, day=day, start=NINE, provider_id=provider, actor=cora)
    book_case(second, day=day, start=NINE, provider_id=other, actor=cora)
    assert load(second).provider_id == other


def test_rebooking_recomputes_the_latest_last_doses_and_withdraws_confirmations(clinic):
    office, cora, provider, day = clinic
    case_id = ready_case(office, cora, provider, day)
    confirm_case(case_id, actor=cora)
    first_start = load(case_id).scheduled_start
    assert medications(case_id)["apixaban"].last_dose_by == first_start - dt.timedelta(hours=72)
    assert load(case_id).confirmed_at is not None

    later = day + dt.timedelta(days=3)
    book_case(case_id, day=later, start=dt.time(13), provider_id=provider, actor=cora)

    apixaban = medications(case_id)["apixaban"]
    assert apixaban.last_dose_by == at_local(TZ, later, dt.time(13)) - dt.timedelta(hours=72)
    assert (apixaban.hold_confirmed_at, apixaban.hold_confirmed_by_id) == (None, None)
    assert apixaban.cleared_by == "Dr. Heart"  # the prescriber's agreement still stands
    case = load(case_id)
    assert (case.status, case.confirmed_at, case.confirmed_by_id) == (
        CaseStatus.SCHEDULED,
        None,
        None,
    )
    assert readiness_for_cases([case_id])[case_id] == [
        "Hold instructions confirmed with the patient: apixaban"
    ]
    (detail,) = audits(case_id, "case.rebooked")
    assert detail["from"]["local_start"].startswith(f"{day.isoformat()}T09:00")
    assert detail["to"]["local_start"].startswith(f"{later.isoformat()}T13:00")
    assert detail["confirmations_cleared"] is True


def test_booking_refuses_the_past_bad_minutes_a_provider_elsewhere_and_a_checked_in_case(clinic):
    office, cora, provider, day = clinic
    elsewhere = make_provider(make_office("NYC"), "Dr. Far")
    case_id = intake_case(office)
    today = local_today(TZ, dt.datetime.now(dt.UTC))

    def refusal(case: int = case_id, **changes) -> tuple[str, str]:
        args = {"day": day, "start": NINE, "provider_id": provider, "actor": cora, **changes}
        with pytest.raises(RuleViolation) as caught:
            book_case(case, **args)
        return caught.value.field, caught.value.message

    assert refusal(day=today - dt.timedelta(days=1)) == ("day", messages.BOOKING_IN_PAST)
    assert refusal(planned_minutes=10) == (
        "planned_minutes",
        messages.BOOKING_MINUTES_RANGE.format(low=15, high=240),
    )
    assert refusal(provider_id=elsewhere) == ("provider", messages.BOOKING_PROVIDER_NOT_AT_OFFICE)
    checked_in = make_case(office, CaseStatus.CHECKED_IN)
    assert refusal(case=checked_in) == (
        "status",
        messages.BOOKING_NOT_OPEN.format(status="Checked in"),
    )
    assert refusal(expected_version=99) == ("version", messages.CHANGED_BY_SOMEONE_ELSE)
    assert load(case_id).scheduled_start is None


def test_booking_is_scoped_to_the_users_offices(clinic):
    office, cora, provider, day = clinic
    other_office = make_office("NYC")
    theirs = intake_case(other_office)
    with pytest.raises(RuleViolation) as refusal:
        book_case(theirs, day=day, start=NINE, provider_id=provider, actor=cora)
    assert refusal.value.message == messages.CASE_NOT_FOUND
    mine = intake_case(office)
    with pytest.raises(RuleViolation) as refusal:
        book_case(
            mine,
            day=day,
            start=NINE,
            provider_id=provider,
            office_id=other_office,
            actor=cora,
        )
    assert (refusal.value.field, refusal.value.message) == ("office", messages.OFFICE_NOT_YOURS)


def ready_case(office: int, actor, provider: int, day: dt.date) -> int:
    """A case in intake with a cleared heart condition, a cleared and confirmed apixaban hold,
    ASA recorded, a escort, and booked."""
    case_id = intake_case(office)
    save_assessment(
        case_id,
        asa_class=2,
        height_cm=170,
        weight_kg=80,
        baseline_nprs=7,
        walk_minutes=5,
        stand_minutes=5,
        works=False,
        actor=actor,
    )
    flag_condition(case_id, Condition.HEART_DISEASE, "stent 2019", actor=actor)
    record_cardiology_clearance(
        case_id,
        cleared_by="Dr. Heart",
        cleared_on=local_today(TZ, dt.datetime.now(dt.UTC)),
        actor=actor,
    )
    med = add_medication(case_id, "apixaban", "5 mg twice daily", actor=actor)
    record_prescriber_clearance(med, "Dr. Heart", actor=actor)
    save_escort(case_id, name="Ann Escort", relationship="daughter", phone="555-0100", actor=actor)
    book_case(case_id, day=day, start=NINE, provider_id=provider, actor=actor)
    confirm_hold_with_patient(med, actor=actor)
    return case_id


def test_confirming_is_refused_naming_every_missing_item_until_the_case_is_ready(clinic):
    office, cora, provider, day = clinic
    case_id = intake_case(office)
    flag_condition(case_id, Condition.DIABETES, actor=cora)
    add_medication(case_id, "clopidogrel", actor=cora)

    with pytest.raises(RuleViolation) as refusal:
        confirm_case(case_id, actor=cora)

    assert refusal.value.field == "readiness"
    assert refusal.value.message == messages.NOT_READY.format(
        missing="; ".join(
            [
                "ASA class",
                "Provider chosen",
                "Booked day and start time",
                "HbA1c value and date (diabetes)",
                "Prescriber clearance to stop clopidogrel",
                "Hold instructions confirmed with the patient: clopidogrel",
                "Escort arranged",
            ]
        )
    )
    assert load(case_id).status == CaseStatus.INTAKE


def test_a_ready_case_is_confirmed_into_scheduled_with_who_and_when(clinic):
    office, cora, provider, day = clinic
    case_id = ready_case(office, cora, provider, day)
    assert readiness_for_cases([case_id]) == {case_id: []}

    version = confirm_case(case_id, actor=cora, expected_version=load(case_id).version)

    case = load(case_id)
    assert (case.status, case.confirmed_by_id, case.version) == (
        CaseStatus.SCHEDULED,
        cora.id,
        version,
    )
    assert case.confirmed_at is not None and case.booked_at == case.confirmed_at
    assert audits(case_id, "case.confirmed") == [{"from": "intake", "to": "scheduled"}]
    with pytest.raises(RuleViolation) as refusal:
        confirm_case(case_id, actor=cora)
    assert refusal.value.message == messages.CASE_ALREADY_CONFIRMED


def test_a_requested_case_cannot_be_confirmed_before_intake(clinic):
    office, cora, _provider, _day = clinic
    case_id = intake_case(office, CaseStatus.REQUESTED)
    with pytest.raises(RuleViolation) as refusal:
        confirm_case(case_id, actor=cora)
    assert refusal.value.message == messages.TRANSITION_NOT_ALLOWED.format(
        frm="Consult requested", to="Scheduled"
    )


def test_an_intake_change_that_leaves_something_missing_withdraws_the_confirmation(clinic):
    office, cora, provider, day = clinic
    case_id = ready_case(office, cora, provider, day)
    confirm_case(case_id, actor=cora)

    add_medication(case_id, "warfarin", actor=cora)

    case = load(case_id)
    assert case.status == CaseStatus.SCHEDULED and case.confirmed_at is None
    (detail,) = audits(case_id, "medication.added")[-1:]
    assert detail["confirmation_withdrawn"] == [
        "Prescriber clearance to stop warfarin",
        "Hold instructions confirmed with the patient: warfarin",
    ]


def test_readiness_for_many_cases_takes_the_same_few_queries_as_for_one(clinic):
    office, cora, provider, day = clinic
    cases = [intake_case(office) for _ in range(6)]
    for case_id in cases:
        flag_condition(case_id, Condition.KIDNEY_DISEASE, actor=cora)
        add_medication(case_id, "naproxen", actor=cora)
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        one = readiness_for_cases(cases[:1])
        n_one = len(statements)
        statements.clear()
        many = readiness_for_cases(cases)
        n_many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert n_many == n_one
    assert set(many) == set(cases) and many[cases[0]] == one[cases[0]]
    assert many[cases[3]] == [
        "ASA class",
        "Provider chosen",
        "Booked day and start time",
        "eGFR value and date (kidney disease)",
        "Hold instructions confirmed with the patient: naproxen",
        "Escort arranged",
    ]
    assert readiness_for_cases([]) == {}


def test_two_coordinators_booking_one_provider_at_once_cannot_both_win(clinic):
    office, cora, provider, day = clinic
    cases = [intake_case(office) for _ in range(6)]
    barrier = threading.Barrier(len(cases))
    outcomes: list[str] = []

    def book(case_id: int) -> None:
        barrier.wait()
        try:
            book_case(case_id, day=day, start=NINE, provider_id=provider, actor=cora)
            outcomes.append("booked")
        except RuleViolation as refusal:
            outcomes.append(refusal.field)

    threads = [threading.Thread(target=book, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["booked"] + ["start"] * (len(cases) - 1)
    assert sum(load(c).scheduled_start is not None for c in cases) == 1
