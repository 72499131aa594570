"""Live status board widgets: the office choice, the self-refreshing board body (drawn by
ui/board_view.py), and the waiting-room display.

The board body runs inside `st.fragment(run_every=...)`: every BOARD_REFRESH_SECONDS Streamlit
reruns that one function alone, not the app, so nothing else on the screen (the office choice,
the waiting-room switch, the navigation, anything typed elsewhere) is touched by a refresh.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st

from db.queries.board import board
from db.queries.home import OfficeRow, offices
from mild import messages
from mild.days import to_local
from services import auth
from services.common import Actor, now_utc
from ui import forms
from ui.auth import DISPLAY_KEY, current_user
from ui.board_view import office_markdown
from ui.format import zone_abbreviation
from ui.safe import show_failure

BOARD_REFRESH_SECONDS = 15
ALL_OFFICES = 0  # the office choice meaning "every office I work at"
DISPLAY_ERRORS = "board_display_errors"


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
    """One refresh: read today's boards fresh (two queries) and draw them, one element each."""
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
    for view in boards:
        with st.container(border=True, key=f"board_office_{view.office.code}"):
            st.markdown(office_markdown(view, now))
    zones = dict.fromkeys(view.office.timezone for view in boards)
    clock = " / ".join(f"{to_local(tz, now):%H:%M:%S} {zone_abbreviation(tz, now)}" for tz in zones)
    if clock:
        st.caption(messages.BOARD_UPDATED.format(time=clock, seconds=BOARD_REFRESH_SECONDS))


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
