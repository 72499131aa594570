"""Home: today at a glance for the offices the signed-in user works at."""

from __future__ import annotations

import streamlit as st

from db.queries.home import today_overview
from mild import messages
from mild.staff import Screen
from services.common import now_utc
from ui.auth import require
from ui.home import office_counts, today_line, todays_cases
from ui.safe import show_failure


def render() -> None:
    user = require(Screen.HOME)
    st.title("Today")
    now = now_utc()
    try:
        overview = today_overview(user.office_ids, now)
    except Exception as exc:
        show_failure(exc)
        return
    if not overview:
        st.info(messages.NO_OFFICES)
        return
    today_line(overview, now)
    office_counts(overview, user.role, now)
    st.subheader("Cases today")
    todays_cases(overview, now)
