"""The idle lock screen (issue 13): a minute's warning, then the screen locks in place.

Locked, the page is not drawn (no patient data in the browser). What its widgets held is
kept aside on the server when the lock comes and set again through st.session_state when
the same user's password unlocks it: the browser forgets a widget it stops drawing, and only
a value set through the API is sent back to it. Signing out instead (someone else at the
tablet) clears it all.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from db.queries.account import signed_in_via
from mild import messages
from mild.account import BY_SSO
from mild.errors import RuleViolation
from mild.sessions import lock_warning_due
from services import lock, sessions
from services.common import Actor, now_utc
from ui.format import plain
from ui.safe import show_failure

LOCKED_KEY = "auth_locked"  # this tab's session is locked (set by ui.auth.resolve_session)
PASSWORD_KEY = "lock_password"
ERROR_KEY = "lock_error"
STAY_KEY = "lock_stay"
KEPT_KEY = "lock_kept"  # the page's widget values when the lock came, by key
# Widgets whose value is an event, not something typed: never set through the API (buttons,
# form submits, uploads).
EVENTS = frozenset(
    {"trigger_value", "string_trigger_value", "json_trigger_value", "file_uploader_state_value"}
)


def is_locked() -> bool:
    return bool(st.session_state.get(LOCKED_KEY))


def lock_screen(user: Actor, sign_out) -> None:
    """The locked screen: whose session, the password to unlock, or sign out. Ends the run."""
    if KEPT_KEY not in st.session_state:
        st.session_state[KEPT_KEY] = _widget_values()
    st.title(messages.SESSION_LOCKED_TITLE)
    name = plain(user.display_name)
    st.info(
        messages.SESSION_LOCKED.format(minutes=sessions.policy().idle_minutes, name=name),
        icon=":material/lock:",
    )
    try:
        via = signed_in_via(user.session_id)
    except Exception as exc:
        show_failure(exc)
        st.stop()
    if via == BY_SSO:
        # Single sign-on proves who this is only by a new sign-on, which reloads the page: the
        # lock cannot be opened in place (README: a single sign-on session's lock).
        st.warning(messages.UNLOCK_SSO, icon=":material/key:")
    else:
        _password_form(user)
    if st.button(messages.SESSION_NOT_ME.format(name=name), key="lock_sign_out"):
        sign_out()
        st.rerun()
    st.stop()  # not a normal finish: the page's widget state stays for the unlock


def _password_form(user: Actor) -> None:
    with st.form("lock_form", enter_to_submit=True):
        st.text_input(
            "Password",
            type="password",
            key=PASSWORD_KEY,
            autocomplete="current-password",
        )
        refusal = st.session_state.pop(ERROR_KEY, None)
        if refusal:
            st.error(refusal)
        submitted = st.form_submit_button("Unlock", type="primary", icon=":material/lock_open:")
    if submitted:
        _unlock(user)


def _unlock(user: Actor) -> None:
    password = st.session_state.get(PASSWORD_KEY) or ""
    try:
        lock.unlock(user, password)
    except RuleViolation as refusal:
        st.session_state[ERROR_KEY] = refusal.message
        st.rerun()
    except Exception as exc:
        show_failure(exc)
        st.stop()
    st.session_state.pop(PASSWORD_KEY, None)
    st.session_state[LOCKED_KEY] = False
    for key, value in st.session_state.pop(KEPT_KEY, {}).items():
        try:
            st.session_state[key] = value  # sent to the browser with the widget
        except Exception:  # a value Streamlit will not take back: the widget starts afresh
            continue
    st.rerun()  # the page again, with what was typed on it


def _widget_values() -> dict[str, object]:
    """The keyed widgets' values (not buttons and the like), from Streamlit's session state:
    which keys are widgets, and of what kind, is only known there."""
    state = get_session_state()._state
    kept: dict[str, object] = {}
    for key in list(st.session_state.keys()):
        if not isinstance(key, str) or key.startswith("lock_"):
            continue
        widget_id = state.get_widget_id_from_key(key)
        metadata = state.get_widget_metadata(widget_id) if widget_id else None
        if metadata is not None and metadata.value_type not in EVENTS:
            kept[key] = st.session_state[key]
    return kept


def warning(session_id: int) -> None:
    """Inside the idle watch: within a minute of the lock, say so with a button to stay (its
    press is activity); once locked or ended, the whole page runs again to show it."""
    stay = bool(st.session_state.get(STAY_KEY))
    try:
        found = sessions.check(session_id=session_id, touch=stay)
    except Exception:  # the database failing: the next full run says so
        return
    if found.actor is None or found.locked:
        st.rerun(scope="app")
    if stay or found.last_activity is None:
        return
    if lock_warning_due(
        found.last_activity, now_utc(), sessions.policy(), display=bool(found.display_offices)
    ):
        st.warning(messages.SESSION_LOCK_WARNING, icon=":material/timer:")
        st.button(messages.SESSION_STAY, key=STAY_KEY, type="primary")
