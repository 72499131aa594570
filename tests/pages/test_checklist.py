"""The day-of checklist page: today's cases, one case through to discharge, and every refusal
shown beside the step it refuses (AppTest)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from streamlit.proto.Dataframe_pb2 import Dataframe as DataframeProto
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Error

from db.models import Case, CaseMedication, ChecklistEntry, FollowUp, Patient
from db.queries.readiness import readiness_for_cases
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.checklist import STEP_BY_KEY, TIMED_STEPS, Phase
from mild.days import age_on, at_local, local_today, to_local
from mild.discharge import DischargeScale
from mild.fasting import Intake
from mild.intake import Condition
from mild.medications import MedClass
from mild.staff import Role
from services.checklist import (
    complete_step,
    confirm_escort,
    discharge_patient,
    record_discharge_score,
    undo_step,
)
from tests.builders import (
    OPEN_AFTER_A_SHORT_DAY,
    add_condition,
    add_held_drug,
    arrange_escort,
    confirm_time_out_items,
    do_step,
    make_case,
    make_office,
    make_user,
    make_ward,
    mark_site,
)
from tests.pages.conftest import SQLITE_ONLY, checklist_page, open_tab
from ui.checklist import details_key, event_reason_key, phase_key, plain, reason_key

pytestmark = SQLITE_ONLY
SelectionMode = DataframeProto.SelectionMode

TZ = "America/New_York"
IDENTITY = "Identity confirmed (name and date of birth)"
TIME_OUT = "Time-out done (every item above confirmed)"
SITE = "Site marked by the physician who will operate"
ESCORT = (
    "Escort confirmed in person (name, relationship, phone), or the attending physician's exemption"
)
ARRIVAL = ["checked_in", "identity_confirmed", "consent_signed", "fasting_confirmed"]
TO_RECOVERY = [
    *ARRIVAL,
    "holds_confirmed",
    "anesthesia_start",
    "time_out",
    "procedure_start",
    "procedure_end",
    "recovery_in",
]
ALDRETE = ["activity", "breathing", "circulation", "consciousness", "oxygen_saturation"]


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, local_today(TZ, dt.datetime.now(dt.UTC)), dt.time(hour, minute))


def screen(actor) -> AppTest:
    """A new tab on the day-of checklist for a signed-in user."""
    return open_tab(checklist_page, actor)


def open_case(at: AppTest, office_id: int, case_id: int, *, unfold: bool = True) -> AppTest:
    """The case picked; with `unfold`, every phase and the safety events opened too, as a nurse
    taps each one (folded, they draw nothing inside)."""
    if unfold:
        for phase in Phase:
            at.session_state[phase_key(case_id, phase)] = True
        at.session_state[f"safety_checklist_open_{case_id}"] = True
    return at.selectbox(key=f"dayof_case_{office_id}").select(case_id).run()


def header(at: AppTest):
    """The case's bar at the top of the screen (sticky in a browser: ui.style)."""
    (box,) = [c for c in at.container if c.key == "dayof_header"]
    return box


def open_details(at: AppTest, case_id: int) -> AppTest:
    """The "Case details" fold opened, as a nurse taps it (folded, it draws nothing inside)."""
    at.session_state[details_key(case_id)] = True
    return at.run()


def details(at: AppTest):
    """The "Case details" fold below the bar."""
    (box,) = [e for e in at.expander if e.label == messages.CASE_DETAILS]
    return box


def badges(*flags: str, colour: str = "blue") -> str:
    return " ".join(f":{colour}-badge[{plain(flag)}]" for flag in flags)


def flags_line(at: AppTest) -> list[str]:
    """The bar's line of flags (what intake left open is on a line of its own)."""
    return [m.value for m in header(at).markdown if not m.value.startswith(":orange-badge[")]


def step_box(at: AppTest, step: str):
    (box,) = [c for c in at.container if c.key == f"dayof_step_{step}"]
    return box


def errors_beside(at: AppTest, step: str) -> list[str]:
    return [e.value for e in step_box(at, step).error]


def texts_in(at: AppTest, step: str) -> list[str]:
    return [t.value for t in step_box(at, step).text]


def press(at: AppTest, case_id: int, step: str) -> AppTest:
    return at.button(key=f"dayof_tick_{case_id}_{step}").click().run()


def open_history(at: AppTest, case_id: int, step: str) -> AppTest:
    """The step's "History" button pressed: its history, un-tick and time correction drawn."""
    return at.button(key=f"dayof_history_{case_id}_{step}").click().run()


def refusal_below(at: AppTest, case_id: int, step: str, input_key: str) -> list[str]:
    """The refusal drawn right below an input of the step's open history, as a nurse reads it
    beside that box; [] when the next element is no refusal (or the history is not open)."""
    boxes = [c for c in at.container if c.key == f"dayof_history_box_{case_id}_{step}"]
    drawn = list(boxes[0].children.values()) if boxes else []
    after = [drawn[i + 1] for i, e in enumerate(drawn[:-1]) if getattr(e, "key", "") == input_key]
    return [e.value for e in after if isinstance(e, Error)]


def report_fast(at: AppTest, case_id: int) -> AppTest:
    """The fasting form as the nurse fills it: a light meal last night, water 3 hours ago."""
    now = to_local(TZ, dt.datetime.now(dt.UTC))
    meal, water = now - dt.timedelta(hours=12), now - dt.timedelta(hours=3)
    at.segmented_control(key=f"dayof_fasting_food_kind_{case_id}").set_value(Intake.LIGHT_MEAL)
    at.date_input(key=f"dayof_fasting_food_day_{case_id}").set_value(meal.date())
    at.time_input(key=f"dayof_fasting_food_time_{case_id}").set_value(meal.time())
    at.date_input(key=f"dayof_fasting_clear_day_{case_id}").set_value(water.date())
    at.time_input(key=f"dayof_fasting_clear_time_{case_id}").set_value(water.time())
    return press(at, case_id, "fasting_confirmed")


def tick_all(case_id: int, actor, steps: list[str]) -> None:
    for step in steps:
        if step == "time_out":
            confirm_time_out_items(case_id, actor)  # each item first: the time-out needs them
        if step == "anesthesia_start":
            mark_site(case_id, actor)  # a hard stop before anesthesia start
        do_step(case_id, step, actor)


def score_10(case_id: int, actor) -> None:
    record_discharge_score(case_id, DischargeScale.ALDRETE, dict.fromkeys(ALDRETE, 2), actor=actor)


def entries(case_id: int) -> list[tuple[str, bool, str | None]]:
    with read_session() as s:
        rows = s.execute(
            select(ChecklistEntry.step, ChecklistEntry.undone, ChecklistEntry.value)
            .where(ChecklistEntry.case_id == case_id)
            .order_by(ChecklistEntry.id)
        )
        return [tuple(row) for row in rows]


def locked_note(case_id: int, by: str) -> str:
    """The note above a discharged case's read-only steps: who discharged, when (office time)."""
    with read_session() as s:
        at = s.scalar(
            select(ChecklistEntry.done_at).where(
                ChecklistEntry.case_id == case_id, ChecklistEntry.step == "discharged"
            )
        )
    local = to_local(TZ, at)
    return messages.CHECKLIST_LOCKED.format(when=f"{local:%H:%M %Z} on {local:%a %d %b %Y}", who=by)


def until_text(case_id: int) -> str:
    """Until when a discharged case's event times may be corrected: a day after discharge."""
    with read_session() as s:
        at = s.scalar(
            select(ChecklistEntry.done_at).where(
                ChecklistEntry.case_id == case_id, ChecklistEntry.step == "discharged"
            )
        )
    return f"{to_local(TZ, at + dt.timedelta(hours=24)):%a %d %b %H:%M %Z}"


def status_of(case_id: int) -> CaseStatus:
    with read_session() as s:
        return s.scalar(select(Case.status).where(Case.id == case_id))


@pytest.fixture
def ward(db_url):
    """One office, one nurse, one case booked at 09:00 today."""
    return make_ward("AA", TZ)


# The day


def test_the_day_lists_the_offices_cases_in_schedule_order_with_status_and_progress(db_url):
    first, second, other = make_office("AA", TZ), make_office("BB", TZ), make_office("ZZ", TZ)
    nurse = make_user("nina", Role.NURSE, [first, second])
    late = make_case(first, CaseStatus.SCHEDULED, today_at(13, 30))
    early = make_case(first, CaseStatus.SCHEDULED, today_at(8))
    make_case(first, CaseStatus.CANCELLED, today_at(10))
    make_case(first, CaseStatus.SCHEDULED, today_at(9) + dt.timedelta(days=1))
    make_case(other, CaseStatus.SCHEDULED, today_at(9))
    at_second = make_case(second, CaseStatus.SCHEDULED, today_at(11))
    complete_step(early, "checked_in", actor=nurse)

    at = screen(nurse)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Day-of checklist"]
    office = at.selectbox(key="dayof_office")
    assert office.options == ["AA Office (AA)", "BB Office (BB)"]  # hers only, first by default
    assert office.value.code == "AA"
    table = at.dataframe[0].value
    assert list(table["code"]) == [code_of(early), code_of(late)]
    assert list(table["time"]) == ["08:00", "13:30"]
    assert list(table["status"]) == ["Checked in", "Scheduled"]
    assert list(table["progress"]) == ["1/37", "0/37"]
    picker = at.selectbox(key=f"dayof_case_{first}")
    assert picker.value is None
    assert picker.options == [
        f"08:00 · {name_of(early)} · {code_of(early)}",
        f"13:30 · {name_of(late)} · {code_of(late)}",
    ]

    at = at.selectbox(key="dayof_office").select_index(1).run()
    assert list(at.dataframe[0].value["code"]) == [code_of(at_second)]


# The day table's fold: one label whatever the day holds (a fold whose label changed is a new
# one to Streamlit, folded: a booking added would close the table the nurse opened).
DAY_TABLE = messages.DAY_TABLE.format(office="AA Office")


def test_the_days_table_opens_a_case_by_its_row_and_folds_away_once_a_case_is_open(ward):
    office, nurse, case_id = ward
    at = screen(nurse)
    (table,) = at.dataframe
    assert table.key == "dayof_cases_AA"
    # A row (its box or any of its cells) opens the case: ui.checklist.day.open_row.
    modes = set(table.proto.selection_mode)
    assert modes == {SelectionMode.SINGLE_ROW, SelectionMode.SINGLE_CELL}
    (day,) = [e for e in at.expander if e.label == DAY_TABLE]
    assert day.proto.expanded

    at = open_case(at, office, case_id)

    (day,) = [e for e in at.expander if e.label == DAY_TABLE]
    assert not day.proto.expanded and not at.dataframe  # folded: not drawn until opened
    assert header(at).subheader[0].value == plain(name_of(case_id))


def test_an_office_with_nothing_booked_today_says_so(db_url):
    office = make_office("AA", TZ)
    nurse = make_user("nina", Role.NURSE, [office])
    make_case(office, CaseStatus.SCHEDULED, today_at(9) - dt.timedelta(days=1))

    at = screen(nurse)

    assert [i.value for i in at.info] == [messages.NO_CASES_TODAY.format(office="AA Office")]
    assert not at.dataframe


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


def name_of(case_id: int) -> str:
    with read_session() as s:
        return s.execute(
            select(Patient.last_name + ", " + Patient.first_name)
            .join(Case, Case.patient_id == Patient.id)
            .where(Case.id == case_id)
        ).scalar_one()


def mrn_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Patient.mrn).join(Case).where(Case.id == case_id))


# The open case


def test_the_header_names_the_patient_and_what_matters_today(ward):
    office, nurse, case_id = ward
    add_condition(case_id, Condition.DIABETES)
    add_condition(case_id, Condition.LATEX_ALLERGY, "hives with gloves")
    arrange_escort(case_id, "Ann Lee", "daughter", "555-010-0199")
    add_held_drug(case_id, "apixaban", name_given="Eliquis 5 mg")
    with transaction() as s:
        s.add(CaseMedication(case_id=case_id, drug="omeprazole", med_class=MedClass.OTHER))
        med = s.scalar(select(CaseMedication).where(CaseMedication.drug == "apixaban"))
        med.dose, med.cleared_by = "5 mg twice daily", "Dr. Heart"
    add_held_drug(case_id, "clopidogrel", stop_before_hours=168, med_class=MedClass.P2Y12_INHIBITOR)

    at = open_case(screen(nurse), office, case_id)

    assert not at.exception and not at.error
    # The bar: who she is and her age on the office's today, the allergy first and loud, the
    # key flags, the status and the steps done.
    bar = header(at)
    assert [h.value for h in bar.subheader] == [plain(name_of(case_id))]
    age = age_on(dt.date(1950, 1, 1), local_today(TZ, dt.datetime.now(dt.UTC)))
    assert [t.value for t in bar.text] == [
        f"{age} years · born 01 Jan 1950 · MRN {mrn_of(case_id)} · Case {code_of(case_id)}"
    ]
    assert [(w.value, w.icon) for w in bar.warning] == [
        ("**Allergies:** Latex allergy: hives with gloves", ":material/warning:")
    ]
    assert flags_line(at) == [
        badges("Anticoagulant held: apixaban", "Antiplatelet held: clopidogrel", "Diabetes")
    ]
    assert {m.label: m.value for m in bar.metric} == {
        "Status": "Scheduled",
        "Steps done": "0 of 38",
    }
    # The rest, folded below the bar until she opens it.
    assert not details(at).children
    at = open_details(at, case_id)
    box = details(at)
    lines = "\n".join(t.value for t in box.text)
    assert f"Planned start 09:00 {to_local(TZ, today_at(9)):%Z}, 60 min" in lines
    assert "Escort arranged at intake: Ann Lee, daughter, 555-010-0199" in lines
    assert "Conditions: Diabetes" in lines
    assert [i.value for i in box.info] == [
        "Today: Point-of-care glucose on arrival",
        "Today: Latex-free room and supplies",
    ]
    meds = box.dataframe[0].value
    assert meds.to_dict("records") == [
        {
            "Medication": "apixaban",
            "Dose": "5 mg twice daily",
            "Hold": "stop 72 h (3 days) before",
            "Restart after": "24 h",
            "Hold cleared by": "Dr. Heart",
        },
        {
            "Medication": "omeprazole",
            "Dose": "",
            "Hold": messages.NO_TIMED_STOP,
            "Restart after": "",
            "Hold cleared by": "",
        },
        {
            "Medication": "clopidogrel",
            "Dose": "",
            "Hold": "stop 168 h (7 days) before",
            "Restart after": "24 h",
            "Hold cleared by": messages.CLEARANCE_NOT_ON_FILE,
        },
    ]
    assert {m.label: m.value for m in box.metric} == {"Procedure time": "not started"}
    # Glucose applies to her; nothing is ticked yet, so every applicable step has its button.
    assert at.number_input(key=f"dayof_value_{case_id}_glucose_checked").value is None
    assert list(phase_expanders(at))[0] == "**Arrival** · 0 of 10 done"  # glucose counts


def test_a_patient_with_no_allergy_recorded_is_said_to_have_none_recorded(ward):
    office, nurse, case_id = ward
    add_condition(case_id, Condition.SLEEP_APNEA)

    at = open_case(screen(nurse), office, case_id)

    assert not header(at).warning
    assert flags_line(at) == [
        f":gray-badge[{messages.NO_ALLERGY_RECORDED}] " + badges("Sleep apnea")
    ]


def test_the_case_details_are_folded_and_drawn_only_once_opened(ward):
    """Issue 12: a tick's rerun pays only for what is in view."""
    office, nurse, case_id = ward
    arrange_escort(case_id, "Ann Lee", "daughter", "555-010-0199")
    at = open_case(screen(nurse), office, case_id)
    assert details(at).proto.expanded is False
    assert not details(at).children
    assert "Escort arranged" not in " ".join(t.value for t in at.text)

    at = open_details(at, case_id)
    assert "Escort arranged" in " ".join(t.value for t in details(at).text)

    at = press(at, case_id, "checked_in")  # a tick leaves the fold as she left it
    assert "Escort arranged" in " ".join(t.value for t in details(at).text)


def test_the_header_gives_the_waiting_room_code_from_check_in(ward):
    """The code the waiting-room display shows for her (mild.waiting_codes), so the nurse
    calls the patient by what the room sees, not by name."""
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)
    assert "Waiting room" not in header(at).text[0].value

    at = press(at, case_id, "checked_in")

    with read_session() as s:
        code = s.scalar(select(Case.waiting_code).where(Case.id == case_id))
    assert code and header(at).text[0].value.endswith(
        messages.HEADER_WAITING_CODE.format(code=code)
    )


def test_the_header_shows_every_readiness_item_intake_left_open(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)

    (box,) = [c for c in header(at).children.values() if c.key == "dayof_header_intake"]
    missing = readiness_for_cases([case_id])[case_id]
    assert missing  # this bare test case has no ASA class and no escort
    label = messages.INTAKE_LEFT_OPEN.format(n=len(missing))
    assert [m.value for m in box.markdown] == [
        f":orange-badge[:material/assignment_late: {label}] "
        + " · ".join(plain(m) for m in missing)
    ]


def phase_expanders(at: AppTest) -> dict[str, bool]:
    """Each phase's expander: its label and whether it is drawn open."""
    return {e.label: e.proto.expanded for e in at.expander if e.label.startswith("**")}


def test_the_phases_under_way_and_the_next_one_are_open_the_rest_folded(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id, unfold=False)
    assert phase_expanders(at) == {
        "**Arrival** · 0 of 9 done": True,
        "**Sign in (before anesthesia)** · 0 of 5 done": False,
        "**Time-out (before incision)** · 0 of 9 done": False,
        "**Procedure** · 0 of 7 done": False,
        "**Recovery room** · 0 of 3 done": False,
        "**Discharge** · 0 of 4 done": False,
    }

    tick_all(case_id, nurse, [*ARRIVAL, "holds_confirmed", "vitals_recorded", "iv_placed"])
    tick_all(case_id, nurse, ["escort_on_file"])
    mark_site(case_id, nurse)
    complete_step(case_id, "imaging_modality", actor=nurse, value="Ultrasound")
    at = at.run()

    assert phase_expanders(at) == {
        "**Arrival** · 9 of 9 done": False,
        "**Sign in (before anesthesia)** · 0 of 5 done": True,
        "**Time-out (before incision)** · 1 of 9 done": True,
        "**Procedure** · 0 of 6 done": False,
        "**Recovery room** · 0 of 3 done": False,
        "**Discharge** · 0 of 4 done": False,
    }


def test_a_folded_phase_draws_its_steps_only_once_opened(ward):
    """Issue 12: a tick's rerun pays only for the steps in view."""
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id, unfold=False)
    drawn = {c.key for c in at.container if str(c.key).startswith("dayof_step_")}
    assert "dayof_step_checked_in" in drawn  # arrival: the phase to start, open
    assert "dayof_step_recovery_in" not in drawn  # recovery: folded, not drawn

    at.session_state[phase_key(case_id, Phase.RECOVERY)] = True  # the nurse opens it
    at = at.run()
    drawn = {c.key for c in at.container if str(c.key).startswith("dayof_step_")}
    assert {"dayof_step_checked_in", "dayof_step_recovery_in"} <= drawn
    assert not at.exception


def test_steps_that_do_not_apply_are_shown_as_not_applicable_without_a_button(ward):
    office, nurse, case_id = ward
    complete_step(case_id, "imaging_modality", actor=nurse, value="Ultrasound")

    at = open_case(screen(nurse), office, case_id)

    for step, why in [
        ("glucose_checked", "Not applicable: not diabetic"),
        ("fluoroscopy_recorded", "Not applicable: imaging is ultrasound"),
    ]:
        assert [c.value for c in step_box(at, step).caption] == [why]
        assert not step_box(at, step).button
    assert at.metric[1].value == "1 of 36"


def test_a_nurse_cannot_open_a_case_at_another_office(db_url):
    mine, other = make_office("AA", TZ), make_office("ZZ", TZ)
    nurse = make_user("nina", Role.NURSE, [mine])
    make_case(mine, CaseStatus.SCHEDULED, today_at(9))
    foreign = make_case(other, CaseStatus.SCHEDULED, today_at(9))

    at = screen(nurse)

    assert "dayof_office" not in [s.key for s in at.selectbox]
    picker = at.selectbox(key=f"dayof_case_{mine}")
    assert not [o for o in picker.options if code_of(foreign) in o]


# The next step first, and its button the only primary one


def primary_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.proto.type == "primary"]


def order_in(at: AppTest, phase: str) -> list[str]:
    """The steps of a phase as drawn, top to bottom."""
    (box,) = [e for e in at.expander if e.label.startswith(f"**{phase}**")]
    return [c.key.removeprefix("dayof_step_") for c in box.children.values()]


def test_the_step_to_tick_next_has_the_only_primary_button_and_open_steps_come_first(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)
    assert primary_buttons(at) == [f"dayof_tick_{case_id}_checked_in"]

    at = press(at, case_id, "checked_in")
    at = press(at, case_id, "consent_signed")

    assert primary_buttons(at) == [f"dayof_tick_{case_id}_identity_confirmed"]
    # Open steps in their order, then the done ones, then the one that does not apply.
    assert order_in(at, "Arrival") == [
        "identity_confirmed",
        "fasting_confirmed",
        "holds_confirmed",
        "vitals_recorded",
        "iv_placed",
        "escort_on_file",
        "site_marked",
        "checked_in",
        "consent_signed",
        "glucose_checked",
    ]


def test_a_form_is_the_primary_button_when_its_step_is_next_and_a_blocked_step_never_is(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["checked_in", "identity_confirmed", "consent_signed"])
    add_held_drug(case_id, "apixaban")  # no last dose reported: the holds cannot be confirmed
    at = open_case(screen(nurse), office, case_id)
    assert primary_buttons(at) == [f"dayof_tick_{case_id}_fasting_confirmed"]

    at = report_fast(at, case_id)

    assert [c.value for c in step_box(at, "holds_confirmed").caption][-1].startswith(
        "Needs first: "
    )
    assert primary_buttons(at) == [f"dayof_tick_{case_id}_vitals_recorded"]


def test_each_tick_button_names_the_step_it_ticks(ward):
    """A screen reader hears which step a button ticks, not "Mark done" twenty times."""
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)
    ticks = {
        b.key.removeprefix(f"dayof_tick_{case_id}_"): b.label
        for b in at.button
        if b.key.startswith("dayof_tick_")
    }
    assert ticks["consent_signed"] == "Mark done · Consent signed"
    assert ticks["site_marked"] == (
        "Save and mark done · Site marked by the physician who will operate"
    )
    assert ticks["fasting_confirmed"] == "Save and mark done · Fasting confirmed"
    # The forms' own buttons say their step in their words.
    assert ticks["discharge_score"] == "Record discharge score"
    assert ticks["discharged"] == "Discharge patient"
    generic = {k: v for k, v in ticks.items() if v.startswith(("Mark done", "Save and mark done"))}
    assert len(generic) > 25
    assert all(label.endswith(f" · {STEP_BY_KEY[key].label}") for key, label in generic.items())


# The happy path


def test_a_case_is_ticked_through_to_discharge_on_the_screen(ward):
    office, nurse, case_id = ward
    add_condition(case_id, Condition.DIABETES)
    arrange_escort(case_id, "Ann Lee", "daughter", "555-010-0199")
    at = open_case(screen(nurse), office, case_id)

    for step in ARRIVAL + ["holds_confirmed"]:
        fast = step == "fasting_confirmed"
        at = report_fast(at, case_id) if fast else press(at, case_id, step)
        assert not at.error, step
    at.number_input(key=f"dayof_value_{case_id}_glucose_checked").set_value(142)
    at = press(at, case_id, "glucose_checked")
    for step in ["vitals_recorded", "iv_placed", "escort_on_file"]:
        at = press(at, case_id, step)
    # The site is marked by the physician who will operate: her name is offered.
    assert at.text_input(key=f"dayof_value_{case_id}_site_marked").value == "Dr. Ames"
    at = press(at, case_id, "site_marked")
    for step in ["patient_in_room", "pre_anesthesia_check", "pulse_oximeter_on"]:
        at = press(at, case_id, step)
    at.segmented_control(key=f"dayof_value_{case_id}_anesthesia_type").set_value(
        "MAC (moderate sedation)"
    )
    at = press(at, case_id, "anesthesia_type")
    at = press(at, case_id, "anesthesia_start")
    at.segmented_control(key=f"dayof_value_{case_id}_imaging_modality").set_value(
        "X-ray / fluoroscopy"
    )
    at = press(at, case_id, "imaging_modality")
    for step in ["team_introduced", "patient_confirmed", "procedure_confirmed"]:
        at = press(at, case_id, step)
    at.text_input(key=f"dayof_value_{case_id}_level_side_confirmed").input("L4-L5 bilateral")
    at = press(at, case_id, "level_side_confirmed")
    at = press(at, case_id, "imaging_displayed")
    at.segmented_control(key=f"dayof_antibiotic_choice_{case_id}").set_value("Not used")
    at = press(at, case_id, "antibiotic_prophylaxis")
    at = press(at, case_id, "critical_events_reviewed")
    at = press(at, case_id, "time_out")
    at = press(at, case_id, "procedure_start")
    assert at.metric[0].value == "In procedure"
    # While it runs, its timer is in the bar at the top.
    assert [m.label for m in header(at).metric][2] == "Procedure time (running)"
    at.text_input(key=f"dayof_value_{case_id}_levels_treated").input("L4-L5 bilateral")
    at = press(at, case_id, "levels_treated")
    at = press(at, case_id, "procedure_end")
    at.text_input(key=f"dayof_value_{case_id}_fluoroscopy_recorded").input("1.2 min, 14 mGy")
    at = press(at, case_id, "fluoroscopy_recorded")
    for step in ["sign_out", "anesthesia_end", "patient_out_of_room", "recovery_in"]:
        at = press(at, case_id, step)
    # Over: the timer leaves the bar for the case details.
    assert [m.label for m in header(at).metric] == ["Status", "Steps done"]
    at = open_details(at, case_id)
    assert [m.label for m in details(at).metric] == ["Procedure time"]
    for item in ALDRETE:
        at.segmented_control(key=f"dayof_score_{case_id}_{item}").set_value(2)
    at = at.run()
    assert "Total so far: 10 of 10 (5 of 5 items scored)" in texts_in(at, "discharge_score")
    at = press(at, case_id, "discharge_score")
    assert [t.value for t in at.toast] == ["Discharge score 10 recorded."]
    at = press(at, case_id, "recovery_out")
    # The escort arranged at intake is offered; the nurse confirms the person in front of her.
    assert at.text_input(key=f"dayof_escort_name_{case_id}").value == "Ann Lee"
    at = press(at, case_id, "escort_confirmed")
    # The instructions are printed first (the one primary button until then); the tick
    # records the version printed.
    assert primary_buttons(at) == [f"dayof_instructions_prepare_{case_id}"]
    at = at.button(key=f"dayof_instructions_prepare_{case_id}").click().run()
    assert primary_buttons(at) == [f"dayof_tick_{case_id}_instructions_given"]
    for step in ["instructions_given", "restart_dates_given"]:
        at = press(at, case_id, step)
    # Every step is done: nothing to confirm before discharging.
    assert [c.value for c in step_box(at, "discharged").caption] == [
        messages.DISCHARGE_NOTHING_OPEN
    ]
    assert not step_box(at, "discharged").checkbox
    at = press(at, case_id, "discharged")

    assert not at.exception and not at.error
    assert status_of(case_id) == CaseStatus.DISCHARGED
    assert at.metric[0].value == "Discharged" and at.metric[1].value == "38 of 38"
    assert [i.value for i in at.info][-1] == locked_note(case_id, "Nina")
    assert not [b for b in at.button if b.key.startswith("dayof_tick_")]
    stored = {step: value for step, _undone, value in entries(case_id)}
    assert stored["glucose_checked"] == "142"
    assert stored["anesthesia_type"] == "MAC (moderate sedation)"
    assert stored["discharge_score"] == "10"
    assert stored["escort_confirmed"] == "Ann Lee, Daughter, 555-010-0199"
    assert stored["antibiotic_prophylaxis"] == "Not used"
    assert stored["level_side_confirmed"] == "L4-L5 bilateral"
    assert texts_in(at, "levels_treated")[0].endswith("· Nina · L4-L5 bilateral")
    with read_session() as s:
        assert s.scalar(select(FollowUp.id).where(FollowUp.case_id == case_id)) is not None


def test_the_open_case_keeps_its_label_in_the_picker_as_it_is_ticked(ward):
    # A browser keeps the selected option by its label: a label that changed with the status or
    # progress would close the case after each tick.
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)
    before = at.selectbox(key=f"dayof_case_{office}").options

    at = press(at, case_id, "checked_in")

    assert at.metric[0].value == "Checked in"
    assert at.selectbox(key=f"dayof_case_{office}").options == before
    assert at.selectbox(key=f"dayof_case_{office}").value == case_id


def test_a_tick_shows_who_did_it_and_when_in_the_offices_time(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)

    at = press(at, case_id, "vitals_recorded")

    with read_session() as db:
        done_at = db.scalar(select(ChecklistEntry.done_at).where(ChecklistEntry.case_id == case_id))
    local = to_local(TZ, done_at)
    assert texts_in(at, "vitals_recorded") == [f"Done · {local:%H:%M} {local:%Z} · Nina"]
    assert [t.value for t in at.toast] == ["Vitals recorded: done."]
    assert at.metric[1].value == "1 of 37"


# Hard stops and every other refusal, each beside its step


def test_anesthesia_start_is_refused_naming_each_missing_item(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["checked_in", "consent_signed"])
    at = open_case(screen(nurse), office, case_id)
    assert [c.value for c in step_box(at, "anesthesia_start").caption] == [
        f"Needs first: {IDENTITY}; Fasting confirmed; Medication holds confirmed; {SITE}"
    ]

    at = press(at, case_id, "anesthesia_start")

    assert errors_beside(at, "anesthesia_start") == [
        messages.HARD_STOP.format(
            step="Anesthesia start",
            missing=f"{IDENTITY}; Fasting confirmed; Medication holds confirmed; {SITE}",
        )
    ]
    assert [e.value for e in at.error] == errors_beside(at, "anesthesia_start")
    assert "anesthesia_start" not in [step for step, _, _ in entries(case_id)]


def test_procedure_start_without_the_time_out_is_refused(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, [*ARRIVAL, "holds_confirmed", "anesthesia_start"])
    confirm_time_out_items(case_id, nurse)
    at = open_case(screen(nurse), office, case_id)

    at = press(at, case_id, "procedure_start")

    assert errors_beside(at, "procedure_start") == [
        messages.HARD_STOP.format(step="Procedure start (incision)", missing=TIME_OUT)
    ]
    assert status_of(case_id) == CaseStatus.CHECKED_IN
    # Once the time-out is done, the refusal goes and the procedure starts.
    at = press(at, case_id, "time_out")
    assert errors_beside(at, "procedure_start") == []
    at = press(at, case_id, "procedure_start")
    assert status_of(case_id) == CaseStatus.IN_PROCEDURE


def test_discharge_without_the_escort_confirmed_is_refused(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, TO_RECOVERY)
    score_10(case_id, nurse)
    at = open_case(screen(nurse), office, case_id)

    at = press(at, case_id, "discharged")

    assert errors_beside(at, "discharged") == [
        messages.HARD_STOP.format(step="Discharged", missing=ESCORT)
    ]
    assert status_of(case_id) == CaseStatus.RECOVERY


def test_a_discharge_score_of_8_is_recorded_but_discharge_is_refused(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, TO_RECOVERY)
    arrange_escort(case_id, "Ann Lee", "daughter", "555-010-0199")
    at = open_case(screen(nurse), office, case_id)
    at = press(at, case_id, "escort_confirmed")
    at.radio(key=f"dayof_score_{case_id}_scale").set_value(DischargeScale.PADSS)
    at = at.run()
    for item, points in zip(
        ["vital_signs", "walking", "nausea_vomiting", "pain", "bleeding"],
        [2, 2, 2, 1, 1],
        strict=True,
    ):
        at.segmented_control(key=f"dayof_score_{case_id}_{item}").set_value(points)
    at = press(at, case_id, "discharge_score")

    assert [w.value for w in step_box(at, "discharge_score").warning] == [
        messages.DISCHARGE_SCORE_NOT_READY.format(total=8, min=9)
    ]
    at = press(at, case_id, "discharged")
    assert errors_beside(at, "discharged") == [
        '"Discharged" cannot be ticked yet. Missing: Discharge score of 9 or more.'
    ]
    assert status_of(case_id) == CaseStatus.RECOVERY


def score_items(at: AppTest, case_id: int, items: list[str], points: int = 2) -> AppTest:
    """The discharge score's items picked on the screen (Aldrete unless the scale was changed)."""
    for item in items:
        at.segmented_control(key=f"dayof_score_{case_id}_{item}").set_value(points)
    return at


def test_a_discharge_score_with_an_item_missing_is_refused_beside_that_item(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, TO_RECOVERY)
    at = open_case(screen(nurse), office, case_id)
    score_items(at, case_id, ["activity", "breathing", "consciousness", "oxygen_saturation"])

    at = press(at, case_id, "discharge_score")

    assert errors_beside(at, "discharge_score") == ["Score Circulation (0, 1 or 2)."]
    # What she scored is kept for her to finish.
    assert at.segmented_control(key=f"dayof_score_{case_id}_activity").value == 2
    assert "discharge_score" not in [step for step, _, _ in entries(case_id)]


def test_a_missing_score_items_refusal_goes_once_the_item_is_scored(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, TO_RECOVERY)
    at = open_case(screen(nurse), office, case_id)
    at = press(
        score_items(at, case_id, ["activity", "breathing", "consciousness"]),
        case_id,
        "discharge_score",
    )
    assert errors_beside(at, "discharge_score") == ["Score Circulation (0, 1 or 2)."]

    at = score_items(at, case_id, ["circulation"]).run()

    # Circulation scored: its refusal is gone, though the score is not yet recorded.
    assert errors_beside(at, "discharge_score") == []
    at = press(at, case_id, "discharge_score")
    assert errors_beside(at, "discharge_score") == ["Score Oxygen saturation (0, 1 or 2)."]


def test_the_escort_needs_name_relationship_and_phone_each_refusal_going_once_typed(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, TO_RECOVERY)
    at = open_case(screen(nurse), office, case_id)  # no escort arranged: the fields are empty
    assert at.text_input(key=f"dayof_escort_name_{case_id}").value == ""
    at.text_input(key=f"dayof_escort_name_{case_id}").input("Ann Lee")
    at.selectbox(key=f"dayof_escort_relationship_{case_id}").select("Daughter")

    at = press(at, case_id, "escort_confirmed")

    assert errors_beside(at, "escort_confirmed") == [messages.ESCORT_PHONE_REQUIRED]
    assert at.text_input(key=f"dayof_escort_name_{case_id}").value == "Ann Lee"
    at = at.text_input(key=f"dayof_escort_phone_{case_id}").input("555-010-0199").run()
    assert errors_beside(at, "escort_confirmed") == []  # typed: the refusal no longer holds
    at = press(at, case_id, "escort_confirmed")
    assert errors_beside(at, "escort_confirmed") == []
    assert texts_in(at, "escort_confirmed")[0].endswith("Ann Lee, Daughter, 555-010-0199")


def test_an_untick_without_a_reason_is_refused_and_with_one_keeps_the_history(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["consent_signed"])
    at = open_history(open_case(screen(nurse), office, case_id), case_id, "consent_signed")

    at = at.button(key=f"dayof_untick_{case_id}_consent_signed").click().run()

    assert errors_beside(at, "consent_signed") == [messages.UNTICK_REASON_REQUIRED]
    assert entries(case_id) == [("consent_signed", False, None)]

    at.text_input(key=f"dayof_reason_{case_id}_consent_signed").input("Signed the wrong form")
    at = at.button(key=f"dayof_untick_{case_id}_consent_signed").click().run()

    assert errors_beside(at, "consent_signed") == []
    assert entries(case_id) == [("consent_signed", False, None), ("consent_signed", True, None)]
    history = step_box(at, "consent_signed").dataframe[0].value
    assert list(history["What"]) == ["Ticked", "Un-ticked"]
    assert list(history["Who"]) == ["Nina", "Nina"]
    assert list(history["Reason or note"]) == ["", "Signed the wrong form"]
    # The step is open again, with its button.
    assert at.button(key=f"dayof_tick_{case_id}_consent_signed").label == (
        "Mark done · Consent signed"
    )


def test_an_untick_without_a_reason_keeps_the_history_open_with_the_refusal_below_the_box(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["consent_signed"])
    at = open_history(open_case(screen(nurse), office, case_id), case_id, "consent_signed")

    at = at.button(key=f"dayof_untick_{case_id}_consent_signed").click().run()

    reason = reason_key(case_id, "consent_signed")
    assert refusal_below(at, case_id, "consent_signed", reason) == [messages.UNTICK_REASON_REQUIRED]
    assert errors_beside(at, "consent_signed") == [messages.UNTICK_REASON_REQUIRED]  # once
    assert at.button(key=f"dayof_history_{case_id}_consent_signed").label == messages.HISTORY_CLOSE


def test_a_value_out_of_range_is_refused_and_what_was_typed_is_kept(ward):
    office, nurse, case_id = ward
    add_condition(case_id, Condition.DIABETES)
    at = open_case(screen(nurse), office, case_id)
    at.number_input(key=f"dayof_value_{case_id}_glucose_checked").set_value(5)

    at = press(at, case_id, "glucose_checked")

    assert errors_beside(at, "glucose_checked") == [messages.GLUCOSE_RANGE]
    assert at.number_input(key=f"dayof_value_{case_id}_glucose_checked").value == 5
    assert entries(case_id) == []


def test_a_choice_step_needs_a_choice(ward):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)

    at = press(at, case_id, "anesthesia_type")

    assert errors_beside(at, "anesthesia_type") == [
        messages.STEP_VALUE_REQUIRED.format(step="Anesthesia type")
    ]


def test_a_tick_of_another_step_from_a_stale_screen_goes_through(ward):
    office, nurse, case_id = ward
    colleague = make_user("omar", Role.NURSE, [office])
    at = open_case(screen(nurse), office, case_id)
    # Meanwhile a colleague ticks another step on her own tablet.
    complete_step(case_id, "vitals_recorded", actor=colleague, expected_version=1)

    at = press(at, case_id, "iv_placed")

    assert errors_beside(at, "iv_placed") == []
    assert [step for step, _, _ in entries(case_id)] == ["vitals_recorded", "iv_placed"]
    assert texts_in(at, "vitals_recorded")[0].endswith("· Omar")  # and the screen shows it


def test_the_same_step_ticked_from_a_stale_screen_is_refused_and_the_case_reloaded(ward):
    office, nurse, case_id = ward
    colleague = make_user("omar", Role.NURSE, [office])
    at = open_case(screen(nurse), office, case_id)
    complete_step(case_id, "iv_placed", actor=colleague, expected_version=1)

    at = press(at, case_id, "iv_placed")

    assert errors_beside(at, "iv_placed") == [messages.CHANGED_BY_SOMEONE_ELSE]
    assert entries(case_id) == [("iv_placed", False, None)]
    # The screen now shows the colleague's tick: nothing is left to press.
    assert texts_in(at, "iv_placed")[0].endswith("· Omar")


def changed_by_a_colleague(case_id: int, step: str) -> None:
    """Another nurse un-ticks the step and ticks it again (the step changed, still done)."""
    with read_session() as s:
        office = s.get(Case, case_id).office_id
    colleague = make_user("omar", Role.NURSE, [office])
    undo_step(case_id, step, "Charted on the wrong patient's form", actor=colleague)
    complete_step(case_id, step, actor=colleague)


def test_an_untick_from_a_screen_older_than_that_steps_last_change_is_refused(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["consent_signed"])
    at = open_history(open_case(screen(nurse), office, case_id), case_id, "consent_signed")
    changed_by_a_colleague(case_id, "consent_signed")

    at.text_input(key=f"dayof_reason_{case_id}_consent_signed").input("wrong form")
    at = at.button(key=f"dayof_untick_{case_id}_consent_signed").click().run()

    assert errors_beside(at, "consent_signed") == [messages.CHANGED_BY_SOMEONE_ELSE]
    assert at.text_input(key=f"dayof_reason_{case_id}_consent_signed").value == "wrong form"


# Procedure time against 60 minutes


def test_a_procedure_over_60_minutes_is_highlighted(ward):
    office, nurse, case_id = ward
    tick_all(
        case_id,
        nurse,
        [*ARRIVAL, "holds_confirmed", "anesthesia_start", "time_out", "procedure_start"],
    )
    complete_step(case_id, "procedure_end", actor=nurse)
    with transaction() as s:
        case = s.get(Case, case_id)
        case.procedure_started_at = case.procedure_ended_at - dt.timedelta(minutes=72)

    at = open_details(open_case(screen(nurse), office, case_id), case_id)

    # Over, the timer is with the case's details (the bar keeps what is running).
    assert not [m for m in header(at).metric if m.label.startswith("Procedure time")]
    (timer,) = [m for m in details(at).metric if m.label.startswith("Procedure time")]
    assert (timer.label, timer.value) == ("Procedure time", "72 min")
    assert messages.PROCEDURE_OVER_PLANNED.format(planned=60) in [
        w.value for w in details(at).warning
    ]


def procedure_running_for(case_id: int, nurse, minutes: int) -> None:
    """The incision made `minutes` (and a few seconds) ago; the procedure not yet ended."""
    tick_all(
        case_id,
        nurse,
        [*ARRIVAL, "holds_confirmed", "anesthesia_start", "time_out", "procedure_start"],
    )
    with transaction() as s:
        case = s.get(Case, case_id)
        case.procedure_started_at = dt.datetime.now(dt.UTC) - dt.timedelta(
            minutes=minutes, seconds=5
        )


def test_a_running_procedure_shows_its_minutes_so_far(ward):
    office, nurse, case_id = ward
    procedure_running_for(case_id, nurse, 25)

    at = open_case(screen(nurse), office, case_id)

    # In the bar at the top, where it stays in view while she scrolls the steps.
    (timer,) = [m for m in header(at).metric if m.label.startswith("Procedure time")]
    assert (timer.label, timer.value) == ("Procedure time (running)", "25 min")
    assert messages.PROCEDURE_OVER_PLANNED.format(planned=60) not in [w.value for w in at.warning]


def test_a_running_procedure_past_60_minutes_says_how_far_over_in_the_bar(ward):
    office, nurse, case_id = ward
    procedure_running_for(case_id, nurse, 72)

    at = open_case(screen(nurse), office, case_id)

    (timer,) = [m for m in header(at).metric if m.label.startswith("Procedure time")]
    assert (timer.label, timer.value, timer.delta) == (
        "Procedure time (running)",
        "72 min",
        "12 min over",
    )


# Who may use it, and failures


def test_a_coordinator_is_not_allowed_on_the_checklist(ward):
    office, _nurse, _case_id = ward
    coordinator = make_user("cora", Role.COORDINATOR, [office])

    at = screen(coordinator)

    assert [e.value for e in at.error] == [messages.NOT_ALLOWED_HERE]
    assert not at.selectbox and not at.button


def test_a_database_failure_while_saving_shows_one_sentence_beside_the_step(ward, monkeypatch):
    office, nurse, case_id = ward
    at = open_case(screen(nurse), office, case_id)

    def unavailable(*args, **kwargs):
        raise OperationalError("UPDATE mild_case", {}, Exception("server closed the connection"))

    monkeypatch.setattr("services.checklist.complete_step", unavailable)
    at = press(at, case_id, "vitals_recorded")

    assert not at.exception
    assert errors_beside(at, "vitals_recorded") == [messages.DATABASE_UNAVAILABLE]
    assert entries(case_id) == []


def test_typed_names_and_details_are_shown_as_typed_never_formatted(ward):
    office, nurse, case_id = ward
    with transaction() as s:
        patient = s.get(Case, case_id).patient
        patient.last_name, patient.first_name = "*Doe*", "[Jo](http://x.test)"
    add_condition(case_id, Condition.LATEX_ALLERGY, "# hives :red[now]")

    at = open_case(screen(nurse), office, case_id)

    # Markdown punctuation is escaped, so the screen shows the characters themselves; a word
    # joiner after "http:" keeps Streamlit from turning the address into a link all the same.
    bar = header(at)
    assert [h.value for h in bar.subheader] == [
        r"\*Doe\*\, \[Jo\]\(http\:" + "\u2060" + r"\/\/x\.test\)"
    ]
    assert [w.value for w in bar.warning] == [
        r"**Allergies:** Latex allergy: \# hives \:red\[now\]"
    ]
    assert (
        at.selectbox(key=f"dayof_case_{office}")
        .options[0]
        .startswith("09:00 · *Doe*, [Jo](http://x.test) · ")
    )


# Discharge: each step still open named, confirmed before she discharges


# Ticked through the hard stops only (score and escort too): OPEN_AFTER_A_SHORT_DAY stays open.
SHORT_DAY = [
    *ARRIVAL,
    "holds_confirmed",
    "anesthesia_start",
    "time_out",
    "procedure_start",
    "procedure_end",
]


def labels(keys: list[str]) -> str:
    return "; ".join(STEP_BY_KEY[k].label for k in keys)


def to_recovery(case_id: int, nurse, steps: list[str]) -> None:
    tick_all(case_id, nurse, [*steps, "recovery_in"])
    record_discharge_score(case_id, DischargeScale.ALDRETE, dict.fromkeys(ALDRETE, 2), actor=nurse)
    confirm_escort(case_id, "Ann Lee", "daughter", "555-010-0199", actor=nurse)


def test_discharge_names_each_step_still_open_and_is_refused_until_she_confirms(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, SHORT_DAY)
    at = open_case(screen(nurse), office, case_id)
    # Still in the procedure: the discharge row only says what it needs first.
    assert not step_box(at, "discharged").warning and not step_box(at, "discharged").checkbox

    to_recovery(case_id, nurse, [])
    at = at.run()
    box = step_box(at, "discharged")
    assert [w.value for w in box.warning] == [
        messages.DISCHARGE_OPEN_STEPS.format(steps=labels(OPEN_AFTER_A_SHORT_DAY))
    ]
    assert [c.label for c in box.checkbox] == [messages.DISCHARGE_CONFIRM_OPEN]
    assert at.button(key=f"dayof_tick_{case_id}_discharged").label == "Discharge patient"

    at = press(at, case_id, "discharged")

    assert errors_beside(at, "discharged") == [
        messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(steps=labels(OPEN_AFTER_A_SHORT_DAY))
    ]
    assert status_of(case_id) == CaseStatus.RECOVERY

    # She completes two of them; the list shrinks, then she confirms the rest and discharges.
    at = press(at, case_id, "sign_out")
    at = press(at, case_id, "anesthesia_end")
    still_open = [k for k in OPEN_AFTER_A_SHORT_DAY if k not in ("sign_out", "anesthesia_end")]
    assert [w.value for w in step_box(at, "discharged").warning] == [
        messages.DISCHARGE_OPEN_STEPS.format(steps=labels(still_open))
    ]
    step_box(at, "discharged").checkbox[0].check()
    at = press(at, case_id, "discharged")

    assert not at.error
    assert status_of(case_id) == CaseStatus.DISCHARGED
    with read_session() as s:
        note = s.scalar(
            select(ChecklistEntry.note).where(
                ChecklistEntry.case_id == case_id, ChecklistEntry.step == "discharged"
            )
        )
    assert note == messages.DISCHARGED_WITH_OPEN_STEPS.format(steps=labels(still_open))
    assert [i.value for i in at.info] == [locked_note(case_id, "Nina")]


def test_a_hard_stop_is_refused_even_with_the_open_steps_confirmed(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, [*SHORT_DAY, "recovery_in"])
    score_10(case_id, nurse)
    at = open_case(screen(nurse), office, case_id)
    assert [c.value for c in step_box(at, "discharged").caption] == [f"Needs first: {ESCORT}"]

    step_box(at, "discharged").checkbox[0].check()
    at = press(at, case_id, "discharged")

    assert errors_beside(at, "discharged") == [
        messages.HARD_STOP.format(step="Discharged", missing=ESCORT)
    ]
    assert status_of(case_id) == CaseStatus.RECOVERY


# Locked once discharged


def test_a_discharged_case_is_read_only_saying_who_discharged_and_when(ward):
    office, nurse, case_id = ward
    colleague = make_user("omar", Role.NURSE, [office])
    add_condition(case_id, Condition.DIABETES)
    do_step(case_id, "glucose_checked", nurse, "142")  # before anesthesia: a diabetic's hard stop
    to_recovery(case_id, nurse, SHORT_DAY)
    discharge_patient(case_id, actor=colleague, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)

    at = open_case(screen(nurse), office, case_id)

    assert not at.exception and not at.error
    # The note on top, and no more "Today: glucose on arrival": the day's tasks are behind her.
    assert [i.value for i in at.info] == [locked_note(case_id, "Omar")]
    assert texts_in(at, "discharged")[1] == messages.DISCHARGED_WITH_OPEN_STEPS.format(
        steps=labels(OPEN_AFTER_A_SHORT_DAY)
    )
    assert at.metric[0].value == "Discharged"
    # No tick, un-tick, value, score, escort or confirmation input; for a day after discharge
    # only the event times may still be set right, with a reason.
    timed_done = [k for k in TIMED_STEPS if k in {step for step, *_ in entries(case_id)}]
    # ... and a safety event (a fall in recovery told after discharge) may still be reported,
    # and the case exported (a read: it changes nothing).
    # Each done step's history opens on demand; nothing else may be pressed.
    pressable = [b.key for b in at.button]
    assert pressable[0] == "dayof_reload"
    assert pressable[-2:] == [f"safety_checklist_record_{case_id}", f"dayof_fhir_{case_id}_prepare"]
    assert all(k.startswith(f"dayof_history_{case_id}_") for k in pressable[1:-2])
    assert {f"dayof_history_{case_id}_{k}" for k in timed_done} <= set(pressable)
    assert not at.text_input
    for step in timed_done:  # opened, a timed step's history offers the time correction only
        at = open_history(at, case_id, step)
        shown = [b.key for b in step_box(at, step).button]
        assert shown == [f"dayof_history_{case_id}_{step}", f"dayof_correct_{case_id}_{step}"]
        assert [t.key for t in at.text_input] == [event_reason_key(case_id, step)]
    at = open_history(at, case_id, "consent_signed")
    assert not at.number_input and not at.checkbox
    assert not at.segmented_control and not at.radio
    assert messages.TIMES_STILL_CORRECTABLE.format(until=until_text(case_id)) in [
        c.value for c in at.caption
    ]
    # Each step is still there, read-only: done ones with who and when, open ones marked so.
    assert texts_in(at, "consent_signed")[0].endswith("· Nina")
    assert texts_in(at, "discharged")[0].endswith("· Omar")
    assert [c.value for c in step_box(at, "sign_out").caption] == [messages.STEP_LEFT_OPEN]
    assert not [c for c in at.caption if c.value.startswith("Needs first")]
    history = step_box(at, "consent_signed").dataframe[0].value
    assert list(history["What"]) == ["Ticked"]


def test_a_tick_from_a_screen_left_open_after_discharge_is_refused_with_the_lock(ward):
    office, nurse, case_id = ward
    colleague = make_user("omar", Role.NURSE, [office])
    to_recovery(case_id, nurse, SHORT_DAY)
    at = open_case(screen(nurse), office, case_id)
    # Meanwhile a colleague discharges the patient on her own tablet.
    discharge_patient(case_id, actor=colleague, open_steps_confirmed=OPEN_AFTER_A_SHORT_DAY)
    rows = entries(case_id)

    at = press(at, case_id, "sign_out")

    assert errors_beside(at, "sign_out") == [locked_note(case_id, "Omar")]
    assert entries(case_id) == rows
    # The screen has reloaded the case: read-only, with the same note on top.
    assert locked_note(case_id, "Omar") in [i.value for i in at.info]
    assert not [b for b in at.button if b.key.startswith(f"dayof_tick_{case_id}_")]


# The un-tick reason box


def test_the_untick_reason_is_kept_after_a_refusal_and_emptied_after_the_untick(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["consent_signed"])
    at = open_history(open_case(screen(nurse), office, case_id), case_id, "consent_signed")
    reason = reason_key(case_id, "consent_signed")
    changed_by_a_colleague(case_id, "consent_signed")  # her screen is now stale for the step

    at.text_input(key=reason).input("Signed the wrong form")
    at = at.button(key=f"dayof_untick_{case_id}_consent_signed").click().run()

    # Refused: what she typed is still in the box, ready to send again.
    assert errors_beside(at, "consent_signed") == [messages.CHANGED_BY_SOMEONE_ELSE]
    assert at.text_input(key=reason).value == "Signed the wrong form"

    at = at.button(key=f"dayof_untick_{case_id}_consent_signed").click().run()

    assert errors_beside(at, "consent_signed") == []
    assert entries(case_id)[-1] == ("consent_signed", True, None)
    assert at.session_state[reason] == ""  # emptied, not left for the browser to resend
    # Ticked again, the step offers the box again, empty: the old reason is not offered twice.
    at = press(at, case_id, "consent_signed")
    assert at.text_input(key=reason).value == ""


def test_the_confirmation_is_asked_again_when_the_steps_still_open_change(ward):
    office, nurse, case_id = ward
    colleague = make_user("omar", Role.NURSE, [office])
    to_recovery(case_id, nurse, SHORT_DAY)
    at = open_case(screen(nurse), office, case_id)
    step_box(at, "discharged").checkbox[0].check()
    at = at.run()
    assert step_box(at, "discharged").checkbox[0].value
    # Meanwhile a colleague un-ticks a step: one more is open than she confirmed.
    undo_step(case_id, "fasting_confirmed", "Patient had coffee at 7", actor=colleague)

    at = at.button(key="dayof_reload").click().run()

    box = step_box(at, "discharged")
    reopened = ["fasting_confirmed", *OPEN_AFTER_A_SHORT_DAY]
    assert [w.value for w in box.warning] == [
        messages.DISCHARGE_OPEN_STEPS.format(steps=labels(reopened))
    ]
    assert [c.value for c in box.checkbox] == [False]
    at = press(at, case_id, "discharged")
    assert errors_beside(at, "discharged") == [
        messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(steps=labels(reopened))
    ]
    assert status_of(case_id) == CaseStatus.RECOVERY
