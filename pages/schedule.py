"""Daily schedule: an office's day with readiness, the pre-op call worklist, planned against
actual times, the week, and reschedule or cancel a booking."""

from __future__ import annotations

import streamlit as st

from db.queries.intake import case_detail
from db.queries.preop import case_calls, preop_worklist
from db.queries.schedule import day_schedule, providers
from mild.days import local_today
from mild.staff import Screen
from services.common import now_utc
from ui import documents, forms, preop, schedule
from ui.auth import require, user_offices
from ui.safe import open_case, show_failure

TAB_KEY = "sched_tab"


def render() -> None:
    user = require(Screen.SCHEDULE)
    st.title("Daily schedule")
    forms.show_flash()
    now = now_utc()
    mine = user_offices(user)
    if not mine:
        return
    pick, when = st.columns(2)
    with pick:
        office = schedule.choose_office(mine)
    day = when.date_input(
        "Day", value=local_today(office.timezone, now), key="sched_day", format="YYYY-MM-DD"
    )
    try:
        view = day_schedule(office, day, scope=user.office_ids)
        staff = providers(office.id, scope=user.office_ids)
        calls = preop_worklist(
            office, day, now, scope=user.office_ids, escalations=view.escalations
        )
    except Exception as exc:
        show_failure(exc)
        return

    # Only the open tab is drawn (a tab set that reruns when another tab is picked): the day
    # table, the worklist, the timeline and the week were all drawn on every run (issue 12).
    day_tab, calls_tab, timeline_tab, week_tab = st.tabs(
        ["Day", preop.tab_label(calls, TAB_KEY), "Timeline", "Week"],
        key=TAB_KEY,
        on_change="rerun",
    )
    if day_tab.open:
        with day_tab:
            schedule.day_table(view, now)
            documents.day_sheet_button(office.id, view.day, user)
            st.subheader("Reschedule or cancel")
            chosen = schedule.choose_case(view)
            if chosen is not None:
                schedule.fill_forms(chosen.name, chosen, office.timezone)
                # One above the other: the reschedule form draws the provider's day in full.
                with st.container(border=True):
                    schedule.reschedule_form(chosen.name, chosen, office, staff, user)
                with st.container(border=True):
                    schedule.cancel_form(chosen.name, chosen, user)
    if calls_tab.open:
        with calls_tab:
            _calls(calls, now, user)
    if timeline_tab.open:
        with timeline_tab:
            schedule.timeline(view, now)
    if week_tab.open:
        with week_tab:
            schedule.week(view)


def _calls(calls, now, user) -> None:
    preop.worklist(calls, now)
    case_id = preop.picked()
    if case_id is None:
        return
    case = open_case(case_detail, case_id, user, Screen.SCHEDULE)
    if case is None:
        return
    try:
        history = case_calls(case_id, scope=user.office_ids)
    except Exception as exc:
        show_failure(exc)
    else:
        preop.case_panel(case, history, user, calls.arrival_minutes)
