"""What every part of the day-of screen shares: widget keys (each starts with `dayof_` and
carries the case id, so two cases never share a typed value), times in the office's zone, the
submit button, and running a service from a callback with its refusal shown beside the step."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import streamlit as st

from db.queries.checklist import CaseDetail
from mild import messages
from mild.checklist import Phase
from mild.days import to_local
from mild.discharge import DISCHARGE_COMPONENTS
from services import checklist as service
from services.common import Actor
from ui import forms
from ui.format import local_time, zone_abbreviation

# The inputs of a step's open history, each refusal drawn below its own box: the un-tick's
# reason, and the time correction's time and reason.
UNTICK_REASON, EVENT_AT, EVENT_REASON = "reason", "event_at", "event_reason"
HISTORY_FIELDS = frozenset({UNTICK_REASON, EVENT_AT, EVENT_REASON})

# Refusals shown beside their own input (a score item, an escort field) rather than under the
# step.
INLINE_FIELDS = frozenset(
    [c.key for parts in DISCHARGE_COMPONENTS.values() for c in parts]
    + ["escort_name", "escort_relationship", "escort_phone"]
    + ["food_kind", "food_at", "clear_liquid_at"]  # the fasting form (ui.checklist.arrival)
)


def errors_key(case_id: int, step_key: str) -> str:
    return f"dayof_errors_{case_id}_{step_key}"


def value_key(case_id: int, step_key: str) -> str:
    return f"dayof_value_{case_id}_{step_key}"


def score_key(case_id: int, component: str) -> str:
    return f"dayof_score_{case_id}_{component}"


def escort_key(case_id: int, field: str) -> str:
    return f"dayof_{field}_{case_id}"


def reason_key(case_id: int, step_key: str) -> str:
    return f"dayof_reason_{case_id}_{step_key}"


def event_time_key(case_id: int, step_key: str) -> str:
    return f"dayof_event_time_{case_id}_{step_key}"


def event_reason_key(case_id: int, step_key: str) -> str:
    return f"dayof_event_reason_{case_id}_{step_key}"


def phase_key(case_id: int, phase: Phase) -> str:
    """The phase's expander: open or folded as the nurse left it, until its label (the count)
    or whether it is the phase to open next changes; it then opens or folds by the rule."""
    return f"dayof_phase_{case_id}_{phase.value}"


def history_key(case_id: int) -> str:
    """The step whose history is open on this case (one at a time), or absent."""
    return f"dayof_history_open_{case_id}"


def last_dose_key(case_id: int, medication_id: int, part: str) -> str:
    return f"dayof_last_dose_{part}_{case_id}_{medication_id}"


def confirm_open_key(case_id: int, open_keys: Sequence[str]) -> str:
    """The confirmation box is tied to the list it confirms: when the list changes (a colleague
    un-ticks a step), a new, unticked box asks again."""
    return f"dayof_discharge_open_{case_id}_{zlib.crc32(','.join(open_keys).encode()):08x}"


def when(case: CaseDetail, at: dt.datetime) -> str:
    return f"{local_time(case.timezone, at)} {zone_abbreviation(case.timezone, at)}"


def moment(case: CaseDetail, at: dt.datetime) -> str:
    """A moment that may be another day: 'Mon 02 Mar 07:05 EST'."""
    return f"{to_local(case.timezone, at):%a %d %b %H:%M %Z}"


def tick_label(verb: str, step_label: str) -> str:
    """A tick button's label: what the press does and the step it ticks."""
    return messages.TICK_BUTTON.format(verb=verb, step=step_label)


def submit_button(
    key: str, label: str, callback: Callable[..., None], args: tuple, *, primary: bool = False
) -> None:
    """A form's tick button, full width under the form; primary only for the next step (the
    screen has one primary button: mild.checklist.next_step)."""
    st.button(
        label,
        key=key,
        type="primary" if primary else "secondary",
        icon=":material/check:",
        width="stretch",
        on_click=callback,
        args=args,
    )


def run(
    case_id: int,
    step_key: str,
    action: Callable[[], Any],
    success: str,
    clear: Mapping[str, Any] = MappingProxyType({}),
    fields: Mapping[str, str] = MappingProxyType({}),
) -> Any:
    """Run a service from a callback; its refusal is kept for the step's row to show.

    `fields` renames the service's fields as the screen names its inputs, where two forms of one
    step ask the same (the un-tick's and the time correction's "reason").
    """
    ekey = errors_key(case_id, step_key)
    result = forms.submit(action, errors_key=ekey, success=success, clear=clear)
    refused = forms.errors(ekey)
    if result is None and refused.keys() & fields.keys():
        st.session_state[ekey] = {fields.get(f, f): m for f, m in refused.items()}
    if result is not None:
        # A change went through: refusals shown beside other steps may no longer hold.
        prefix = errors_key(case_id, "")
        for key in [k for k in st.session_state if str(k).startswith(prefix) and k != ekey]:
            del st.session_state[key]
    return result


def seen(case) -> tuple[int, int]:
    """What the screen was drawn from: the case's version and its newest audit row. A tick
    from it is refused only when its own step (or a hard stop's inputs) changed since."""
    return case.version, case.last_change


def tick(
    user: Actor,
    case_id: int,
    drawn: tuple[int, int],
    step_key: str,
    label: str,
    value_from: str = "",
) -> None:
    value = st.session_state.get(value_from) if value_from else None
    version, last_change = drawn
    run(
        case_id,
        step_key,
        lambda: service.complete_step(
            case_id,
            step_key,
            actor=user,
            value=None if value is None else str(value),
            expected_version=version,
            seen_change=last_change,
        ),
        messages.STEP_TICKED.format(step=label),
    )
