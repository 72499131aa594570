"""The "My account" screen's widgets: who is signed in, and changing one's own password (every
role). Widget keys start with `account_`."""

from __future__ import annotations

import streamlit as st

from db.queries.account import landing_choice, signed_in_via
from mild import messages
from mild.account import password_change_blocker, password_changed_message
from mild.launchpad import landing_choices, landing_screen
from mild.staff import MIN_PASSWORD_LENGTH, Screen
from services import account
from services.common import Actor
from ui import forms
from ui.safe import show_failure

ERRORS = "account_password_errors"
# The form's inputs: label, widget key, what browsers and password managers fill in, and the
# field its refusals name (mild.account.password_change_problems).
INPUT_ROWS = (
    ("Current password", "account_current", "current-password", "current"),
    ("New password", "account_new", "new-password", "password"),
    ("Repeat the new password", "account_repeat", "new-password", "repeat"),
)
FIELDS = tuple(field for *_, field in INPUT_ROWS)
INPUTS = {key: "" for _, key, _, _ in INPUT_ROWS}  # emptied once the password is changed


def account_screen(user: Actor) -> None:
    # st.text: the name an admin typed is shown as it is, never read as Markdown.
    st.text(
        messages.ACCOUNT_SIGNED_IN_AS.format(
            name=user.display_name, username=user.username, role=user.role.label
        )
    )
    st.subheader(messages.ACCOUNT_PASSWORD_HEADING)
    try:
        via = signed_in_via(user.session_id)
    except Exception as exc:
        show_failure(exc)
        return
    blocker = password_change_blocker(via)
    if blocker:
        st.info(blocker, icon=":material/key:")
    else:
        _password_form(user)
    _landing_form(user)


def _password_form(user: Actor) -> None:
    def change() -> None:
        state = st.session_state
        ended = forms.submit(
            lambda: account.change_own_password(
                state.get("account_current", ""),
                state.get("account_new", ""),
                state.get("account_repeat", ""),
                actor=user,
            ),
            errors_key=ERRORS,
            clear=INPUTS,
        )
        if ended is not None:
            state[forms.FLASH_KEY] = password_changed_message(ended)

    # A form: the three inputs go to the server together, and every refusal shows at once
    # beside its input.
    with st.form("account_password_form", enter_to_submit=True, width=520):
        for label, key, autocomplete, field in INPUT_ROWS:
            st.text_input(label, type="password", key=key, autocomplete=autocomplete)
            forms.field_error(ERRORS, field)
        st.caption(messages.ACCOUNT_PASSWORD_HELP.format(n=MIN_PASSWORD_LENGTH))
        st.form_submit_button(
            "Change password", type="primary", on_click=change, key="account_change"
        )
    forms.other_errors(ERRORS, FIELDS)


LANDING_KEY, LANDING_ERRORS = "account_landing", "account_landing_errors"


def _landing_form(user: Actor) -> None:
    """The screen this user's sign-ins land on (mild.launchpad), one of those the role opens."""
    st.subheader(messages.ACCOUNT_LANDING_HEADING)
    try:
        current = landing_screen(user.role, landing_choice(user.id))
    except Exception as exc:
        show_failure(exc)
        return
    choices = landing_choices(user.role)
    if LANDING_KEY not in st.session_state:
        st.session_state[LANDING_KEY] = current.value

    def save() -> None:
        chosen = forms.submit(
            lambda: account.choose_landing(st.session_state.get(LANDING_KEY), actor=user),
            errors_key=LANDING_ERRORS,
        )
        if chosen is not None:
            st.session_state[forms.FLASH_KEY] = messages.ACCOUNT_LANDING_SAVED.format(
                screen=chosen.label
            )

    with st.form("account_landing_form", width=520):
        st.selectbox(
            messages.ACCOUNT_LANDING_LABEL,
            [s.value for s in choices],
            format_func=lambda v: Screen(v).label,
            key=LANDING_KEY,
        )
        forms.field_error(LANDING_ERRORS, "landing")
        st.form_submit_button("Save", on_click=save, key="account_landing_save")
    forms.other_errors(LANDING_ERRORS, ["landing"])
