"""The admin screen's notifications tab: per office, the on-call contact and the Apprise URLs
that reach it (shown masked: they hold passwords and tokens), a test message with no patient in
it, and the practice-wide settings read from the environment (MILD_SMTP_URL for provider
emails, MILD_NOTIFY_CONFIG, MILD_BASE_URL)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.queries.admin import practice_timezone
from mild import messages
from services import notify_settings
from services.common import Actor, now_utc
from ui import forms
from ui.admin import common
from ui.format import zone_abbreviation

FIELDS = ("on_call_name", "urls")


def notifications_tab(user: Actor) -> None:
    loaded = common.load(
        lambda: (notify_settings.office_settings(), notify_settings.practice_view())
    )
    if loaded is None:
        return
    rows, practice = loaded
    st.caption(messages.NOTIFY_HELP)
    _practice(practice)
    tz = common.load(practice_timezone) or "UTC"
    zone = zone_abbreviation(tz, now_utc())
    common.table(
        "admin_notify_table",
        pd.DataFrame(
            {
                "Office": [f"{r.name} ({r.code})" for r in rows],
                "On-call contact": [r.on_call_name or "" for r in rows],
                "Notification URLs (masked)": [
                    "\n".join(r.urls) or messages.NOTIFY_NO_URLS for r in rows
                ],
                f"Changed ({zone})": [common.when(tz, r.updated_at) for r in rows],
                "By": [r.updated_by or "" for r in rows],
            }
        ),
    )
    offices = {r.office_id: r for r in rows if r.active}
    if not offices:
        return
    office_id = st.selectbox(
        "Office",
        list(offices),
        format_func=lambda i: f"{offices[i].name} ({offices[i].code})",
        key="admin_notify_pick",
    )
    if office_id is not None:
        _editor(offices[office_id], user)


def _practice(practice: notify_settings.PracticeView) -> None:
    st.text(
        messages.NOTIFY_SMTP_SET.format(url=practice.smtp)
        if practice.smtp
        else messages.NOTIFY_SMTP_UNSET
    )
    if practice.config_path:
        template = (
            messages.NOTIFY_CONFIG_SET
            if practice.config_readable
            else messages.NOTIFY_CONFIG_BROKEN
        )
        st.text(template.format(path=practice.config_path))


def _editor(row: notify_settings.OfficeSettingsView, user: Actor) -> None:
    k = f"admin_notify_{row.office_id}"
    errors = f"{k}_errors"
    state = st.session_state
    state.setdefault(f"{k}_seen", row.updated_at)
    state.setdefault(f"{k}_on_call_name", row.on_call_name or "")
    with st.container(border=True, key=k):
        st.text_input("On-call contact (who the office's URLs reach)", key=f"{k}_on_call_name")
        forms.field_error(errors, "on_call_name")
        st.text(f"Saved URLs: {', '.join(row.urls) or messages.NOTIFY_NO_URLS}")
        st.text_area(
            "New notification URLs, one a line (replace the saved ones)",
            key=f"{k}_urls",
            placeholder="mailtos://user:password@smtp.example.org?to=oncall@example.org",
        )
        if row.urls:
            st.checkbox("Remove every saved URL", key=f"{k}_remove")
        forms.field_error(errors, "urls")

        def save() -> None:
            at = forms.submit(
                lambda: notify_settings.save_office_notifications(
                    row.office_id,
                    state.get(f"{k}_on_call_name"),
                    state.get(f"{k}_urls"),
                    remove_urls=bool(state.get(f"{k}_remove")),
                    expected_updated_at=state.get(f"{k}_seen"),
                    actor=user,
                ),
                errors_key=errors,
                success=messages.NOTIFY_SETTINGS_SAVED.format(office=row.code),
                clear={f"{k}_urls": "", f"{k}_remove": False},  # no secret lingers on screen
            )
            if at is not None:
                state[f"{k}_seen"] = at

        def test() -> None:
            sent = forms.submit(
                lambda: notify_settings.send_test(
                    row.office_id, state.get(f"{k}_urls"), actor=user
                ),
                errors_key=errors,
            )
            if sent is not None:
                state[forms.FLASH_KEY] = messages.NOTIFY_TEST_SENT.format(n=sent, office=row.code)

        save_col, test_col = st.columns(2)
        with save_col:
            common.button("Save notification settings", f"{k}_save", save, primary=True)
        with test_col:
            common.button("Send a test message", f"{k}_test", test)
        forms.other_errors(errors, FIELDS)
