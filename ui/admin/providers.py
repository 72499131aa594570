"""The admin screen's providers tab: the physicians at each office, with the email and phone
escalations reach; add one, change name or contact, deactivate (refused while cases are booked
with them) or bring back. Every change audited."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.queries.admin import AdminProvider, admin_offices, admin_providers
from mild import messages
from services import staff
from services.common import Actor
from ui import forms
from ui.admin import common

FIELDS = ("office", "name", "email", "phone", "active")


def providers_tab(user: Actor) -> None:
    loaded = common.load(lambda: (admin_providers(), admin_offices()))
    if loaded is None:
        return
    rows, offices = loaded
    st.caption(messages.ADMIN_PROVIDERS_HELP)
    common.table(
        "admin_providers_table",
        pd.DataFrame(
            {
                "Office": [p.office_code for p in rows],
                "Name": [p.name for p in rows],
                "Email": [p.email or "" for p in rows],
                "Phone": [p.phone or "" for p in rows],
                "Active": ["Yes" if p.active else "No" for p in rows],
                "Cases to come": [p.upcoming for p in rows],
            }
        ),
    )
    active_offices = {o.id: o for o in offices if o.active}
    with st.expander("Add a provider", icon=":material/person_add:", expanded=not rows):
        _new_provider(active_offices, user)
    if not rows:
        return
    st.subheader("Change a provider")
    by_id = {p.id: p for p in rows}
    provider_id = st.selectbox(
        "Provider",
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].office_code} · {by_id[i].name}"
            + ("" if by_id[i].active else " (deactivated)")
        ),
        key="admin_provider_pick",
    )
    if provider_id is not None:
        _editor(by_id[provider_id], user)


def _contact_inputs(key: str, errors: str, email: str = "", phone: str = "") -> None:
    left, right = st.columns(2)
    with left:
        st.text_input("Email", value=email, key=f"{key}_email", max_chars=254)
        forms.field_error(errors, "email")
    with right:
        st.text_input("Phone", value=phone, key=f"{key}_phone", max_chars=40)
        forms.field_error(errors, "phone")


def _new_provider(offices: dict, user: Actor) -> None:
    errors, key = "admin_provider_new_errors", "admin_provider_new"
    common.office_picker(offices, f"{key}_office", errors)
    st.text_input("Name", key=f"{key}_name", max_chars=120, placeholder="e.g. Dr. Ana Ames")
    forms.field_error(errors, "name")
    _contact_inputs(key, errors)

    def add() -> None:
        state = st.session_state
        office_id = state.get(f"{key}_office")
        forms.submit(
            lambda: staff.create_provider(
                office_id if office_id is not None else 0,
                state.get(f"{key}_name", ""),
                email=state.get(f"{key}_email", ""),
                phone=state.get(f"{key}_phone", ""),
                actor=user,
            ),
            errors_key=errors,
            success=messages.ADMIN_PROVIDER_CREATED,
            clear={f"{key}_name": "", f"{key}_email": "", f"{key}_phone": ""},
        )

    common.button("Add provider", f"{key}_add", add, primary=True)
    forms.other_errors(errors, FIELDS)


def _editor(provider: AdminProvider, user: Actor) -> None:
    errors, key = f"admin_provider_errors_{provider.id}", f"admin_provider_{provider.id}"
    with st.container(border=True, key=key):
        st.text_input("Name", value=provider.name, key=f"{key}_name", max_chars=120)
        forms.field_error(errors, "name")
        _contact_inputs(key, errors, provider.email or "", provider.phone or "")

        def save() -> None:
            state = st.session_state
            forms.submit(
                lambda: staff.update_provider(
                    provider.id,
                    state.get(f"{key}_name", ""),
                    email=state.get(f"{key}_email", ""),
                    phone=state.get(f"{key}_phone", ""),
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_PROVIDER_SAVED.format(name=provider.name),
            )

        common.button("Save provider", f"{key}_save", save, primary=True)
        st.divider()
        label = "Deactivate provider" if provider.active else "Reactivate provider"
        done = (
            messages.ADMIN_PROVIDER_DEACTIVATED
            if provider.active
            else messages.ADMIN_PROVIDER_REACTIVATED
        )
        common.act(
            label,
            f"{key}_active",
            lambda: staff.set_provider_active(provider.id, not provider.active, actor=user),
            errors=errors,
            success=done.format(name=provider.name),
        )
        forms.field_error(errors, "active")
        forms.other_errors(errors, FIELDS)
