"""The "My account" screen's read: how this browser's session was signed in."""

from __future__ import annotations

from sqlalchemy import select

from db.models import UserSession
from db.session import read_session


def signed_in_via(session_id: int | None) -> str | None:
    """How the session was signed in (mild.account: a password or single sign-on); None for
    no session (the command line, tests) or one from before this was recorded."""
    if session_id is None:
        return None
    with read_session() as s:
        return s.scalar(select(UserSession.signed_in_via).where(UserSession.id == session_id))
