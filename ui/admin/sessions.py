"""The admin screen's sessions tab: who is signed in, end one session or all of a user's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby

import streamlit as st

from db.queries.admin import (
    OpenSession,
    open_sessions,
    viewer_timezone,
)
from mild import messages
from mild.account import BY_SSO
from mild.admin import browser_label, time_ago
from mild.days import to_local
from mild.sessions import idle_expired
from services import admin, sessions
from services.common import Actor, now_utc
from ui import forms
from ui.admin import common
from ui.format import zone_abbreviation


def sessions_tab(user: Actor) -> None:
    now = now_utc()
    # Times in the viewer's own office's zone (an admin at no office: the practice's).
    loaded = common.load(
        lambda: (open_sessions(common.active_since(now)), viewer_timezone(user.id))
    )
    if loaded is None:
        return
    rows, tz = loaded
    st.caption(
        messages.ADMIN_SESSIONS_HELP.format(tz=f"{tz} ({zone_abbreviation(tz, now)})")
        + " "
        + messages.ADMIN_SESSIONS_IDLE_NOTE.format(
            minutes=sessions.policy().idle_minutes, hours=sessions.policy().lock_hours
        )
    )
    if not rows:
        st.info(messages.ADMIN_NO_OPEN_SESSIONS)
        return
    for user_id, group in groupby(rows, key=lambda r: r.user_id):
        _user_sessions(user_id, list(group), user, tz, now)


def _session_line(row: OpenSession, tz: str, now: dt.datetime) -> str:
    """What tells one session from another: the browser and device, the address it signed in
    from, when, and when it was last used (and how long ago)."""
    started, active = to_local(tz, row.created_at), to_local(tz, row.last_activity_at)
    last = f"{active:%H:%M}" if active.date() == started.date() else f"{active:%a %d %b %H:%M}"
    parts = [
        browser_label(row.user_agent),
        row.client_address or messages.ADMIN_SESSION_NO_ADDRESS,
        f"signed in {started:%a %d %b %H:%M}",
        f"last active {last} ({time_ago(row.last_activity_at, now)})",
    ]
    if row.signed_in_via == BY_SSO:
        parts.append(messages.ADMIN_SESSION_VIA_SSO)
    if row.display:
        parts.append("waiting-room display")
    elif idle_expired(row.last_activity_at, now, sessions.policy(), display=False):
        parts.append(messages.ADMIN_SESSION_LOCKED)
    return " · ".join(parts)


def _user_sessions(
    user_id: int, rows: Sequence[OpenSession], user: Actor, tz: str, now: dt.datetime
) -> None:
    first = rows[0]
    errors = f"admin_sessions_errors_{user_id}"
    with st.container(border=True, key=f"admin_sessions_{user_id}"):
        st.text(f"{first.display_name} ({first.username}) · {first.role.label}")
        for row in rows:
            line, action = st.columns([3, 1], vertical_alignment="center")
            with line:
                st.text(_session_line(row, tz, now))
            with action:
                if row.id == user.session_id:
                    st.caption(messages.ADMIN_THIS_BROWSER)
                else:
                    common.act(
                        "End session",
                        f"admin_session_end_{row.id}",
                        lambda sid=row.id: admin.end_session(sid, actor=user),
                        errors=errors,
                        success=messages.ADMIN_SESSION_ENDED.format(username=first.username),
                    )
        others = [r for r in rows if r.id != user.session_id]
        if len(others) > 1:
            label = (
                f"End my {len(others)} other sessions"
                if user_id == user.id
                else f"End all {len(others)} sessions of {first.username}"
            )
            common.act(
                label,
                f"admin_sessions_end_all_{user_id}",
                lambda: admin.end_user_sessions(user_id, actor=user),
                errors=errors,
                success=messages.ADMIN_SESSIONS_ENDED.format(username=first.username),
            )
        forms.other_errors(errors, [])
