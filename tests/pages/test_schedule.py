"""The daily schedule page: the day with readiness and escalations, the
timeline, the week, and reschedule and cancel with every refusal beside its field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from db.models import AuditEvent, Case, FollowUp, Patient, Provider
from db.session import read_session, transaction
from mild import messages
from mild.cases import CancelReason, CaseStatus
from mild.days import at_local, local_today
from mild.followup import RedFlag
from mild.staff import Role, Screen
from tests.builders import PASSWORD, make_case, make_follow_up, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, sign_in

pytestmark = SQLITE_ONLY

TZ = "America/New_York"


def today() -> dt.date:
    return local_today(TZ, dt.datetime.now(dt.UTC))


def next_monday() -> dt.date:
    """A Monday at least a week ahead: every booking on it and the days after lies ahead."""
    day = today() + dt.timedelta(days=7)
    return day + dt.timedelta(days=-day.weekday() % 7)


def at_(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, day, dt.time(hour, minute))


def open_schedule(app, username: str = "cora") -> AppTest:
    """Sign in and open the schedule the way a browser asks for a page: by its url path's hash
    (AppTest.switch_page knows only page files; our screens are st.Page callables)."""
    at = sign_in(app().run(), username, PASSWORD)
    at._page_hash = calc_hash(Screen.SCHEDULE.value)
    return at.run()


def show_day(at: AppTest, day: dt.date) -> AppTest:
    return at.date_input(key="sched_day").set_value(day).run()


def show_tab(at: AppTest, label: str) -> AppTest:
    """The tab picked: only the open tab is drawn."""
    at.session_state["sched_tab"] = label
    return at.run()


def choose(at: AppTest, case_id: int) -> AppTest:
    return at.selectbox(key="sched_case").set_value(case_id).run()


def make_ready(case_id: int, phone: str | None = "555-0111") -> None:
    with transaction() as s:
        case = s.get(Case, case_id)
        case.asa_class = 2
        case.escort_name, case.escort_phone = "Sam Escort", "555-0142"
        s.get(Patient, case.patient_id).phone = phone


def case_row(case_id: int) -> Case:
    with read_session() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def provider_of(case_id: int) -> int:
    return case_row(case_id).provider_id


def audit_rows(action: str) -> list[tuple[str, int]]:
    with read_session() as s:
        return [
            (r.actor_name, r.entity_id)
            for r in s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


def change_elsewhere(case_id: int, status: CaseStatus | None = None) -> None:
    """Someone else's change, committed after this screen read the case."""
    with transaction() as s:
        case = s.get(Case, case_id)
        if status is not None:
            case.status = status
        case.version += 1


def walk(block):
    yield block
    for child in getattr(block, "children", {}).values():
        yield from walk(child)


def error_below(at: AppTest, key: str) -> str | None:
    """The refusal shown right below the widget with `key` (None when there is none)."""
    for block in walk(at.main):
        children = list(getattr(block, "children", {}).values())
        for i, child in enumerate(children):
            if getattr(child, "key", None) == key:
                after = children[i + 1] if i + 1 < len(children) else None
                return after.value if type(after).__name__ == "Error" else None
    raise AssertionError(f"no widget {key!r} on the page")


def table(at: AppTest, key: str):
    """The data of the table drawn in the container named `key`."""
    (box,) = [c for c in at.container if c.key == key]
    (frame,) = box.dataframe
    return frame.value


@pytest.fixture
def office(db_url):
    office_id = make_office("AA", TZ)
    make_user("cora", Role.COORDINATOR, [office_id])
    return office_id


# --- the day ---------------------------------------------------------------------------------


def test_the_day_lists_each_case_with_time_provider_status_readiness_and_escalation(office, app):
    day = next_monday()
    ready = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    make_ready(ready)
    missing = make_case(office, CaseStatus.INTAKE, at_(day, 9, 30))
    cancelled = make_case(office, CaseStatus.CANCELLED, at_(day, 11))
    flagged = make_case(office, CaseStatus.SCHEDULED, at_(day, 13))
    make_ready(flagged)
    follow_up = make_follow_up(flagged, office)
    with transaction() as s:
        fu = s.get(FollowUp, follow_up)
        fu.escalated_at, fu.red_flags = dt.datetime.now(dt.UTC), RedFlag.FEVER.value
    make_case(office, CaseStatus.SCHEDULED, at_(day + dt.timedelta(days=1), 8))

    at = show_day(open_schedule(app), day)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Daily schedule"]
    shown = table(at, "sched_day_cases")
    assert list(shown.Case) == [case_row(c).code for c in (ready, missing, cancelled, flagged)]
    assert list(shown.Start) == ["08:00", "09:30", "11:00", "13:00"]
    assert list(shown.Minutes) == [60, 60, 60, 60]
    assert list(shown.Status) == ["Scheduled", "Intake", "Cancelled", "Scheduled"]
    assert list(shown.Readiness) == [
        messages.SCHED_READY,
        f"{messages.READY_ASA_CLASS}; {messages.READY_ESCORT}",
        "",
        messages.SCHED_READY,
    ]
    assert list(shown.Escalation) == ["", "", "", RedFlag.FEVER.label]
    with read_session() as s:
        assert shown.Provider[0] == s.get(Provider, provider_of(ready)).name
        patient = s.get(Patient, case_row(ready).patient_id)
        assert shown.Patient[0] == f"{patient.last_name}, {patient.first_name}"


def test_the_day_defaults_to_the_offices_today_and_says_when_nothing_is_booked(office, app):
    at = open_schedule(app)

    assert at.date_input(key="sched_day").value == today()
    assert messages.SCHED_NO_CASES.format(office="AA Office", day=f"{today():%a %d %b %Y}") in [
        i.value for i in at.info
    ]


def test_a_coordinator_sees_only_her_offices(office, app):
    make_office("ZZ", TZ)

    at = open_schedule(app)

    assert at.selectbox(key="sched_office").options == ["AA Office (AA)"]


def test_the_timeline_draws_planned_and_actual_bars_in_office_time(office, app):
    day = today()
    done = make_case(office, CaseStatus.RECOVERY, at_(day, 0, 15))
    with transaction() as s:
        case = s.get(Case, done)
        case.procedure_started_at, case.procedure_ended_at = at_(day, 0, 20), at_(day, 1, 5)
    make_case(office, CaseStatus.SCHEDULED, at_(day, 23))
    make_case(office, CaseStatus.CANCELLED, at_(day, 22))

    at = show_tab(open_schedule(app), "Timeline")

    (chart,) = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    bars = {t["name"]: t for t in figure["data"]}
    assert set(bars) == {"Planned", "Actual"}
    assert len(bars["Planned"]["y"]) == 2 and len(bars["Actual"]["y"]) == 1
    assert [b[:16] for b in bars["Actual"]["base"]] == [f"{day.isoformat()}T00:20"]
    assert bars["Planned"]["base"][0][:16] == f"{day.isoformat()}T00:15"


def test_the_week_counts_each_day_by_readiness_and_cancellations(office, app):
    monday = next_monday()
    ready = make_case(office, CaseStatus.SCHEDULED, at_(monday, 8))
    make_ready(ready)
    make_case(office, CaseStatus.SCHEDULED, at_(monday, 10))
    make_case(office, CaseStatus.CANCELLED, at_(monday + dt.timedelta(days=2), 9))

    at = show_tab(show_day(open_schedule(app), monday + dt.timedelta(days=3)), "Week")

    week = table(at, "sched_week_days")
    assert list(week.Day) == [f"{monday + dt.timedelta(days=i):%a %d %b}" for i in range(7)]
    assert week.iloc[0][["Booked", "Ready", "Not ready", "Cancelled"]].tolist() == [2, 1, 1, 0]
    assert week.iloc[2][["Booked", "Cancelled"]].tolist() == [0, 1]
    # Each builder case has a provider of its own: one row per day and provider.
    assert len(table(at, "sched_week_providers")) == 3


# --- reschedule ------------------------------------------------------------------------------


def test_a_coordinator_reschedules_a_case_to_another_day_time_and_length(office, app):
    day = next_monday()
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    at = choose(show_day(open_schedule(app), day), case_id)
    assert at.time_input(key="sched_new_start").value == dt.time(8, 0)
    assert at.date_input(key="sched_new_day").value == day

    at.date_input(key="sched_new_day").set_value(day + dt.timedelta(days=2))
    at.time_input(key="sched_new_start").set_value(dt.time(10, 30))
    at.number_input(key="sched_new_minutes").set_value(45)
    at.button(key="sched_reschedule").click()
    at.run()

    assert not at.exception and not at.error
    code = case_row(case_id).code
    assert [s.value for s in at.success][0] == messages.SCHED_RESCHEDULED.format(
        code=code, day=f"{day + dt.timedelta(days=2):%a %d %b %Y}", time="10:30"
    )
    moved = case_row(case_id)
    assert moved.scheduled_start == at_(day + dt.timedelta(days=2), 10, 30)
    assert (moved.planned_minutes, moved.version) == (45, 2)
    assert audit_rows("case.rebooked") == [("cora", case_id)]
    # Gone from the day shown, and no longer chosen.
    assert messages.SCHED_NO_CASES.format(office="AA Office", day=f"{day:%a %d %b %Y}") in [
        i.value for i in at.info
    ]
    assert at.selectbox(key="sched_case").value is None


def test_a_double_booking_of_the_provider_is_refused_beside_the_start_naming_the_case(office, app):
    day = next_monday()
    moving = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    other = make_case(office, CaseStatus.SCHEDULED, at_(day, 13))
    with transaction() as s:  # the same provider for both
        s.get(Case, other).provider_id = provider_of(moving)
    at = choose(show_day(open_schedule(app), day), moving)

    at.time_input(key="sched_new_start").set_value(dt.time(13, 30))
    at.button(key="sched_reschedule").click()
    at.run()

    with read_session() as s:
        provider = s.get(Provider, provider_of(moving)).name
    other_code = case_row(other).code
    message = error_below(at, "sched_new_start")
    assert message == messages.BOOKING_CLASH.format(
        provider=provider,
        code=other_code,
        start=f"13:00 on {day:%a %d %b %Y}",
        minutes=60,
    )
    assert other_code in message
    assert at.time_input(key="sched_new_start").value == dt.time(13, 30)  # kept as typed
    assert case_row(moving).scheduled_start == at_(day, 8)
    assert case_row(moving).version == 1
    assert not at.success


def test_a_reschedule_from_a_stale_screen_is_refused_as_changed_by_someone_else(office, app):
    day = next_monday()
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    at = choose(show_day(open_schedule(app), day), case_id)
    change_elsewhere(case_id)

    at.time_input(key="sched_new_start").set_value(dt.time(9, 0))
    at.button(key="sched_reschedule").click()
    at.run()

    assert messages.CHANGED_BY_SOMEONE_ELSE in [e.value for e in at.error]
    assert case_row(case_id).scheduled_start == at_(day, 8)


def test_a_case_already_checked_in_is_not_offered_for_rescheduling(office, app):
    case_id = make_case(office, CaseStatus.CHECKED_IN, at_(today(), 23, 30))

    at = choose(open_schedule(app), case_id)

    assert messages.SCHED_CANNOT_RESCHEDULE.format(status="Checked in") in [
        c.value for c in at.caption
    ]
    assert not [b for b in at.button if b.key == "sched_reschedule"]
    assert [b.key for b in at.button if b.key == "sched_cancel"] == ["sched_cancel"]


# --- cancel ------------------------------------------------------------------------------------


def test_a_coordinator_cancels_a_case_with_a_reason(office, app):
    day = next_monday()
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    at = choose(show_day(open_schedule(app), day), case_id)

    at.selectbox(key="sched_cancel_reason").set_value(CancelReason.NO_ESCORT)
    at.button(key="sched_cancel").click()
    at.run()

    assert not at.exception and not at.error
    case = case_row(case_id)
    assert [s.value for s in at.success] == [
        messages.SCHED_CANCELLED.format(code=case.code, reason="No escort")
    ]
    assert (case.status, case.cancellation_reason) == (CaseStatus.CANCELLED, CancelReason.NO_ESCORT)
    assert audit_rows("case.cancelled") == [("cora", case_id)]
    assert list(table(at, "sched_day_cases").Status) == ["Cancelled"]
    assert at.selectbox(key="sched_case").options == []


def test_cancelling_without_a_reason_is_refused_beside_the_reason(office, app):
    day = next_monday()
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    at = choose(show_day(open_schedule(app), day), case_id)

    at.text_area(key="sched_cancel_note").input("Patient phoned")
    at.button(key="sched_cancel").click()
    at.run()

    assert error_below(at, "sched_cancel_reason") == messages.CANCEL_REASON_REQUIRED
    assert at.text_area(key="sched_cancel_note").value == "Patient phoned"
    assert case_row(case_id).status == CaseStatus.SCHEDULED
    assert not at.success


def test_other_without_text_is_refused_beside_the_note_and_the_reason_is_kept(office, app):
    day = next_monday()
    case_id = make_case(office, CaseStatus.SCHEDULED, at_(day, 8))
    at = choose(show_day(open_schedule(app), day), case_id)

    at.selectbox(key="sched_cancel_reason").set_value(CancelReason.OTHER)
    at.text_area(key="sched_cancel_note").input("   ")
    at.button(key="sched_cancel").click()
    at.run()

    assert error_below(at, "sched_cancel_note") == messages.CANCEL_OTHER_NEEDS_TEXT
    assert error_below(at, "sched_cancel_reason") is None
    assert at.selectbox(key="sched_cancel_reason").value == CancelReason.OTHER
    assert case_row(case_id).status == CaseStatus.SCHEDULED

    at.text_area(key="sched_cancel_note").input("Moving out of the area")
    at.button(key="sched_cancel").click()
    at.run()

    case = case_row(case_id)
    assert (case.status, case.cancellation_note) == (CaseStatus.CANCELLED, "Moving out of the area")


def test_a_case_in_procedure_cannot_be_cancelled_and_is_not_offered(office, app):
    case_id = make_case(office, CaseStatus.IN_PROCEDURE, at_(today(), 23, 30))

    at = choose(open_schedule(app), case_id)

    assert messages.CANNOT_CANCEL.format(status="In procedure") in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "sched_cancel"]


def test_cancelling_after_the_procedure_started_elsewhere_is_refused_and_nothing_changes(
    office, app
):
    case_id = make_case(office, CaseStatus.CHECKED_IN, at_(today(), 23, 30))
    at = choose(open_schedule(app), case_id)
    at.selectbox(key="sched_cancel_reason").set_value(CancelReason.PATIENT_ILLNESS)
    change_elsewhere(case_id, CaseStatus.IN_PROCEDURE)  # a nurse starts the procedure

    at.button(key="sched_cancel").click()
    at.run()

    assert messages.CHANGED_BY_SOMEONE_ELSE in [e.value for e in at.error]
    case = case_row(case_id)
    assert (case.status, case.cancellation_reason) == (CaseStatus.IN_PROCEDURE, None)
    # Read again, the screen now says why it cannot be cancelled, and offers no button.
    assert messages.CANNOT_CANCEL.format(status="In procedure") in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "sched_cancel"]
    with read_session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "case.cancelled")
            )
            == 0
        )


def test_the_day_sheet_is_prepared_from_the_day_and_offered_as_a_download(office, app):
    make_case(office, CaseStatus.SCHEDULED, at_(next_monday(), 9))
    at = show_day(open_schedule(app), next_monday())

    at.button(key=f"sched_day_sheet_prepare_{office}").click().run()

    assert not at.exception and not at.error
    [download] = at.get("download_button")
    assert download.proto.label == messages.SHEET_DOWNLOAD
    assert [c.value for c in at.caption if c.value == messages.SHEET_PRINTED]
    assert [entity for _, entity in audit_rows("document.printed")] == [office]
