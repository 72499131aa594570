"""Home: today at a glance for the offices the signed-in user works at."""

from __future__ import annotations

import streamlit as st

from db.queries.home import today_overview
from mild import messages
from mild.cases import DAY_OF_STATUSES, PATHWAY, CaseStatus
from mild.staff import Screen
from services.common import now_utc
from ui.auth import require
from ui.format import local_time, status_label, zone_abbreviation
from ui.safe import show_failure

BOARD = [s for s in PATHWAY if s in DAY_OF_STATUSES] + [CaseStatus.CANCELLED]


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
    for day in overview:
        office = day.office
        with st.container(border=True, key=f"home_office_{office.code}"):
            st.subheader(f"{office.name} ({office.code})")
            for column, status in zip(st.columns(len(BOARD)), BOARD, strict=True):
                column.metric(status.label, day.counts.get(status, 0))
            # A row of its own: eight metrics in one row cut their labels short on a tablet.
            due, overdue, _ = st.columns(3)
            due.metric("Follow-ups due", day.follow_ups_due)
            overdue.metric("Follow-ups overdue", day.follow_ups_overdue)
            if day.cases.empty:
                st.caption(messages.NO_CASES_TODAY.format(office=office.name))
                continue
            table = day.cases.assign(
                time=[local_time(office.timezone, t) for t in day.cases.scheduled_start],
                status=[status_label(s) for s in day.cases.status],
            )[["time", "code", "patient", "provider", "status", "planned_minutes"]]
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                column_config={
                    "time": f"Start ({zone_abbreviation(office.timezone, now)})",
                    "code": "Case",
                    "patient": "Patient",
                    "provider": "Provider",
                    "status": "Status",
                    "planned_minutes": st.column_config.NumberColumn("Planned", format="%d min"),
                },
                key=f"home_cases_{office.code}",
            )
