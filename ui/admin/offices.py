"""The admin screen's offices tab: add, rename, time zone, phone, deactivate."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.queries.admin import (
    AdminOffice,
    admin_offices,
)
from mild import messages
from mild.admin import (
    DEFAULT_TIMEZONE,
)
from services import staff
from services.common import Actor
from ui import forms
from ui.admin import common


def offices_tab(user: Actor) -> None:
    rows = common.load(admin_offices)
    if rows is None:
        return
    common.table(
        "admin_offices_table",
        pd.DataFrame(
            {
                "Code": [o.code for o in rows],
                "Name": [o.name for o in rows],
                "Time zone": [o.timezone for o in rows],
                "Phone for patients": [o.phone or "" for o in rows],
                "Active": ["Yes" if o.active else "No" for o in rows],
                "Staff": [o.staff for o in rows],
                "Open cases": [o.open_cases for o in rows],
            }
        ),
    )
    with st.expander("Add an office", icon=":material/add_business:", expanded=not rows):
        _new_office(user)
    if not rows:
        return
    st.subheader("Change an office")
    by_id = {o.id: o for o in rows}
    office_id = st.selectbox(
        "Office",
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].code} · {by_id[i].name}" + ("" if by_id[i].active else " (deactivated)")
        ),
        key="admin_office_pick",
    )
    if office_id is not None:
        _office_editor(by_id[office_id], user)


def _new_office(user: Actor) -> None:
    errors = "admin_office_new_errors"
    code, name = st.columns([1, 2])
    with code:
        st.text_input("Code", key="admin_office_new_code", max_chars=12, placeholder="e.g. NTH")
        forms.field_error(errors, "code")
    with name:
        st.text_input("Name", key="admin_office_new_name", max_chars=120)
        forms.field_error(errors, "name")
    if "admin_office_new_tz" not in st.session_state:
        st.session_state["admin_office_new_tz"] = DEFAULT_TIMEZONE
    common.timezone_picker("Time zone", "admin_office_new_tz", None)
    forms.field_error(errors, "timezone")
    st.text_input(messages.ADMIN_OFFICE_PHONE_LABEL, key="admin_office_new_phone", max_chars=40)
    forms.field_error(errors, "phone")
    st.caption(messages.ADMIN_OFFICE_CODE_HELP)

    def add() -> None:
        state = st.session_state
        forms.submit(
            lambda: staff.create_office(
                state.get("admin_office_new_code", ""),
                state.get("admin_office_new_name", ""),
                state.get("admin_office_new_tz") or "",
                phone=state.get("admin_office_new_phone", ""),
                actor=user,
            ),
            errors_key=errors,
            success=messages.ADMIN_OFFICE_CREATED,
            clear={
                "admin_office_new_code": "",
                "admin_office_new_name": "",
                "admin_office_new_phone": "",
            },
        )

    common.button("Add office", "admin_office_add", add, primary=True)
    forms.other_errors(errors, ["code", "name", "timezone", "phone"])


def _office_editor(office: AdminOffice, user: Actor) -> None:
    errors = f"admin_office_errors_{office.id}"
    key = f"admin_office_{office.id}"
    with st.container(border=True, key=key):
        st.text_input("Name", value=office.name, key=f"{key}_name", max_chars=120)
        forms.field_error(errors, "name")
        common.timezone_picker("Time zone", f"{key}_tz", office.timezone)
        forms.field_error(errors, "timezone")
        st.caption(messages.ADMIN_TIMEZONE_CHANGE_HELP)
        st.text_input(
            messages.ADMIN_OFFICE_PHONE_LABEL,
            value=office.phone or "",
            key=f"{key}_phone",
            max_chars=40,
        )
        forms.field_error(errors, "phone")

        def save() -> None:
            state = st.session_state
            forms.submit(
                lambda: staff.update_office(
                    office.id,
                    state.get(f"{key}_name", ""),
                    state.get(f"{key}_tz") or "",
                    phone=state.get(f"{key}_phone", ""),
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_OFFICE_SAVED.format(code=office.code),
            )

        common.button("Save office", f"{key}_save", save, primary=True)

        st.divider()
        if office.active:
            st.caption(messages.ADMIN_OFFICE_DEACTIVATE_HELP)
            if office.open_cases:
                st.caption(messages.ADMIN_OFFICE_OPEN_CASES.format(n=office.open_cases))
            label, success = "Deactivate office", messages.ADMIN_OFFICE_DEACTIVATED
        else:
            st.caption(messages.ADMIN_OFFICE_INACTIVE_HELP)
            label, success = "Reactivate office", messages.ADMIN_OFFICE_REACTIVATED

        common.act(
            label,
            f"{key}_active",
            lambda: staff.set_office_active(office.id, not office.active, actor=user),
            errors=errors,
            success=success.format(code=office.code),
        )
        forms.field_error(errors, "active")
        forms.other_errors(errors, ["name", "timezone", "phone", "active"])
