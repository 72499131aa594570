"""The intake screen: a consult request becomes a case, intake is recorded, the case is booked
and confirmed for its day; every refusal is shown beside its field with what was typed kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from db.models import Case, CaseMedication
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus, RequestChannel
from mild.days import age_on, at_local, local_today, to_local
from mild.intake import Condition
from mild.medications import DEFAULT_HOLD_TABLE, NO_RELEVANCE
from mild.staff import Role
from services.booking import book_case
from services.cases import advance_case
from services.common import Actor
from services.intake import create_case
from tests.builders import make_case, make_office, make_provider, make_user
from tests.pages.conftest import (
    SQLITE_ONLY,
    errors,
    intake_page,
    missing,
    open_tab,
    status_of,
    successes,
    texts,
)
from ui.format import plain

pytestmark = SQLITE_ONLY
TZ = "America/New_York"
DOB = dt.date(1951, 4, 2)


@pytest.fixture
def screen(db_url) -> Callable[[Actor], AppTest]:
    """A new tab on the intake screen for a signed-in user."""
    return partial(open_tab, intake_page)


@pytest.fixture
def provider(office) -> int:
    return make_provider(office)


@pytest.fixture
def cora(office, provider) -> Actor:
    return make_user("cora", Role.COORDINATOR, [office])


def button(at: AppTest, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


def a_case_in_intake(
    office: int, user: Actor, mrn: str = "M100200", first_name: str = "Ada"
) -> int:
    new = create_case(
        mrn=mrn,
        first_name=first_name,
        last_name="Lovelace",
        date_of_birth=DOB,
        office_id=office,
        channel=RequestChannel.PHONE,
        actor=user,
    )
    advance_case(new.case_id, CaseStatus.INTAKE, actor=user)
    return new.case_id


def add_drug(at: AppTest, case_id: int, drug: str, dose: str | None = None) -> AppTest:
    """Type a drug (and its dose) into the case's medication form and press Add."""
    at.text_input(key=f"intake_drug_{case_id}").input(drug)
    if dose is not None:
        at.text_input(key=f"intake_dose_{case_id}").input(dose)
    return at.button(key=f"intake_med_add_{case_id}").click().run()


def open_row(at: AppTest, case_id: int, med_id: int) -> AppTest:
    """Open a listed drug in the medication form (the picker above it)."""
    return at.segmented_control(key=f"intake_med_pick_{case_id}").set_value(med_id).run()


def med_table(at: AppTest, case_id: int) -> list[dict[str, str]]:
    """The medication table's rows as a user reads them (Markdown escapes undone, the zone
    left off the time columns' names)."""
    (table,) = at.container(key=f"intake_med_table_{case_id}").table
    return [
        {
            re.sub(r" \([A-Z]{3,4}\)$", "", column): re.sub(r"\\(.)", r"\1", str(value))
            for column, value in row.items()
        }
        for row in table.value.to_dict("records")
    ]


def walk(node) -> list:
    """Every element below `node`, in the order the screen draws them."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [e for child in children.values() for e in walk(child)]


def error_after(at: AppTest, key: str) -> str | None:
    """The refusal drawn right after the input with `key` (beside it), if any."""
    drawn = walk(at.main)
    (at_input,) = [i for i, e in enumerate(drawn) if getattr(e, "key", None) == key]
    following = drawn[at_input + 1] if at_input + 1 < len(drawn) else None
    return following.value if following is not None and following.type == "error" else None


def medication_of(case_id: int) -> int:
    """The id of the case's (first) medication row."""
    with read_session() as s:
        return s.scalar(select(CaseMedication.id).where(CaseMedication.case_id == case_id))


def open_case(at: AppTest, case_id: int) -> AppTest:
    return at.selectbox(key="intake_case").set_value(case_id).run()


def local_text(moment: dt.datetime) -> str:
    """A moment as the intake screen writes it, in the office's zone."""
    return f"{to_local(TZ, moment):%a %d %b %Y %H:%M %Z}"


def next_week() -> dt.date:
    return local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=7)


def today() -> dt.date:
    return local_today(TZ, dt.datetime.now(dt.UTC))


# --- the happy path -------------------------------------------------------------------------


def test_a_consult_request_goes_through_intake_booking_and_is_confirmed_for_its_day(
    screen, cora, provider
):
    at = screen(cora)
    at.text_input(key="intake_new_mrn").input("m100200").run()
    at.text_input(key="intake_new_first").input("Ada")
    at.text_input(key="intake_new_last").input("Lovelace")
    at.date_input(key="intake_new_dob").set_value(DOB)
    at.selectbox(key="intake_new_provider").set_value(provider)
    at.radio(key="intake_new_channel").set_value(RequestChannel.REFERRAL)
    at.button(key="intake_new_create").click().run()

    assert not at.exception and errors(at) == []
    case_id = at.session_state["intake_case"]
    code = f"AA-{case_id:05d}"
    assert [s.value for s in at.success] == [messages.CASE_REQUESTED.format(code=code)]
    assert [s.value for s in at.subheader] == [f"{code} · Consult requested"]
    assert [i.value for i in at.info] == [messages.INTAKE_NOT_STARTED]

    at.button(key="intake_start").click().run()
    assert status_of(case_id) == CaseStatus.INTAKE
    assert "Escort arranged" in missing(at)

    # Medications: typed by brand name, apixaban is matched at once and asks for the
    # prescriber's clearance, added with its dose and clearance in one save.
    assert errors(at) == [] and "Prescriber clearance to stop apixaban" not in missing(at)
    at.text_input(key=f"intake_drug_{case_id}").input("Eliquis").run()
    assert (
        "Matched: apixaban · Direct oral anticoagulant (factor Xa) · stop 72 h (3 days) before"
        " · restart 24 h after the procedure"
    ) in [c.value for c in at.caption]
    new = f"intake_med_new_{case_id}"
    at.text_input(key=f"intake_dose_{case_id}").input("5 mg twice daily")
    assert at.date_input(key=f"{new}_cleared_on").value == today()  # offered, may be changed
    at.text_input(key=f"{new}_prescriber").input("Dr. Heart")
    at.date_input(key=f"{new}_cleared_on").set_value(today() - dt.timedelta(days=2))
    at.button(key=f"intake_med_add_{case_id}").click().run()
    assert errors(at) == []
    assert messages.MEDICATION_ADDED.format(drug="apixaban") in [s.value for s in at.success]
    med_id = medication_of(case_id)
    (row,) = med_table(at, case_id)
    assert row["Drug"] == "apixaban (Eliquis)" and row["Dose"] == "5 mg twice daily"
    assert row["Hold"] == "stop 72 h (3 days) before"
    assert row["Last dose by"] == "set when booked"
    assert row["Prescriber clearance"] == f"Dr. Heart, {today() - dt.timedelta(days=2):%d %b %Y}"
    assert "Prescriber clearance to stop apixaban" not in missing(at)
    assert at.text_input(key=f"intake_drug_{case_id}").value == ""  # ready for the next drug

    # Conditions: heart disease brings a cardiology clearance: who cleared it and when.
    flag = f"intake_cond_{case_id}_{Condition.HEART_DISEASE.value}"
    at.checkbox(key=flag).check().run()
    cardiology = "Cardiology clearance: who cleared it and when (heart disease)"
    assert cardiology in missing(at)
    at.text_input(key=f"{flag}_cardiology_by").input("Dr. Heart")
    at.date_input(key=f"{flag}_cardiology_on").set_value(dt.date.today() - dt.timedelta(days=9))
    at.button(key=f"{flag}_cardiology_save").click().run()
    assert errors(at) == []
    assert cardiology not in missing(at)

    # Assessment (US units, stored metric) and escort.
    k = f"intake_assess_{case_id}"
    at.number_input(key=f"{k}_asa").set_value(2)
    at.number_input(key=f"{k}_feet").set_value(5)
    at.number_input(key=f"{k}_inches").set_value(7.0)
    at.number_input(key=f"{k}_pounds").set_value(176.0)
    at.number_input(key=f"{k}_nprs").set_value(7)
    button(at, "Save assessment").click().run()
    assert errors(at) == []
    assert [m.value for m in at.metric if m.label == "BMI"] == ["27.6"]
    assert "Height 5 ft 7 in · weight 176 lb · BMI 27.6" in [c.value for c in at.caption]
    with read_session() as s:
        assert s.execute(
            select(Case.height_cm, Case.weight_kg).where(Case.id == case_id)
        ).one() == (170.18, 79.832)
    d = f"intake_escort_{case_id}"
    at.text_input(key=f"{d}_name").input("Ann Escort")
    at.text_input(key=f"{d}_relationship").input("daughter")
    at.text_input(key=f"{d}_phone").input("(312) 555-0100")
    button(at, "Save escort").click().run()
    # Medicare: answered (no), so no study is needed.
    m = f"intake_medicare_{case_id}"
    at.radio(key=f"{m}_medicare").set_value(False)
    at.button(key=f"{m}_save").click().run()
    assert errors(at) == []

    # Booking, then the hold confirmed with the patient, then confirmation.
    b = f"intake_book_{case_id}"
    at.date_input(key=f"{b}_day").set_value(next_week())
    at.time_input(key=f"{b}_start").set_value(dt.time(9, 30))
    at.button(key=f"{b}_submit").click().run()
    assert errors(at) == []
    last_dose = local_text(at_local(TZ, next_week(), dt.time(9, 30)) - dt.timedelta(hours=72))
    open_row(at, case_id, med_id)
    card = at.container(key=f"intake_med_{med_id}")
    assert (
        f"Direct oral anticoagulant (factor Xa) · stop 72 h (3 days) before · "
        f"last dose by {last_dose} · restart 24 h after the procedure"
    ) in [c.value for c in card.caption]
    # The pre-op call: the last dose the patient reports and the hold told, one save.
    m = f"intake_med_{med_id}"
    at.date_input(key=f"{m}_last_day").set_value(today() - dt.timedelta(days=1))
    at.time_input(key=f"{m}_last_time").set_value(dt.time(8, 0))
    at.checkbox(key=f"{m}_told").check()
    at.button(key=f"{m}_save").click().run()
    assert errors(at) == []
    (row,) = med_table(at, case_id)
    assert row["Last dose taken"] == f"{today() - dt.timedelta(days=1):%a %d %b} 08:00"
    assert row["Patient told"] == "Cora"
    assert [s.value for s in at.success][-1] == messages.READY_TO_CONFIRM

    at.button(key="intake_confirm").click().run()

    assert not at.exception and errors(at) == []
    assert status_of(case_id) == CaseStatus.SCHEDULED
    assert messages.CASE_CONFIRMED in [s.value for s in at.success]
    assert [s.value for s in at.subheader] == [f"{code} · Scheduled"]


# --- the consult request --------------------------------------------------------------------


def test_a_likely_duplicate_patient_is_pointed_out_naming_the_mrn_before_creating(
    screen, office, cora
):
    a_case_in_intake(office, cora, mrn="M100200")
    at = screen(cora, intake_new_open=True)
    at.text_input(key="intake_new_mrn").input("X5555").run()
    at.text_input(key="intake_new_first").input("ada")
    at.text_input(key="intake_new_last").input("LOVELACE")
    at.date_input(key="intake_new_dob").set_value(DOB)
    at.radio(key="intake_new_channel").set_value(RequestChannel.PHONE)
    at.run()

    assert [w.value for w in at.warning] == [messages.LIKELY_DUPLICATE_SEEN.format(mrn="M100200")]
    at.button(key="intake_new_create").click().run()
    assert errors(at) == [messages.LIKELY_DUPLICATE_PATIENT.format(mrn="M100200")]
    assert at.text_input(key="intake_new_first").value == "ada"  # typed values kept
    assert "intake_case" not in at.session_state or at.session_state["intake_case"] is None

    at.checkbox(key="intake_new_different").check()
    at.button(key="intake_new_create").click().run()
    assert errors(at) == []
    assert at.session_state["intake_case"] is not None


def test_an_existing_mrn_shows_its_patient_and_the_new_case_is_theirs(screen, office, cora):
    a_case_in_intake(office, cora, mrn="M100200")
    at = screen(cora, intake_new_open=True)
    at.text_input(key="intake_new_mrn").input(" m100200 ").run()

    born = f"02 Apr 1951 (age {age_on(DOB, today())})"
    assert f"Existing patient: Lovelace, Ada, born {born}" in texts(at)
    assert not [t for t in at.text_input if t.key == "intake_new_first"]
    at.radio(key="intake_new_channel").set_value(RequestChannel.ONLINE_FORM)
    at.button(key="intake_new_create").click().run()
    assert errors(at) == []
    assert f"Lovelace, Ada · MRN M100200 · born {born}" in texts(at)[-1]


def test_what_was_typed_for_a_new_patient_survives_an_existing_mrn_typed_and_taken_back(
    screen, office, cora
):
    a_case_in_intake(office, cora, mrn="M100200")
    at = screen(cora, intake_new_open=True)
    at.text_input(key="intake_new_mrn").input("M100300").run()
    at.text_input(key="intake_new_first").input("Grace")
    at.text_input(key="intake_new_last").input("Hopper")
    at.date_input(key="intake_new_dob").set_value(DOB)
    at.text_input(key="intake_new_phone").input("(312) 555-0100").run()

    at.text_input(key="intake_new_mrn").input("M100200").run()  # another patient's, by mistake
    assert any(t.startswith("Existing patient: Lovelace, Ada, born 02 Apr 1951") for t in texts(at))
    at.text_input(key="intake_new_mrn").input("M100300").run()

    assert at.text_input(key="intake_new_first").value == "Grace"
    assert at.text_input(key="intake_new_last").value == "Hopper"
    assert at.date_input(key="intake_new_dob").value == DOB
    assert at.text_input(key="intake_new_phone").value == "(312) 555-0100"


@pytest.mark.parametrize(
    ("mrn", "first", "last", "expected"),
    [
        ("M1", "Ada", "Lovelace", messages.MRN_FORMAT),
        ("M1002*", "Ada", "Lovelace", messages.MRN_FORMAT),
        ("M100200", "  ", "Lovelace", messages.PATIENT_NAME_REQUIRED),
        ("M100200", "Ada", "", messages.PATIENT_NAME_REQUIRED),
        ("M100200", "Ada", "*Lovelace*", messages.PATIENT_NAME_CHARACTERS),
    ],
)
def test_a_bad_mrn_or_name_is_refused_beside_it_and_what_was_typed_is_kept(
    screen, cora, mrn, first, last, expected
):
    at = screen(cora)
    at.text_input(key="intake_new_mrn").input(mrn).run()
    at.text_input(key="intake_new_first").input(first)
    at.text_input(key="intake_new_last").input(last)
    at.date_input(key="intake_new_dob").set_value(DOB)
    at.radio(key="intake_new_channel").set_value(RequestChannel.PHONE)
    at.button(key="intake_new_create").click().run()

    assert not at.exception
    assert errors(at) == [expected]
    assert at.text_input(key="intake_new_mrn").value == mrn
    assert at.text_input(key="intake_new_last").value == last
    assert at.date_input(key="intake_new_dob").value == DOB


def test_a_user_of_several_offices_must_choose_the_office_and_sees_only_its_providers(
    screen, office, provider
):
    other = make_office("BB")
    make_provider(other, "Dr. Baker")
    cora = make_user("cora2", Role.COORDINATOR, [office, other])
    at = screen(cora)
    at.text_input(key="intake_new_mrn").input("M100200").run()
    at.text_input(key="intake_new_first").input("Ada")
    at.text_input(key="intake_new_last").input("Lovelace")
    at.date_input(key="intake_new_dob").set_value(DOB)
    at.radio(key="intake_new_channel").set_value(RequestChannel.PHONE)
    at.button(key="intake_new_create").click().run()
    assert errors(at) == [messages.OFFICE_REQUIRED]

    at.selectbox(key="intake_new_office").set_value(other).run()
    assert at.selectbox(key="intake_new_provider").options == ["Dr. Baker"]
    at.button(key="intake_new_create").click().run()
    assert errors(at) == []
    assert [s.value for s in at.subheader][0].startswith("BB-")


def test_every_problem_of_the_request_shows_at_once_beside_its_field_and_typing_is_kept(
    screen, cora
):
    at = screen(cora)
    at.text_input(key="intake_new_mrn").input("M1").run()
    at.text_input(key="intake_new_last").input("*Lovelace*")
    at.text_input(key="intake_new_phone").input("555")
    at.button(key="intake_new_create").click().run()

    assert errors(at) == [
        messages.MRN_FORMAT,
        messages.PATIENT_NAME_REQUIRED,
        messages.PATIENT_NAME_CHARACTERS,
        messages.PATIENT_DOB_REQUIRED,
        messages.PHONE_FORMAT,
        messages.REQUEST_CHANNEL_REQUIRED,
    ]
    assert error_after(at, "intake_new_mrn") == messages.MRN_FORMAT
    assert error_after(at, "intake_new_first") == messages.PATIENT_NAME_REQUIRED
    assert error_after(at, "intake_new_last") == messages.PATIENT_NAME_CHARACTERS
    assert error_after(at, "intake_new_dob") == messages.PATIENT_DOB_REQUIRED
    assert error_after(at, "intake_new_phone") == messages.PHONE_FORMAT
    assert error_after(at, "intake_new_channel") == messages.REQUEST_CHANNEL_REQUIRED
    assert at.text_input(key="intake_new_last").value == "*Lovelace*"
    assert at.text_input(key="intake_new_phone").value == "555"


def test_the_age_shows_beside_the_date_of_birth_as_it_is_typed_and_in_the_case_header(screen, cora):
    at = screen(cora)
    at.text_input(key="intake_new_mrn").input("M100200").run()
    at.date_input(key="intake_new_dob").set_value(DOB).run()
    age = age_on(DOB, today())
    assert messages.AGE_TODAY.format(age=age) in [c.value for c in at.caption]

    at.text_input(key="intake_new_first").input("Ada")
    at.text_input(key="intake_new_last").input("Lovelace")
    at.radio(key="intake_new_channel").set_value(RequestChannel.PHONE)
    at.button(key="intake_new_create").click().run()
    assert f"born 02 Apr 1951 (age {age})" in texts(at)[-1]


def test_the_request_form_closes_once_the_case_is_created_and_the_new_case_opens(
    screen, office, cora
):
    a_case_in_intake(office, cora, mrn="B1000", first_name="Byron")  # the fold starts closed
    at = screen(cora)
    assert not [t for t in at.text_input if t.key == "intake_new_mrn"]
    at = screen(cora, intake_new_open=True)
    at.text_input(key="intake_new_mrn").input("M100200").run()
    at.text_input(key="intake_new_first").input("Ada")
    at.text_input(key="intake_new_last").input("Lovelace")
    at.date_input(key="intake_new_dob").set_value(DOB)
    at.radio(key="intake_new_channel").set_value(RequestChannel.PHONE)
    at.button(key="intake_new_create").click().run()

    assert errors(at) == []
    assert at.session_state["intake_new_open"] is False
    assert not [t for t in at.text_input if t.key in ("intake_new_mrn", "intake_new_first")]
    case_id = at.session_state["intake_case"]
    assert [s.value for s in at.subheader] == [f"AA-{case_id:05d} · Consult requested"]
    # Opened again for the next request, it is empty: a second press cannot repeat this one.
    at.session_state["intake_new_open"] = True
    at.run()
    assert at.text_input(key="intake_new_mrn").value == ""
    assert at.text_input(key="intake_new_first").value == ""
    assert at.date_input(key="intake_new_dob").value is None


# --- medications ----------------------------------------------------------------------------


def test_an_unknown_drug_is_placed_only_by_a_nurse_picking_its_row_and_saying_why(
    screen, office, cora
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    at.text_input(key=f"intake_drug_{case_id}").input("Zorblaxine").run()
    assert messages.DRUG_NEEDS_REVIEW in [w.value for w in at.warning]  # said as it is typed
    add_drug(at, case_id, "Zorblaxine", dose="10 mg")
    med_id = medication_of(case_id)

    assert "Review unknown drug: zorblaxine" in missing(at)
    assert [r["Hold"] for r in med_table(at, case_id)] == ["Unknown: needs review"]
    open_row(at, case_id, med_id)
    assert messages.DRUG_NEEDS_REVIEW in [w.value for w in at.warning]
    assert not [b for b in at.button if b.label == "Place drug"]  # a coordinator cannot
    assert messages.DRUG_REVIEW_ROLE in [c.value for c in at.caption]
    # There is no one-tap "no hold needed" any more.
    assert not [b for b in at.button if "no hold" in b.label.lower()]

    nina = make_user("nina", Role.NURSE, [office])
    at = open_row(open_case(screen(nina), case_id), case_id, med_id)
    key = f"intake_med_{med_id}"
    button(at, "Place drug").click().run()
    assert errors(at) == [messages.REVIEW_CLASS_REQUIRED]
    at.selectbox(key=f"{key}_choice").set_value(NO_RELEVANCE)
    button(at, "Place drug").click().run()
    assert errors(at) == [messages.REVIEW_REASON_REQUIRED]
    at.text_input(key=f"{key}_reason").input("Pharmacist: a statin")
    button(at, "Place drug").click().run()
    assert errors(at) == []
    assert "Review unknown drug: zorblaxine" not in missing(at)
    assert any("Pharmacist: a statin" in t and "Nina" in t for t in texts(at))


def test_a_brand_name_that_means_two_rows_is_placed_on_the_right_one(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    nina = make_user("nina", Role.NURSE, [office])
    at = open_case(screen(nina), case_id)
    add_drug(at, case_id, "Lovenox 40 mg")
    med_id = medication_of(case_id)
    key = f"intake_med_{med_id}"
    open_row(at, case_id, med_id)
    options = at.selectbox(key=f"{key}_choice").options
    assert options[:2] == [
        "enoxaparin, prophylactic dose (Low-molecular-weight heparin; stop 12 h before)",
        "enoxaparin, therapeutic dose (Low-molecular-weight heparin; stop 24 h before)",
    ]
    at.selectbox(key=f"{key}_choice").set_value("enoxaparin, therapeutic dose")
    at.text_input(key=f"{key}_reason").input("Treatment dose for DVT, per the prescriber")
    button(at, "Place drug").click().run()
    assert errors(at) == []
    card = at.container(key=key)
    assert [m.value for m in card.markdown] == [f"**{plain('enoxaparin, therapeutic dose')}**"]
    assert "Given as: Lovenox 40 mg" in [t.value for t in card.text]


def test_the_patients_reported_last_dose_is_recorded_at_intake(screen, office, cora, provider):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    add_drug(at, case_id, "Plavix")
    med_id = medication_of(case_id)
    key = f"intake_med_{med_id}"
    open_row(at, case_id, med_id)
    assert messages.LAST_DOSE_NOT_REPORTED in texts(at)
    yesterday = today() - dt.timedelta(days=1)
    at.date_input(key=f"{key}_last_day").set_value(yesterday)
    button(at, "Save medication").click().run()
    assert errors(at) == [messages.LAST_DOSE_REQUIRED]  # a day without its time
    assert at.date_input(key=f"{key}_last_day").value == yesterday
    at.time_input(key=f"{key}_last_time").set_value(dt.time(20, 0))
    button(at, "Save medication").click().run()
    assert errors(at) == []
    assert messages.MEDICATION_SAVED.format(drug="clopidogrel") in [s.value for s in at.success]
    with read_session() as s:
        taken = s.scalar(select(CaseMedication.last_dose_taken_at))
    assert taken == at_local(TZ, yesterday, dt.time(20, 0))
    assert [r["Last dose taken"] for r in med_table(at, case_id)] == [f"{yesterday:%a %d %b} 20:00"]
    button(at, "Save medication").click().run()  # nothing typed: nothing written
    assert messages.NOTHING_CHANGED in [s.value for s in at.success]


def test_every_problem_of_the_medication_form_shows_at_once_beside_its_field_and_is_kept(
    screen, office, cora
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    new = f"intake_med_new_{case_id}"
    at.text_input(key=f"intake_drug_{case_id}").input("warfarin").run()
    at.text_input(key=f"intake_dose_{case_id}").input("5 mg " * 30)
    at.date_input(key=f"{new}_last_day").set_value(today() - dt.timedelta(days=1))
    at.date_input(key=f"{new}_cleared_on").set_value(today() - dt.timedelta(days=3))
    at.button(key=f"intake_med_add_{case_id}").click().run()

    assert errors(at) == [
        messages.TEXT_TOO_LONG.format(limit=120),
        messages.LAST_DOSE_REQUIRED,
        messages.PRESCRIBER_REQUIRED,
    ]
    assert error_after(at, f"intake_dose_{case_id}") == messages.TEXT_TOO_LONG.format(limit=120)
    assert error_after(at, f"{new}_last_time") == messages.LAST_DOSE_REQUIRED
    assert error_after(at, f"{new}_prescriber") == messages.PRESCRIBER_REQUIRED
    assert at.text_input(key=f"intake_drug_{case_id}").value == "warfarin"
    assert at.date_input(key=f"{new}_cleared_on").value == today() - dt.timedelta(days=3)
    assert medication_of(case_id) is None  # nothing saved


def test_a_drug_with_formatting_characters_is_refused_and_kept_and_a_dose_shows_as_typed(
    screen, office, cora
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    add_drug(at, case_id, "**boom**")
    assert errors(at) == [messages.DRUG_NAME_CHARACTERS]
    assert at.text_input(key=f"intake_drug_{case_id}").value == "**boom**"

    add_drug(at, case_id, "metformin", dose="500 mg *twice*")
    assert errors(at) == []
    assert [r["Dose"] for r in med_table(at, case_id)] == ["500 mg *twice*"]  # not markdown
    open_row(at, case_id, medication_of(case_id))
    instructions = messages.HOLD_INSTRUCTION.format(
        instruction=DEFAULT_HOLD_TABLE["metformin"].instruction
    )
    assert instructions in [c.value for c in at.caption]


def test_a_dose_is_edited_and_a_drug_removed(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    for drug in ("naproxen", "lisinopril"):
        add_drug(at, case_id, drug)
    with read_session() as s:
        naproxen, lisinopril = s.scalars(
            select(CaseMedication.id)
            .where(CaseMedication.case_id == case_id)
            .order_by(CaseMedication.id)
        ).all()
    open_row(at, case_id, naproxen)
    at.text_input(key=f"intake_med_{naproxen}_dose").input("250 mg")
    at.button(key=f"intake_med_{naproxen}_save").click().run()
    open_row(at, case_id, lisinopril)
    at.button(key=f"intake_med_{lisinopril}_remove").click().run()

    assert errors(at) == []
    assert messages.MEDICATION_REMOVED.format(drug="lisinopril") in [s.value for s in at.success]
    with read_session() as s:
        rows = s.execute(
            select(CaseMedication.drug, CaseMedication.dose).where(
                CaseMedication.case_id == case_id
            )
        ).all()
    assert rows == [("naproxen", "250 mg")]
    assert [(r["Drug"], r["Dose"]) for r in med_table(at, case_id)] == [("naproxen", "250 mg")]
    assert at.segmented_control(key=f"intake_med_pick_{case_id}").value == 0  # a new drug next


def test_the_hold_is_told_only_once_booked_and_with_the_clearance_in_the_same_save(
    screen, office, cora, provider
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    add_drug(at, case_id, "warfarin")
    med_id = medication_of(case_id)
    card = f"intake_med_{med_id}"
    open_row(at, case_id, med_id)

    def told(at: AppTest) -> list[str]:
        return [c.value for c in at.container(key=card).caption if "patient" in c.value]

    assert told(at) == [f"{messages.HOLD_NOT_YET_TOLD} {messages.HOLD_NEEDS_BOOKING}"]
    assert not [c for c in at.checkbox if c.key == f"{card}_told"]

    book_case(case_id, day=next_week(), start=dt.time(9), provider_id=provider, actor=cora)
    at.run()
    assert told(at) == []  # only the clearance stands in the way: typed in this same form
    at.checkbox(key=f"{card}_told").check()
    at.button(key=f"{card}_save").click().run()
    waiting = messages.HOLD_NEEDS_CLEARANCE.format(drug="warfarin")
    assert [e.value for e in at.container(key=card).error] == [waiting]
    assert error_after(at, f"{card}_told") == waiting
    assert at.checkbox(key=f"{card}_told").value is True  # kept

    at.text_input(key=f"{card}_prescriber").input("Dr. Heart")  # agreed today, as offered
    at.button(key=f"{card}_save").click().run()
    assert errors(at) == []
    assert "Hold instructions confirmed with the patient: warfarin" not in missing(at)
    assert "Prescriber clearance to stop warfarin" not in missing(at)
    assert any(t.startswith("Confirmed with the patient by Cora") for t in texts(at))


# --- assessment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("asa", 7, messages.ASA_RANGE),
        ("feet", 9, messages.HEIGHT_RANGE),
        ("pounds", 40.0, messages.WEIGHT_RANGE),
        ("nprs", 11, messages.NPRS_RANGE),
    ],
)
def test_out_of_range_assessment_values_are_refused_beside_them_and_kept(
    screen, office, cora, field, value, expected
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    k = f"intake_assess_{case_id}"
    typed = {"asa": 2, "feet": 5, "inches": 7.0, "pounds": 176.0, "nprs": 6, field: value}
    for name, v in typed.items():
        at.number_input(key=f"{k}_{name}").set_value(v)
    button(at, "Save assessment").click().run()

    assert not at.exception
    assert errors(at) == [expected]
    assert at.number_input(key=f"{k}_{field}").value == value
    with read_session() as s:
        assert s.scalar(select(Case.asa_class).where(Case.id == case_id)) is None


def test_every_problem_of_the_assessment_shows_at_once_beside_its_field(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    k = f"intake_assess_{case_id}"
    typed = {"asa": 7, "feet": 9, "inches": 0.0, "pounds": 40.0, "nprs": 11, "walk": 700}
    for name, v in typed.items():
        at.number_input(key=f"{k}_{name}").set_value(v)
    button(at, "Save assessment").click().run()

    assert errors(at) == [
        messages.ASA_RANGE,
        messages.HEIGHT_RANGE,
        messages.WEIGHT_RANGE,
        messages.NPRS_RANGE,
        messages.MINUTES_RANGE,
    ]
    assert error_after(at, f"{k}_asa") == messages.ASA_RANGE
    assert error_after(at, f"{k}_inches") == messages.HEIGHT_RANGE
    assert error_after(at, f"{k}_pounds") == messages.WEIGHT_RANGE
    assert error_after(at, f"{k}_nprs") == messages.NPRS_RANGE
    assert error_after(at, f"{k}_walk") == messages.MINUTES_RANGE
    assert {name: at.number_input(key=f"{k}_{name}").value for name in typed} == typed


def test_a_metric_height_and_weight_on_file_show_in_feet_inches_and_pounds(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    with transaction() as s:
        s.execute(update(Case).where(Case.id == case_id).values(height_cm=170.0, weight_kg=80.0))
    at = open_case(screen(cora), case_id)
    k = f"intake_assess_{case_id}"
    assert at.number_input(key=f"{k}_feet").value == 5
    assert at.number_input(key=f"{k}_inches").value == 7.0  # 66.93 in, to the nearest half
    assert at.number_input(key=f"{k}_pounds").value == 176.4
    assert "Height 5 ft 7 in · weight 176.4 lb · BMI 27.7" in [c.value for c in at.caption]


def test_asa_above_3_says_it_needs_the_anesthesiologists_review(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    at.number_input(key=f"intake_assess_{case_id}_asa").set_value(4)
    button(at, "Save assessment").click().run()
    assert messages.ASA_NEEDS_REVIEW.format(asa=4, limit=3) in [w.value for w in at.warning]
    assert "ASA class" not in missing(at)


def test_a_stale_screen_cannot_overwrite_someone_elses_change(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    with transaction() as s:  # someone else saves meanwhile
        s.execute(update(Case).where(Case.id == case_id).values(version=Case.version + 1))
    at.number_input(key=f"intake_assess_{case_id}_asa").set_value(2)
    button(at, "Save assessment").click().run()
    assert errors(at) == [messages.CHANGED_BY_SOMEONE_ELSE]


def test_the_baseline_odi_is_one_grid_with_one_save_and_its_score_shown(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    from mild.scores import ODI_SECTIONS

    k = f"intake_odi_{case_id}"
    grid = [c for c in at.segmented_control if c.key.startswith(k)]
    assert [c.key for c in grid] == [f"{k}_{s}" for s in ODI_SECTIONS]
    assert {tuple(c.options) for c in grid} == {("0", "1", "2", "3", "4", "5")}
    assert len([b for b in at.button if b.label == "Save ODI"]) == 1
    for section in ODI_SECTIONS[:7]:
        at.segmented_control(key=f"{k}_{section}").set_value(2)
    button(at, "Save ODI").click().run()
    assert errors(at) == [messages.ODI_TOO_FEW_SECTIONS]
    assert at.segmented_control(key=f"{k}_{ODI_SECTIONS[0]}").value == 2  # kept
    for section in ODI_SECTIONS[7:]:
        at.segmented_control(key=f"{k}_{section}").set_value(2)
    button(at, "Save ODI").click().run()
    assert errors(at) == []
    assert [m.value for m in at.metric if m.label == "Baseline ODI"] == ["40.0"]
    assert messages.ODI_SCORE_ANSWERED.format(score="40.0", answered=10) in successes(at)
    # Folded once scored (it was open until then), its title keeps the score in sight.
    (fold,) = [e for e in at.expander if e.label.startswith(messages.ODI_FOLD)]
    assert fold.label == f"{messages.ODI_FOLD} · score 40.0"


def test_a_escort_without_a_phone_is_refused_beside_it_and_the_name_is_kept(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    d = f"intake_escort_{case_id}"
    at.text_input(key=f"{d}_name").input("Ann Escort")
    button(at, "Save escort").click().run()
    assert errors(at) == [messages.ESCORT_NAME_AND_PHONE]
    assert at.text_input(key=f"{d}_name").value == "Ann Escort"
    at.text_input(key=f"{d}_phone").input("555")
    button(at, "Save escort").click().run()
    assert errors(at) == [messages.PHONE_FORMAT]
    at.text_input(key=f"{d}_phone").input("(312) 555-0100")
    button(at, "Save escort").click().run()
    assert errors(at) == [] and "Escort arranged" not in missing(at)


def test_every_problem_of_the_escort_shows_at_once_beside_its_field(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    d = f"intake_escort_{case_id}"
    at.text_input(key=f"{d}_relationship").input("a neighbour " * 6)
    at.text_input(key=f"{d}_phone").input("555")
    button(at, "Save escort").click().run()

    too_long = messages.TEXT_TOO_LONG.format(limit=60)
    assert errors(at) == [messages.ESCORT_NAME_AND_PHONE, too_long, messages.PHONE_FORMAT]
    assert error_after(at, f"{d}_name") == messages.ESCORT_NAME_AND_PHONE
    assert error_after(at, f"{d}_relationship") == too_long
    assert error_after(at, f"{d}_phone") == messages.PHONE_FORMAT


# --- booking and confirmation ---------------------------------------------------------------


def test_a_double_booking_is_refused_beside_the_start_naming_the_clashing_case(
    screen, office, cora, provider
):
    booked = a_case_in_intake(office, cora, mrn="B1000", first_name="Byron")
    book_case(booked, day=next_week(), start=dt.time(9), provider_id=provider, actor=cora)
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    b = f"intake_book_{case_id}"
    at.selectbox(key=f"{b}_provider").set_value(provider)
    at.date_input(key=f"{b}_day").set_value(next_week())
    at.time_input(key=f"{b}_start").set_value(dt.time(9, 30))
    at.button(key=f"{b}_submit").click().run()

    start = f"09:00 on {next_week():%a %d %b %Y}"
    assert errors(at) == [
        messages.BOOKING_CLASH.format(
            provider="Dr. Ames", code=f"AA-{booked:05d}", start=start, minutes=60
        )
    ]
    assert at.time_input(key=f"{b}_start").value == dt.time(9, 30)

    at.time_input(key=f"{b}_start").set_value(dt.time(10, 20))  # the turnover after: no clash
    at.button(key=f"{b}_submit").click().run()
    assert errors(at) == []
    assert messages.CASE_BOOKED in [s.value for s in at.success]


def test_booking_without_a_provider_or_with_bad_minutes_is_refused_beside_them(
    screen, office, cora, provider
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    b = f"intake_book_{case_id}"
    at.date_input(key=f"{b}_day").set_value(next_week())
    at.button(key=f"{b}_submit").click().run()
    assert errors(at) == [messages.BOOKING_PROVIDER_REQUIRED]
    at.selectbox(key=f"{b}_provider").set_value(provider)
    at.number_input(key=f"{b}_minutes").set_value(300)
    at.button(key=f"{b}_submit").click().run()
    assert errors(at) == [messages.BOOKING_MINUTES_RANGE.format(low=15, high=240)]


def test_confirming_is_refused_naming_every_missing_item(screen, office, cora):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    at.button(key="intake_confirm").click().run()

    missing = [
        "ASA class",
        "Provider chosen",
        "Booked day and start time",
        messages.READY_MEDICARE_ANSWER,
        "Escort arranged",
    ]
    assert errors(at) == [messages.NOT_READY.format(missing="; ".join(missing))]
    assert status_of(case_id) == CaseStatus.INTAKE


def test_a_refused_confirmation_names_only_what_is_still_missing_and_goes_once_ready(
    screen, office, cora
):
    case_id = make_case(office, CaseStatus.INTAKE)  # booked with a provider, Medicare answered
    at = open_case(screen(cora), case_id)
    at.button(key="intake_confirm").click().run()
    assert errors(at) == [messages.NOT_READY.format(missing="ASA class; Escort arranged")]

    d = f"intake_escort_{case_id}"
    at.text_input(key=f"{d}_name").input("Ann Escort")
    at.text_input(key=f"{d}_relationship").input("daughter")
    at.text_input(key=f"{d}_phone").input("(312) 555-0100")
    button(at, "Save escort").click().run()
    assert errors(at) == [messages.NOT_READY.format(missing="ASA class")]

    at.number_input(key=f"intake_assess_{case_id}_asa").set_value(2)
    button(at, "Save assessment").click().run()
    assert errors(at) == []
    assert messages.READY_TO_CONFIRM in [s.value for s in at.success]


# --- who sees what --------------------------------------------------------------------------


def test_the_screen_lists_only_open_cases_at_the_users_offices(screen, office, cora):
    other = make_office("BB")
    mine = a_case_in_intake(office, cora)
    theirs = make_case(other, CaseStatus.INTAKE)
    make_case(office, CaseStatus.CHECKED_IN)
    at = screen(cora, intake_new_open=True)
    assert at.selectbox(key="intake_case").options == [
        f"AA-{mine:05d} · Lovelace, Ada · Intake · not booked"
    ]
    assert at.selectbox(key="intake_new_office").options == ["AA Office (AA)"]
    assert not [o for o in at.selectbox(key="intake_case").options if f"{theirs:05d}" in o]


def test_a_nurse_may_open_intake_and_a_manager_may_not(screen, office):
    manager = make_user("mona", Role.MANAGER, [office])
    nurse = make_user("nina", Role.NURSE, [office])
    assert errors(screen(manager)) == [messages.NOT_ALLOWED_HERE]
    assert [t.value for t in screen(nurse).title] == ["Intake"]


def test_booking_too_soon_for_a_hold_warns_and_readiness_names_the_past_last_dose(
    screen, office, cora, provider
):
    case_id = a_case_in_intake(office, cora)
    at = open_case(screen(cora), case_id)
    add_drug(at, case_id, "Apixaban")
    tomorrow = local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)
    b = f"intake_book_{case_id}"
    at.selectbox(key=f"{b}_provider").set_value(provider)
    at.date_input(key=f"{b}_day").set_value(tomorrow)
    at.time_input(key=f"{b}_start").set_value(dt.time(9, 30))
    at.button(key=f"{b}_submit").click().run()

    assert not at.exception and errors(at) == []
    last = at_local(TZ, tomorrow, dt.time(9, 30)) - dt.timedelta(hours=72)
    assert messages.CASE_BOOKED in [s.value for s in at.success]
    late = messages.BOOKED_HOLDS_LATE.format(drugs=f"apixaban ({local_text(last)})")
    assert late in [w.value for w in at.warning]
    med_id = medication_of(case_id)
    assert [r["Last dose by"] for r in med_table(at, case_id)] == [
        f"{to_local(TZ, last):%a %d %b %H:%M} ({messages.LAST_DOSE_PAST})"
    ]
    open_row(at, case_id, med_id)
    card = at.container(key=f"intake_med_{med_id}")
    assert (
        f"Direct oral anticoagulant (factor Xa) · stop 72 h (3 days) before · "
        f"last dose by {local_text(last)} · {messages.LAST_DOSE_PAST} · "
        "restart 24 h after the procedure" in [c.value for c in card.caption]
    )
    day = f"{to_local(TZ, last):%a %d %b %H:%M %Z}"
    assert messages.READY_HOLD_LATE.format(drug="apixaban", day=day) in missing(at)

    at.run()  # the warning is shown once, like the success message
    assert late not in [w.value for w in at.warning]
