"""metrics screen (being built)."""

from __future__ import annotations

import streamlit as st

from mild.staff import Screen
from ui.auth import require


def render() -> None:
    require(Screen.METRICS)
    st.title("metrics")
