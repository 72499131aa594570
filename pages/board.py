"""Live status board: today's cases by stage per office, refreshing by itself; the tab can be
turned into a waiting-room display (case codes and stages only, see dashboard.py)."""

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
    # Everything above stays put; only the board below reruns on its timer.
    board.live_board(shown, scope=user.office_ids, public=False)
