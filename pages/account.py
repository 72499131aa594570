"""My account: every signed-in user's own account, opened from the user bar: who is signed in,
and changing their own password (the other sessions then end)."""

from __future__ import annotations

import streamlit as st

from mild import messages
from mild.staff import Screen
from ui import forms
from ui.account import account_screen
from ui.auth import require


def render() -> None:
    user = require(Screen.ACCOUNT)
    st.title(messages.ACCOUNT_TITLE)
    forms.show_flash()
    account_screen(user)
