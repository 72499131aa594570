"""The sign-in gate: what a signed-out tab sees, signing in and out, refusals, and their audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from db.session import read_session
from mild import messages
from mild.staff import Role, screens_for
from tests.builders import PASSWORD, make_case, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, sign_in

SESSION_KEY = "signed_in_actor"


def audit_rows() -> list[tuple[str, str, int | None]]:
    """(action, actor_name, actor_id) of every audit row, oldest first, read from the database."""
    with read_session() as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.actor_id).order_by(
                AuditEvent.id
            )
        )
        return [tuple(r) for r in rows]


def assert_sign_in_form_only(at) -> None:
    assert not at.exception
    assert [t.value for t in at.title] == ["MILD procedure day"]
    assert [w.key for w in at.text_input] == ["signin_username", "signin_password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.subheader
    assert "Today" not in [t.value for t in at.title]
    assert not at.sidebar.children


@SQLITE_ONLY
def test_a_signed_out_first_load_shows_only_the_sign_in_form(db_url, app, navigation):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office])
    make_case(office)

    at = app().run()

    assert_sign_in_form_only(at)
    assert not at.error
    assert SESSION_KEY not in at.session_state
    # The pages are registered so their URLs land on the gate, but no navigation is drawn.
    assert navigation.last[1] == "hidden"


@SQLITE_ONLY
def test_the_right_password_signs_in_and_lands_on_the_home_page(db_url, app, navigation):
    office = make_office("AA")
    user = make_user("nina", Role.NURSE, [office])

    at = sign_in(app().run(), "nina", PASSWORD)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Today"]
    assert not at.text_input  # the form is gone
    actor = at.session_state[SESSION_KEY]
    assert (actor.id, actor.username, actor.role) == (user.id, "nina", Role.NURSE)
    assert actor.office_ids == frozenset({office})
    assert navigation.last == ([s.value for s in screens_for(Role.NURSE)], "top")
    assert [b.key for b in at.main.button] == ["nav_sign_out"]
    assert at.main.markdown[0].value == "**Nina** · Nurse · AA"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("username", "password", "active"),
    [
        ("nina", "wrong-password-1", True),
        ("nobody", PASSWORD, True),
        ("nina", PASSWORD, False),
    ],
    ids=["wrong-password", "unknown-username", "disabled-account"],
)
def test_a_refused_sign_in_shows_one_message_for_every_reason_and_no_page(
    db_url, app, username, password, active
):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office], active=active)
    make_case(office)

    at = sign_in(app().run(), username, password)

    assert [e.value for e in at.error] == [messages.SIGN_IN_FAILED]
    assert SESSION_KEY not in at.session_state
    assert_sign_in_form_only(at)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("username", "password"),
    [("", ""), ("nina", ""), ("", PASSWORD), ("   ", PASSWORD)],
    ids=["both-empty", "no-password", "no-username", "blank-username"],
)
def test_empty_fields_ask_for_username_and_password(db_url, app, username, password):
    make_user("nina", Role.NURSE, [make_office("AA")])

    at = sign_in(app().run(), username, password)

    assert [e.value for e in at.error] == [messages.SIGN_IN_MISSING]
    assert SESSION_KEY not in at.session_state
    assert_sign_in_form_only(at)
    assert audit_rows() == []  # nothing was tried against an account


def test_sign_in_failed_sign_in_and_sign_out_each_write_an_audit_row(db_url, app):
    user = make_user("nina", Role.NURSE, [make_office("AA")])

    at = sign_in(app().run(), "nina", "wrong-password-1")
    assert audit_rows() == [("auth.sign_in_failed", "nina", None)]

    sign_in(at, "nina", PASSWORD)
    assert audit_rows()[1:] == [
        ("auth.sign_in", "nina", user.id),
        ("auth.session_started", "nina", user.id),
    ]

    at.button(key="nav_sign_out").click().run()
    assert audit_rows()[3:] == [("auth.sign_out", "nina", user.id)]
    assert not at.exception


@SQLITE_ONLY
def test_signing_out_returns_to_the_sign_in_form_and_clears_the_session(db_url, app, navigation):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office])
    make_case(office)
    at = sign_in(app().run(), "nina", PASSWORD)
    assert SESSION_KEY in at.session_state

    at.button(key="nav_sign_out").click().run()

    assert_sign_in_form_only(at)
    assert not at.error
    assert SESSION_KEY not in at.session_state
    assert navigation.last[1] == "hidden"
    # The typed credentials went with the session: the form comes back empty.
    assert at.text_input(key="signin_username").value == ""
    assert at.text_input(key="signin_password").value == ""
    # A later rerun (a browser refresh) stays signed out.
    at.run()
    assert_sign_in_form_only(at)
