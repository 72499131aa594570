"""The pre-op call worklist on the schedule screen: the cases 1 to 3 working days ahead with
phones and what is missing, a case opened from it, a call recorded (every problem of the form
at once beside its field, nothing lost), and the practice setting on the Admin screen."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from db.models import CaseMedication
from db.queries.preop import case_calls
from db.queries.settings import setting_value
from db.session import read_session
from mild import messages
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.preop import CallOutcome, CallReport
from mild.staff import Role
from services.preop import record_preop_call
from tests.builders import (
    add_held_drug,
    arrange_escort,
    make_case,
    make_office,
    make_user,
    set_patient_phone,
)
from tests.pages.conftest import (
    SQLITE_ONLY,
    admin_page,
    container,
    errors,
    open_tab,
    schedule_page,
    successes,
)

pytestmark = SQLITE_ONLY

TZ = "America/New_York"


def a_friday() -> dt.date:
    """A Friday at least a week ahead: its worklist reaches Saturday to Wednesday."""
    day = local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=7)
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)


def at_(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, day, dt.time(hour, minute))


def worklist(at: AppTest):
    (frame,) = container(at, "preop_worklist").dataframe
    return frame.value


def open_case(at: AppTest, case_id: int) -> AppTest:
    return at.selectbox(key="preop_case").set_value(case_id).run()


@pytest.fixture
def ward(db_url):
    office = make_office("AA", TZ)
    nurse = make_user("nina", Role.NURSE, [office])
    return office, nurse, a_friday()


def worklist_tab(user, day: dt.date) -> AppTest:
    """The schedule of `day` with its pre-op calls tab open (only the open tab is drawn)."""
    return open_tab(schedule_page, user, sched_day=day, sched_tab="Pre-op calls")


def test_the_worklist_lists_three_working_days_ahead_with_phones_and_what_is_missing(ward):
    office, nurse, friday = ward
    monday, wednesday = friday + dt.timedelta(days=3), friday + dt.timedelta(days=5)
    first = make_case(office, CaseStatus.SCHEDULED, at_(monday, 8))
    set_patient_phone(first, "555-0177")
    arrange_escort(first, "Sam Escort", "son", "555-0142")
    reached = make_case(office, CaseStatus.SCHEDULED, at_(wednesday, 10))
    record_preop_call(reached, CallReport(CallOutcome.REACHED), actor=nurse)
    make_case(office, CaseStatus.SCHEDULED, at_(wednesday + dt.timedelta(days=1), 8))

    at = worklist_tab(nurse, friday)

    assert not at.exception and not errors(at)
    assert [t.label for t in at.tabs] == ["Day", "Pre-op calls (1)", "Timeline", "Week"]
    days = f"{friday + dt.timedelta(days=1):%a %d %b} to {wednesday:%a %d %b %Y}"
    assert f"Pre-op calls for {days}" in [h.value for h in at.subheader]
    rows = worklist(at).to_dict("records")
    assert [(r["Day"], r["Start"], r["Call"]) for r in rows] == [
        (f"{monday:%a %d %b}", "08:00", "Not called yet"),
        (f"{wednesday:%a %d %b}", "10:00", "Reached"),
    ]
    assert (rows[0]["Phone"], rows[0]["Escort"]) == ("555-0177", "Sam Escort 555-0142")
    assert rows[0]["Missing"] == messages.READY_ASA_CLASS
    assert rows[1]["Calls"] == "1: Reached"


def test_an_empty_worklist_says_so(ward):
    office, nurse, friday = ward

    at = worklist_tab(nurse, friday)

    days = f"{friday + dt.timedelta(days=1):%a %d %b} to {friday + dt.timedelta(5):%a %d %b %Y}"
    assert messages.PREOP_EMPTY.format(office="AA Office", days=days) in [i.value for i in at.info]


def test_the_worklist_tab_stays_open_when_its_count_changes(ward):
    """Only the open tab is drawn (issue 12); the tab's label counts the cases to call, and a
    call that changes the count must not send the nurse back to the Day tab."""
    office, nurse, friday = ward
    make_case(office, CaseStatus.SCHEDULED, at_(friday + dt.timedelta(days=3), 8))

    at = open_tab(schedule_page, nurse, sched_day=friday, sched_tab="Pre-op calls (7)")

    assert at.session_state["sched_tab"] == "Pre-op calls (1)"
    assert [s.value for s in at.subheader][0].startswith("Pre-op calls for ")
    assert not [c for c in at.container if c.key == "sched_day_cases"]  # the Day tab: not drawn


def test_a_call_not_reaching_the_patient_is_recorded_and_kept_in_the_history(ward):
    office, nurse, friday = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(friday + dt.timedelta(days=3), 8))
    at = open_case(worklist_tab(nurse, friday), case_id)
    assert container(at, "preop_case_panel") is not None
    assert messages.PREOP_NO_CALLS in [c.value for c in at.caption]

    at.radio(key=f"preop_{case_id}_outcome").set_value(CallOutcome.VOICEMAIL).run()
    at.button(key=f"preop_{case_id}_save").click().run()

    assert not errors(at)
    assert any("Left a voicemail" in s for s in successes(at))
    (call,) = case_calls(case_id, scope={office}).to_dict("records")
    assert (call["outcome"], call["called_by"]) == (CallOutcome.VOICEMAIL, "Nina")
    (history,) = container(at, "preop_history").dataframe
    assert list(history.value.Outcome) == ["Left a voicemail"]
    assert worklist(at).Call[0] == "Not reached yet"


def test_every_problem_of_a_reached_call_shows_at_once_and_nothing_typed_is_lost(ward):
    office, nurse, friday = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(friday + dt.timedelta(days=3), 8))
    drug = add_held_drug(case_id, "apixaban")
    k = f"preop_{case_id}"
    at = open_case(worklist_tab(nurse, friday), case_id)
    at.radio(key=f"{k}_outcome").set_value(CallOutcome.REACHED).run()
    told = at.checkbox(key=f"{k}_arrival").label
    assert told == messages.PREOP_ARRIVAL_TOLD.format(arrive="07:00", minutes=60, start="08:00")
    tomorrow = local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)
    at.date_input(key=f"{k}_dose_{drug}_day").set_value(tomorrow)
    at.time_input(key=f"{k}_dose_{drug}_time").set_value(dt.time(8, 0))
    at.checkbox(key=f"{k}_escort").check()
    at.text_input(key=f"{k}_escort_name").input("Pat Doe")
    at.text_area(key=f"{k}_questions").input("Can I drive home?")
    at.run()

    at.button(key=f"{k}_save").click().run()

    assert errors(at) == [messages.LAST_DOSE_IN_FUTURE, messages.ESCORT_NAME_AND_PHONE]
    assert case_calls(case_id, scope={office}).empty
    assert at.text_input(key=f"{k}_escort_name").value == "Pat Doe"
    assert at.text_area(key=f"{k}_questions").value == "Can I drive home?"

    yesterday = tomorrow - dt.timedelta(days=2)
    at.date_input(key=f"{k}_dose_{drug}_day").set_value(yesterday)
    at.text_input(key=f"{k}_escort_phone").input("555-0177")
    at.checkbox(key=f"{k}_arrival").check()
    at.run()
    at.button(key=f"{k}_save").click().run()

    assert not errors(at)
    (call,) = case_calls(case_id, scope={office}).to_dict("records")
    assert (call["arrival_time_told"], call["escort_confirmed"]) == (True, True)
    assert call["questions"] == "Can I drive home?"
    with read_session() as s:
        med = s.get(CaseMedication, drug)
        assert med.last_dose_taken_at == at_(yesterday, 8)
        assert med.last_dose_reported_via == "pre_op_call"
    assert worklist(at).Call[0] == "Reached"


def test_a_call_back_needs_its_time_and_the_case_waits_for_it(ward):
    office, nurse, friday = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(friday + dt.timedelta(days=3), 8))
    k = f"preop_{case_id}"
    at = open_case(worklist_tab(nurse, friday), case_id)
    at.radio(key=f"{k}_outcome").set_value(CallOutcome.CALL_BACK).run()
    at.button(key=f"{k}_save").click().run()
    assert errors(at) == [messages.PREOP_CALL_BACK_REQUIRED]

    at.date_input(key=f"{k}_back_day").set_value(friday)
    at.time_input(key=f"{k}_back_time").set_value(dt.time(14, 0))
    at.run()
    at.button(key=f"{k}_save").click().run()

    assert not errors(at)
    assert worklist(at).to_dict("records")[0]["Call back"] == f"{friday:%a %d %b} 14:00"
    assert worklist(at).Call[0] == "Call back later"


def test_a_manager_reads_the_calls_but_records_none(ward):
    office, nurse, friday = ward
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(friday + dt.timedelta(days=3), 8))
    manager = make_user("meg", Role.MANAGER, [office])

    at = open_case(worklist_tab(manager, friday), case_id)

    assert messages.PREOP_VIEW_ONLY in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == f"preop_{case_id}_save"]
    assert not [b for b in at.button if b.key == "preop_open_intake"]


def test_the_admin_sets_how_far_ahead_the_worklist_reaches(db_url):
    office = make_office("AA", TZ)
    admin = make_user("root", Role.ADMIN, [office])
    at = open_tab(admin_page, admin, admin_tab="Practice settings")
    key = "admin_setting_preop_call_days"

    at.number_input(key=f"{key}_value").set_value(9).run()
    at.button(key=f"{key}_save").click().run()
    assert errors(at) == [messages.SETTING_VALUE_RANGE.format(low=1, high=7, unit="working days")]
    assert setting_value("preop_call_days") == 3

    at.number_input(key=f"{key}_value").set_value(5).run()
    at.button(key=f"{key}_save").click().run()

    assert not errors(at)
    assert setting_value("preop_call_days") == 5


def test_a_worklist_one_working_day_ahead_says_one_working_day(ward):
    office, nurse, friday = ward
    admin = make_user("root", Role.ADMIN, [office])
    at = open_tab(admin_page, admin, admin_tab="Practice settings")
    key = "admin_setting_preop_call_days"
    at.number_input(key=f"{key}_value").set_value(1).run()
    at.button(key=f"{key}_save").click().run()

    values = [v for frame in at.dataframe if "Value" in frame.value for v in frame.value["Value"]]
    assert "1 working day" in values
    shown = [c.value for c in worklist_tab(nurse, friday).caption]
    assert any(
        c.startswith("Everyone booked from the day after the day chosen to 1 working day ahead")
        for c in shown
    )
