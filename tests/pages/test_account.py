"""My account, as a tab shows it: every role reaches it from the user bar; changing one's own
password names every problem at once beside its field and keeps what was typed; a change ends
the other sessions and keeps this tab signed in; a single sign-on session is told where its
password is changed."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from mild import messages
from mild.account import BY_SSO
from mild.staff import Role, Screen
from services import sessions
from services.auth import sign_in as sign_in_service
from services.common import Actor
from tests.builders import PASSWORD, make_office, make_user, make_user_session
from tests.pages.conftest import SQLITE_ONLY, account_page, open_tab, sign_in, successes
from ui.auth import SESSION_KEY

pytestmark = SQLITE_ONLY
NEW = "my-own-password-7"
INPUTS = {"current": "account_current", "password": "account_new", "repeat": "account_repeat"}


@pytest.fixture
def nina(db_url) -> Actor:
    """A nurse signed in with her password, in a browser session of her own."""
    actor = make_user("nina", Role.NURSE, [make_office("AA")])
    return dataclasses.replace(actor, session_id=make_user_session(actor.id))


def change(at: AppTest, current: str, new: str, repeat: str) -> AppTest:
    for value, key in zip((current, new, repeat), INPUTS.values(), strict=True):
        at.text_input(key=key).input(value)
    at.button(key="account_change").click()
    return at.run()


def errors_by_field(at: AppTest) -> dict[str, str]:
    """Each refusal by the input it is drawn right below (the page's nodes in order)."""
    fields = {key: name for name, key in INPUTS.items()}
    shown: dict[str, str] = {}
    below = None
    for node in at.main:
        if node.type == "text_input":
            below = fields.get(node.key)
        elif node.type == "error" and below is not None:
            shown[below] = node.value
    return shown


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_role_finds_my_account_in_the_user_bar_and_it_opens(db_url, app, role):
    office = make_office("AA")
    make_user("someone", role, [office])
    at = sign_in(app().run(), "someone", PASSWORD)

    assert [link.value for link in at.page_link] == [messages.ACCOUNT_LINK]
    at._page_hash = calc_hash(Screen.ACCOUNT.value)
    at.run()

    assert not at.exception
    assert [t.value for t in at.title] == [messages.ACCOUNT_TITLE]
    assert [i.label for i in at.text_input] == [
        "Current password",
        "New password",
        "Repeat the new password",
    ]


def test_every_problem_is_shown_at_once_beside_its_field_and_what_was_typed_stays(nina):
    at = change(open_tab(account_page, nina), "wrong-guess", "short", "different")

    assert errors_by_field(at) == {
        "current": messages.ACCOUNT_CURRENT_WRONG,
        "password": messages.PASSWORD_TOO_SHORT.format(n=8),
        "repeat": messages.PASSWORDS_DIFFER,
    }
    assert [i.value for i in at.text_input] == ["wrong-guess", "short", "different"]
    assert not successes(at)


def test_a_change_signs_the_other_sessions_out_and_keeps_this_tab_signed_in(nina):
    tablet = sessions.start(sign_in_service("nina", PASSWORD)).actor
    at = change(open_tab(account_page, nina), PASSWORD, NEW, NEW)

    assert successes(at) == [messages.ACCOUNT_PASSWORD_CHANGED_ONE]
    assert not at.error
    assert [i.value for i in at.text_input] == ["", "", ""]
    assert sessions.check(session_id=nina.session_id).actor is not None
    assert sessions.check(session_id=tablet.session_id).ended_reason == "password changed"
    assert sign_in_service("nina", NEW).username == "nina"


def test_a_single_sign_on_session_is_told_where_to_change_its_password(db_url):
    actor = make_user("sso", Role.NURSE, [make_office("AA")])
    signed_in = dataclasses.replace(
        actor, session_id=make_user_session(actor.id, signed_in_via=BY_SSO)
    )

    at = open_tab(account_page, signed_in)

    assert [i.value for i in at.info] == [messages.ACCOUNT_SSO]
    assert not at.text_input


def test_a_user_chooses_the_screen_they_land_on_and_the_next_sign_in_lands_there(db_url, app):
    make_user("nina", Role.NURSE, [make_office("AA")])
    at = sign_in(app().run(), "nina", PASSWORD)
    assert [t.value for t in at.title] == ["Today"]
    at._page_hash = calc_hash(Screen.ACCOUNT.value)
    at.run()
    assert at.selectbox(key="account_landing").value == Screen.HOME.value

    at.selectbox(key="account_landing").select(Screen.CHECKLIST.value)
    at.button(key="account_landing_save").click().run()

    assert messages.ACCOUNT_LANDING_SAVED.format(screen="Checklist") in successes(at)
    later = app()  # a new tab at "/", signed in by the session (as its cookie does)
    later.session_state[SESSION_KEY] = at.session_state[SESSION_KEY]
    assert [t.value for t in later.run().title] == ["Day-of checklist"]


def test_the_landing_choices_are_the_screens_the_role_opens(db_url):
    coordinator = make_user("cora", Role.COORDINATOR, [make_office("AA")])

    at = open_tab(account_page, coordinator)

    assert at.selectbox(key="account_landing").options == ["Today", "Intake", "Schedule", "Board"]
