"""Sessions as a browser tab lives them: a second tab (or a reload) signed in by its cookie,
sign-out reaching every tab, the idle timeout signing a tab out and refusing a late save,
and the lockout message on the sign-in form."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import ui.auth
import ui.lock
from db.models import AuditEvent, Office, StaffUser, UserSession
from db.session import read_session, transaction
from mild import messages
from mild.account import BY_SSO
from mild.staff import Role, Screen
from services import sessions
from tests.builders import PASSWORD, make_office, make_user, make_user_session
from tests.pages.conftest import SQLITE_ONLY, sign_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def nina(db_url):
    return make_user("nina", Role.NURSE, [make_office("AA")])


@pytest.fixture
def redirects(monkeypatch) -> list[str]:
    """Where the app sent the browser (the cookie routes), in order."""
    sent: list[str] = []
    monkeypatch.setattr(ui.auth, "browser_to", lambda path, **_: sent.append(path))
    return sent


@pytest.fixture
def cookie(monkeypatch) -> dict[str, str | None]:
    """The session cookie the next new tab sends (set it to open a tab with it)."""
    jar: dict[str, str | None] = {"value": None}
    monkeypatch.setattr(ui.auth, "_cookie", lambda: jar["value"])
    return jar


def signed_in(at: AppTest) -> bool:
    return ui.auth.SESSION_KEY in at.session_state and "nav_sign_out" in {b.key for b in at.button}


def shows_sign_in_form(at: AppTest) -> bool:
    return [b.label for b in at.button if b.label == "Sign in"] == ["Sign in"]


def token_from(redirects: list[str]) -> str:
    """Do what the browser does with the sign-in redirect: trade the ticket at the route."""
    (adopt,) = [r for r in redirects if r.startswith("/session/adopt")]
    query = parse_qs(urlsplit(adopt).query)
    assert query["next"] == ["/"]
    token = sessions.adopt(query["ticket"][0])
    assert token
    return token


def session_row() -> UserSession:
    with read_session() as s:
        (found,) = s.scalars(select(UserSession)).all()
        s.expunge(found)
        return found


def idle_for(minutes: int) -> None:
    with transaction() as s:
        for found in s.scalars(select(UserSession)):
            found.last_activity_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)


def test_a_second_tab_or_a_reload_is_signed_in_by_the_session_cookie(nina, app, redirects, cookie):
    first = sign_in(app().run(), "nina", PASSWORD)
    assert signed_in(first)
    cookie["value"] = token_from(redirects)

    second = app().run()  # a new tab: no form, the cookie opens the same session

    assert signed_in(second) and not shows_sign_in_form(second)
    assert second.session_state[ui.auth.SESSION_KEY] == first.session_state[ui.auth.SESSION_KEY]
    second._page_hash = calc_hash(Screen.SCHEDULE.value)
    assert [t.value for t in second.run().title] == ["Daily schedule"]


def test_a_tab_with_no_cookie_or_a_forged_one_shows_the_sign_in_form(nina, app, cookie):
    assert shows_sign_in_form(app().run())
    cookie["value"] = "forged-" + "x" * 40
    at = app().run()
    assert shows_sign_in_form(at) and not signed_in(at)


def test_signing_out_in_one_tab_signs_the_other_out_on_its_next_run(nina, app, redirects, cookie):
    first = sign_in(app().run(), "nina", PASSWORD)
    cookie["value"] = token_from(redirects)
    second = app().run()

    first.button(key="nav_sign_out").click().run()
    assert redirects[-1] == "/session/end"  # the browser drops the cookie too
    second.run()

    assert shows_sign_in_form(second) and not signed_in(second)
    assert messages.SESSION_REVOKED.format(reason="signed out") in [i.value for i in second.info]
    assert shows_sign_in_form(app().run())  # the old cookie opens nothing


def open_intake(at: AppTest) -> AppTest:
    at._page_hash = calc_hash(Screen.INTAKE.value)
    return at.run()


def shows_lock(at: AppTest) -> bool:
    return [t.value for t in at.title] == [messages.SESSION_LOCKED_TITLE]


def unlock(at: AppTest, password: str) -> AppTest:
    at.text_input(key=ui.lock.PASSWORD_KEY).input(password)
    (button,) = [b for b in at.button if b.label == "Unlock"]
    return button.click().run()


def test_an_idle_tab_locks_in_place_and_its_user_unlocks_it_with_what_was_typed_kept(
    nina, app, redirects
):
    at = open_intake(sign_in(app().run(), "nina", PASSWORD))
    at.text_input(key="intake_new_mrn").input("MRN-HALF").run()
    idle_for(16)

    at.run()

    assert shows_lock(at)
    assert "intake_new_mrn" not in {t.key for t in at.text_input}  # nothing of the page drawn
    assert not at.dataframe and not at.tabs
    assert session_row().ended_at is None  # locked, not ended
    at = unlock(at, "wrong-password")
    assert [e.value for e in at.error] == [messages.UNLOCK_PASSWORD_WRONG] and shows_lock(at)

    at = unlock(at, PASSWORD)

    assert signed_in(at) and [t.value for t in at.title] == ["Intake"]
    assert at.text_input(key="intake_new_mrn").value == "MRN-HALF"
    with read_session() as s:
        written = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert written[-3:] == ["auth.session_locked", "auth.unlock_failed", "auth.session_unlocked"]


def test_a_locked_single_sign_on_tab_says_to_sign_in_again_and_asks_no_password(nina, app):
    at = app()
    actor = dataclasses.replace(nina, session_id=make_user_session(nina.id, signed_in_via=BY_SSO))
    at.session_state[ui.auth.SESSION_KEY] = actor
    at.run()
    idle_for(16)

    at.run()

    assert shows_lock(at)
    assert [w.value for w in at.warning] == [messages.UNLOCK_SSO]
    assert ui.lock.PASSWORD_KEY not in {t.key for t in at.text_input}
    assert "lock_sign_out" in {b.key for b in at.button}


def test_someone_else_at_a_locked_tab_signs_it_out_and_gets_a_fresh_screen(nina, app, redirects):
    at = open_intake(sign_in(app().run(), "nina", PASSWORD))
    at.text_input(key="intake_new_mrn").input("MRN-HALF").run()
    idle_for(16)
    at.run()

    at.button(key="lock_sign_out").click().run()

    assert shows_sign_in_form(at) and not signed_in(at)
    assert "intake_new_mrn" not in at.session_state
    assert session_row().end_reason == sessions.SIGNED_OUT


def test_a_save_clicked_after_the_idle_timeout_is_refused_and_nothing_is_written(
    nina, app, redirects
):
    at = sign_in(app().run(), "nina", PASSWORD)
    at._page_hash = calc_hash(Screen.BOARD.value)
    at.run()
    idle_for(20)

    at.button(key="board_display_start").click().run()

    assert shows_lock(at)
    with read_session() as s:
        written = list(s.scalars(select(AuditEvent.action)))
    assert "board.display_started" not in written
    assert written[-1] == "auth.session_locked"
    assert session_row().display_offices is None


def test_a_tab_locked_past_the_locks_lifetime_is_signed_out(nina, app, redirects):
    at = sign_in(app().run(), "nina", PASSWORD)
    idle_for(15 + 12 * 60 + 1)

    at.run()

    assert shows_sign_in_form(at) and not signed_in(at)
    assert [i.value for i in at.info] == [messages.SESSION_IDLE_ENDED.format(hours=12)]
    assert session_row().end_reason == sessions.IDLE


def rerun_scopes(run) -> list[str]:
    """The st.rerun scopes `run` asked for (none carried out)."""
    import streamlit

    asked: list[str] = []
    original = streamlit.rerun
    streamlit.rerun = lambda **kwargs: asked.append(kwargs.get("scope", ""))
    try:
        run()
    finally:
        streamlit.rerun = original
    return asked


def test_the_timer_locks_an_idle_tab_nobody_touches(nina, app, redirects):
    at = sign_in(app().run(), "nina", PASSWORD)
    sid = at.session_state[ui.auth.SESSION_KEY].session_id
    idle_for(16)

    assert rerun_scopes(lambda: ui.lock.warning(sid)) == ["app"]


def test_a_minute_before_the_lock_the_screen_warns_and_staying_is_activity(nina, app, redirects):
    at = sign_in(app().run(), "nina", PASSWORD)
    idle_for(14)  # 14 minutes 0 seconds idle of 15: within the last minute

    at.run()  # a full run is activity itself; the timer's run is not
    idle_for(14)
    sid = at.session_state[ui.auth.SESSION_KEY].session_id
    shown: list[str] = []
    import streamlit

    original = streamlit.warning
    streamlit.warning = lambda body, **_: shown.append(body)
    try:
        assert rerun_scopes(lambda: ui.lock.warning(sid)) == []
    finally:
        streamlit.warning = original
    assert shown == [messages.SESSION_LOCK_WARNING]


def test_after_five_failures_the_form_says_the_username_is_locked(nina, app):
    at = app().run()
    for _ in range(5):
        at = sign_in(at, "nina", "wrong-password")
    assert [e.value for e in at.error] == [messages.SIGN_IN_LOCKED.format(minutes=15)]
    at = sign_in(at, "nina", PASSWORD)
    assert [e.value for e in at.error] == [messages.SIGN_IN_LOCKED.format(minutes=15)]
    assert not signed_in(at)


def test_a_waiting_room_display_stays_on_for_hours_and_leaving_it_needs_the_password(
    nina, app, redirects
):
    at = sign_in(app().run(), "nina", PASSWORD)
    at._page_hash = calc_hash(Screen.BOARD.value)
    at.run()
    at.button(key="board_display_start").click().run()
    idle_for(240)  # a whole morning on the waiting-room wall

    at.run()
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    at.text_input(key="board_display_password").input(PASSWORD)
    (leave,) = [b for b in at.button if b.label == "Leave the display"]
    leave.click().run()

    assert signed_in(at) and [t.value for t in at.title] == ["Status board"]
    at.run()  # the next run is not an idle timeout: leaving was activity
    assert signed_in(at)


@pytest.fixture
def sso(monkeypatch) -> dict[str, str | None]:
    """Single sign-on configured; set "email" to what the identity provider vouches for."""
    said: dict[str, str | None] = {"email": None}
    monkeypatch.setattr(ui.auth, "_sso_configured", lambda: True)
    monkeypatch.setattr(ui.auth, "_sso_email", lambda: said["email"])
    return said


def test_back_from_single_sign_on_the_user_with_that_email_is_signed_in(nina, app, redirects, sso):
    with transaction() as s:
        s.get(StaffUser, nina.id).email = "nina@example.test"
    at = app().run()
    assert messages.SSO_BUTTON in [b.label for b in at.button]

    sso["email"] = "nina@example.test"
    at = app().run()  # the browser comes back from the provider

    assert signed_in(at)
    assert redirects[-1].startswith("/session/adopt?")  # and gets the session cookie
    at.button(key="nav_sign_out").click().run()
    assert redirects[-1] == "/session/end?sso=1"  # sign-out ends the single sign-on too
    assert shows_sign_in_form(at)  # and this tab does not sign itself back in


def test_single_sign_on_for_an_unknown_address_says_so_and_offers_another_account(
    nina, app, redirects, sso
):
    sso["email"] = "stranger@example.test"
    at = app().run()
    assert not signed_in(at)
    assert [e.value for e in at.error] == [
        messages.SSO_NOT_A_USER.format(email="stranger@example.test")
    ]
    assert messages.SSO_OTHER_ACCOUNT in [b.label for b in at.button]
    at.run()
    with read_session() as s:  # tried once per tab, not on every rerun
        refusals = s.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sso_refused"))
        assert len(refusals.all()) == 1


def test_a_display_name_that_looks_like_markdown_is_shown_inert_above_every_screen(db_url, app):
    office = make_office("AA")
    make_user("odd", Role.NURSE, [office])
    with transaction() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == "odd")).one()
        user.display_name = "![i](http://203.0.113.7/y.png) **Bold**"

    at = sign_in(app().run(), "odd", PASSWORD)

    (bar,) = [m.value for m in at.markdown if "Nurse" in m.value]
    assert "](" not in bar.replace("\\]\\(", "") and "\\!\\[i\\]" in bar
    assert "\\*\\*Bold\\*\\*" in bar


def test_a_navigation_before_a_rerun_is_sent_once_by_the_run_that_follows(nina, app, monkeypatch):
    """st.rerun() drops messages not yet sent to the browser: the sign-in and sign-out
    navigations are sent by the run after, once (twice could cut the first short)."""
    import ui.redirect

    sent: list[str] = []
    monkeypatch.setattr(ui.redirect, "_send", sent.append)
    at = sign_in(app().run(), "nina", PASSWORD)
    assert len(sent) == 1 and sent[0].startswith("/session/adopt?")

    at.button(key="nav_sign_out").click().run()

    assert sent[1:] == ["/session/end"]
    at.run()
    assert len(sent) == 2  # nothing pending any more


class _SignedOn(dict):
    is_logged_in = True


@pytest.mark.parametrize(
    ("claims", "email"),
    [
        ({"email": "nina@example.test", "email_verified": True}, "nina@example.test"),
        ({"email": "nina@example.test", "email_verified": False}, ""),
        ({"email": "nina@example.test"}, ""),  # the provider does not say it checked it
    ],
)
def test_only_an_email_the_provider_verified_picks_a_staff_account(
    db_url, monkeypatch, claims, email
):
    import streamlit

    monkeypatch.setattr(ui.auth, "_sso_configured", lambda: True)
    monkeypatch.setattr(streamlit, "user", _SignedOn(claims), raising=False)
    assert ui.auth._sso_email() == email


# The checklist's fragment checks the session itself (issue 12: a click reruns it alone)


class WholePageRerun(Exception):
    pass


@pytest.fixture
def fragment_click(monkeypatch):
    """recheck_session as a fragment's own run calls it: whether it asks for the whole page."""
    monkeypatch.setattr(ui.auth, "fragment_rerun", lambda: True)

    def rerun(**_):
        raise WholePageRerun

    monkeypatch.setattr(ui.auth.st, "rerun", rerun)

    def reruns_whole_page(user, *, display=()) -> bool:
        monkeypatch.setattr(ui.auth.st, "session_state", {ui.auth.DISPLAY_KEY: list(display)})
        try:
            ui.auth.recheck_session(user)
        except WholePageRerun:
            return True
        return False

    return reruns_whole_page


def test_a_fragment_click_reruns_the_whole_page_when_the_session_ended_or_changed(
    nina, fragment_click
):
    office = make_office("BB")
    actor = sessions.start(nina).actor
    assert not fragment_click(actor)  # unchanged: the fragment goes on

    with transaction() as s:  # an admin gives her a second office
        user = s.get(StaffUser, actor.id)
        user.offices.append(s.get(Office, office))
    assert fragment_click(actor)

    fresh = sessions.check(session_id=actor.session_id).actor
    assert not fragment_click(fresh)
    shown = [min(fresh.office_ids)]
    with transaction() as s:  # another tab of hers turned it into a waiting-room display
        sessions.set_display(s, fresh, shown)
    assert fragment_click(fresh)
    assert not fragment_click(fresh, display=shown)  # this tab already shows the display

    sessions.end(fresh)  # signed out in another tab
    assert fragment_click(fresh, display=shown)
