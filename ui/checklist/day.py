"""The day's cases at the nurse's office: the office picker, the case picker, and the table with
status and progress, a row of which opens its case; once a case is open the table folds away
(drawn only when opened again) so the case starts near the top of a tablet's screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from db.queries.home import OfficeRow
from mild import messages
from mild.cases import CaseStatus
from ui import forms
from ui.format import local_time, plain, zone_abbreviation


def choose_office(offices: Sequence[OfficeRow]) -> OfficeRow:
    """The office whose day is shown: the nurse's first office unless she picks another."""
    if len(offices) == 1:
        st.text(f"{offices[0].name} ({offices[0].code})")
        return offices[0]
    return st.selectbox(
        "Office", offices, format_func=lambda o: f"{o.name} ({o.code})", key="dayof_office"
    )


def case_label(row: Any, timezone: str) -> str:
    """One case in the picker, as plain text (a typed name is never formatted).

    The label must not change while the case is open: the browser keeps the selected label, and
    a label that changed with each tick (status, progress) would close the case after a tick.
    Status and progress are in the table above.
    """
    return f"{local_time(timezone, row.scheduled_start)} · {row.patient} · {row.code}"


def case_key(office: OfficeRow) -> str:
    """The case picker of the office's day: the case open, or None."""
    return f"dayof_case_{office.id}"


def day_table(
    office: OfficeRow, cases: pd.DataFrame, now: dt.datetime, *, case_open: int | None
) -> None:
    """The day's cases, a row of which opens its case. Open while no case is; folded (and not
    drawn) once one is, a fold of its own for each case opened (a new case starts folded)."""
    box = st.expander(
        # A constant label: Streamlit 1.67 makes a fold whose label changed a new one, folded
        # (a booking added would close the table the nurse opened).
        messages.DAY_TABLE.format(office=plain(office.name)),
        expanded=case_open is None,
        icon=":material/view_list:",
        key=f"dayof_day_{office.id}_{case_open or 'none'}",
        on_change="rerun",
    )
    if not box.open:
        return
    table = pd.DataFrame(
        {
            "time": [local_time(office.timezone, t) for t in cases.scheduled_start],
            "code": cases.code,
            "patient": cases.patient,
            "status": [CaseStatus(s).label for s in cases.status],
            "progress": [
                f"{d}/{a}" for d, a in zip(cases.steps_done, cases.steps_applicable, strict=True)
            ],
        }
    )
    ids = [int(i) for i in cases.case_id]
    key = f"dayof_cases_{office.code}"

    def open_row() -> None:
        # A tap on the row's box selects the row, a tap on any of its cells that cell: either
        # opens the case.
        selection = st.session_state[key].selection
        chosen = selection.rows or [row for row, _column in selection.cells]
        if chosen:
            st.session_state[case_key(office)] = ids[chosen[0]]

    with box:
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "time": f"Start ({zone_abbreviation(office.timezone, now)})",
                "code": "Case",
                "patient": "Patient",
                "status": "Status",
                "progress": "Steps done",
            },
            key=key,
            on_select=open_row,
            selection_mode=["single-row", "single-cell"],
            row_height=44,  # a row is a tap target (ui.style: 44 px)
        )


def choose_case(office: OfficeRow, cases: pd.DataFrame) -> int | None:
    """The case picker (typing finds a case by name or code), with the reload beside it."""
    labels = {int(r.case_id): case_label(r, office.timezone) for r in cases.itertuples()}
    if st.session_state.get(case_key(office)) not in labels:
        st.session_state.pop(case_key(office), None)  # a case no longer on today's list
    choose, reload = st.columns([4, 1], vertical_alignment="bottom")
    picked = choose.selectbox(
        "Open a case",
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        placeholder=messages.CHOOSE_A_CASE,
        key=case_key(office),
    )
    # Every run reads the case fresh; the button is for a nurse who wants to see others' ticks.
    reload.button("Reload", key="dayof_reload", icon=":material/refresh:", width="stretch")
    return picked


def show_flash() -> None:
    """The last action's confirmation as a toast: seen wherever on the list the nurse is."""
    message = st.session_state.pop(forms.FLASH_KEY, None)
    if message:
        st.toast(message, icon=":material/check_circle:")
