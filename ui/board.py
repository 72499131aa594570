"""Live status board widgets: the self-refreshing board body, stage badges, coloured tables.

The board body runs inside `st.fragment(run_every=...)`: every BOARD_REFRESH_SECONDS Streamlit
reruns that one function alone, not the app, so nothing else on the screen (the office choice,
the waiting-room switch, the navigation, anything typed elsewhere) is touched by a refresh.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from db.queries.board import OfficeBoard, board
from db.queries.home import OfficeRow, offices
from mild import messages
from mild.board import (
    BOARD_STAGES,
    ESCALATION_BADGE,
    PUBLIC_COLUMNS,
    STAGE_COLOURS,
    format_minutes,
    stage_colour,
)
from mild.cases import CaseStatus
from mild.days import to_local
from mild.escalations import Tier
from services import auth
from services.common import Actor, now_utc
from ui import forms
from ui.auth import DISPLAY_KEY, current_user
from ui.format import local_time, zone_abbreviation
from ui.safe import show_failure
from ui.schedule import keyed_table

BOARD_REFRESH_SECONDS = 15
PAST_LIMIT_CSS = "background-color: #b71c1c; color: #ffffff; font-weight: 600"
ALL_OFFICES = 0  # the office choice meaning "every office I work at"
DISPLAY_ERRORS = "board_display_errors"
_STAGE_BY_LABEL = {s.label: s for s in (*BOARD_STAGES, CaseStatus.CANCELLED)}


def choose_offices(offices: Sequence[OfficeRow]) -> list[OfficeRow]:
    """The office picker (one, or all of the user's offices); returns the offices to show."""
    names = {o.id: f"{o.name} ({o.code})" for o in offices}
    choice = st.selectbox(
        "Office",
        [ALL_OFFICES, *names],
        format_func=lambda i: names.get(i, "All my offices"),
        key="board_office",
    )
    return list(offices) if choice == ALL_OFFICES else [o for o in offices if o.id == choice]


def live_board(offices: Sequence[OfficeRow], *, scope: Collection[int], public: bool) -> None:
    """Draw the board and have Streamlit rerun just this part every BOARD_REFRESH_SECONDS."""
    refreshing = st.fragment(board_body, run_every=BOARD_REFRESH_SECONDS)
    refreshing(list(offices), frozenset(scope), public)


def board_body(offices: list[OfficeRow], scope: frozenset[int], public: bool) -> None:
    """One refresh: read today's boards fresh (two queries) and draw them."""
    if current_user() is None:  # signed out since the timer was set: show nothing
        return
    now = now_utc()
    try:
        boards = board(offices, now, scope=scope, public=public)
    except Exception as exc:
        show_failure(exc)
        return
    if public:
        st.caption(messages.BOARD_PUBLIC_NOTE)
    for office_board in boards:
        _draw_office(office_board, now)


def _draw_office(view: OfficeBoard, now) -> None:
    office = view.office
    with st.container(border=True, key=f"board_office_{office.code}"):
        st.subheader(f"{office.name} ({office.code})")
        stage_badges(view.cases)
        if view.cases.empty:
            st.caption(messages.NO_CASES_TODAY.format(office=office.name))
        else:
            keyed_table(
                f"board_cases_{office.code}",
                board_table(view.cases, office.timezone, public=view.public),
                column_config=_column_config(office.timezone, now),
            )
        codes = ", ".join(view.cancelled.code)
        st.caption(
            f"{CaseStatus.CANCELLED.label} ({len(view.cancelled)}): {codes}"
            if codes
            else messages.BOARD_NO_CANCELLED
        )
        if not view.escalations.empty:
            st.badge(
                f"Escalated to provider ({len(view.escalations)})",
                icon=":material/flag:",
                color=ESCALATION_BADGE,
            )
            late = int(view.escalations.past_limit.sum())
            if late:
                st.badge(
                    messages.BOARD_PAST_LIMIT.format(n=late), icon=":material/alarm:", color="red"
                )
            keyed_table(
                f"board_escalations_{office.code}",
                escalation_table(view.escalations, office.timezone),
            )
        tz = office.timezone
        clock = f"{to_local(tz, now):%H:%M:%S} {zone_abbreviation(tz, now)}"
        st.caption(messages.BOARD_UPDATED.format(time=clock, seconds=BOARD_REFRESH_SECONDS))


def stage_badges(cases: pd.DataFrame) -> None:
    """One coloured badge per stage with its count, in the order of the day."""
    counts = cases.stage.value_counts() if not cases.empty else {}
    with st.container(horizontal=True, gap="small"):
        for stage in BOARD_STAGES:
            st.badge(
                f"{stage.label}: {int(counts.get(stage.label, 0))}",
                color=STAGE_COLOURS[stage].badge,
            )


def board_table(cases: pd.DataFrame, tz_name: str, *, public: bool) -> Styler:
    """The rows a screen shows, stage cells coloured. In waiting-room mode only the case code
    and the stage leave this function, whatever columns came in."""
    if public:
        table = cases[[c for c in PUBLIC_COLUMNS if c != "office_id"]].rename(
            columns={"code": "Case", "stage": "Stage"}
        )
    else:
        table = pd.DataFrame(
            {
                "Start": [local_time(tz_name, t) for t in cases.scheduled_start],
                "Case": cases.code,
                "Patient": cases.patient,
                "Provider": cases.provider,
                "Stage": cases.stage,
                "In stage": [
                    format_minutes(None if pd.isna(m) else int(m)) for m in cases.in_stage_minutes
                ],
                "Escalation": cases.escalation,
            }
        )
    return table.reset_index(drop=True).style.map(_stage_css, subset=["Stage"])


def _stage_css(label: str) -> str:
    stage = _STAGE_BY_LABEL.get(label)
    return stage_colour(stage).css if stage else ""


def escalation_table(escalations: pd.DataFrame, tz_name: str) -> Styler:
    """Open escalations, the most urgent tier first, the tier in words; a row open past its
    tier's time limit is red."""
    table = pd.DataFrame(
        {
            "Case": escalations.code,
            "Tier": [Tier(t).label for t in escalations.tier],
            "Follow-up": escalations.kind,
            "Red flags": escalations.red_flags,
            "Since": [
                "" if pd.isna(t) else f"{t.tz_convert(tz_name):%a %d %b %H:%M %Z}"
                for t in pd.to_datetime(escalations.escalated_at, utc=True)
            ],
            "Past limit": ["Yes" if late else "" for late in escalations.past_limit],
            "Notified": escalations.notified,
        }
    ).reset_index(drop=True)
    late = list(escalations.past_limit)
    return table.style.apply(
        lambda row: [PAST_LIMIT_CSS if late[row.name] else ""] * len(row), axis=1
    )


def _column_config(tz_name: str, now) -> dict:
    return {
        "Start": st.column_config.TextColumn(f"Start ({zone_abbreviation(tz_name, now)})"),
        "Escalation": st.column_config.TextColumn("Escalation", help="Open red-flag escalation"),
    }


# --- the waiting-room display (kiosk) ----------------------------------------------------------


def display_offices() -> list[int]:
    """The offices this tab shows as a waiting-room display; empty when it is not one."""
    return list(st.session_state.get(DISPLAY_KEY) or [])


def start_display_button(user: Actor, shown: Sequence[OfficeRow]) -> None:
    """Turn this tab into the waiting-room display of the offices shown."""
    ids = [o.id for o in shown]

    def _start() -> None:
        forms.submit(lambda: auth.start_display(user, ids), errors_key=DISPLAY_ERRORS)
        if not forms.errors(DISPLAY_ERRORS):
            st.session_state[DISPLAY_KEY] = ids

    st.button(
        "Waiting-room display",
        key="board_display_start",
        icon=":material/tv:",
        help=messages.DISPLAY_START_HELP,
        on_click=_start,
        width="stretch",
    )
    forms.other_errors(DISPLAY_ERRORS, ())


def waiting_room_display(user: Actor) -> None:
    """The whole screen while the tab is a display: no navigation, no names, no way back to
    the staff screens without the password of the user who started it."""
    try:
        shown = offices([i for i in display_offices() if i in user.office_ids])
    except Exception as exc:
        show_failure(exc)
        shown = []
    st.title(messages.DISPLAY_TITLE)
    live_board(shown, scope=user.office_ids, public=True)
    with st.expander(messages.DISPLAY_EXIT_LABEL, icon=":material/lock:"):

        def _end() -> None:
            password = st.session_state.get("board_display_password", "")
            forms.submit(
                lambda: auth.end_display(user, password),
                errors_key=DISPLAY_ERRORS,
                success=messages.DISPLAY_OFF,
                clear={"board_display_password": ""},
            )
            if not forms.errors(DISPLAY_ERRORS):
                st.session_state.pop(DISPLAY_KEY, None)

        with st.form("board_display_exit", enter_to_submit=True, border=False):
            st.text_input(
                "Password",
                type="password",
                key="board_display_password",
                autocomplete="current-password",
            )
            st.form_submit_button("Leave the display", on_click=_end)
        forms.field_error(DISPLAY_ERRORS, "password")
        forms.other_errors(DISPLAY_ERRORS, ("password",))
