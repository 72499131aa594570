"""The signed-in user in the Streamlit session, the sign-in form, and the per-page role check."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from db.queries.home import OfficeRow, offices
from mild import messages
from mild.account import BY_SSO
from mild.errors import RuleViolation
from mild.sessions import COOKIE_NAME
from mild.staff import Screen, may_open
from services import auth, sessions
from services.common import Actor
from ui import lock
from ui.format import plain
from ui.navigate import link
from ui.redirect import browser_to, current_path
from ui.safe import show_failure

SESSION_KEY = "signed_in_actor"
NOTICE_KEY = "auth_notice"  # why this tab was signed out, shown on the sign-in form once
DISPLAY_KEY = "board_display_offices"  # set while this tab is a waiting-room display
SSO_REFUSED_KEY = "auth_sso_refused"
ENDED_KEY = "auth_ended"  # this tab's session ended: no automatic sign-in in it


def current_user() -> Actor | None:
    actor = st.session_state.get(SESSION_KEY)
    return actor if isinstance(actor, Actor) else None


def _ended_notice(reason: str | None) -> str:
    if reason == sessions.IDLE:
        return messages.SESSION_IDLE_ENDED.format(hours=sessions.policy().lock_hours)
    return messages.SESSION_REVOKED.format(reason=reason or "ended")


def _cookie() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # bare mode / tests: no request
        return None
    return token if isinstance(token, str) else None


def resolve_session() -> Actor | None:
    """Once per run, before anything is drawn: the signed-in user of this tab, from its
    session (a running tab) or the cookie (a reload, a second tab), checked on the server.
    A session that ended (signed out elsewhere, ended by an admin, idle too long) signs the
    tab out here, and the sign-in form says why. Stops the page if the database fails."""
    actor = current_user()
    if actor is not None and actor.session_id is None:
        return actor  # made outside a browser session (tests); nothing to check
    try:
        found = (
            sessions.check(session_id=actor.session_id)
            if actor is not None
            else sessions.check(token=_cookie())
        )
    except Exception as exc:
        show_failure(exc)
        st.stop()
    if found.actor is None:
        if actor is not None:
            st.session_state.clear()
            st.session_state[NOTICE_KEY] = _ended_notice(found.ended_reason)
            st.session_state[ENDED_KEY] = True
            if _sso_email():  # end the single sign-on too, or it would sign the tab back in
                browser_to("/session/end?sso=1")
            return None
        return _sign_in_by_sso()
    st.session_state[SESSION_KEY] = found.actor
    st.session_state[lock.LOCKED_KEY] = found.locked
    if not found.locked:  # unlocked (here or in another tab): the next lock keeps afresh
        st.session_state.pop(lock.KEPT_KEY, None)
    if found.display_offices:
        st.session_state[DISPLAY_KEY] = list(found.display_offices)
    else:
        st.session_state.pop(DISPLAY_KEY, None)
    return found.actor


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file: single sign-on is off
        return False


def _sso_email() -> str | None:
    """The email address single sign-on vouches for in this browser, if any."""
    if not _sso_configured():
        return None
    try:
        if st.user.is_logged_in:
            # Only an address the provider says it verified picks a staff account; any other
            # is treated as none (refused), so a self-asserted address opens nothing.
            email = st.user.get("email")
            verified = st.user.get("email_verified") is True
            return email if isinstance(email, str) and verified else ""
    except Exception:  # no request (tests, bare mode)
        return None
    return None


def _sign_in_by_sso() -> Actor | None:
    """A browser back from the identity provider (st.login): sign in the staff user carrying
    that email address, once per tab; a refusal is kept and shown on the sign-in form."""
    email = _sso_email()
    if email is None or st.session_state.get(SSO_REFUSED_KEY) or st.session_state.get(ENDED_KEY):
        return None  # refused before, or this tab was just signed out: not again by itself
    try:
        actor = auth.sign_in_sso(email)
        started = sessions.start(actor, user_agent=_user_agent(), via=BY_SSO)
    except RuleViolation as refusal:
        st.session_state[SSO_REFUSED_KEY] = refusal.message
        return None
    except Exception as exc:
        show_failure(exc)
        st.stop()
    st.session_state[SESSION_KEY] = started.actor
    browser_to(f"/session/adopt?{urlencode({'ticket': started.ticket, 'next': current_path()})}")
    return started.actor


def _sso_choices() -> None:
    """On the sign-in form when single sign-on is configured."""
    if not _sso_configured():
        return
    refused = st.session_state.get(SSO_REFUSED_KEY)
    if refused:
        st.error(refused)
        if st.button(messages.SSO_OTHER_ACCOUNT, key="signin_sso_other"):
            st.logout()
        return
    if st.button(messages.SSO_BUTTON, key="signin_sso", icon=":material/key:", width="stretch"):
        st.login()


def idle_watch(user: Actor) -> None:
    """A timer that locks an idle, forgotten tab without anyone touching it: every
    MILD_IDLE_CHECK_SECONDS (60; at least twice within the warning's minute) it looks at the
    session (not counting as activity), warns a minute before the lock and, once the session
    locked or ended, reruns the page, which then shows the lock screen or the sign-in form
    instead of patient data (ui.lock)."""
    if user.session_id is not None:
        rules = sessions.policy()
        every = min(rules.idle_check_seconds, max(1, rules.warn_seconds // 2))
        st.fragment(lock.warning, run_every=every)(user.session_id)


def fragment_rerun() -> bool:
    """Whether this run is a fragment's own (a click inside it), not the whole page's."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def recheck_session(user: Actor) -> None:
    """At the top of a fragment: when a click reran the fragment alone, the session is checked
    (and the activity counted) as resolve_session does on a full run. A session that ended, a
    user whose role or offices changed, or a session turned into a waiting-room display
    reruns the whole page, which signs the tab out or shows what it must. On a full run
    resolve_session has just done it."""
    if user.session_id is None or not fragment_rerun():
        return
    try:
        found = sessions.check(session_id=user.session_id)
    except Exception as exc:
        show_failure(exc)
        st.stop()
    drawn_display = tuple(st.session_state.get(DISPLAY_KEY) or ())
    if (
        found.actor is None
        or found.locked
        or found.actor != user
        or tuple(found.display_offices) != drawn_display
    ):
        st.rerun(scope="app")


def require(screen: Screen) -> Actor:
    """The signed-in user if their role may open `screen`; otherwise stop the page here."""
    user = current_user()
    if user is None or not may_open(user.role, screen):
        st.error(messages.NOT_ALLOWED_HERE)
        st.stop()
    return user


def sign_in_form() -> None:
    st.title("MILD procedure day")
    st.caption("Staff sign-in")
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        st.info(notice, icon=":material/lock_clock:")
    with st.form("signin_form", enter_to_submit=True):
        username = st.text_input("Username", key="signin_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    _sso_choices()
    if not submitted:
        return
    try:
        actor = auth.sign_in(username, password)
        started = sessions.start(actor, user_agent=_user_agent())
    except RuleViolation as refusal:
        st.error(refusal.message)
        return
    except Exception as exc:  # the database went away: say so, never a traceback
        show_failure(exc)
        return
    st.session_state.pop(NOTICE_KEY, None)
    st.session_state[SESSION_KEY] = started.actor
    # The browser trades the one-time ticket for the HttpOnly session cookie (serve.py) and
    # comes back to this page: a reload or a second tab then stays signed in.
    browser_to(
        f"/session/adopt?{urlencode({'ticket': started.ticket, 'next': current_path()})}",
        rerun_follows=True,
    )
    st.rerun()


def _user_agent() -> str:
    try:
        agent = st.context.headers.get("User-Agent", "")
    except Exception:  # bare mode / tests: no request
        return ""
    return agent if isinstance(agent, str) else ""


def sign_out() -> None:
    user = current_user()
    if user is not None:
        try:
            auth.sign_out(user)
        except Exception as exc:
            # Signing out must always work on a shared workstation, even if the audit write fails.
            show_failure(exc)
    sso = _sso_email()
    st.session_state.clear()
    st.session_state[ENDED_KEY] = True
    # The cookie goes too; the caller reruns the page.
    browser_to("/session/end?sso=1" if sso else "/session/end", rerun_follows=True)


def user_bar(user: Actor, office_codes: list[str]) -> None:
    """Who is signed in, and a sign-out button, at the top of every screen: on a shared
    tablet the sidebar is folded away, and the next person must see whose session this is."""
    who, account, action = st.columns([4, 1, 1], vertical_alignment="center")
    offices = f" · {', '.join(office_codes)}" if office_codes else ""
    # The name is typed by an admin: shown inert, never as Markdown (no link or image of it).
    who.markdown(f"**{plain(user.display_name)}** · {user.role.label}{offices}")
    with account:  # their own password, whatever the role (pages/account.py)
        link(Screen.ACCOUNT, messages.ACCOUNT_LINK, ":material/account_circle:")
    if action.button("Sign out", key="nav_sign_out", width="stretch"):
        sign_out()
        st.rerun()


def user_offices(user: Actor) -> list[OfficeRow]:
    """The offices the signed-in user works at, by code; on an empty list the reason is shown
    (no offices assigned, or the database failing) and the page should stop drawing."""
    try:
        mine = offices(user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return []
    if not mine:
        st.info(messages.NO_OFFICES)
    return mine
