"""The waiting-room display's session on both backends: one office per display, and any staff
member of that office (or an admin) ends it, at the screen with their own username and password
or from their own signed-in screen, audited; anyone else is refused, and guesses at the screen
count toward the typed username's lockout."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import AuditEvent, UserSession
from db.queries.board import RunningDisplay, running_displays
from db.session import read_session
from mild import messages
from mild.staff import Role
from services import sessions
from services.auth import (
    DISPLAY_HANDED_OVER,
    end_display,
    end_display_session,
    sign_in,
    start_display,
)
from tests.builders import PASSWORD, make_office, make_user, refusal


@pytest.fixture
def offices(db_url) -> tuple[int, int]:
    aa, bb = make_office("AA"), make_office("BB")
    make_user("nina", Role.NURSE, [aa, bb])
    make_user("cora", Role.COORDINATOR, [aa])
    make_user("bob", Role.NURSE, [bb])
    make_user("ada", Role.ADMIN, [])
    return aa, bb


def signed_in(username: str):
    return sessions.start(sign_in(username, PASSWORD)).actor


def session_row(session_id: int) -> tuple:
    with read_session() as s:
        found = s.get(UserSession, session_id)
        return found.display_offices, found.ended_at, found.end_reason


def audited(action: str) -> list[tuple[str, dict]]:
    with read_session() as s:
        rows = s.execute(
            select(AuditEvent.actor_name, AuditEvent.detail).where(AuditEvent.action == action)
        ).all()
    return [(name, json.loads(detail or "{}")) for name, detail in rows]


def test_a_display_shows_one_office(offices):
    aa, bb = offices
    nina = signed_in("nina")

    assert refusal(start_display, nina, [aa, bb]) == ("office", messages.DISPLAY_ONE_OFFICE)
    assert session_row(nina.session_id)[0] is None

    start_display(nina, [aa])
    assert session_row(nina.session_id)[0] == str(aa)


def test_a_colleague_of_that_office_ends_the_display_with_her_own_password_and_takes_over(
    offices,
):
    aa, _bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])

    ender = end_display(nina, PASSWORD, " Cora ")

    assert ender.username == "cora" and ender.session_id is None  # her session starts next
    _shown, ended_at, reason = session_row(nina.session_id)
    assert ended_at is not None and reason == DISPLAY_HANDED_OVER  # nina is not at the screen
    assert audited("board.display_ended") == [("cora", {"office_ids": [aa], "started_by": "nina"})]


def test_the_starter_ends_it_with_her_password_alone_and_keeps_her_session(offices):
    aa, _bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])

    assert end_display(nina, PASSWORD) == nina
    assert session_row(nina.session_id) == (None, None, None)
    assert audited("board.display_ended") == [("nina", {"office_ids": [aa]})]


def test_an_admin_may_end_any_display(offices):
    aa, _bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])

    assert end_display(nina, PASSWORD, "ada").username == "ada"


def test_staff_of_another_office_cannot_end_it_and_the_display_stays_on(offices):
    aa, _bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])

    assert refusal(end_display, nina, PASSWORD, "bob") == (
        "password",
        messages.DISPLAY_NOT_THIS_OFFICE,
    )
    assert session_row(nina.session_id) == (str(aa), None, None)
    assert audited("board.display_unlock_refused") == [
        ("nina", {"office_ids": [aa], "username": "bob"})
    ]


def test_guesses_at_a_colleagues_password_count_toward_her_lockout_and_say_nothing_more(
    offices,
):
    aa, _bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])

    said = [refusal(end_display, nina, "a-guess", "cora")[1] for _ in range(5)]
    unknown = refusal(end_display, nina, "a-guess", "nobody")[1]

    locked = messages.SIGN_IN_LOCKED.format(minutes=15)
    assert said == [messages.DISPLAY_PASSWORD_WRONG] * 4 + [locked]
    assert unknown == messages.DISPLAY_PASSWORD_WRONG  # an unknown name reads the same
    assert refusal(sign_in, "cora", PASSWORD)[1] == locked
    assert refusal(end_display, nina, PASSWORD, "cora")[1] == locked
    assert session_row(nina.session_id) == (str(aa), None, None)
    assert len(audited("board.display_unlock_failed")) == 6


def test_no_password_is_refused_before_anything_is_read(offices):
    aa, _bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])

    assert refusal(end_display, nina, "", "cora") == (
        "password",
        messages.DISPLAY_PASSWORD_REQUIRED,
    )


def test_a_colleague_signed_in_elsewhere_sees_the_display_and_ends_it_from_her_screen(offices):
    aa, bb = offices
    nina = signed_in("nina")
    start_display(nina, [aa])
    cora, bob = signed_in("cora"), signed_in("bob")

    assert running_displays([aa]) == [RunningDisplay(nina.session_id, aa, "Nina")]
    assert running_displays([bb]) == []
    assert refusal(end_display_session, bob, nina.session_id) == (
        "display",
        messages.DISPLAY_NOT_THIS_OFFICE,
    )

    end_display_session(cora, nina.session_id)

    _shown, ended_at, reason = session_row(nina.session_id)
    assert ended_at is not None and reason == DISPLAY_HANDED_OVER
    assert sessions.check(session_id=nina.session_id).actor is None  # the wall shows sign-in
    assert audited("board.display_ended") == [
        ("cora", {"office_ids": [aa], "started_by": "nina", "remotely": True})
    ]
    assert running_displays([aa]) == []
    assert refusal(end_display_session, cora, nina.session_id) == (
        "display",
        messages.DISPLAY_ALREADY_ENDED,
    )


def test_a_session_that_is_not_a_display_cannot_be_ended_from_the_board(offices):
    nina, cora = signed_in("nina"), signed_in("cora")

    assert refusal(end_display_session, cora, nina.session_id) == (
        "display",
        messages.DISPLAY_ALREADY_ENDED,
    )
    assert session_row(nina.session_id) == (None, None, None)
