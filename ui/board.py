"""Live status board widgets: the office choice, the self-refreshing board body (drawn by
ui/board_view.py), and the waiting-room display.

The board body runs inside `st.fragment(run_every=...)`: every BOARD_REFRESH_SECONDS Streamlit
reruns that one function alone, not the app, so nothing else on the screen (the office choice,
the waiting-room switch, the navigation, anything typed elsewhere) is touched by a refresh.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Sequence
from urllib.parse import urlencode

import streamlit as st

from db.queries.board import OfficeBoard, board, running_displays
from db.queries.home import OfficeRow, offices
from mild import messages
from mild.days import to_local
from mild.staff import Screen
from services import auth, sessions
from services.common import Actor, now_utc
from ui import forms
from ui.auth import DISPLAY_KEY, SESSION_KEY, _user_agent, current_user, recheck_session
from ui.board_view import fold_label, office_markdown, overview_markdown
from ui.format import plain, zone_abbreviation
from ui.redirect import browser_to
from ui.safe import show_failure

BOARD_REFRESH_SECONDS = 15
ALL_OFFICES = 0  # the office choice meaning "every office I work at"
# From this many offices at once the board opens with an overview of them all and each office
# folded: 25 offices' tables were about 250 ms in the browser on every refresh (issue 12), and a
# page of 25 tables is read by scrolling, not at a glance.
OVERVIEW_FROM = 4
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
    """One refresh: read today's boards fresh (three queries) and draw them: each office one
    Markdown element, or, for many offices, the overview and a fold each."""
    user = current_user()
    if user is None:  # signed out since the timer was set: show nothing
        return
    if public:  # a display ended elsewhere (an admin, a colleague) leaves the screen at once
        recheck_session(user)
    now = now_utc()
    try:
        boards = board(offices, now, scope=scope, public=public)
    except Exception as exc:
        show_failure(exc)
        return
    if public:
        st.caption(messages.BOARD_PUBLIC_NOTE)
    if not public and len(boards) >= OVERVIEW_FROM:
        _overview(boards, now)
    else:
        for view in boards:
            _office(view, now)
    zones = dict.fromkeys(view.office.timezone for view in boards)
    clock = " / ".join(f"{to_local(tz, now):%H:%M:%S} {zone_abbreviation(tz, now)}" for tz in zones)
    if clock:
        st.caption(messages.BOARD_UPDATED.format(time=clock, seconds=BOARD_REFRESH_SECONDS))


def _office(view: OfficeBoard, now: dt.datetime) -> None:
    with st.container(border=True, key=f"board_office_{view.office.code}"):
        st.markdown(office_markdown(view, now))


def _overview(boards: list[OfficeBoard], now: dt.datetime) -> None:
    """Many offices: one table of them all (what needs a look is in its rows, in words and
    colour), then each office folded under its name, drawn once opened: each office's cases
    are paid on every refresh only while someone looks at them (issue 12). Nothing opens by
    itself: on the demo's evening every office had an escalation past its limit, and 25
    offices opened were the page this replaces. A fold's label and icon never change with the
    office's state: Streamlit 1.67 makes a fold whose label changed a new one, folded, so a
    case turning late would close the office a coordinator had opened."""
    st.caption(messages.BOARD_OVERVIEW.format(n=len(boards)))
    with st.container(border=True, key="board_overview"):
        st.markdown(overview_markdown(boards))
    for view in boards:
        fold = st.expander(
            fold_label(view),
            icon=":material/domain:",
            key=f"board_fold_{view.office.code}",
            on_change="rerun",
        )
        if fold.open:
            with fold:
                _office(view, now)


# --- the waiting-room display (kiosk) ----------------------------------------------------------


def display_offices() -> list[int]:
    """The offices this tab shows as a waiting-room display; empty when it is not one."""
    return list(st.session_state.get(DISPLAY_KEY) or [])


def start_display_button(user: Actor, shown: Sequence[OfficeRow]) -> None:
    """Turn this tab into the waiting-room display of the office shown (one office: with all
    of the user's offices chosen the button says to choose one)."""
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


def displays_on(user: Actor, mine: Sequence[OfficeRow]) -> None:
    """The waiting-room displays showing one of the user's offices, each with a button that
    ends it from here (a display whose starter has gone home need not wait for them)."""
    try:
        running = running_displays([o.id for o in mine])
    except Exception as exc:
        show_failure(exc)
        return
    names = {o.id: o.name for o in mine}
    for display in running:
        text, end = st.columns([5, 1], vertical_alignment="center")
        text.markdown(
            plain(
                messages.DISPLAY_RUNNING.format(
                    office=names[display.office_id], name=display.started_by
                )
            )
        )
        end.button(
            "End display",
            key=f"board_display_end_{display.session_id}",
            icon=":material/tv_off:",
            help=messages.DISPLAY_END_HELP,
            on_click=forms.submit,
            args=(functools.partial(auth.end_display_session, user, display.session_id),),
            kwargs={"errors_key": DISPLAY_ERRORS, "success": messages.DISPLAY_OFF},
            width="stretch",
        )


def waiting_room_display(user: Actor) -> None:
    """The whole screen while the tab is a display: no navigation, no names, large
    waiting-room codes; any staff member of the office ends it with their own password."""
    try:
        shown = offices([i for i in display_offices() if i in user.office_ids][:1])
    except Exception as exc:
        show_failure(exc)
        shown = []
    st.title(messages.DISPLAY_TITLE)
    live_board(shown, scope=user.office_ids, public=True)
    with st.expander(messages.DISPLAY_EXIT_LABEL, icon=":material/lock:"):
        with st.form("board_display_exit", enter_to_submit=True, border=False):
            # Never filled in: whose display it is stays off a screen patients look at.
            st.text_input(
                "Username",
                key="board_display_username",
                autocomplete="username",
                help=messages.DISPLAY_USERNAME_HELP,
            )
            st.text_input(
                "Password",
                type="password",
                key="board_display_password",
                autocomplete="current-password",
            )
            st.form_submit_button("Leave the display", on_click=_end_display, args=(user,))
        forms.field_error(DISPLAY_ERRORS, "password")
        forms.other_errors(DISPLAY_ERRORS, ("password",))


def _end_display(user: Actor) -> None:
    """The exit form's callback: back to the staff screens as the starter, or signed in as the
    staff member who ended it (a session of their own, as after the sign-in form)."""
    username = st.session_state.get("board_display_username", "")
    password = st.session_state.get("board_display_password", "")
    ender = forms.submit(
        lambda: auth.end_display(user, password, username),
        errors_key=DISPLAY_ERRORS,
        success=messages.DISPLAY_OFF,
    )
    # Emptied whatever the outcome: nothing typed stays on a screen patients look at.
    st.session_state["board_display_username"] = ""
    st.session_state["board_display_password"] = ""
    if ender is None:
        return
    st.session_state.pop(DISPLAY_KEY, None)
    if ender.id == user.id:
        return
    started = forms.submit(
        lambda: sessions.start(ender, user_agent=_user_agent()), errors_key=DISPLAY_ERRORS
    )
    if started is None:  # the display has ended all the same: the sign-in form comes next
        st.session_state.pop(SESSION_KEY, None)
        return
    # Another person's session: nothing the starter left in this tab (picked cases, filters,
    # a locked screen's kept values) carries over, as after a sign-out and a sign-in.
    said = st.session_state.get(forms.FLASH_KEY)
    st.session_state.clear()
    if said:
        st.session_state[forms.FLASH_KEY] = said
    st.session_state[SESSION_KEY] = started.actor
    next_path = f"/{Screen.BOARD.value}"
    browser_to(
        f"/session/adopt?{urlencode({'ticket': started.ticket, 'next': next_path})}",
        rerun_follows=True,
    )
