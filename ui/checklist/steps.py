"""The checklist of the open case: one expander per phase, one row per step with who and when
(and, for a timed step, when it happened), the hard stops beside the step, a value or a
button to tick it, and its history with un-ticking and correcting the event time.

Built for a tablet held in one hand (issue 13): in each phase the open steps come first, then
the done ones, then those that do not apply. An open step ticked by a plain button is that
button, full width, its label naming the step (a screen reader hears which step it ticks); the
one step the nurse can tick next has the screen's only primary button, every other button is
secondary. A done step is one line (the step, done when and by whom, the value) with a
"History" button: its history, the un-tick and the time correction are drawn only for the step
opened (one at a time), which keeps a tick's rerun small (issue 12: every element drawn is paid
on every click).

Each action passes what this screen was drawn from; a stale screen is refused
(messages.CHANGED_BY_SOMEONE_ELSE) and the page, which reads fresh on every run, reloads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from db.queries.checklist import CaseDetail
from mild import messages
from mild.checklist import (
    LOCKED_AFTER_DISCHARGE,
    PHASE_LABELS,
    Entry,
    Phase,
    StepView,
    ValueKind,
    in_working_order,
)
from mild.days import at_local, to_local
from services import checklist as service
from services import event_times
from services.common import Actor
from ui import forms
from ui.checklist import arrival, discharge, holds, time_out
from ui.checklist.common import (
    EVENT_AT,
    EVENT_REASON,
    HISTORY_FIELDS,
    INLINE_FIELDS,
    UNTICK_REASON,
    errors_key,
    event_reason_key,
    event_time_key,
    history_key,
    phase_key,
    reason_key,
    run,
    seen,
    submit_button,
    tick,
    tick_label,
    value_key,
    when,
)

# Repeatable steps recorded again from a folded form once done (the score keeps its own).
RECORDED_AGAIN = frozenset({"fasting_confirmed", "glucose_checked", "antibiotic_prophylaxis"})

# Steps drawn by their own section of the screen (a form, a list beside the step).
SPECIAL_INPUTS = {
    "fasting_confirmed": arrival.fasting_form,
    "discharge_score": discharge.score_form,
    "escort_confirmed": discharge.escort_form,
    "discharged": discharge.discharge_form,
    "instructions_given": discharge.instructions_form,
    "level_side_confirmed": time_out.level_side_form,
    "antibiotic_prophylaxis": time_out.antibiotic_form,
}


def phases(
    case: CaseDetail, grouped: dict[Phase, list[StepView]], user: Actor, next_key: str | None
) -> None:
    """The checklist, one expander per phase. Open: the phases under way and the next one to
    start; folded: finished phases and those further ahead (a tap opens them, and only then
    are their steps drawn: a tick's rerun pays for the steps in view, issue 12). `next_key`:
    the step whose button is the screen's one primary button (mild.checklist.next_step)."""
    started_next = False
    for phase, views in grouped.items():
        applicable = [v for v in views if v.not_applicable is None]
        done = sum(v.complete for v in applicable)
        complete = done == len(applicable)
        under_way = not complete and any(v.done is not None for v in applicable)
        is_next = not complete and not under_way and not started_next
        started_next = started_next or is_next
        _phase(case, phase, views, user, (done, len(applicable)), under_way or is_next, next_key)


def _phase(
    case: CaseDetail,
    phase: Phase,
    views: list[StepView],
    user: Actor,
    count: tuple[int, int],
    expanded: bool,
    next_key: str | None,
) -> None:
    done, applicable = count
    box = st.expander(
        f"**{PHASE_LABELS[phase]}** · {done} of {applicable} done",
        expanded=expanded,
        icon=":material/task_alt:" if done == applicable else ":material/pending_actions:",
        key=phase_key(case.case_id, phase),
        on_change="rerun",  # a folded phase draws nothing until it is opened
    )
    if box.open:
        with box:
            for view in in_working_order(views):
                step_row(case, view, user, primary=view.step.key == next_key)


def step_row(case: CaseDetail, view: StepView, user: Actor, *, primary: bool = False) -> None:
    step = view.step
    ekey = errors_key(case.case_id, step.key)
    key = f"dayof_step_{step.key}"
    history_open = st.session_state.get(history_key(case.case_id)) == step.key
    shown_here = INLINE_FIELDS | HISTORY_FIELDS if history_open else INLINE_FIELDS
    if _is_button(view):
        # The row is its button; a refusal or the open history below it, fenced together.
        refused = forms.errors(ekey)
        with st.container(border=bool(refused) or history_open, key=key):
            _tick_button(case, view, user, primary)
            if view.missing and not refused:  # once pressed, the refusal says it in full
                st.caption("Needs first: " + "; ".join(view.missing))
            forms.other_errors(ekey, shown_here)
            if view.history:
                _history(case, view, user, None)
        return
    if _one_line(case, view, history_open):
        # Done, not applicable, or left open on a closed case: the step, who and when, and at
        # most a "History" button, in one flex row (one block to send, issue 12).
        with st.container(horizontal=True, vertical_alignment="center", gap="small", key=key):
            _step_state(case, view)
            if view.history:
                _history(case, view, user, st)
        return
    with st.container(border=True, key=key):
        action = st.container(horizontal=True, vertical_alignment="center")
        with action:
            _step_state(case, view)
        if step.key == "holds_confirmed":
            holds.held_drugs(case, user)
        if step.key == "glucose_checked":
            arrival.glucose_warnings(case)
        if step.key == "restart_dates_given":  # in the discharge phase, once
            discharge.restarts(case, say_none=True)
        if step.key == "escort_confirmed":
            discharge.exemption_form(case, user, open_=view.may_tick)
        if view.may_tick and view.done is not None and step.key in RECORDED_AGAIN:
            # Done: the form folds away; opened, it records again and the latest counts.
            again = st.expander(
                messages.RECORD_AGAIN,
                icon=":material/edit_note:",
                key=f"dayof_again_{case.case_id}_{step.key}",
                on_change="rerun",  # its form is drawn only once opened
            )
            if again.open:
                with again:
                    _input(case, view, user, primary=False)
        elif view.may_tick:
            _input(case, view, user, primary=primary)
        # With its history open, the history's refusals are drawn below their own boxes there.
        forms.other_errors(ekey, shown_here)
        if view.history:
            _history(case, view, user, action)


# Steps with more than a line: a list or a form of their own beside the step.
WITH_MORE = frozenset({"holds_confirmed", "glucose_checked", "restart_dates_given"})


def _is_button(view: StepView) -> bool:
    """An open step ticked by a plain button, nothing beside it to read first: the row is the
    button."""
    step = view.step
    return (
        view.may_tick
        and view.done is None
        and step.value_kind == ValueKind.NONE
        and step.key not in SPECIAL_INPUTS
        and step.key not in WITH_MORE
    )


def _one_line(case: CaseDetail, view: StepView, history_open: bool) -> bool:
    """Whether the step's row is one line: its state and at most a "History" button. So is
    every step with nothing to tick (done, not applicable, or left open on a closed case)
    unless a list is drawn beside it (WITH_MORE) or the escort's exemption; never one with a
    refusal or its history open."""
    step = view.step
    if history_open or forms.errors(errors_key(case.case_id, step.key)):
        return False
    if view.failing or view.may_tick:
        return False
    if step.key == "escort_confirmed":
        return not case.escort_exempt  # the exemption, who gave it and why, beside the step
    return view.not_applicable is not None or step.key not in WITH_MORE


def _input(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    """What ticks the step: its own form, a "Mark done" button, or a value and a button."""
    step = view.step
    if step.key in SPECIAL_INPUTS:
        SPECIAL_INPUTS[step.key](case, view, user, primary=primary)
    elif step.value_kind == ValueKind.NONE:
        _tick_button(case, view, user, primary)
    else:
        _value_input(case, view, user, primary)


def _tick_button(case: CaseDetail, view: StepView, user: Actor, primary: bool) -> None:
    step = view.step
    st.button(
        tick_label(messages.MARK_DONE, step.label),
        key=f"dayof_tick_{case.case_id}_{step.key}",
        type="primary" if primary else "secondary",
        icon=":material/check_box_outline_blank:",
        width="stretch",
        on_click=tick,
        args=(user, case.case_id, seen(case), step.key, step.label),
    )


def _step_state(case: CaseDetail, view: StepView) -> None:
    step = view.step
    if view.not_applicable:
        st.markdown(f":material/block: ~~{step.label}~~", width="stretch")
        st.caption(f"Not applicable: {view.not_applicable}")
    elif view.failing:
        st.markdown(f":orange[:material/error:] **{step.label}**", width="stretch")
        discharge.score_state(case, view)
    elif view.done:
        # Done steps in plain weight: the open ones, in bold, are the work left.
        st.markdown(f":green[:material/check_circle:] {step.label}", width="stretch")
        who = messages.STEP_DONE_LINE.format(
            when=_shown_time(case, view), who=view.done.by or "unknown"
        )
        st.text(f"{who} · {view.done.value}" if view.done.value else who)
        if step.key == "discharge_score":
            discharge.score_state(case, view)
        if step.key == "discharged" and view.done.note:  # the steps she confirmed as left open
            st.text(view.done.note)
    else:
        st.markdown(f":material/radio_button_unchecked: **{step.label}**", width="stretch")
        if case.status in LOCKED_AFTER_DISCHARGE:
            st.caption(messages.STEP_LEFT_OPEN)
        # Once pressed, the refusal below says the same thing in full.
        elif view.missing and not forms.errors(errors_key(case.case_id, step.key)):
            st.caption("Needs first: " + "; ".join(view.missing))


def _shown_time(case: CaseDetail, view: StepView) -> str:
    """When the tick was charted; for a timed step, when the event happened (and when it was
    charted, if that differs)."""
    charted = view.done.at
    event = view.event_at or charted
    if abs(event - charted) < dt.timedelta(minutes=1):
        return when(case, charted)
    return messages.EVENT_TIME_CHARTED.format(event=when(case, event), charted=when(case, charted))


def _value_input(case: CaseDetail, view: StepView, user: Actor, primary: bool) -> None:
    step, cid = view.step, case.case_id
    key = value_key(cid, step.key)
    if step.key == "site_marked" and key not in st.session_state and case.provider:
        st.session_state[key] = case.provider  # usually the physician who will operate
    # The step's title above is the label; the widget keeps it for screen readers only.
    if step.value_kind == ValueKind.CHOICE:
        st.segmented_control(
            step.label, step.choices, key=key, label_visibility="collapsed", width="stretch"
        )
    elif step.value_kind == ValueKind.NUMBER:
        st.number_input(step.label, value=None, step=1, key=key, label_visibility="collapsed")
    else:
        st.text_input(step.label, key=key, max_chars=500, label_visibility="collapsed")
    submit_button(
        f"dayof_tick_{cid}_{step.key}",
        tick_label(messages.SAVE_AND_MARK_DONE, step.label),
        tick,
        (user, cid, seen(case), step.key, step.label, key),
        primary=primary,
    )


def _toggle_history(case_id: int, step_key: str) -> None:
    key = history_key(case_id)
    st.session_state[key] = None if st.session_state.get(key) == step_key else step_key


def _history(case: CaseDetail, view: StepView, user: Actor, action: DeltaGenerator | None) -> None:
    """The step's "History" button (on the row's `action` line when free, else under the step)
    and, when it is the step opened, its history, un-tick and time correction."""
    cid, step = case.case_id, view.step
    is_open = st.session_state.get(history_key(cid)) == step.key
    where = action if action is not None else st
    where.button(
        messages.HISTORY_CLOSE if is_open else f"{messages.HISTORY_OPEN} ({len(view.history)})",
        key=f"dayof_history_{cid}_{step.key}",
        type="tertiary",
        icon=":material/history:",
        help=messages.HISTORY_HELP.format(step=step.label),
        on_click=_toggle_history,
        args=(cid, step.key),
    )
    if not is_open:
        return
    ekey = errors_key(cid, step.key)
    with st.container(key=f"dayof_history_box_{cid}_{step.key}"):
        if view.may_untick:
            key = reason_key(cid, step.key)
            st.text_input("Reason for un-ticking", key=key, max_chars=500)
            forms.field_error(ekey, UNTICK_REASON)
            st.button(
                "Un-tick",
                key=f"dayof_untick_{cid}_{step.key}",
                icon=":material/undo:",
                width="stretch",
                on_click=_untick,
                args=(user, cid, seen(case), step.key, step.label),
            )
        if view.may_correct_time:
            _correct_time_form(case, view, user)
        st.dataframe(
            _history_table(case, view.history),
            hide_index=True,
            width="stretch",
            key=f"dayof_history_table_{cid}_{step.key}",
        )


def _correct_time_form(case: CaseDetail, view: StepView, user: Actor) -> None:
    cid, step = case.case_id, view.step
    day = to_local(case.timezone, view.event_at or view.done.at).date()
    st.time_input(
        f"When it happened ({day:%a %d %b})",
        value=None,
        step=dt.timedelta(minutes=1),
        key=event_time_key(cid, step.key),
    )
    ekey = errors_key(cid, step.key)
    forms.field_error(ekey, EVENT_AT)
    st.text_input("Why the time is corrected", key=event_reason_key(cid, step.key), max_chars=500)
    forms.field_error(ekey, EVENT_REASON)
    st.button(
        "Correct the time",
        key=f"dayof_correct_{cid}_{step.key}",
        icon=":material/schedule:",
        width="stretch",
        on_click=_correct_time,
        args=(user, case, step.key, step.label, day),
    )


def _history_table(case: CaseDetail, history: Sequence[Entry]) -> pd.DataFrame:
    def what(e: Entry) -> str:
        if e.corrects_time:
            return messages.TIME_CORRECTED_ROW.format(at=when(case, e.event_time))
        return "Un-ticked" if e.undone else "Ticked"

    return pd.DataFrame(
        {
            "When": [when(case, e.at) for e in history],
            "Who": [e.by or "" for e in history],
            "What": [what(e) for e in history],
            "Value": [e.value or "" for e in history],
            "Reason or note": [
                (e.reason if e.undone or e.corrects_time else e.note) or "" for e in history
            ],
        }
    )


# --- callbacks: run before the page redraws, with the version the nurse saw ----------------------


def _untick(user: Actor, case_id: int, drawn: tuple[int, int], step_key: str, label: str) -> None:
    key = reason_key(case_id, step_key)
    reason = st.session_state.get(key) or ""
    version, last_change = drawn
    run(
        case_id,
        step_key,
        lambda: service.undo_step(
            case_id,
            step_key,
            reason,
            actor=user,
            expected_version=version,
            seen_change=last_change,
        ),
        messages.STEP_UNTICKED.format(step=label),
        # Set, not dropped: the browser then shows the box emptied too (see forms.submit).
        clear={key: ""},
    )


def _correct_time(user: Actor, case: CaseDetail, step_key: str, label: str, day: dt.date) -> None:
    cid = case.case_id
    picked = st.session_state.get(event_time_key(cid, step_key))
    reason_box = event_reason_key(cid, step_key)
    event_at = None if picked is None else at_local(case.timezone, day, picked)
    run(
        cid,
        step_key,
        lambda: event_times.correct_event_time(
            cid,
            step_key,
            event_at,
            st.session_state.get(reason_box),
            actor=user,
            expected_version=case.version,
        ),
        messages.EVENT_TIME_CORRECTED.format(
            step=label, at=when(case, event_at) if event_at else ""
        ),
        clear={reason_box: ""},
        fields={"reason": EVENT_REASON},
    )
