"""Running a user action from a widget callback, and showing refusals beside their fields.

The pattern every screen follows:

    def _save() -> None:                      # on_click callback: runs before the page redraws
        forms.submit(
            lambda: intake.add_medication(case_id, st.session_state["intake_drug"], actor=user),
            errors_key="intake_med_errors",
            success=messages.MEDICATION_ADDED,
            clear=["intake_drug"],             # widget keys to empty after a success
        )

    st.text_input("Drug", key="intake_drug")
    forms.field_error("intake_med_errors", "drug")   # the refusal for that field, right below it
    st.button("Add", key="intake_add", on_click=_save)

A refusal (RuleViolation) keeps what the user typed: widget values live in session state and
only the keys in `clear` are emptied, and only on success. Any other failure is logged and shown
as one short sentence (ui.safe), never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import streamlit as st

from mild.errors import RuleViolation
from ui.safe import failure_message, log

FLASH_KEY = "ui_flash"
FLASH_WARNING_KEY = "ui_flash_warning"
GENERAL = "_general"  # the field name for a refusal not tied to one input


def submit(
    action: Callable[[], Any],
    *,
    errors_key: str,
    success: str | None = None,
    clear: Mapping[str, Any] | Iterable[str] = (),
) -> Any:
    """Run `action` (a service call). Returns its result, or None when refused or failed.

    `clear` empties inputs after a success: a mapping sets each widget key to the value given
    (what a widget that stays on screen needs, so the browser shows it emptied too); plain keys
    are dropped from session state (enough for a widget that will not be drawn again).
    """
    try:
        result = action()
    except RuleViolation as refusal:
        st.session_state[errors_key] = refusals(refusal)
        return None
    except Exception as exc:
        log.exception("action failed", exc_info=exc)
        st.session_state[errors_key] = {GENERAL: failure_message(exc)}
        return None
    st.session_state[errors_key] = {}
    if isinstance(clear, Mapping):
        for key, value in clear.items():
            st.session_state[key] = value
    else:
        for key in clear:
            st.session_state.pop(key, None)
    if success:
        st.session_state[FLASH_KEY] = success
    return result


def refusals(refusal: RuleViolation) -> dict[str, str]:
    """A refusal by field: every problem of a form at once (RuleViolations), the first of a
    field kept when one has two."""
    found: dict[str, str] = {}
    for field, message in getattr(refusal, "problems", ((refusal.field, refusal.message),)):
        found.setdefault(field, message)
    return found


def errors(errors_key: str) -> dict[str, str]:
    return st.session_state.get(errors_key) or {}


def field_error(errors_key: str, field: str) -> None:
    """Show the refusal for `field`, if any, right where it is called (below its widget)."""
    message = errors(errors_key).get(field)
    if message:
        st.error(message, icon=":material/error:")


def drop_error(errors_key: str, field: str) -> None:
    """An input's on_change callback: once its value changes, the refusal it earned no longer
    says how things stand, and goes (the rest of the form's refusals stay)."""
    refused = errors(errors_key)
    if field in refused:
        st.session_state[errors_key] = {f: m for f, m in refused.items() if f != field}


def other_errors(errors_key: str, fields: Iterable[str]) -> None:
    """Show refusals for fields that have no widget of their own on this form (and failures)."""
    shown = set(fields)
    for field, message in errors(errors_key).items():
        if field not in shown:
            st.error(message, icon=":material/error:")


def show_flash() -> None:
    """The success message of the last action, shown once.

    Always one container, message or not, so the elements below keep their places (an open
    tab is not reset to the first by an action that shows no message).
    """
    slot = st.container()
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        slot.success(message, icon=":material/check_circle:")
    warning = st.session_state.pop(FLASH_WARNING_KEY, None)
    if warning:
        slot.warning(warning, icon=":material/warning:")


def flash_warning(message: str) -> None:
    """A warning to show once beside the last action's success message (done, but look at this)."""
    st.session_state[FLASH_WARNING_KEY] = message


def button(label: str, key: str, on_click: Callable[[], None], primary: bool = False) -> None:
    """A full-width button that runs `on_click` (a callback: it runs before the page redraws)."""
    st.button(
        label,
        key=key,
        on_click=on_click,
        type="primary" if primary else "secondary",
        width="stretch",
    )


def yes_no(label: str, current: bool | None, key: str, words: tuple[str, str] = ("Yes", "No")):
    """A yes/no question as two side-by-side choices, unanswered until picked (`current`:
    the saved answer). `words` are what yes and no read as ("Medicare", "Not Medicare")."""
    shown = dict(zip((True, False), words, strict=True))
    return st.radio(
        label,
        [True, False],
        index=None if current is None else [True, False].index(current),
        format_func=shown.get,
        horizontal=True,
        key=key,
    )
