"""The admin screen's users tab: add, role and offices, sign-on email, password reset, disable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.queries.admin import (
    AdminProvider,
    AdminUser,
    admin_offices,
    admin_providers,
    admin_users,
    practice_timezone,
)
from mild import messages
from mild.staff import Role
from services import staff
from services.common import Actor, now_utc
from ui import forms
from ui.admin import common
from ui.format import zone_abbreviation


def users_tab(user: Actor) -> None:
    now = now_utc()
    loaded = common.load(
        lambda: (
            admin_users(now, common.active_since(now)),
            admin_offices(),
            practice_timezone(),
            admin_providers(),
        )
    )
    if loaded is None:
        return
    rows, offices, tz, providers = loaded
    zone = zone_abbreviation(tz, now)
    common.table(
        "admin_users_table",
        pd.DataFrame(
            {
                "Username": [u.username for u in rows],
                "Name": [u.display_name for u in rows],
                "Role": [
                    f"{u.role.label} ({u.provider})" if u.provider else u.role.label for u in rows
                ],
                "Offices": [
                    "every office"
                    if u.role == Role.ADMIN and not u.office_codes
                    else ", ".join(u.office_codes)
                    for u in rows
                ],
                "Active": ["Yes" if u.active else "Disabled" for u in rows],
                f"Last sign-in ({zone})": [common.when(tz, u.last_sign_in) for u in rows],
                "Open sessions": [u.open_sessions for u in rows],
                f"Locked until ({zone})": [common.when(tz, u.locked_until) for u in rows],
                "Single sign-on email": [u.email or "" for u in rows],
            }
        ),
    )
    active_codes = [o.code for o in offices if o.active]
    with st.expander("Add a user", icon=":material/person_add:"):
        _new_user(user, active_codes, [p for p in providers if p.active])
    if not rows:
        return
    st.subheader("Change a user")
    by_id = {u.id: u for u in rows}
    user_id = st.selectbox(
        "User",
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].username} · {by_id[i].display_name} "
            f"({by_id[i].role.label}{'' if by_id[i].active else ', disabled'})"
        ),
        key="admin_user_pick",
    )
    if user_id is not None:
        _user_editor(by_id[user_id], user, active_codes)


def _password_pair(key: str, errors: str) -> None:
    first, second = st.columns(2)
    with first:
        st.text_input(
            "Temporary password",
            type="password",
            key=f"{key}_password",
            autocomplete="new-password",
        )
        forms.field_error(errors, "password")
    with second:
        st.text_input(
            "Repeat the password", type="password", key=f"{key}_repeat", autocomplete="new-password"
        )
        forms.field_error(errors, "repeat")


NEW_USER_KEYS = {
    "admin_user_new_username": "",
    "admin_user_new_name": "",
    "admin_user_new_role": None,
    "admin_user_new_offices": [],
    "admin_user_new_provider": None,
    "admin_user_new_email": "",
    "admin_user_new_password": "",
    "admin_user_new_repeat": "",
}


def _new_user(user: Actor, office_codes: list[str], providers: list[AdminProvider]) -> None:
    errors = "admin_user_new_errors"
    username, name = st.columns(2)
    with username:
        st.text_input("Username", key="admin_user_new_username", max_chars=40)
        forms.field_error(errors, "username")
    with name:
        st.text_input("Full name", key="admin_user_new_name", max_chars=120)
        forms.field_error(errors, "display_name")
    if "username" not in forms.errors(errors):  # the refusal above says the same
        st.caption(messages.USERNAME_FORMAT)
    role, offices = st.columns([1, 2])
    with role:
        st.selectbox(
            "Role",
            common.ROLES,
            index=None,
            format_func=lambda r: r.label,
            key="admin_user_new_role",
            placeholder="Choose a role",
        )
        forms.field_error(errors, "role")
    with offices:
        if st.session_state.get("admin_user_new_role") == Role.PROVIDER:
            _provider_pick(providers, errors)
        else:
            st.multiselect(
                "Offices", office_codes, key="admin_user_new_offices", placeholder="Choose offices"
            )
            forms.field_error(errors, "offices")
    _password_pair("admin_user_new", errors)
    st.caption(messages.ADMIN_TEMPORARY_PASSWORD_HELP)
    st.text_input("Single sign-on email (optional)", key="admin_user_new_email", max_chars=254)
    forms.field_error(errors, "email")

    def add() -> None:
        state = st.session_state
        provider = state.get("admin_user_new_role") == Role.PROVIDER
        forms.submit(
            lambda: staff.create_user(
                state.get("admin_user_new_username", ""),
                state.get("admin_user_new_name", ""),
                state.get("admin_user_new_password", ""),
                state.get("admin_user_new_role"),
                [] if provider else list(state.get("admin_user_new_offices") or []),
                actor=user,
                email=state.get("admin_user_new_email", ""),
                repeat=state.get("admin_user_new_repeat", ""),
                provider_id=state.get("admin_user_new_provider") if provider else None,
            ),
            errors_key=errors,
            success=messages.ADMIN_USER_CREATED,
            clear=NEW_USER_KEYS,
        )

    common.button("Add user", "admin_user_add", add, primary=True)
    forms.other_errors(
        errors,
        ["username", "display_name", "role", "offices", "provider", "password", "repeat", "email"],
    )


def _provider_pick(providers: list[AdminProvider], errors: str) -> None:
    """A provider's sign-in is for one provider; their office comes with them."""
    names = {p.id: f"{p.name} ({p.office_code})" for p in providers}
    st.selectbox(
        "Provider",
        list(names),
        index=None,
        format_func=names.get,
        key="admin_user_new_provider",
        placeholder="Choose the provider",
    )
    forms.field_error(errors, "provider")
    st.caption(messages.PROVIDER_SIGN_IN_HELP)


def _user_editor(target: AdminUser, user: Actor, office_codes: list[str]) -> None:
    key = f"admin_user_{target.id}"
    _account(target, user, office_codes, key)
    _sso_email(target, user, key)
    _password_reset(target, user, key)
    _disable_or_enable(target, user, key)


def _account(target: AdminUser, user: Actor, office_codes: list[str], key: str) -> None:
    errors = f"{key}_errors"
    with st.container(border=True, key=f"{key}_account"):
        st.markdown("**Name, role and offices**")
        st.text_input("Full name", value=target.display_name, key=f"{key}_name", max_chars=120)
        forms.field_error(errors, "display_name")
        role, offices = st.columns([1, 2])
        with role:
            st.selectbox(
                "Role",
                common.ROLES,
                index=common.ROLES.index(target.role),
                format_func=lambda r: r.label,
                key=f"{key}_role",
            )
            forms.field_error(errors, "role")
        with offices:
            choices = sorted({*office_codes, *target.office_codes})
            st.multiselect(
                "Offices",
                choices,
                default=list(target.office_codes),
                key=f"{key}_offices",
                placeholder="Choose offices",
            )
            forms.field_error(errors, "offices")
        if target.role == Role.ADMIN:
            st.caption(messages.ADMIN_OFFICES_FOR_ADMIN)
        if target.id == user.id:
            st.caption(messages.ADMIN_YOUR_OWN_ACCOUNT)

        def save() -> None:
            state = st.session_state
            forms.submit(
                lambda: staff.update_user(
                    target.id,
                    display_name=state.get(f"{key}_name", ""),
                    role=state.get(f"{key}_role"),
                    office_codes=list(state.get(f"{key}_offices") or []),
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_USER_SAVED.format(username=target.username),
            )

        common.button("Save name, role and offices", f"{key}_save", save, primary=True)
        forms.other_errors(errors, ["display_name", "role", "offices"])


def _sso_email(target: AdminUser, user: Actor, key: str) -> None:
    errors = f"{key}_email_errors"
    with st.container(border=True, key=f"{key}_sso"):
        st.markdown("**Single sign-on email**")
        # Seeded once, not passed as value=: "Clear email" sets the key itself.
        st.session_state.setdefault(f"{key}_email", target.email or "")
        st.text_input(
            "Email the identity provider signs them in with", key=f"{key}_email", max_chars=254
        )
        forms.field_error(errors, "email")
        st.caption(messages.ADMIN_EMAIL_HELP)

        def save(value: str | None = None) -> None:
            state = st.session_state
            forms.submit(
                lambda: staff.set_email(
                    target.id,
                    state.get(f"{key}_email", "") if value is None else value,
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_EMAIL_SAVED.format(username=target.username),
                clear={} if value is None else {f"{key}_email": value},
            )

        save_col, clear_col = st.columns(2)
        with save_col:
            common.button("Save email", f"{key}_email_save", save)
        if target.email:
            with clear_col:
                common.button("Clear email", f"{key}_email_clear", lambda: save(""))
        forms.other_errors(errors, ["email"])


def _password_reset(target: AdminUser, user: Actor, key: str) -> None:
    errors = f"{key}_password_errors"
    with st.container(border=True, key=f"{key}_reset"):
        st.markdown("**Reset password**")
        _password_pair(key, errors)
        st.caption(messages.ADMIN_RESET_HELP)

        def reset() -> None:
            state = st.session_state
            forms.submit(
                lambda: staff.reset_password(
                    target.id,
                    state.get(f"{key}_password", ""),
                    state.get(f"{key}_repeat", ""),
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_PASSWORD_RESET.format(username=target.username),
                clear={f"{key}_password": "", f"{key}_repeat": ""},
            )

        common.button("Set temporary password", f"{key}_reset_save", reset)
        forms.other_errors(errors, ["password", "repeat"])


def _disable_or_enable(target: AdminUser, user: Actor, key: str) -> None:
    errors = f"{key}_active_errors"
    with st.container(border=True, key=f"{key}_status"):
        if target.id == user.id:
            # No button that could only be refused: say why instead.
            st.caption(messages.CANNOT_DISABLE_SELF)
            return
        if target.active:
            st.markdown("**Disable the account**")
            st.caption(messages.ADMIN_DISABLE_HELP.format(n=target.open_sessions))
            label, success = "Disable account", messages.ADMIN_USER_DISABLED
        else:
            st.markdown("**Enable the account**")
            st.caption(messages.ADMIN_ENABLE_HELP)
            label, success = "Enable account", messages.ADMIN_USER_ENABLED

        common.act(
            label,
            f"{key}_active",
            lambda: staff.set_user_active(target.id, not target.active, actor=user),
            errors=errors,
            success=success.format(username=target.username),
        )
        forms.other_errors(errors, [])
