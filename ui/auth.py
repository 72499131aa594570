"""The signed-in user in the Streamlit session, the sign-in form, and the per-page role check."""

from __future__ import annotations

import streamlit as st

from db.queries.home import OfficeRow, offices
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Screen, may_open
from services import auth
from services.common import Actor
from ui.safe import show_failure

SESSION_KEY = "signed_in_actor"


def current_user() -> Actor | None:
    actor = st.session_state.get(SESSION_KEY)
    return actor if isinstance(actor, Actor) else None


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
    with st.form("signin_form", enter_to_submit=True):
        username = st.text_input("Username", key="signin_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        actor = auth.sign_in(username, password)
    except RuleViolation as refusal:
        st.error(refusal.message)
        return
    except Exception as exc:  # the database went away: say so, never a traceback
        show_failure(exc)
        return
    st.session_state[SESSION_KEY] = actor
    st.rerun()


def sign_out() -> None:
    user = current_user()
    if user is not None:
        try:
            auth.sign_out(user)
        except Exception as exc:
            # Signing out must always work on a shared workstation, even if the audit write fails.
            show_failure(exc)
    st.session_state.clear()


def user_bar(user: Actor, office_codes: list[str]) -> None:
    """Who is signed in, and a sign-out button, at the top of every screen: on a shared
    tablet the sidebar is folded away, and the next person must see whose session this is."""
    who, action = st.columns([5, 1], vertical_alignment="center")
    offices = f" · {', '.join(office_codes)}" if office_codes else ""
    who.markdown(f"**{user.display_name}** · {user.role.label}{offices}")
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
