"""Live status board: today's cases by stage per office with their alerts, refreshing by itself;
the tab can be turned into the waiting-room display of one office (waiting-room codes and
stages only, see dashboard.py)."""

from __future__ import annotations

import streamlit as st

from mild.staff import Screen
from ui import board, forms
from ui.auth import require, user_offices


def render() -> None:
    user = require(Screen.BOARD)
    st.title("Status board")
    mine = user_offices(user)
    if not mine:
        return
    forms.show_flash()
    pick, display = st.columns([2, 1], vertical_alignment="bottom")
    with pick:
        shown = board.choose_offices(mine)
    with display:
        board.start_display_button(user, shown)
    board.displays_on(user, mine)
    # Everything above stays put; only the board below reruns on its timer.
    board.live_board(shown, scope=user.office_ids, public=False)
