"""Widgets of the admin screen: offices, users, open sessions and the medication hold table.

Every write goes through services.staff / services.admin via ui.forms (refusals beside their
field, what the admin typed kept). Names people typed (offices, display names, instructions)
are shown in tables or with st.text, never as markdown. Widget keys start with `admin_`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import groupby

import pandas as pd
import streamlit as st

from db.queries.admin import (
    AdminOffice,
    AdminUser,
    HoldRuleView,
    OpenSession,
    admin_offices,
    admin_users,
    hold_rules,
    open_sessions,
    practice_timezone,
)
from mild import messages
from mild.admin import (
    DEFAULT_TIMEZONE,
    HOLD_DAYS_MAX,
    TABLE_CLASSES,
    browser_label,
    timezone_names,
)
from mild.days import to_local
from mild.medications import CLASS_LABELS, MedClass
from mild.staff import Role
from services import admin, sessions, staff
from services.common import Actor, now_utc
from ui import forms
from ui.format import zone_abbreviation
from ui.safe import show_failure

ROLES = list(Role)


def _button(label: str, key: str, on_click: Callable[[], None], primary: bool = False) -> None:
    st.button(
        label,
        key=key,
        on_click=on_click,
        type="primary" if primary else "secondary",
        width="stretch",
    )


def _act(label: str, key: str, action: Callable[[], object], *, errors: str, success: str) -> None:
    """A button that runs one service call, its refusal kept under `errors`."""
    _button(label, key, lambda: forms.submit(action, errors_key=errors, success=success))


def _when(tz: str, moment: dt.datetime | None) -> str:
    """A moment in the practice's zone, short enough for a table cell (the zone is named in the
    column header or the caption)."""
    return "" if moment is None else f"{to_local(tz, moment):%d %b %Y %H:%M}"


def _active_since(now: dt.datetime) -> dt.datetime:
    """Sessions idle longer than the policy allows are over (they end at their next request)."""
    return now - sessions.policy().idle


def _table(key: str, frame: pd.DataFrame) -> None:
    """A full-width table in a container named `key` (tests and styles find it by that)."""
    with st.container(key=key):
        st.dataframe(frame, hide_index=True, width="stretch")


def _load(read: Callable[[], object]) -> object | None:
    """A read for one tab; on failure the reason is shown and None returned."""
    try:
        return read()
    except Exception as exc:
        show_failure(exc)
        return None


def _timezone_picker(label: str, key: str, current: str | None) -> str | None:
    names = list(timezone_names())
    if current and current not in names:
        names.insert(0, current)  # an older name the picker no longer lists: keep it choosable
    return st.selectbox(
        label,
        names,
        index=names.index(current) if current in names else None,
        key=key,
        placeholder="Type to search, e.g. Chicago",
    )


# --- offices ----------------------------------------------------------------------------------


def offices_tab(user: Actor) -> None:
    rows = _load(admin_offices)
    if rows is None:
        return
    _table(
        "admin_offices_table",
        pd.DataFrame(
            {
                "Code": [o.code for o in rows],
                "Name": [o.name for o in rows],
                "Time zone": [o.timezone for o in rows],
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
    _timezone_picker("Time zone", "admin_office_new_tz", None)
    forms.field_error(errors, "timezone")
    st.caption(messages.ADMIN_OFFICE_CODE_HELP)

    def add() -> None:
        state = st.session_state
        forms.submit(
            lambda: staff.create_office(
                state.get("admin_office_new_code", ""),
                state.get("admin_office_new_name", ""),
                state.get("admin_office_new_tz") or "",
                actor=user,
            ),
            errors_key=errors,
            success=messages.ADMIN_OFFICE_CREATED,
            clear={"admin_office_new_code": "", "admin_office_new_name": ""},
        )

    _button("Add office", "admin_office_add", add, primary=True)
    forms.other_errors(errors, ["code", "name", "timezone"])


def _office_editor(office: AdminOffice, user: Actor) -> None:
    errors = f"admin_office_errors_{office.id}"
    key = f"admin_office_{office.id}"
    with st.container(border=True, key=key):
        st.text_input("Name", value=office.name, key=f"{key}_name", max_chars=120)
        forms.field_error(errors, "name")
        _timezone_picker("Time zone", f"{key}_tz", office.timezone)
        forms.field_error(errors, "timezone")
        st.caption(messages.ADMIN_TIMEZONE_CHANGE_HELP)

        def save() -> None:
            state = st.session_state
            forms.submit(
                lambda: staff.update_office(
                    office.id,
                    state.get(f"{key}_name", ""),
                    state.get(f"{key}_tz") or "",
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_OFFICE_SAVED.format(code=office.code),
            )

        _button("Save office", f"{key}_save", save, primary=True)

        st.divider()
        if office.active:
            st.caption(messages.ADMIN_OFFICE_DEACTIVATE_HELP)
            if office.open_cases:
                st.caption(messages.ADMIN_OFFICE_OPEN_CASES.format(n=office.open_cases))
            label, success = "Deactivate office", messages.ADMIN_OFFICE_DEACTIVATED
        else:
            st.caption(messages.ADMIN_OFFICE_INACTIVE_HELP)
            label, success = "Reactivate office", messages.ADMIN_OFFICE_REACTIVATED

        _act(
            label,
            f"{key}_active",
            lambda: staff.set_office_active(office.id, not office.active, actor=user),
            errors=errors,
            success=success.format(code=office.code),
        )
        forms.field_error(errors, "active")
        forms.other_errors(errors, ["name", "timezone", "active"])


# --- users ------------------------------------------------------------------------------------


def users_tab(user: Actor) -> None:
    now = now_utc()
    loaded = _load(
        lambda: (admin_users(now, _active_since(now)), admin_offices(), practice_timezone())
    )
    if loaded is None:
        return
    rows, offices, tz = loaded
    zone = zone_abbreviation(tz, now)
    _table(
        "admin_users_table",
        pd.DataFrame(
            {
                "Username": [u.username for u in rows],
                "Name": [u.display_name for u in rows],
                "Role": [u.role.label for u in rows],
                "Offices": [
                    "every office"
                    if u.role == Role.ADMIN and not u.office_codes
                    else ", ".join(u.office_codes)
                    for u in rows
                ],
                "Active": ["Yes" if u.active else "Disabled" for u in rows],
                f"Last sign-in ({zone})": [_when(tz, u.last_sign_in) for u in rows],
                "Open sessions": [u.open_sessions for u in rows],
                f"Locked until ({zone})": [_when(tz, u.locked_until) for u in rows],
                "Single sign-on email": [u.email or "" for u in rows],
            }
        ),
    )
    active_codes = [o.code for o in offices if o.active]
    with st.expander("Add a user", icon=":material/person_add:"):
        _new_user(user, active_codes)
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
    "admin_user_new_email": "",
    "admin_user_new_password": "",
    "admin_user_new_repeat": "",
}


def _new_user(user: Actor, office_codes: list[str]) -> None:
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
            ROLES,
            index=None,
            format_func=lambda r: r.label,
            key="admin_user_new_role",
            placeholder="Choose a role",
        )
        forms.field_error(errors, "role")
    with offices:
        st.multiselect("Offices", office_codes, key="admin_user_new_offices")
        forms.field_error(errors, "offices")
    _password_pair("admin_user_new", errors)
    st.caption(messages.ADMIN_TEMPORARY_PASSWORD_HELP)
    st.text_input("Single sign-on email (optional)", key="admin_user_new_email", max_chars=254)
    forms.field_error(errors, "email")

    def add() -> None:
        state = st.session_state
        forms.submit(
            lambda: staff.create_user(
                state.get("admin_user_new_username", ""),
                state.get("admin_user_new_name", ""),
                state.get("admin_user_new_password", ""),
                state.get("admin_user_new_role"),
                list(state.get("admin_user_new_offices") or []),
                actor=user,
                email=state.get("admin_user_new_email", ""),
                repeat=state.get("admin_user_new_repeat", ""),
            ),
            errors_key=errors,
            success=messages.ADMIN_USER_CREATED,
            clear=NEW_USER_KEYS,
        )

    _button("Add user", "admin_user_add", add, primary=True)
    forms.other_errors(
        errors, ["username", "display_name", "role", "offices", "password", "repeat", "email"]
    )


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
                ROLES,
                index=ROLES.index(target.role),
                format_func=lambda r: r.label,
                key=f"{key}_role",
            )
            forms.field_error(errors, "role")
        with offices:
            choices = sorted({*office_codes, *target.office_codes})
            st.multiselect(
                "Offices", choices, default=list(target.office_codes), key=f"{key}_offices"
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

        _button("Save name, role and offices", f"{key}_save", save, primary=True)
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
            _button("Save email", f"{key}_email_save", save)
        if target.email:
            with clear_col:
                _button("Clear email", f"{key}_email_clear", lambda: save(""))
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

        _button("Set temporary password", f"{key}_reset_save", reset)
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

        _act(
            label,
            f"{key}_active",
            lambda: staff.set_user_active(target.id, not target.active, actor=user),
            errors=errors,
            success=success.format(username=target.username),
        )
        forms.other_errors(errors, [])


# --- sessions ---------------------------------------------------------------------------------


def sessions_tab(user: Actor) -> None:
    now = now_utc()
    loaded = _load(lambda: (open_sessions(_active_since(now)), practice_timezone()))
    if loaded is None:
        return
    rows, tz = loaded
    st.caption(
        messages.ADMIN_SESSIONS_HELP.format(tz=f"{tz} ({zone_abbreviation(tz, now)})")
        + " "
        + messages.ADMIN_SESSIONS_IDLE_NOTE.format(minutes=sessions.policy().idle_minutes)
    )
    if not rows:
        st.info(messages.ADMIN_NO_OPEN_SESSIONS)
        return
    for user_id, group in groupby(rows, key=lambda r: r.user_id):
        _user_sessions(user_id, list(group), user, tz)


def _session_line(row: OpenSession, tz: str) -> str:
    started, active = to_local(tz, row.created_at), to_local(tz, row.last_activity_at)
    last = f"{active:%H:%M}" if active.date() == started.date() else f"{active:%a %d %b %H:%M}"
    parts = [browser_label(row.user_agent), f"signed in {started:%a %d %b %H:%M}"]
    parts.append(f"last active {last}")
    if row.display:
        parts.append("waiting-room display")
    return " · ".join(parts)


def _user_sessions(user_id: int, rows: Sequence[OpenSession], user: Actor, tz: str) -> None:
    first = rows[0]
    errors = f"admin_sessions_errors_{user_id}"
    with st.container(border=True, key=f"admin_sessions_{user_id}"):
        st.text(f"{first.display_name} ({first.username}) · {first.role.label}")
        for row in rows:
            line, action = st.columns([3, 1], vertical_alignment="center")
            with line:
                st.text(_session_line(row, tz))
            with action:
                if row.id == user.session_id:
                    st.caption(messages.ADMIN_THIS_BROWSER)
                else:
                    _act(
                        "End session",
                        f"admin_session_end_{row.id}",
                        lambda sid=row.id: admin.end_session(sid, actor=user),
                        errors=errors,
                        success=messages.ADMIN_SESSION_ENDED.format(username=first.username),
                    )
        others = [r for r in rows if r.id != user.session_id]
        if len(others) > 1:
            label = (
                f"End my {len(others)} other sessions"
                if user_id == user.id
                else f"End all {len(others)} sessions of {first.username}"
            )
            _act(
                label,
                f"admin_sessions_end_all_{user_id}",
                lambda: admin.end_user_sessions(user_id, actor=user),
                errors=errors,
                success=messages.ADMIN_SESSIONS_ENDED.format(username=first.username),
            )
        forms.other_errors(errors, [])


# --- the medication hold table ----------------------------------------------------------------


def holds_tab(user: Actor) -> None:
    loaded = _load(lambda: (hold_rules(), practice_timezone()))
    if loaded is None:
        return
    rows, tz = loaded
    zone = zone_abbreviation(tz, now_utc())
    st.caption(messages.ADMIN_HOLD_TABLE_HELP)
    _table(
        "admin_holds_table",
        pd.DataFrame(
            {
                "Drug": [r.drug for r in rows],
                "Class": [CLASS_LABELS[r.med_class] for r in rows],
                "Hold days": ["none" if r.hold_days is None else str(r.hold_days) for r in rows],
                "Prescriber clearance": ["Yes" if r.needs_clearance else "No" for r in rows],
                "In use": ["Yes" if r.active else "No" for r in rows],
                "Instruction": [r.instruction for r in rows],
                f"Changed ({zone})": [
                    _when(tz, r.updated_at) if r.updated_by else "" for r in rows
                ],
                "By": [r.updated_by or "" for r in rows],
            }
        ),
    )
    with st.expander("Add a drug", icon=":material/medication:"):
        _new_hold_rule(user)
    if not rows:
        return
    st.subheader("Change a drug")
    by_drug = {r.drug: r for r in rows}
    drug = st.selectbox(
        "Drug",
        list(by_drug),
        format_func=lambda d: d + ("" if by_drug[d].active else " (not in use)"),
        key="admin_hold_pick",
    )
    if drug is not None:
        _hold_editor(by_drug[drug], user)


def _class_picker(key: str, current: MedClass | None) -> None:
    st.selectbox(
        "Class",
        TABLE_CLASSES,
        index=TABLE_CLASSES.index(current) if current in TABLE_CLASSES else None,
        format_func=lambda c: CLASS_LABELS[c],
        key=key,
        placeholder="Choose a class",
    )


def _hold_days(key: str, current: int | None) -> None:
    st.number_input(
        f"Hold days (0-{HOLD_DAYS_MAX}; empty: no fixed hold)",
        min_value=0,
        max_value=HOLD_DAYS_MAX,
        value=current,
        step=1,
        key=key,
        placeholder="no fixed hold",
    )


NEW_HOLD_KEYS = {
    "admin_hold_new_drug": "",
    "admin_hold_new_class": None,
    "admin_hold_new_days": None,
    "admin_hold_new_clearance": False,
    "admin_hold_new_instruction": "",
}


def _new_hold_rule(user: Actor) -> None:
    errors = "admin_hold_new_errors"
    name, med_class = st.columns(2)
    with name:
        st.text_input("Drug name", key="admin_hold_new_drug", max_chars=80)
        forms.field_error(errors, "drug")
    with med_class:
        _class_picker("admin_hold_new_class", None)
        forms.field_error(errors, "med_class")
    _hold_days("admin_hold_new_days", None)
    forms.field_error(errors, "hold_days")
    st.checkbox("Stopping it needs the prescriber's clearance", key="admin_hold_new_clearance")
    forms.field_error(errors, "needs_clearance")
    st.text_input("Instruction for the patient (optional)", key="admin_hold_new_instruction")
    forms.field_error(errors, "instruction")

    def add() -> None:
        state = st.session_state
        forms.submit(
            lambda: admin.add_hold_rule(
                state.get("admin_hold_new_drug", ""),
                med_class=state.get("admin_hold_new_class"),
                hold_days=state.get("admin_hold_new_days"),
                needs_clearance=bool(state.get("admin_hold_new_clearance")),
                instruction=state.get("admin_hold_new_instruction", ""),
                actor=user,
            ),
            errors_key=errors,
            success=messages.ADMIN_HOLD_ADDED,
            clear=NEW_HOLD_KEYS,
        )

    _button("Add drug", "admin_hold_add", add, primary=True)
    forms.other_errors(errors, ["drug", "med_class", "hold_days", "needs_clearance", "instruction"])


def _hold_editor(rule: HoldRuleView, user: Actor) -> None:
    key = f"admin_hold_{rule.drug.replace(' ', '_')}"
    errors = f"{key}_errors"
    state = st.session_state
    # The version of the row this editor was opened on: a save checks nobody changed it since.
    seen = state.setdefault(f"{key}_seen", rule.updated_at)
    # Seeded once, not passed as value=: "Discard changes" sets these keys itself.
    for name, value in (
        ("class", rule.med_class),
        ("days", rule.hold_days),
        ("clearance", rule.needs_clearance),
        ("instruction", rule.instruction),
        ("active", rule.active),
    ):
        state.setdefault(f"{key}_{name}", value)
    with st.container(border=True, key=key):
        forms.field_error(errors, "drug")
        _class_picker(f"{key}_class", None)
        forms.field_error(errors, "med_class")
        _hold_days(f"{key}_days", None)
        forms.field_error(errors, "hold_days")
        st.checkbox("Stopping it needs the prescriber's clearance", key=f"{key}_clearance")
        forms.field_error(errors, "needs_clearance")
        st.text_area("Instruction for the patient", key=f"{key}_instruction")
        forms.field_error(errors, "instruction")
        st.checkbox("In use by intake", key=f"{key}_active")
        st.caption(messages.ADMIN_HOLD_INACTIVE_HELP)

        def save() -> None:
            saved_at = forms.submit(
                lambda: admin.update_hold_rule(
                    rule.drug,
                    med_class=state.get(f"{key}_class"),
                    hold_days=state.get(f"{key}_days"),
                    needs_clearance=bool(state.get(f"{key}_clearance")),
                    instruction=state.get(f"{key}_instruction", ""),
                    active=bool(state.get(f"{key}_active")),
                    expected_updated_at=seen,
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_HOLD_SAVED.format(drug=rule.drug),
            )
            if saved_at is not None:
                state[f"{key}_seen"] = saved_at  # the next save checks against this one

        def reload() -> None:
            # Set, not dropped: a dropped key leaves the browser showing (and sending back)
            # what was typed. The row is read again, so someone else's change shows now.
            fresh = next((r for r in hold_rules() if r.drug == rule.drug), rule)
            state[f"{key}_class"] = fresh.med_class
            state[f"{key}_days"] = fresh.hold_days
            state[f"{key}_clearance"] = fresh.needs_clearance
            state[f"{key}_instruction"] = fresh.instruction
            state[f"{key}_active"] = fresh.active
            state[f"{key}_seen"] = fresh.updated_at

        def discard() -> None:
            forms.submit(reload, errors_key=errors)

        save_col, discard_col = st.columns(2)
        with save_col:
            _button("Save drug", f"{key}_save", save, primary=True)
        with discard_col:
            _button("Discard changes", f"{key}_discard", discard)
        forms.other_errors(
            errors, ["drug", "med_class", "hold_days", "needs_clearance", "instruction"]
        )
