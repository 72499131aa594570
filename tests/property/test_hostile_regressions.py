"""The bugs the hostile-input properties found, each pinned by a plain test on both backends.

Before the fixes each of these escaped the service as a database or Python error (NUL refused
by PostgreSQL, lone surrogates unencodable, NaN into int(), a date past year 9999, a string
compared with a number), or stored something its column could not hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from db.models import Case
from db.session import read_session
from mild import messages
from mild.cases import CancelReason, CaseStatus
from mild.discharge import DischargeScale
from mild.errors import RuleViolation
from mild.followup import CallAnswers, FollowUpKind, Incision
from mild.intake import Condition
from mild.staff import Role
from mild.text import unstorable
from services import booking, cases, checklist, followup, intake, medications, staff
from tests.builders import make_case, make_discharged_case, make_office, make_provider, make_user

NOT_STORABLE = ("a\x00b", "\ud800", "x\udfffy")


def refusal(call) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as caught:
        call()
    return caught.value.field, caught.value.message


@pytest.fixture
def clinic(db_url):
    office = make_office("AA")
    return office, make_user("nina", Role.NURSE, [office])


def test_text_with_nul_or_a_lone_surrogate_is_unstorable_and_nothing_else_is():
    assert all(unstorable(t) for t in NOT_STORABLE)
    assert not any(unstorable(t) for t in ("", "é👍\u202e", "\x01\x1b\x7f", "שלום", "e\u0301"))


@pytest.mark.parametrize("text", NOT_STORABLE)
def test_intake_free_text_with_nul_or_a_surrogate_is_refused_beside_its_field(clinic, text):
    office, nina = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    not_storable = messages.TEXT_NOT_STORABLE
    assert refusal(lambda: medications.add_medication(case_id, "apixaban", text, actor=nina)) == (
        "dose",
        not_storable,
    )
    assert refusal(
        lambda: intake.flag_condition(case_id, Condition.DIABETES, text, actor=nina)
    ) == ("details", not_storable)
    assert refusal(
        lambda: intake.save_escort(
            case_id, name="Ann", relationship=text, phone="555-0100", actor=nina
        )
    ) == ("escort_relationship", not_storable)


def test_assessment_numbers_that_are_not_numbers_are_refused_not_crashed_on(clinic):
    office, nina = clinic
    case_id = make_case(office, CaseStatus.INTAKE)

    def save(**changes):
        form = {"asa_class": 2, "height_cm": 170, "weight_kg": 70, "baseline_nprs": 5}
        form |= {"walk_minutes": 30, "stand_minutes": 30, "works": None} | changes
        return lambda: intake.save_assessment(case_id, actor=nina, **form)

    assert refusal(save(asa_class=True)) == ("asa_class", messages.ASA_RANGE)
    assert refusal(save(height_cm="170")) == ("height_cm", messages.HEIGHT_RANGE)
    assert refusal(save(weight_kg=math.nan)) == ("weight_kg", messages.WEIGHT_RANGE)
    assert refusal(save(walk_minutes=math.nan)) == ("walk_minutes", messages.MINUTES_RANGE)
    assert refusal(save(stand_minutes=math.inf)) == ("stand_minutes", messages.MINUTES_RANGE)
    assert refusal(save(walk_minutes="x")) == ("walk_minutes", messages.MINUTES_RANGE)
    with read_session() as s:
        assert s.get(Case, case_id).asa_class is None


def test_levels_treated_longer_than_its_case_column_is_refused_with_the_limit(clinic):
    office, nina = clinic
    case_id = make_case(office)
    too_long = "L4-L5 " * 14  # 83 characters: mild_case.levels_treated holds 80
    assert refusal(
        lambda: checklist.complete_step(case_id, "levels_treated", actor=nina, value=too_long)
    ) == ("levels_treated", messages.TEXT_TOO_LONG.format(limit=80))
    checklist.complete_step(case_id, "levels_treated", actor=nina, value=too_long[:80])
    with read_session() as s:
        assert s.get(Case, case_id).levels_treated == too_long[:80].strip()


@pytest.mark.parametrize("text", NOT_STORABLE)
def test_checklist_text_with_nul_or_a_surrogate_is_refused_beside_its_field(clinic, text):
    office, nina = clinic
    case_id = make_case(office)
    not_storable = messages.TEXT_NOT_STORABLE
    assert refusal(
        lambda: checklist.complete_step(case_id, "levels_treated", actor=nina, value=text)
    ) == ("levels_treated", not_storable)
    assert refusal(
        lambda: checklist.complete_step(case_id, "consent_signed", actor=nina, note=text)
    ) == ("note", not_storable)
    assert refusal(
        lambda: checklist.confirm_escort(case_id, text, "son", "555-0100", actor=nina)
    ) == ("escort_name", not_storable)
    checklist.complete_step(case_id, "consent_signed", actor=nina)
    assert refusal(lambda: checklist.undo_step(case_id, "consent_signed", text, actor=nina)) == (
        "reason",
        not_storable,
    )


def test_checklist_notes_and_un_tick_reasons_are_limited_like_tick_values(clinic):
    office, nina = clinic
    case_id = make_case(office)
    too_long = messages.TEXT_TOO_LONG.format(limit=500)
    assert refusal(
        lambda: checklist.complete_step(case_id, "consent_signed", actor=nina, note="x" * 501)
    ) == ("note", too_long)
    checklist.complete_step(case_id, "consent_signed", actor=nina)
    assert refusal(
        lambda: checklist.undo_step(case_id, "consent_signed", "x" * 100_000, actor=nina)
    ) == ("reason", too_long)


def test_a_discharge_item_given_as_a_float_is_refused_like_any_non_whole_number(clinic):
    office, nina = clinic
    case_id = make_case(office)
    items = {
        "activity": 2.0,
        "breathing": 2,
        "circulation": 2,
        "consciousness": 2,
        "oxygen_saturation": 2,
    }
    assert refusal(
        lambda: checklist.record_discharge_score(case_id, DischargeScale.ALDRETE, items, actor=nina)
    ) == ("activity", messages.DISCHARGE_COMPONENT_RANGE.format(component="Activity"))


@pytest.mark.parametrize("text", NOT_STORABLE)
def test_follow_up_notes_with_nul_or_a_surrogate_are_refused_beside_their_field(clinic, text):
    office, nina = clinic
    _, ids = make_discharged_case(office, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    call_id = ids[FollowUpKind.NEXT_DAY_CALL]
    answers = CallAnswers(
        nprs=9, swelling=False, bruising=False, incision=Incision.DRY, meds_as_prescribed=True
    )
    bad_notes = dataclasses.replace(answers, notes=text)
    not_storable = messages.TEXT_NOT_STORABLE
    assert refusal(lambda: followup.record_followup_call(call_id, bad_notes, actor=nina)) == (
        "notes",
        not_storable,
    )
    assert refusal(lambda: followup.record_call_attempt(call_id, actor=nina, note=text)) == (
        "note",
        not_storable,
    )
    followup.record_followup_call(call_id, answers, actor=nina)  # pain 9: escalated
    assert refusal(lambda: followup.resolve_escalation(call_id, text, actor=nina)) == (
        "resolution_note",
        not_storable,
    )


@pytest.mark.parametrize("temperature", ["38.5", True, math.nan, math.inf])
def test_a_call_temperature_that_is_not_a_number_is_refused_with_the_range(clinic, temperature):
    office, nina = clinic
    _, ids = make_discharged_case(office, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    answers = CallAnswers(
        nprs=3,
        swelling=False,
        bruising=False,
        incision=Incision.DRY,
        meds_as_prescribed=True,
        temperature_c=temperature,
    )
    assert refusal(
        lambda: followup.record_followup_call(ids[FollowUpKind.NEXT_DAY_CALL], answers, actor=nina)
    ) == ("temperature_c", messages.TEMPERATURE_RANGE)


def test_a_cancellation_note_is_limited_and_must_be_storable(clinic):
    office, nina = clinic
    case_id = make_case(office)
    for note, message in (
        ("x" * 2001, messages.TEXT_TOO_LONG.format(limit=2000)),
        ("no escort\x00", messages.TEXT_NOT_STORABLE),
        ("\ud800", messages.TEXT_NOT_STORABLE),
    ):
        assert refusal(
            lambda note=note: cases.cancel_case(case_id, CancelReason.OTHER, note, actor=nina)
        ) == ("note", message)
    cases.cancel_case(case_id, CancelReason.OTHER, "x" * 2000, actor=nina)


@pytest.mark.parametrize("day", [dt.date.max, dt.date(9999, 12, 30), dt.date(3000, 1, 1)])
def test_a_booking_day_years_ahead_is_refused_as_a_mistyped_year(clinic, day):
    office, nina = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    provider = make_provider(office)
    assert refusal(
        lambda: booking.book_case(
            case_id, day=day, start=dt.time(23, 59), provider_id=provider, actor=nina
        )
    ) == ("day", messages.BOOKING_TOO_FAR_AHEAD.format(days=730))


def test_a_booking_two_years_ahead_is_still_taken(clinic):
    office, nina = clinic
    case_id = make_case(office, CaseStatus.INTAKE)
    day = dt.date.today() + dt.timedelta(days=729)
    booking.book_case(
        case_id, day=day, start=dt.time(9), provider_id=make_provider(office), actor=nina
    )


@pytest.mark.parametrize("text", NOT_STORABLE)
def test_office_and_account_text_with_nul_or_a_surrogate_is_refused(db_url, text, cheap_hashing):
    make_office("AA")
    root = make_user("root", Role.ADMIN, [])
    not_storable = messages.TEXT_NOT_STORABLE
    assert refusal(lambda: staff.create_office("NTH", text, "UTC", actor=root)) == (
        "name",
        not_storable,
    )

    def create(**changes):
        form = {"display_name": "Ann", "password": "a-long-enough-pw", "email": None} | changes
        return lambda: staff.create_user(
            "ann",
            form["display_name"],
            form["password"],
            Role.NURSE,
            ["AA"],
            actor=root,
            email=form["email"],
        )

    assert refusal(create(display_name=text)) == ("display_name", not_storable)
    assert refusal(create(password=f"long enough {text}")) == ("password", not_storable)
    assert refusal(create(email=f"a{text}@example.org")) == ("email", not_storable)
    assert refusal(
        lambda: staff.create_user(
            "ann", "", "a-long-enough-pw", Role.NURSE, [f"A{text}"], actor=root
        )
    ) == ("offices", messages.OFFICE_UNKNOWN.format(code=f"A{text}".upper()))


def test_the_refusal_oracle_knows_the_modules_messages_and_nothing_else():
    from tests.property.hostile import is_a_message

    assert is_a_message(messages.TEXT_NOT_STORABLE)
    assert is_a_message(messages.TEXT_TOO_LONG.format(limit=80))
    assert is_a_message(messages.UNKNOWN_STEP.format(step="<script>alert(1)</script>"))
    assert not is_a_message("")
    assert not is_a_message("invalid literal for int() with base 10: 'x'")
    assert not is_a_message("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    assert not is_a_message(messages.TEXT_TOO_LONG.format(limit=80) + " and more")


def test_typed_text_shown_through_markdown_is_escaped_and_makes_no_link():
    from ui.checklist import plain

    typed = "see http://203.0.113.7/x.png, WWW.example.org or a@b.org **now** [a](b)"
    shown = plain(typed)
    assert "://" not in shown.replace("\\", "") and "www." not in shown.lower()
    assert "@b" not in shown.replace("\\", "")
    assert shown.replace("\u2060", "").replace("\\", "") == typed  # reads the same


@pytest.mark.parametrize("hours", [math.nan, math.inf, "3", True, 2.5])
def test_hold_hours_that_are_not_whole_numbers_are_refused_with_the_range(hours):
    from mild.admin import HOLD_HOURS_MAX, HoldRuleInput, check_hold_rule
    from mild.medications import MedClass

    typed = HoldRuleInput(
        drug="vorapaxar",
        generic="vorapaxar",
        brands="",
        med_class=MedClass.DOAC,
        stop_before_hours=hours,
        skip_on_day=False,
        restart_after_hours=24,
        needs_clearance=True,
        source="Practice",
    )
    assert refusal(lambda: check_hold_rule(typed)) == (
        "stop_before_hours",
        messages.HOLD_STOP_RANGE.format(max=HOLD_HOURS_MAX),
    )
