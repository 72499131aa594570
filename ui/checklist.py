"""Widgets of the day-of checklist: the day's cases, the open case's header, one row per step,
and the callbacks that run the checklist services (a refusal shows beside its step).

Discharging names every step still open and asks her to confirm them; once discharged, the
steps are drawn read-only under a note saying who discharged the patient and when.

Built for a tablet held in one hand: one step per row, large buttons, nothing wider than two
columns. Every widget key starts with `dayof_` and carries the case id, so two cases never share
a typed value. Each action passes the case version this screen showed; a stale screen is refused
(messages.CHANGED_BY_SOMEONE_ELSE) and the page, which reads fresh on every run, reloads it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st

from db.queries.checklist import CaseDetail
from db.queries.home import OfficeRow
from mild import messages
from mild.cases import CaseStatus, can_transition
from mild.checklist import (
    COMPONENT_POINTS,
    DISCHARGE_COMPONENTS,
    DISCHARGE_SCORE_PASS,
    LOCKED_AFTER_DISCHARGE,
    PHASE_LABELS,
    PLANNED_PROCEDURE_MINUTES,
    DischargeScale,
    Entry,
    Phase,
    StepView,
    ValueKind,
    current_state,
    discharge_ready,
    discharge_review,
    procedure_duration,
)
from mild.intake import Condition, Requirement, needs_for
from services import checklist as service
from services.common import Actor, now_utc
from ui import forms
from ui.format import local_time, plain, zone_abbreviation

ALLERGIES = (Condition.CONTRAST_ALLERGY, Condition.LATEX_ALLERGY, Condition.OTHER_ALLERGY)
# Refusals shown beside their own input (a score item, a driver field) rather than under the step.
INLINE_FIELDS = frozenset(
    [c.key for parts in DISCHARGE_COMPONENTS.values() for c in parts]
    + ["driver_name", "driver_relationship", "driver_phone"]
)


def errors_key(case_id: int, step_key: str) -> str:
    return f"dayof_errors_{case_id}_{step_key}"


def value_key(case_id: int, step_key: str) -> str:
    return f"dayof_value_{case_id}_{step_key}"


def score_key(case_id: int, component: str) -> str:
    return f"dayof_score_{case_id}_{component}"


def driver_key(case_id: int, field: str) -> str:
    return f"dayof_{field}_{case_id}"


def reason_key(case_id: int, step_key: str) -> str:
    return f"dayof_reason_{case_id}_{step_key}"


def confirm_open_key(case_id: int, open_keys: Sequence[str]) -> str:
    """The confirmation box is tied to the list it confirms: when the list changes (a colleague
    un-ticks a step), a new, unticked box asks again."""
    return f"dayof_discharge_open_{case_id}_{zlib.crc32(','.join(open_keys).encode()):08x}"


# --- the day -------------------------------------------------------------------------------------


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


def day_table(office: OfficeRow, cases: pd.DataFrame, now: dt.datetime) -> None:
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
        key=f"dayof_cases_{office.code}",
    )


def choose_case(office: OfficeRow, cases: pd.DataFrame) -> int | None:
    labels = {int(r.case_id): case_label(r, office.timezone) for r in cases.itertuples()}
    choose, reload = st.columns([4, 1], vertical_alignment="bottom")
    picked = choose.selectbox(
        "Open a case",
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        placeholder=messages.CHOOSE_A_CASE,
        key=f"dayof_case_{office.id}",
    )
    # Every run reads the case fresh; the button is for a nurse who wants to see others' ticks.
    reload.button("Reload", key="dayof_reload", icon=":material/refresh:", width="stretch")
    return picked


def show_flash() -> None:
    """The last action's confirmation as a toast: seen wherever on the list the nurse is."""
    message = st.session_state.pop(forms.FLASH_KEY, None)
    if message:
        st.toast(message, icon=":material/check_circle:")


# --- the open case -------------------------------------------------------------------------------


def case_header(case: CaseDetail, done: int, applicable: int, now: dt.datetime) -> None:
    tz = case.timezone
    with st.container(border=True, key="dayof_header"):
        st.subheader(plain(case.patient), anchor=False)
        st.text(
            f"Born {case.date_of_birth:%d %b %Y} · MRN {case.mrn} · Case {case.code}\n"
            f"Provider: {case.provider or 'not assigned'} · Planned start "
            f"{local_time(tz, case.scheduled_start)} "
            f"{zone_abbreviation(tz, case.scheduled_start or now)}, "
            f"{case.planned_minutes} min"
        )
        status, steps, timer = st.columns(3)
        status.metric("Status", case.status.label)
        steps.metric("Steps done", f"{done} of {applicable}")
        with timer:
            if case.procedure_started_at is not None and case.procedure_ended_at is None:
                _running_time(case.procedure_started_at)
            else:
                _procedure_time(case.procedure_started_at, case.procedure_ended_at, now)
        _conditions(case)
        _medications(case)
        _driver_arranged(case)


@st.fragment(run_every=30)
def _running_time(started_at: dt.datetime) -> None:
    """Redrawn on its own every 30 s while the procedure runs, leaving the rest alone."""
    _procedure_time(started_at, None, now_utc())


def _procedure_time(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, now: dt.datetime
) -> None:
    duration = procedure_duration(started_at, ended_at, now)
    if duration is None:
        st.metric("Procedure time", "not started")
        return
    st.metric(
        "Procedure time (running)" if duration.running else "Procedure time",
        f"{duration.minutes} min",
        delta=f"{duration.minutes - PLANNED_PROCEDURE_MINUTES} min over" if duration.over else None,
        delta_color="inverse",
        help=f"Against the planned {PLANNED_PROCEDURE_MINUTES} minutes",
    )
    if duration.over:
        st.warning(
            messages.PROCEDURE_OVER_PLANNED.format(planned=PLANNED_PROCEDURE_MINUTES),
            icon=":material/timer:",
        )


def _conditions(case: CaseDetail) -> None:
    """Allergies first and loud; then what each flag asks of the nurse today."""
    details = dict(case.conditions)
    for allergy in ALLERGIES:
        if allergy in details:
            extra = f": {plain(details[allergy])}" if details[allergy] else ""
            st.warning(f"{allergy.label}{extra}", icon=":material/warning:")
    others = [c for c, _ in case.conditions if c not in ALLERGIES]
    if others:
        st.text("Conditions: " + "; ".join(c.label for c in others))
    if case.status in LOCKED_AFTER_DISCHARGE:
        return  # the day's tasks are behind her: the checklist below keeps what was done
    for need in needs_for(c for c, _ in case.conditions):
        if need.kind == Requirement.DAY_OF:
            st.info(f"Today: {need.text}", icon=":material/assignment_late:")


def _medications(case: CaseDetail) -> None:
    if case.medications.empty:
        return
    meds = case.medications
    table = pd.DataFrame(
        {
            "Medication": meds.drug,
            "Dose": meds.dose.fillna(""),
            "Last dose on": [
                f"{d:%a %d %b}" if pd.notna(d) else messages.NO_HOLD for d in meds.last_dose_on
            ],
            "Hold cleared by": [
                by if pd.notna(by) and by else (messages.CLEARANCE_NOT_ON_FILE if needed else "")
                for by, needed in zip(meds.cleared_by, meds.needs_clearance, strict=True)
            ],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="dayof_medications",
    )


def _driver_arranged(case: CaseDetail) -> None:
    parts = [case.driver_name, case.driver_relationship, case.driver_phone]
    if any(parts):
        st.text("Driver arranged at intake: " + ", ".join(p for p in parts if p))
    else:
        st.text(messages.NO_DRIVER_ARRANGED)


# --- steps ---------------------------------------------------------------------------------------


def phases(case: CaseDetail, grouped: dict[Phase, list[StepView]], user: Actor) -> None:
    """The checklist, one expander per phase. Open: the phases under way and the next one to
    start; folded: finished phases and those further ahead (a tap opens them)."""
    started_next = False
    for phase, views in grouped.items():
        applicable = [v for v in views if v.not_applicable is None]
        done = sum(v.done is not None for v in applicable)
        complete = done == len(applicable)
        under_way = not complete and done > 0
        is_next = not complete and done == 0 and not started_next
        started_next = started_next or is_next
        _phase(case, phase, views, user, (done, len(applicable)), under_way or is_next)


def _phase(
    case: CaseDetail,
    phase: Phase,
    views: list[StepView],
    user: Actor,
    count: tuple[int, int],
    expanded: bool,
) -> None:
    done, applicable = count
    with st.expander(
        f"**{PHASE_LABELS[phase]}** · {done} of {applicable} done",
        expanded=expanded,
        icon=":material/task_alt:" if done == applicable else ":material/pending_actions:",
    ):
        for view in views:
            step_row(case, view, user)


def step_row(case: CaseDetail, view: StepView, user: Actor) -> None:
    step = view.step
    ekey = errors_key(case.case_id, step.key)
    with st.container(border=True, key=f"dayof_step_{step.key}"):
        about, action = st.columns([3, 1], vertical_alignment="center")
        with about:
            _step_state(case, view)
        needs_input = step.value_kind != ValueKind.NONE
        if view.may_tick and step.key == "discharged":
            _discharge(case, user)
        elif view.may_tick and not needs_input:
            action.button(
                "Mark done",
                key=f"dayof_tick_{case.case_id}_{step.key}",
                type="primary",
                icon=":material/check:",
                width="stretch",
                on_click=_tick,
                args=(user, case.case_id, case.version, step.key, step.label),
            )
        elif view.may_tick:
            _value_input(case, view, user)
        forms.other_errors(ekey, INLINE_FIELDS)
        if view.history:
            _history(case, view, user)


def _step_state(case: CaseDetail, view: StepView) -> None:
    step = view.step
    if view.not_applicable:
        st.markdown(f":material/block: ~~{step.label}~~")
        st.caption(f"Not applicable: {view.not_applicable}")
    elif view.done:
        st.markdown(f":green[:material/check_circle:] **{step.label}**")
        who = f"{_when(case, view.done.at)} · {view.done.by or 'unknown'}"
        st.text(f"{who} · {view.done.value}" if view.done.value else who)
        if step.key == "discharge_score" and (view.done.value or "").isdigit():
            _score_verdict(int(view.done.value))
        if step.key == "discharged" and view.done.note:  # the steps she confirmed as left open
            st.text(view.done.note)
    else:
        st.markdown(f":material/radio_button_unchecked: **{step.label}**")
        if case.status in LOCKED_AFTER_DISCHARGE:
            st.caption(messages.STEP_LEFT_OPEN)
        # Once pressed, the refusal below says the same thing in full.
        elif view.missing and not forms.errors(errors_key(case.case_id, step.key)):
            st.caption("Needs first: " + "; ".join(view.missing))


def _score_verdict(total: int) -> None:
    if not discharge_ready(total):
        st.warning(
            messages.DISCHARGE_SCORE_NOT_READY.format(total=total, min=DISCHARGE_SCORE_PASS),
            icon=":material/hourglass_top:",
        )


def _when(case: CaseDetail, at: dt.datetime) -> str:
    return f"{local_time(case.timezone, at)} {zone_abbreviation(case.timezone, at)}"


def _value_input(case: CaseDetail, view: StepView, user: Actor) -> None:
    step, cid = view.step, case.case_id
    if step.key == "discharge_score":
        _discharge_score_form(case, user)
        return
    if step.key == "driver_confirmed":
        _driver_form(case, user)
        return
    key = value_key(cid, step.key)
    # The step's title above is the label; the widget keeps it for screen readers only.
    if step.value_kind == ValueKind.CHOICE:
        st.segmented_control(
            step.label, step.choices, key=key, label_visibility="collapsed", width="stretch"
        )
    elif step.value_kind == ValueKind.NUMBER:
        st.number_input(step.label, value=None, step=1, key=key, label_visibility="collapsed")
    else:
        st.text_input(step.label, key=key, max_chars=500, label_visibility="collapsed")
    _submit_button(
        f"dayof_tick_{cid}_{step.key}",
        "Save and mark done",
        _tick,
        (user, cid, case.version, step.key, step.label, key),
    )


def _discharge_score_form(case: CaseDetail, user: Actor) -> None:
    cid = case.case_id
    scale = st.radio(
        "Scale",
        list(DischargeScale),
        format_func=lambda s: s.label,
        horizontal=True,
        key=score_key(cid, "scale"),
    )
    ekey = errors_key(cid, "discharge_score")
    points = {}
    for component in DISCHARGE_COMPONENTS[scale]:
        points[component.key] = st.segmented_control(
            component.label,
            COMPONENT_POINTS,
            key=score_key(cid, component.key),
            width="stretch",
        )
        forms.field_error(ekey, component.key)
    scored = [p for p in points.values() if p is not None]
    st.text(f"Total so far: {sum(scored)} of 10 ({len(scored)} of {len(points)} items scored)")
    _submit_button(
        f"dayof_tick_{cid}_discharge_score",
        "Record discharge score",
        _record_score,
        (user, cid, case.version),
    )


def _driver_form(case: CaseDetail, user: Actor) -> None:
    cid = case.case_id
    ekey = errors_key(cid, "driver_confirmed")
    for field, label, arranged, limit in (
        ("driver_name", "Driver's name", case.driver_name, 120),
        ("driver_relationship", "Relationship to the patient", case.driver_relationship, 60),
        ("driver_phone", "Driver's phone", case.driver_phone, 40),
    ):
        key = driver_key(cid, field)
        if key not in st.session_state:  # prefilled once from intake; what the nurse types stays
            st.session_state[key] = arranged or ""
        st.text_input(label, key=key, max_chars=limit)
        forms.field_error(ekey, field)
    _submit_button(
        f"dayof_tick_{cid}_driver_confirmed",
        "Confirm driver in person",
        _confirm_driver,
        (user, cid, case.version),
    )


def _discharge(case: CaseDetail, user: Actor) -> None:
    """Before the discharge button: every step still open, by name, and her confirmation.

    Shown once the patient is in the recovery room (the only status discharge leaves from);
    the hard stops are named beside the step's title and refused if she presses anyway.
    """
    cid = case.case_id
    open_keys: tuple[str, ...] = ()
    if can_transition(case.status, CaseStatus.DISCHARGED):
        done = current_state(e.as_tick() for e in case.entries)
        review = discharge_review(done, diabetic=case.diabetic)
        open_keys = review.open_keys
        if open_keys:
            st.warning(
                messages.DISCHARGE_OPEN_STEPS.format(steps=review.open_labels),
                icon=":material/playlist_remove:",
            )
            st.checkbox(messages.DISCHARGE_CONFIRM_OPEN, key=confirm_open_key(cid, open_keys))
        else:
            st.caption(messages.DISCHARGE_NOTHING_OPEN)
    _submit_button(
        f"dayof_tick_{cid}_discharged",
        "Discharge patient",
        _discharge_patient,
        (user, cid, case.version, open_keys),
    )


def _submit_button(key: str, label: str, callback: Callable[..., None], args: tuple) -> None:
    _, right = st.columns([2, 1])
    right.button(
        label,
        key=key,
        type="primary",
        icon=":material/check:",
        width="stretch",
        on_click=callback,
        args=args,
    )


def _history(case: CaseDetail, view: StepView, user: Actor) -> None:
    cid, step = case.case_id, view.step
    title = f"History ({len(view.history)})" + (" and un-tick" if view.may_untick else "")
    with st.expander(title, icon=":material/history:", type="compact"):
        if view.may_untick:
            key = reason_key(cid, step.key)
            st.text_input("Reason for un-ticking", key=key, max_chars=500)
            st.button(
                "Un-tick",
                key=f"dayof_untick_{cid}_{step.key}",
                icon=":material/undo:",
                width="stretch",
                on_click=_untick,
                args=(user, cid, case.version, step.key, step.label),
            )
        st.dataframe(
            _history_table(case, view.history),
            hide_index=True,
            width="stretch",
            key=f"dayof_history_{cid}_{step.key}",
        )


def _history_table(case: CaseDetail, history: Sequence[Entry]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "When": [_when(case, e.at) for e in history],
            "Who": [e.by or "" for e in history],
            "What": ["Un-ticked" if e.undone else "Ticked" for e in history],
            "Value": [e.value or "" for e in history],
            "Reason or note": [(e.reason if e.undone else e.note) or "" for e in history],
        }
    )


# --- callbacks: run before the page redraws, with the version the nurse saw ----------------------


def _run(
    case_id: int,
    step_key: str,
    action: Callable[[], Any],
    success: str,
    clear: Mapping[str, Any] = MappingProxyType({}),
) -> None:
    ekey = errors_key(case_id, step_key)
    if forms.submit(action, errors_key=ekey, success=success, clear=clear) is not None:
        # A change went through: refusals shown beside other steps may no longer hold.
        prefix = errors_key(case_id, "")
        for key in [k for k in st.session_state if str(k).startswith(prefix) and k != ekey]:
            del st.session_state[key]


def _tick(
    user: Actor, case_id: int, version: int, step_key: str, label: str, value_from: str = ""
) -> None:
    value = st.session_state.get(value_from) if value_from else None
    _run(
        case_id,
        step_key,
        lambda: service.complete_step(
            case_id,
            step_key,
            actor=user,
            value=None if value is None else str(value),
            expected_version=version,
        ),
        messages.STEP_TICKED.format(step=label),
    )


def _record_score(user: Actor, case_id: int, version: int) -> None:
    scale = st.session_state.get(score_key(case_id, "scale"))
    components = (
        {
            c.key: st.session_state.get(score_key(case_id, c.key))
            for c in DISCHARGE_COMPONENTS[scale]
        }
        if scale is not None
        else {}
    )
    _run(
        case_id,
        "discharge_score",
        lambda: service.record_discharge_score(
            case_id, scale, components, actor=user, expected_version=version
        ),
        messages.DISCHARGE_SCORE_RECORDED.format(
            total=sum(p for p in components.values() if p is not None)
        ),
    )


def _confirm_driver(user: Actor, case_id: int, version: int) -> None:
    name, relationship, phone = (
        st.session_state.get(driver_key(case_id, f))
        for f in ("driver_name", "driver_relationship", "driver_phone")
    )
    _run(
        case_id,
        "driver_confirmed",
        lambda: service.confirm_driver(
            case_id, name, relationship, phone, actor=user, expected_version=version
        ),
        messages.DRIVER_CONFIRMED_SAVED,
    )


def _discharge_patient(user: Actor, case_id: int, version: int, open_keys: tuple[str, ...]) -> None:
    # Only the open steps her screen named count as confirmed, and only if she ticked the box.
    confirmed = open_keys if st.session_state.get(confirm_open_key(case_id, open_keys)) else ()
    _run(
        case_id,
        "discharged",
        lambda: service.discharge_patient(
            case_id, actor=user, open_steps_confirmed=confirmed, expected_version=version
        ),
        messages.STEP_TICKED.format(step="Discharged"),
    )


def _untick(user: Actor, case_id: int, version: int, step_key: str, label: str) -> None:
    key = reason_key(case_id, step_key)
    reason = st.session_state.get(key) or ""
    _run(
        case_id,
        step_key,
        lambda: service.undo_step(case_id, step_key, reason, actor=user, expected_version=version),
        messages.STEP_UNTICKED.format(step=label),
        # Set, not dropped: the browser then shows the box emptied too (see forms.submit).
        clear={key: ""},
    )
