"""The "My account" screen's reads: how this browser's session was signed in, and the screen
the user lands on after signing in."""

from __future__ import annotations

from sqlalchemy import select

from db.models import StaffUser, UserSession
from db.session import read_session


def signed_in_via(session_id: int | None) -> str | None:
    """How the session was signed in (mild.account: a password or single sign-on); None for
    no session (the command line, tests) or one from before this was recorded."""
    if session_id is None:
        return None
    with read_session() as s:
        return s.scalar(select(UserSession.signed_in_via).where(UserSession.id == session_id))


def landing_choice(user_id: int) -> str | None:
    """The screen the user chose to land on after signing in (None: not chosen)."""
    with read_session() as s:
        return s.scalar(select(StaffUser.landing_screen).where(StaffUser.id == user_id))
