"""The live status board page: stages per office in colour, one office or all, the escalation
flag, the waiting-room mode, and the timer that reruns the board alone."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest
import streamlit
import streamlit.testing.v1.local_script_runner as script_runner
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import ui.auth
import ui.board
from db.models import AuditEvent, Case, FollowUp, Patient, Provider
from db.session import read_session, transaction
from mild import messages
from mild.board import STAGE_COLOURS
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.followup import RedFlag
from mild.sessions import SessionPolicy
from mild.staff import Role, Screen
from tests.builders import PASSWORD, make_case, make_follow_up, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, sign_in

TZ = "America/New_York"


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, local_today(TZ, dt.datetime.now(dt.UTC)), dt.time(hour, minute))


def open_board(app, username: str = "nina") -> AppTest:
    """Sign in and open the board by its url path's hash, as a browser asks for a page."""
    at = sign_in(app().run(), username, PASSWORD)
    at._page_hash = calc_hash(Screen.BOARD.value)
    return at.run()


def office_box(at: AppTest, code: str):
    (box,) = [c for c in at.container if c.key == f"board_office_{code}"]
    return box


def board_boxes(at: AppTest) -> list[str]:
    return [c.key for c in at.container if (c.key or "").startswith("board_office_")]


def table(at: AppTest, key: str):
    (box,) = [c for c in at.container if c.key == key]
    (frame,) = box.dataframe
    return frame


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.get(Case, case_id).code


def names_of(case_id: int) -> list[str]:
    """What would identify the patient or the provider on a public screen."""
    with read_session() as s:
        case = s.get(Case, case_id)
        patient = s.get(Patient, case.patient_id)
        provider = s.get(Provider, case.provider_id)
        return [patient.last_name, patient.first_name, provider.name, f"{patient.date_of_birth}"]


def everything_shown(at: AppTest) -> str:
    """All text on the page, table cells included."""
    elements = [e for block in (at.main, at.sidebar) for e in block if not hasattr(e, "children")]
    parts = [str(getattr(e, "value", "")) for e in elements]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


def escalate(case_id: int, office_id: int, flags: str) -> int:
    follow_up = make_follow_up(case_id, office_id)
    with transaction() as s:
        fu = s.get(FollowUp, follow_up)
        fu.escalated_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        fu.red_flags = flags
    return follow_up


@pytest.fixture
def offices(db_url):
    aa, bb = make_office("AA", TZ), make_office("BB", TZ)
    make_user("nina", Role.NURSE, [aa, bb])
    return aa, bb


@SQLITE_ONLY
def test_the_board_shows_todays_cases_by_stage_in_colour_with_cancellations_apart(offices, app):
    aa, _bb = offices
    later = make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    started = make_case(aa, CaseStatus.IN_PROCEDURE, today_at(0, 30))
    with transaction() as s:
        s.get(Case, started).procedure_started_at = dt.datetime.now(dt.UTC) - dt.timedelta(
            minutes=25, seconds=10
        )
    resting = make_case(aa, CaseStatus.RECOVERY, today_at(0, 10))
    cancelled = make_case(aa, CaseStatus.CANCELLED, today_at(22))
    tomorrow = make_case(aa, CaseStatus.SCHEDULED, today_at(9) + dt.timedelta(days=1))

    at = open_board(app)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Status board"]
    assert board_boxes(at) == ["board_office_AA", "board_office_BB"]
    box = office_box(at, "AA")
    assert [m.value for m in box.markdown if "badge" in m.value] == [
        ":yellow-badge[Scheduled: 1]",
        ":blue-badge[Checked in: 0]",
        ":orange-badge[In procedure: 1]",
        ":violet-badge[Recovery: 1]",
        ":green-badge[Discharged: 0]",
    ]
    frame = table(at, "board_cases_AA")
    shown = frame.value
    assert list(shown.columns) == [
        "Start",
        "Case",
        "Patient",
        "Provider",
        "Stage",
        "In stage",
        "Escalation",
    ]
    assert list(shown.Case) == [code_of(c) for c in (later, started, resting)]
    assert list(shown.Stage) == ["Scheduled", "In procedure", "Recovery"]
    assert shown["In stage"][1] == "25 min"
    assert shown.Patient[0].startswith(names_of(later)[0])
    styles = frame.proto.arrow_data.styler.styles
    for stage in (CaseStatus.SCHEDULED, CaseStatus.IN_PROCEDURE, CaseStatus.RECOVERY):
        assert STAGE_COLOURS[stage].background in styles
    captions = [c.value for c in box.caption]
    assert f"Cancelled (1): {code_of(cancelled)}" in captions
    assert any(
        c.startswith("Updated ") and c.endswith("refreshes by itself every 15 s") for c in captions
    )
    assert code_of(tomorrow) not in everything_shown(at)
    empty = office_box(at, "BB")
    assert messages.NO_CASES_TODAY.format(office="BB Office") in [c.value for c in empty.caption]


@SQLITE_ONLY
def test_choosing_one_office_shows_only_its_board(offices, app):
    aa, bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    theirs = make_case(bb, CaseStatus.CHECKED_IN, today_at(0, 5))
    at = open_board(app)
    assert at.selectbox(key="board_office").options == [
        "All my offices",
        "AA Office (AA)",
        "BB Office (BB)",
    ]

    at.selectbox(key="board_office").set_value(aa).run()

    assert board_boxes(at) == ["board_office_AA"]
    assert code_of(theirs) not in everything_shown(at)


@SQLITE_ONLY
def test_a_nurse_sees_only_the_offices_she_works_at(offices, app):
    elsewhere = make_office("ZZ", TZ)
    hidden = make_case(elsewhere, CaseStatus.IN_PROCEDURE, today_at(0, 5))

    at = open_board(app)

    assert "ZZ Office (ZZ)" not in at.selectbox(key="board_office").options
    assert "board_office_ZZ" not in board_boxes(at)
    assert code_of(hidden) not in everything_shown(at)


def start_display(at: AppTest) -> AppTest:
    at.button(key="board_display_start").click()
    return at.run()


def leave_display(at: AppTest, password: str) -> AppTest:
    at.text_input(key="board_display_password").input(password)
    (leave,) = [b for b in at.button if b.label == "Leave the display"]
    leave.click()
    return at.run()


def audited(action: str) -> int:
    with read_session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == action))


@SQLITE_ONLY
def test_the_waiting_room_display_shows_case_codes_and_stages_only_and_no_way_out(offices, app):
    aa, _bb = offices
    ids = [
        make_case(aa, CaseStatus.SCHEDULED, today_at(23)),
        make_case(aa, CaseStatus.IN_PROCEDURE, today_at(0, 30)),
        make_case(aa, CaseStatus.CANCELLED, today_at(22)),
    ]
    escalate(ids[1], aa, RedFlag.FEVER.value)
    at = open_board(app)
    assert names_of(ids[0])[0] in everything_shown(at)  # names show in staff mode
    at.selectbox(key="board_office").set_value(aa).run()

    at = start_display(at)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    assert board_boxes(at) == ["board_office_AA"]
    shown = table(at, "board_cases_AA").value
    assert list(shown.columns) == ["Case", "Stage"]
    assert shown.values.tolist() == [
        [code_of(ids[0]), "Scheduled"],
        [code_of(ids[1]), "In procedure"],
    ]
    assert messages.BOARD_PUBLIC_NOTE in [c.value for c in at.caption]
    assert not [c for c in at.container if (c.key or "").startswith("board_escalations_")]
    text = everything_shown(at)
    for case_id in ids:
        for secret in names_of(case_id):
            assert secret not in text
    assert RedFlag.FEVER.label not in text
    assert "nina" not in text.lower()  # whose session it is stays off the screen
    # No way to the staff screens: no sign-out, no office picker, no display button.
    keys = {b.key for b in at.button}
    assert not keys & {"nav_sign_out", "board_display_start"}
    assert not [s for s in at.selectbox if s.key == "board_office"]
    assert audited("board.display_started") == 1

    # Asking for another screen by its address still shows the display.
    at._page_hash = calc_hash(Screen.FOLLOW_UP.value)
    at.run()
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]


@SQLITE_ONLY
def test_leaving_the_display_needs_the_password_of_the_user_who_started_it(offices, app):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    at = start_display(open_board(app))

    at = leave_display(at, "")
    assert messages.DISPLAY_PASSWORD_REQUIRED in [e.value for e in at.error]
    at = leave_display(at, "a-guess")
    assert messages.DISPLAY_PASSWORD_WRONG in [e.value for e in at.error]
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    assert audited("board.display_unlock_failed") == 1

    at = leave_display(at, PASSWORD)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Status board"]
    assert messages.DISPLAY_OFF in [s.value for s in at.success]
    assert "nav_sign_out" in {b.key for b in at.button}
    assert audited("board.display_ended") == 1


@SQLITE_ONLY
def test_an_escalation_is_flagged_on_the_board_until_it_is_resolved(offices, app):
    aa, _bb = offices
    todays = make_case(aa, CaseStatus.DISCHARGED, today_at(0, 5))
    yesterdays = make_case(aa, CaseStatus.DISCHARGED, today_at(9) - dt.timedelta(days=1))
    escalate(todays, aa, RedFlag.WOUND.value)
    follow_up = escalate(yesterdays, aa, f"{RedFlag.FEVER},{RedFlag.BOWEL_BLADDER}")

    at = open_board(app)

    assert table(at, "board_cases_AA").value.Escalation.tolist() == [RedFlag.WOUND.label]
    listed = table(at, "board_escalations_AA").value
    assert dict(zip(listed.Case, listed["Red flags"], strict=True)) == {
        code_of(todays): RedFlag.WOUND.label,
        code_of(yesterdays): f"{RedFlag.FEVER.label}, {RedFlag.BOWEL_BLADDER.label}",
    }
    badges = " ".join(m.value for m in office_box(at, "AA").markdown)
    assert "Escalated to provider (2)" in badges

    with transaction() as s:
        s.get(FollowUp, follow_up).escalation_resolved_at = dt.datetime.now(dt.UTC)
    at.run()

    assert list(table(at, "board_escalations_AA").value.Case) == [code_of(todays)]


@SQLITE_ONLY
def test_the_board_body_is_a_fragment_that_reruns_every_15_seconds(offices, app, monkeypatch):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    made: list[tuple[object, object]] = []
    real_fragment = streamlit.fragment

    def fragment(func=None, **options):
        made.append((func, options.get("run_every")))
        return real_fragment(func, **options)

    monkeypatch.setattr(streamlit, "fragment", fragment)
    messages_sent = capture_messages(monkeypatch)

    at = open_board(app)

    # The board's timer, beside the idle-timeout watch every signed-in screen has (the last
    # run's two: the home screen ran first, with its own watch).
    assert made[-2:] == [
        (ui.auth._idle_check, SessionPolicy().idle_check_seconds),
        (ui.board.board_body, ui.board.BOARD_REFRESH_SECONDS),
    ]
    assert ui.board.BOARD_REFRESH_SECONDS == 15
    sent = messages_sent[-1]
    (timer,) = [
        m.auto_rerun for m in sent if m.HasField("auto_rerun") and m.auto_rerun.interval == 15
    ]
    # The timer names the board's fragment: its elements carry that id, the rest of the page
    # (title, office choice, waiting-room switch, who is signed in) carries none.
    in_fragment = {
        element_name(m)
        for m in sent
        if m.HasField("delta") and m.delta.fragment_id == timer.fragment_id
    }
    outside = {element_name(m) for m in sent if m.HasField("delta") and not m.delta.fragment_id}
    assert {
        "subheader:AA Office (AA)",
        "subheader:BB Office (BB)",
        "dataframe",
    } <= in_fragment
    assert {"title:Status board", "selectbox", "button"} <= outside
    assert not at.exception


@SQLITE_ONLY
def test_the_timer_reruns_the_board_alone_with_fresh_data(offices, app, monkeypatch):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    messages_sent = capture_messages(monkeypatch)
    at = open_board(app)
    (timer,) = [
        m.auto_rerun
        for m in messages_sent[-1]
        if m.HasField("auto_rerun") and m.auto_rerun.interval == ui.board.BOARD_REFRESH_SECONDS
    ]
    arrived = make_case(aa, CaseStatus.CHECKED_IN, today_at(0, 5))
    at.session_state["dayof_escort_name"] = "Half-typed name"  # a form elsewhere in the session
    router_runs: list[object] = []
    monkeypatch.setattr(ui.auth, "user_bar", lambda *a: router_runs.append(a))

    # What the browser sends when the timer fires: a rerun of that one fragment.
    monkeypatch.setattr(
        script_runner,
        "RerunData",
        functools.partial(
            script_runner.RerunData, fragment_id_queue=[timer.fragment_id], is_auto_rerun=True
        ),
    )
    at.run()

    assert not at.exception
    assert router_runs == []  # the app around the board did not run
    sent = [m for m in messages_sent[-1] if m.HasField("delta")]
    assert sent and {m.delta.fragment_id for m in sent} == {timer.fragment_id}
    assert [t.value for t in at.title] == []  # nothing outside the board was redrawn
    assert code_of(arrived) in list(table(at, "board_cases_AA").value.Case)
    assert at.session_state["dayof_escort_name"] == "Half-typed name"


def capture_messages(monkeypatch) -> list[list]:
    """Every run's forward messages, as the browser would receive them."""
    runs: list[list] = []
    real = script_runner.parse_tree_from_messages

    def keep(messages_of_run):
        runs.append(list(messages_of_run))
        return real(messages_of_run)

    monkeypatch.setattr(script_runner, "parse_tree_from_messages", keep)
    return runs


def element_name(message) -> str:
    delta = message.delta
    if delta.WhichOneof("type") != "new_element":
        return delta.WhichOneof("type") or ""
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "heading":
        tag = "title" if element.heading.tag == "h1" else "subheader"
        return f"{tag}:{element.heading.body}"
    return kind


def test_the_waiting_room_presentation_keeps_only_code_and_stage_whatever_it_is_given():
    identified = pd.DataFrame(
        {
            "case_id": [7],
            "office_id": [1],
            "code": ["AA-00007"],
            "status": [CaseStatus.RECOVERY],
            "stage": ["Recovery"],
            "scheduled_start": [dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC)],
            "patient": ["Doe, Jane"],
            "provider": ["Dr. Who"],
            "in_stage_minutes": [12],
            "escalation": [RedFlag.FEVER.label],
        }
    )

    shown = ui.board.board_table(identified, TZ, public=True)

    assert shown.data.to_dict("records") == [{"Case": "AA-00007", "Stage": "Recovery"}]
    assert "Doe" not in shown.to_html() and "Dr. Who" not in shown.to_html()
    assert STAGE_COLOURS[CaseStatus.RECOVERY].background in shown.to_html()
