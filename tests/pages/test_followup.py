"""The follow-up screen: the worklist, recording calls and visits, escalations, closing cases,
and every refusal shown beside its field with what the nurse typed kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import Case, FollowUp
from db.session import read_session
from mild import messages
from mild.cases import CaseStatus
from mild.escalations import Delivery, Tier
from mild.followup import AttemptOutcome, CallAnswers, FollowUpKind, Incision, RedFlag
from mild.scores import ODI_SECTIONS, VisitScores
from mild.staff import Role
from services.common import Actor
from services.followup import record_call_attempt, record_followup_call, record_outcome_visit
from tests.builders import (
    make_discharged_case,
    make_office,
    make_user,
    office_today,
    provider_of,
)
from tests.pages.conftest import (
    SQLITE_ONLY,
    container,
    errors,
    followup_page,
    open_tab,
    status_of,
    successes,
)
from ui.followup import NOT_REACHED as UNREACHED
from ui.followup import REACHED

CALL = FollowUpKind.NEXT_DAY_CALL
WEEKS_2 = FollowUpKind.WEEKS_2
QUIET_CALL = CallAnswers(
    nprs=3, swelling=True, bruising=False, incision=Incision.DRY, meds_as_prescribed=True
)
PAIN_9_CALL = dataclasses.replace(QUIET_CALL, nprs=9)  # uncontrolled pain: escalates

pytestmark = SQLITE_ONLY


@pytest.fixture
def screen(db_url) -> Callable[[Actor], AppTest]:
    """A new tab on the follow-up screen for a signed-in user."""
    return partial(open_tab, followup_page)


@pytest.fixture
def nurse(office) -> Actor:
    return make_user("nina", Role.NURSE, [office])


def ago(**kwargs) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**kwargs)


def row(follow_up_id: int) -> FollowUp:
    with read_session() as s:
        found = s.get(FollowUp, follow_up_id)
        s.expunge(found)
        return found


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


def table_in(at: AppTest, key: str):
    """The one table inside a keyed container, as a DataFrame (None when not drawn)."""
    box = container(at, key)
    return box.dataframe[0].value if box is not None and box.dataframe else None


def worklist(at: AppTest):
    return table_in(at, "fu_worklist")


def form_key(at: AppTest, name: str) -> str:
    """The key of a widget on the open follow-up's form (keys carry the follow-up's id)."""
    return f"{name}_{at.session_state['fu_open']}"


def open_follow_up(at: AppTest, follow_up_id: int, reached: bool = True) -> AppTest:
    """The follow-up picked from the worklist; a call answered "reached?", a visit not reached
    with its "Not seen" fold opened (a visit reached is its form, shown at once)."""
    if not reached:
        at.session_state[f"fu_missed_{follow_up_id}"] = True
    at.selectbox(key="fu_open").select(follow_up_id).run()
    reached_key = form_key(at, "fu_reached")
    if not any(w.key == reached_key for w in at.segmented_control):
        return at  # a visit
    return at.segmented_control(key=reached_key).set_value(REACHED if reached else UNREACHED).run()


def record_attempt(at: AppTest, outcome: AttemptOutcome | None = AttemptOutcome.NO_ANSWER):
    """On the open attempt form: how it went chosen, then "Record attempt" pressed."""
    at.segmented_control(key=form_key(at, "fu_attempt_outcome")).set_value(
        None if outcome is None else outcome.value
    )
    return at.button(key=form_key(at, "fu_attempt")).click().run()


def fill_call(at: AppTest, **overrides) -> AppTest:
    """Type a quiet call into the form; `overrides` maps widget keys to other values."""
    values = {
        "fu_call_nprs": 3,
        "fu_call_swelling": "Yes",
        "fu_call_bruising": "No",
        "fu_call_meds": "Yes",
        "fu_call_incision": "dry",
    } | overrides
    for key, value in values.items():
        if key in ("fu_call_temp",):
            at.number_input(key=form_key(at, key)).set_value(value)
        elif key == "fu_call_rtw":
            at.date_input(key=form_key(at, key)).set_value(value)
        elif key == "fu_call_flags":
            for flag in value:
                at.checkbox(key=form_key(at, f"fu_call_flag_{flag}")).check()
        elif key == "fu_call_notes":
            at.text_area(key=form_key(at, key)).input(value)
        else:
            at.segmented_control(key=form_key(at, key)).set_value(value)
    return at.run()


def fill_visit(at: AppTest, nprs=4, odi=None, walk=30, stand=25, visited_on=None) -> AppTest:
    odi = {s: 2 for s in ODI_SECTIONS} | {"sex_life": None} if odi is None else odi
    if visited_on is not None:
        at.date_input(key=form_key(at, "fu_visit_date")).set_value(visited_on)
    at.segmented_control(key=form_key(at, "fu_visit_nprs")).set_value(nprs)
    for section, answer in odi.items():
        at.segmented_control(key=form_key(at, f"fu_odi_{section}")).set_value(answer)
    at.number_input(key=form_key(at, "fu_visit_walk")).set_value(walk)
    at.number_input(key=form_key(at, "fu_visit_stand")).set_value(stand)
    return at.run()


def save_call(at: AppTest) -> AppTest:
    return at.button(key=form_key(at, "fu_call_save")).click().run()


# --- the worklist -------------------------------------------------------------------------------


def test_the_worklist_shows_due_and_overdue_calls_overdue_first(office, nurse, screen):
    other = make_office("ZZ")
    due_case, _ = make_discharged_case(office, ago(hours=30))
    overdue_case, overdue = make_discharged_case(office, ago(hours=60))
    make_discharged_case(office, ago(hours=10))  # not due yet
    elsewhere, _ = make_discharged_case(other, ago(hours=30))
    record_call_attempt(overdue[CALL], actor=nurse, outcome=AttemptOutcome.VOICEMAIL)

    at = screen(nurse)

    assert not at.exception and not errors(at)
    assert [t.value for t in at.title] == ["Follow-up"]
    table = worklist(at)
    assert list(table.columns) == [
        "urgency",
        "state",
        "kind",
        "due_since",
        "patient",
        "phone",
        "code",
        "office",
        "attempts",
    ]
    assert list(table.code) == [code_of(overdue_case), code_of(due_case)]
    assert list(table.state) == ["Overdue", "Due"]
    assert list(table.kind) == ["Next-day call", "Next-day call"]
    assert list(table.urgency) == ["Next-day call", "Next-day call"]
    assert list(table.attempts) == ["1 · Left a voicemail", ""]
    assert list(table.phone) == ["555-0100", "555-0100"]
    assert list(table.office) == ["AA", "AA"]
    assert code_of(elsewhere) not in set(table.code)


def one_of_each_urgency(office, nurse) -> list[str]:
    """Four cases, one follow-up of each urgency open, made least urgent first: their codes in
    the order the worklist must list them."""
    due_visit, due_ids = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    record_followup_call(due_ids[CALL], QUIET_CALL, actor=nurse)
    late_visit, late_ids = make_discharged_case(office, ago(days=25), status=CaseStatus.FOLLOW_UP)
    record_followup_call(late_ids[CALL], QUIET_CALL, actor=nurse)
    call, _ = make_discharged_case(office, ago(hours=30))
    escalated, escalated_ids = make_discharged_case(office, ago(days=15))
    record_followup_call(escalated_ids[CALL], PAIN_9_CALL, actor=nurse)
    return [code_of(c) for c in (escalated, call, late_visit, due_visit)]


def test_the_worklist_lists_escalations_then_next_day_calls_then_overdue_then_due_visits(
    office, nurse, screen
):
    codes = one_of_each_urgency(office, nurse)

    at = screen(nurse)

    table = worklist(at)
    assert list(table.code) == codes
    assert list(table.urgency) == ["Escalated", "Next-day call", "Visit overdue", "Visit due"]
    assert "**Escalated** 1 · **Next-day call** 1 · **Visit overdue** 1 · **Visit due** 1" in [
        m.value for m in at.markdown
    ]
    assert not at.info  # every row is shown


def test_a_long_worklist_draws_the_most_urgent_rows_and_says_how_many_there_are(
    office, nurse, screen, monkeypatch
):
    import ui.followup

    codes = one_of_each_urgency(office, nurse)
    monkeypatch.setattr(ui.followup, "WORKLIST_ROWS", 2)

    at = screen(nurse)

    assert list(worklist(at).code) == codes[:2]
    assert [i.value for i in at.info] == [messages.FU_WORKLIST_SHOWN.format(shown=2, total=4)]


def test_the_worklist_filters_by_office_and_kind(office, screen):
    second = make_office("BB")
    both = make_user("bea", Role.NURSE, [office, second])
    visit_case, _ = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    there, _ = make_discharged_case(second, ago(hours=30))
    at = screen(both)
    assert len(worklist(at)) == 3  # the 15-day case's overdue call, its visit, and the other call

    at.selectbox(key="fu_office").select(second).run()
    assert list(worklist(at).code) == [code_of(there)]

    at.selectbox(key="fu_office").select("all").run()
    at.selectbox(key="fu_kind").select("visits").run()
    assert list(worklist(at).kind) == ["2-week visit"]
    assert list(worklist(at).code) == [code_of(visit_case)]

    at.selectbox(key="fu_office").select(second).run()
    assert worklist(at) is None
    assert [i.value for i in at.info] == [messages.FU_NOTHING_MATCHES]


def test_with_nothing_due_the_screen_says_so(nurse, screen):
    at = screen(nurse)

    assert [i.value for i in at.info] == [messages.FU_NOTHING_DUE]


def test_a_coordinator_may_not_open_the_follow_up_screen(office, screen):
    coordinator = make_user("cora", Role.COORDINATOR, [office])

    at = screen(coordinator)

    assert errors(at) == [messages.NOT_ALLOWED_HERE]


# --- call attempts ---------------------------------------------------------------------------


def test_a_call_that_does_not_reach_the_patient_is_counted(office, nurse, screen):
    _, ids = make_discharged_case(office, ago(hours=30))
    at = open_follow_up(screen(nurse), ids[CALL], reached=False)

    at.text_area(key=form_key(at, "fu_attempt_note")).input("try after 5 pm")
    at = record_attempt(at, AttemptOutcome.VOICEMAIL)

    assert not errors(at)
    assert successes(at) == [
        messages.FU_ATTEMPT_SAVED.format(outcome="left a voicemail", attempts=1)
    ]
    assert list(worklist(at).attempts) == ["1 · Left a voicemail"]
    saved = row(ids[CALL])
    assert (saved.attempts, saved.completed_at) == (1, None)
    assert saved.last_attempt_outcome == AttemptOutcome.VOICEMAIL


def test_an_attempt_without_an_outcome_is_refused_beside_the_choice_and_keeps_the_note(
    office, nurse, screen
):
    _, ids = make_discharged_case(office, ago(hours=30))
    at = open_follow_up(screen(nurse), ids[CALL], reached=False)
    at.text_area(key=form_key(at, "fu_attempt_note")).input("rang twice")

    at = record_attempt(at, None)

    assert errors(at) == [messages.FU_ATTEMPT_OUTCOME_REQUIRED]
    assert at.text_area(key=form_key(at, "fu_attempt_note")).value == "rang twice"
    assert row(ids[CALL]).attempts == 0


def test_a_call_offers_no_did_not_attend_and_a_visit_does(office, nurse, screen):
    _, ids = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    at = open_follow_up(screen(nurse), ids[CALL], reached=False)
    call_options = at.segmented_control(key=form_key(at, "fu_attempt_outcome")).options

    at = open_follow_up(at, ids[WEEKS_2], reached=False)
    visit_options = at.segmented_control(key=form_key(at, "fu_attempt_outcome")).options

    assert AttemptOutcome.DID_NOT_ATTEND.label not in call_options
    assert visit_options == [o.label for o in AttemptOutcome]


def test_a_missed_visit_is_recorded_as_an_attempt_did_not_attend(office, nurse, screen):
    _, ids = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    at = open_follow_up(screen(nurse), ids[WEEKS_2], reached=False)

    at = record_attempt(at, AttemptOutcome.DID_NOT_ATTEND)

    assert not errors(at)
    saved = row(ids[WEEKS_2])
    assert (saved.attempts, saved.last_attempt_outcome, saved.completed_at) == (
        1,
        AttemptOutcome.DID_NOT_ATTEND,
        None,
    )


def test_an_attempt_note_over_2000_characters_is_refused_and_kept(office, nurse, screen):
    _, ids = make_discharged_case(office, ago(hours=30))
    at = open_follow_up(screen(nurse), ids[CALL], reached=False)

    at.text_area(key=form_key(at, "fu_attempt_note")).input("x" * 2001)
    at = record_attempt(at)

    assert errors(at) == ["At most 2000 characters."]
    assert at.text_area(key=form_key(at, "fu_attempt_note")).value == "x" * 2001
    assert row(ids[CALL]).attempts == 0


# --- the next-day call ---------------------------------------------------------------------------


def test_a_quiet_next_day_call_is_saved_and_moves_the_case_into_follow_up(office, nurse, screen):
    case_id, ids = make_discharged_case(office, ago(hours=30))
    at = open_follow_up(screen(nurse), ids[CALL])
    assert [s.value for s in at.subheader if s.value == "Next-day call"]
    assert "Phone: 555-0100" in [t.value for t in at.text]

    at = fill_call(
        at,
        fu_call_rtw=office_today(),
        fu_call_temp=98.6,
        fu_call_notes="Asked about showering",
    )
    assert not at.warning  # no red flag: nothing to escalate
    at = save_call(at)

    assert not errors(at) and not at.exception
    assert successes(at) == [messages.FU_CALL_SAVED]
    saved = row(ids[CALL])
    assert saved.completed_by_id == nurse.id and saved.nprs == 3
    assert (saved.swelling, saved.bruising, saved.meds_as_prescribed) == (True, False, True)
    assert (saved.incision, saved.temperature_c, saved.notes) == (
        "dry",
        37.0,
        "Asked about showering",
    )
    assert saved.returned_to_work_on == office_today()
    assert status_of(case_id) == CaseStatus.FOLLOW_UP
    assert [i.value for i in at.info] == [messages.FU_NOTHING_DUE]
    assert not at.segmented_control  # the form closed with the call done


def test_a_red_flag_escalates_and_stays_on_screen_until_resolved_with_a_note(office, nurse, screen):
    case_id, ids = make_discharged_case(office, ago(hours=30))
    at = open_follow_up(screen(nurse), ids[CALL])
    at = fill_call(at, fu_call_temp=100.4, fu_call_flags=[RedFlag.BOWEL_BLADDER.value])
    flags = "Fever 38 C / 100.4 F or more; New bowel or bladder problems"
    assert [w.value for w in at.warning] == [messages.FU_ESCALATION_PREVIEW.format(flags=flags)]

    at = save_call(at)

    assert successes(at) == [messages.FU_CALL_ESCALATED.format(flags=flags)]
    # Nothing is set up to reach anyone: the nurse is told so at once, and the escalation says
    # why for each recipient.
    not_configured = "Provider: not configured; On-call: not configured"
    assert [w.value for w in at.warning] == [messages.FU_NOTIFIED.format(summary=not_configured)]
    assert row(ids[CALL]).escalated_at is not None
    block = container(at, f"fu_escalation_{ids[CALL]}")
    (shown,) = [t.value for t in block.text]  # every typed line, as plain text
    assert shown.startswith(code_of(case_id))
    assert [m.value for m in block.markdown] == [
        f":red-badge[:material/emergency: {Tier.EMERGENCY.label}]\n\n"
        "- :red[Fever 38 C / 100.4 F or more]\n- :red[New bowel or bladder problems]",
    ]
    notified = [line for line in shown.splitlines() if line.startswith("Notice to ")]
    assert notified == [
        f"Notice to Provider ({provider_of(case_id)}): not configured: "
        f"{messages.NOTIFY_NO_PROVIDER_EMAIL}",
        f"Notice to On-call: not configured: {messages.NOTIFY_NO_ON_CALL_URLS}",
    ]

    at.button(key="fu_resolve").click().run()  # no note
    assert errors(at) == [messages.RESOLUTION_NOTE_REQUIRED]
    assert row(ids[CALL]).escalation_resolved_at is None

    at.text_area(key="fu_resolve_note").input("Dr. called her; seen in clinic today").run()
    at.button(key="fu_resolve").click().run()

    assert not errors(at)
    assert successes(at) == [messages.FU_ESCALATION_RESOLVED.format(code=code_of(case_id))]
    assert container(at, "fu_escalations") is None
    resolved = row(ids[CALL])
    assert resolved.escalation_resolved_by_id == nurse.id
    assert resolved.resolution_note == "Dr. called her; seen in clinic today"


def test_a_slow_notification_server_keeps_the_nurse_waiting_seconds_not_minutes(
    office, nurse, screen, monkeypatch
):
    """A mail server that does not answer: the call is saved and the nurse is told at once
    that the notifications are still waiting; the send goes on behind."""
    import ui.escalations

    release = threading.Event()

    def stuck(**_):
        release.wait(10)
        raise TimeoutError("the mail server did not answer")

    monkeypatch.setattr(ui.escalations, "dispatch_due", stuck)
    monkeypatch.setattr(ui.escalations, "NOTIFY_WAIT_SECONDS", 0.2)
    case_id, ids = make_discharged_case(office, ago(hours=30))
    at = open_follow_up(screen(nurse), ids[CALL])
    at = fill_call(at, fu_call_flags=[RedFlag.BOWEL_BLADDER.value])

    started = time.monotonic()
    at = save_call(at)
    release.set()

    assert time.monotonic() - started < 5
    assert row(ids[CALL]).escalated_at is not None
    waiting = messages.FU_NOTIFIED.format(summary=Delivery.PENDING.label)
    assert waiting in [w.value for w in at.warning]


def test_the_worklist_flags_the_visits_of_a_case_with_an_open_escalation(office, nurse, screen):
    case_id, ids = make_discharged_case(office, ago(days=15))
    record_followup_call(ids[CALL], PAIN_9_CALL, actor=nurse)

    at = screen(nurse)

    table = worklist(at)
    assert list(table.kind) == ["2-week visit"]
    assert list(table.urgency) == ["Escalated"]


def test_what_was_typed_for_one_patient_never_shows_on_the_next_patients_form(
    office, nurse, screen
):
    _, first = make_discharged_case(office, ago(hours=40))
    _, second = make_discharged_case(office, ago(hours=30))
    at = fill_call(open_follow_up(screen(nurse), first[CALL]), fu_call_nprs=9)

    at.selectbox(key="fu_open").select(second[CALL]).run()

    assert [s.value for s in at.segmented_control] == [None]  # only "reached?", unanswered
    at.segmented_control(key=form_key(at, "fu_reached")).set_value(REACHED).run()
    assert at.segmented_control(key=form_key(at, "fu_call_nprs")).value is None
    assert not at.warning  # the first patient's pain of 9 does not escalate the second


@pytest.mark.parametrize(
    ("leave_out", "field_message"),
    [
        ("fu_call_nprs", messages.NPRS_REQUIRED),
        ("fu_call_swelling", "Answer swelling: yes or no."),
        ("fu_call_bruising", "Answer bruising: yes or no."),
        ("fu_call_meds", "Answer medication taken as prescribed: yes or no."),
        ("fu_call_incision", messages.INCISION_REQUIRED),
    ],
)
def test_a_call_with_a_question_unanswered_is_refused_beside_it(
    office, nurse, screen, leave_out, field_message
):
    case_id, ids = make_discharged_case(office, ago(hours=30))
    at = fill_call(open_follow_up(screen(nurse), ids[CALL]), fu_call_notes="typed notes")
    at.segmented_control(key=form_key(at, leave_out)).set_value(None).run()

    at = save_call(at)

    assert errors(at) == [field_message]
    assert at.text_area(key=form_key(at, "fu_call_notes")).value == "typed notes"
    assert row(ids[CALL]).completed_at is None
    assert status_of(case_id) == CaseStatus.DISCHARGED


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        (
            {"fu_call_rtw": dt.date.today() + dt.timedelta(days=3)},
            messages.RETURN_TO_WORK_IN_FUTURE,
        ),
        ({"fu_call_temp": 100.4, "fu_call_temp_unit": "C"}, messages.TEMPERATURE_RANGE),
        ({"fu_call_temp": 90.0}, messages.TEMPERATURE_RANGE),
        ({"fu_call_notes": "y" * 2001}, "At most 2000 characters."),
    ],
    ids=["return-to-work-in-future", "fahrenheit-typed-as-celsius", "too-cold", "notes-too-long"],
)
def test_an_impossible_call_answer_is_refused_beside_it_and_kept(
    office, nurse, screen, overrides, field_message
):
    _, ids = make_discharged_case(office, ago(hours=30))
    at = fill_call(open_follow_up(screen(nurse), ids[CALL]), **overrides)

    at = save_call(at)

    assert errors(at) == [field_message]
    assert at.segmented_control(key=form_key(at, "fu_call_nprs")).value == 3
    for key, value in overrides.items():
        if key == "fu_call_temp":
            assert at.number_input(key=form_key(at, key)).value == value
    assert row(ids[CALL]).completed_at is None


def test_a_return_to_work_before_the_procedure_is_refused(office, nurse, screen):
    discharged = ago(hours=30)
    _, ids = make_discharged_case(office, discharged)
    at = fill_call(
        open_follow_up(screen(nurse), ids[CALL]),
        fu_call_rtw=discharged.date() - dt.timedelta(days=5),
    )

    at = save_call(at)

    (shown,) = errors(at)
    assert shown.startswith("The return-to-work date cannot be before the procedure (")
    assert row(ids[CALL]).completed_at is None


def test_a_call_saved_after_a_colleagues_attempt_is_refused_then_saved_with_what_was_typed(
    office, nurse, screen
):
    _, ids = make_discharged_case(office, ago(hours=30))
    colleague = make_user("olga", Role.NURSE, [office])
    at = fill_call(open_follow_up(screen(nurse), ids[CALL]), fu_call_notes="my notes")
    record_call_attempt(ids[CALL], actor=colleague)  # the screen now shows an old version

    at = save_call(at)

    assert errors(at) == [messages.CHANGED_BY_SOMEONE_ELSE]
    assert at.text_area(key=form_key(at, "fu_call_notes")).value == "my notes"
    assert at.segmented_control(key=form_key(at, "fu_call_nprs")).value == 3
    assert row(ids[CALL]).completed_at is None
    at = save_call(at)  # the page has reloaded the case: saving again goes through
    assert successes(at) == [messages.FU_CALL_SAVED]
    assert (row(ids[CALL]).attempts, row(ids[CALL]).notes) == (2, "my notes")


def test_a_call_a_colleague_recorded_meanwhile_is_refused_and_leaves_the_worklist(
    office, nurse, screen
):
    _, ids = make_discharged_case(office, ago(hours=30))
    colleague = make_user("olga", Role.NURSE, [office])
    at = fill_call(open_follow_up(screen(nurse), ids[CALL]))
    record_followup_call(ids[CALL], QUIET_CALL, actor=colleague)  # she got there first

    at = save_call(at)

    assert errors(at) == [messages.CHANGED_BY_SOMEONE_ELSE]
    assert [i.value for i in at.info] == [messages.FU_NOTHING_DUE, messages.FU_NO_LONGER_OPEN]
    assert row(ids[CALL]).completed_by_id == colleague.id
    at.run()  # the next rerun is quiet
    assert not errors(at)
    assert [i.value for i in at.info] == [messages.FU_NOTHING_DUE]


# --- outcome visits -------------------------------------------------------------------------


def test_a_two_week_visit_shows_the_change_from_baseline_and_saves_the_odi(office, nurse, screen):
    case_id, ids = make_discharged_case(
        office, ago(days=15), status=CaseStatus.FOLLOW_UP, baseline=(7, 46.0, 10, 15)
    )
    record_followup_call(ids[CALL], QUIET_CALL, actor=nurse)
    at = fill_visit(open_follow_up(screen(nurse), ids[WEEKS_2]), nprs=4, walk=30, stand=15)

    changes = table_in(at, "fu_visit_changes")
    assert changes.to_dict("list") == {
        "measure": ["Pain (NPRS)", "Disability (ODI)", "Walking (minutes)", "Standing (minutes)"],
        "baseline": ["7", "46", "10", "15"],
        "now": ["4", "40", "30", "15"],
        "change": ["−3", "−6", "+20", "+0"],
        "improved": ["Yes", "No", "—", "—"],
    }
    at = at.button(key=form_key(at, "fu_visit_save")).click().run()

    assert not errors(at)
    assert successes(at) == [messages.FU_VISIT_SAVED.format(kind="2-week visit", odi="40")]
    saved = row(ids[WEEKS_2])
    assert (saved.nprs, saved.odi, saved.walk_minutes, saved.stand_minutes) == (4, 40.0, 30, 15)
    answers = json.loads(saved.odi_answers)
    assert answers == {s: 2 for s in ODI_SECTIONS} | {"sex_life": None}
    assert status_of(case_id) == CaseStatus.FOLLOW_UP


def test_a_visit_is_recorded_on_its_date_without_asking_whether_the_patient_was_reached(
    office, nurse, screen
):
    _, ids = make_discharged_case(office, ago(days=16), status=CaseStatus.FOLLOW_UP)
    at = open_follow_up(screen(nurse), ids[WEEKS_2])
    assert not any(w.key == form_key(at, "fu_reached") for w in at.segmented_control)
    seen = ago(days=1).date()

    at = fill_visit(at, visited_on=seen)
    at = at.button(key=form_key(at, "fu_visit_save")).click().run()

    assert not errors(at)
    assert row(ids[WEEKS_2]).visited_on == seen


def test_a_visit_dated_before_discharge_is_refused_beside_the_date_and_kept(office, nurse, screen):
    discharged = ago(days=16)
    _, ids = make_discharged_case(office, discharged, status=CaseStatus.FOLLOW_UP)
    at = open_follow_up(screen(nurse), ids[WEEKS_2])
    too_early = discharged.date() - dt.timedelta(days=3)

    at = fill_visit(at, visited_on=too_early)
    at = at.button(key=form_key(at, "fu_visit_save")).click().run()

    (shown,) = errors(at)
    assert shown.startswith("The visit date cannot be before discharge (")
    assert at.date_input(key=form_key(at, "fu_visit_date")).value == too_early
    assert at.segmented_control(key=form_key(at, "fu_visit_nprs")).value == 4
    assert row(ids[WEEKS_2]).completed_at is None


def test_the_red_flags_are_plain_checkboxes_one_per_flag(office, nurse, screen):
    _, ids = make_discharged_case(office, ago(hours=30))

    at = open_follow_up(screen(nurse), ids[CALL])

    assert not at.multiselect  # no drop-down headed by "Select all"
    labels = [c.label for c in at.checkbox if (c.key or "").startswith("fu_call_flag_")]
    assert labels == [f.label for f in RedFlag]


@pytest.mark.parametrize(
    ("visit", "field_message"),
    [
        ({"nprs": None}, messages.NPRS_REQUIRED),
        (
            {"odi": {s: (1 if n < 7 else None) for n, s in enumerate(ODI_SECTIONS)}},
            messages.ODI_TOO_FEW_SECTIONS,
        ),
        (
            {"walk": 800},
            "Walking tolerance is whole minutes from 0 to 720; leave it empty if not asked.",
        ),
        (
            {"stand": -5},
            "Standing tolerance is whole minutes from 0 to 720; leave it empty if not asked.",
        ),
    ],
    ids=["no-pain-score", "seven-odi-answers", "walking-too-long", "standing-negative"],
)
def test_an_incomplete_or_impossible_visit_is_refused_beside_the_field(
    office, nurse, screen, visit, field_message
):
    _, ids = make_discharged_case(office, ago(days=15), status=CaseStatus.FOLLOW_UP)
    at = fill_visit(open_follow_up(screen(nurse), ids[WEEKS_2]), **visit)

    at = at.button(key=form_key(at, "fu_visit_save")).click().run()

    assert errors(at) == [field_message]
    typed = {"nprs": 4, "walk": 30, "stand": 25} | visit
    assert at.segmented_control(key=form_key(at, "fu_visit_nprs")).value == typed["nprs"]
    assert at.number_input(key=form_key(at, "fu_visit_walk")).value == typed["walk"]
    assert at.number_input(key=form_key(at, "fu_visit_stand")).value == typed["stand"]
    assert row(ids[WEEKS_2]).completed_at is None


# --- closing after the 12-month visit --------------------------------------------------------


def test_after_the_12_month_visit_closing_is_offered_and_closes_the_case(office, nurse, screen):
    case_id, ids = make_discharged_case(office, ago(days=370), status=CaseStatus.FOLLOW_UP)
    at = fill_visit(open_follow_up(screen(nurse), ids[FollowUpKind.MONTHS_12]), nprs=2)
    assert container(at, "fu_ready_to_close") is None

    at = at.button(key=form_key(at, "fu_visit_save")).click().run()

    assert successes(at) == [
        messages.FU_VISIT_CLOSE_OFFERED.format(kind="12-month visit", odi="40")
    ]
    assert status_of(case_id) == CaseStatus.FOLLOW_UP  # offered, not forced
    assert container(at, "fu_ready_to_close") is not None
    at.button(key="fu_close").click().run()
    assert successes(at) == [messages.FU_CASE_CLOSED.format(code=code_of(case_id))]
    assert status_of(case_id) == CaseStatus.CLOSED
    assert container(at, "fu_ready_to_close") is None


def test_a_case_with_an_open_escalation_is_not_closed(office, nurse, screen):
    case_id, ids = make_discharged_case(office, ago(days=370))
    odi = {s: 1 for s in ODI_SECTIONS}
    record_followup_call(ids[CALL], PAIN_9_CALL, actor=nurse)
    record_outcome_visit(ids[FollowUpKind.MONTHS_12], VisitScores(2, odi), actor=nurse)
    at = screen(nurse)

    at.button(key="fu_close").click().run()

    assert errors(at) == [messages.CLOSE_HAS_OPEN_ESCALATION]
    assert status_of(case_id) == CaseStatus.FOLLOW_UP


def test_a_nurse_sees_no_escalation_or_case_to_close_from_another_office(office, nurse, screen):
    other = make_office("ZZ")
    theirs = make_user("zed", Role.NURSE, [other])
    case_id, ids = make_discharged_case(other, ago(days=370))
    record_followup_call(ids[CALL], PAIN_9_CALL, actor=theirs)
    record_outcome_visit(
        ids[FollowUpKind.MONTHS_12], VisitScores(2, {s: 1 for s in ODI_SECTIONS}), actor=theirs
    )

    at = screen(nurse)

    assert container(at, "fu_escalations") is None
    assert container(at, "fu_ready_to_close") is None
    assert [i.value for i in at.info] == [messages.FU_NOTHING_DUE]


def test_after_three_attempts_a_nurse_closes_the_call_as_not_reached_saying_what_she_did(
    office, nurse, screen
):
    case_id, ids = make_discharged_case(office, ago(hours=60))
    record_call_attempt(ids[CALL], actor=nurse)
    record_call_attempt(ids[CALL], actor=nurse)
    at = open_follow_up(screen(nurse), ids[CALL], reached=False)
    hint = messages.FU_GIVE_UP_HINT.format(needed=3, attempts=2)
    assert hint in [c.value for c in at.caption]
    assert not [b for b in at.button if (b.key or "").startswith("fu_give_up")]

    at = record_attempt(at)  # the third attempt
    at = open_follow_up(at, ids[CALL], reached=False)
    give_up = form_key(at, "fu_give_up")
    at.button(key=give_up).click().run()
    assert errors(at) == [messages.FU_GIVE_UP_NOTE_REQUIRED]
    assert row(ids[CALL]).completed_at is None

    at.text_area(key=form_key(at, "fu_give_up_note")).input("Letter sent; Dr. Test told")
    at.button(key=give_up).click().run()

    assert not at.exception and errors(at) == []
    assert messages.FU_CLOSED_NOT_REACHED.format(kind="Next-day call", attempts=3) in successes(at)
    saved = row(ids[CALL])
    assert (saved.reached, saved.notes) == (False, "Letter sent; Dr. Test told")
    assert status_of(case_id) == CaseStatus.FOLLOW_UP
    table = worklist(at)
    assert table is None or code_of(case_id) not in set(table.code)
