"""Live status board: today's cases by stage per office, refreshing by itself; a waiting-room
mode shows case codes and stages only."""

from __future__ import annotations

import streamlit as st

from mild.staff import Screen
from ui import board
from ui.auth import require, user_offices


def render() -> None:
    user = require(Screen.BOARD)
    st.title("Status board")
    mine = user_offices(user)
    if not mine:
        return
    pick, mode = st.columns([2, 1], vertical_alignment="bottom")
    with pick:
        shown = board.choose_offices(mine)
    public = mode.toggle(
        "Waiting-room mode",
        key="board_public",
        help="Case codes and stages only: no names, dates of birth or providers.",
    )
    # Everything above stays put; only the board below reruns on its timer.
    board.live_board(shown, scope=user.office_ids, public=public)
