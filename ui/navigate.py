"""Opening another screen at a chosen record (a worklist row opens its case on the intake
screen). The router registers its pages each run; a screen then switches to another with the
widget state that picks the record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from mild.staff import Screen

_PAGES: dict[Screen, Any] = {}


def register(pages: Mapping[Screen, Any]) -> None:
    """The router's st.Page per screen (the same for every session: defined by code)."""
    _PAGES.update(pages)


def open_screen(screen: Screen, state: Mapping[str, Any]) -> None:
    """Set the widget state that picks the record, then switch to `screen`."""
    for key, value in state.items():
        st.session_state[key] = value
    page = _PAGES.get(screen)
    if page is not None:
        st.switch_page(page)


def link(screen: Screen, label: str, icon: str | None = None) -> None:
    """A link to `screen` (a real link: it opens in a new tab too), drawn where called."""
    page = _PAGES.get(screen)
    if page is not None:
        st.page_link(page, label=label, icon=icon)
