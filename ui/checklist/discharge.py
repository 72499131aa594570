"""Recovery and discharge on the day-of screen: the discharge score item by item (each item's
descriptors shown; a failing score shown as failing; scoring again needs no un-tick), the escort
met in person (a taxi or rideshare driver alone refused), the attending physician's exemption,
the restart time of each held drug, and the discharge with every step still open named."""

from __future__ import annotations

import json

import streamlit as st

from db.queries.checklist import CaseDetail
from mild import messages
from mild.cases import CaseStatus, can_transition
from mild.checklist import DISCHARGE_SCORE_PASS, StepView, current_state
from mild.dayof_holds import is_held
from mild.discharge import (
    COMPONENT_POINTS,
    DISCHARGE_COMPONENTS,
    OTHER_RELATIONSHIP,
    RELATIONSHIP_CHOICES,
    DischargeScale,
    discharge_ready,
    discharge_review,
    relationship_choice,
    restart_plan,
)
from mild.medications import HOURS, from_hours, hours_text
from services import checklist as service
from services.common import Actor
from ui import forms
from ui.checklist.common import (
    confirm_open_key,
    errors_key,
    escort_key,
    moment,
    run,
    score_key,
    submit_button,
)
from ui.checklist.header import exemption_text
from ui.documents import discharge_instructions_button, printed_version
from ui.format import plain

# --- discharge score ----------------------------------------------------------------------------


def score_state(case: CaseDetail, view: StepView) -> None:
    """The score in force: failing (with who and when) or passing, with its scale and version."""
    entry = view.done
    detail = json.loads(entry.detail) if entry.detail else {}
    scale = DischargeScale(detail["scale"]) if detail.get("scale") in set(DischargeScale) else None
    total = int(entry.value) if (entry.value or "").isdigit() else 0
    if not discharge_ready(total):
        st.text(f"{moment(case, entry.at)} · {entry.by or 'unknown'} · {entry.value}")
        st.warning(
            messages.DISCHARGE_SCORE_NOT_READY.format(total=total, min=DISCHARGE_SCORE_PASS),
            icon=":material/hourglass_top:",
        )
    if scale is not None:
        st.caption(f"{scale.label}: {scale.version}")


def score_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    if view.complete:  # passing: scoring again stays at hand, folded
        with st.expander(messages.DISCHARGE_SCORE_AGAIN, icon=":material/replay:"):
            _score_items(case, user, primary=False)
    else:
        _score_items(case, user, primary=primary)


def _score_items(case: CaseDetail, user: Actor, *, primary: bool) -> None:
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
            on_change=forms.drop_error,
            args=(ekey, component.key),
        )
        st.caption(" · ".join(f"{p}: {component.describe(p)}" for p in (2, 1, 0)))
        forms.field_error(ekey, component.key)
    scored = [p for p in points.values() if p is not None]
    st.text(f"Total so far: {sum(scored)} of 10 ({len(scored)} of {len(points)} items scored)")
    submit_button(
        f"dayof_tick_{cid}_discharge_score",
        "Record discharge score",
        _record_score,
        (user, cid, case.version),
        primary=primary,
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
    run(
        case_id,
        "discharge_score",
        lambda: service.record_discharge_score(
            case_id, scale, components, actor=user, expected_version=version
        ),
        messages.DISCHARGE_SCORE_RECORDED.format(
            total=sum(p for p in components.values() if p is not None)
        ),
    )


# --- the escort ---------------------------------------------------------------------------------


def escort_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    cid = case.case_id
    ekey = errors_key(cid, "escort_confirmed")
    name_key, phone_key = escort_key(cid, "escort_name"), escort_key(cid, "escort_phone")
    relation_key = escort_key(cid, "escort_relationship")
    other_key = escort_key(cid, "escort_relationship_other")
    if name_key not in st.session_state:  # prefilled once from intake; what she types stays
        choice, words = relationship_choice(case.escort_relationship)
        st.session_state[name_key] = case.escort_name or ""
        st.session_state[phone_key] = case.escort_phone or ""
        st.session_state[relation_key] = choice
        st.session_state[other_key] = words

    # A field's refusal goes once the field is changed (as a score item's does).
    def typed(label: str, key: str, max_chars: int, field: str) -> None:
        st.text_input(
            label, key=key, max_chars=max_chars, on_change=forms.drop_error, args=(ekey, field)
        )

    typed("Escort's name", name_key, 120, "escort_name")
    forms.field_error(ekey, "escort_name")
    choice = st.selectbox(
        "Relationship to the patient",
        RELATIONSHIP_CHOICES,
        index=None,
        key=relation_key,
        placeholder="Choose",
        on_change=forms.drop_error,
        args=(ekey, "escort_relationship"),
    )
    if choice == OTHER_RELATIONSHIP:
        typed(messages.ESCORT_RELATIONSHIP_OTHER, other_key, 60, "escort_relationship")
    forms.field_error(ekey, "escort_relationship")
    typed("Escort's phone", phone_key, 40, "escort_phone")
    forms.field_error(ekey, "escort_phone")
    submit_button(
        f"dayof_tick_{cid}_escort_confirmed",
        "Confirm escort in person",
        _confirm_escort,
        (user, cid, case.version),
        primary=primary,
    )


def _confirm_escort(user: Actor, case_id: int, version: int) -> None:
    state = st.session_state
    choice = state.get(escort_key(case_id, "escort_relationship"))
    relationship = (
        state.get(escort_key(case_id, "escort_relationship_other"))
        if choice == OTHER_RELATIONSHIP
        else choice
    )
    name = state.get(escort_key(case_id, "escort_name"))
    phone = state.get(escort_key(case_id, "escort_phone"))
    run(
        case_id,
        "escort_confirmed",
        lambda: service.confirm_escort(
            case_id, name, relationship, phone, actor=user, expected_version=version
        ),
        messages.ESCORT_CONFIRMED_SAVED,
    )


def exemption_key(case_id: int, field: str) -> str:
    return f"dayof_exempt_{field}_{case_id}"


def exemption_form(case: CaseDetail, user: Actor, *, open_: bool) -> None:
    """The attending physician's exemption from the escort rule (who and why): shown once
    recorded, offered while the escort is still to confirm."""
    if case.escort_exempt:
        st.caption(exemption_text(case))
        return
    if not open_:
        return
    cid = case.case_id
    physician = exemption_key(cid, "physician")
    if physician not in st.session_state:
        st.session_state[physician] = case.provider or ""
    with st.expander("Attending physician's exemption", icon=":material/verified_user:"):
        st.caption(messages.EXEMPTION_HELP)
        st.text_input("Attending physician", key=physician, max_chars=120)
        reason = exemption_key(cid, "reason")
        st.text_input("Why the patient is exempted", key=reason, max_chars=500)
        st.button(
            "Record the exemption",
            key=f"dayof_exempt_{cid}",
            icon=":material/verified_user:",
            width="stretch",
            on_click=_exempt,
            args=(user, cid, case.version),
        )
    forms.other_errors(errors_key(cid, "escort_exemption"), ())


def _exempt(user: Actor, case_id: int, version: int) -> None:
    physician = st.session_state.get(exemption_key(case_id, "physician"))
    reason = st.session_state.get(exemption_key(case_id, "reason"))
    run(
        case_id,
        "escort_exemption",
        lambda: service.exempt_from_escort(
            case_id, physician, reason, actor=user, expected_version=version
        ),
        messages.EXEMPTION_SAVED.format(who=plain(physician or "")),
    )


# --- restart of held drugs, and the discharge ---------------------------------------------------


def restarts(case: CaseDetail, *, say_none: bool) -> None:
    """The restart date and time of each held drug, from the procedure end."""
    held = [m for m in case.medications if is_held(m) and not m.needs_review]
    if not held:
        if say_none:
            st.caption(messages.RESTART_NONE)
        return
    plan = restart_plan(
        (
            (
                m.drug,
                from_hours(m.restart_after_hours),
                m.instruction,
            )
            for m in held
        ),
        case.procedure_ended_at,
    )
    lines = [messages.RESTART_HEADING]
    for med, restart in zip(held, plan, strict=True):
        if restart.at is not None:
            when = messages.RESTART_AT.format(when=moment(case, restart.at))
        elif med.restart_after_hours is not None:
            when = messages.RESTART_NOT_YET.format(
                after=hours_text(med.restart_after_hours * HOURS)
            )
        else:
            when = messages.RESTART_BY_INSTRUCTION.format(instruction=restart.instruction or "—")
        lines.append(f"{restart.drug}: {when}")
    st.text("\n".join(lines))


def instructions_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    """Print the patient's discharge instructions, then record that they were given: the tick
    keeps the version printed (its audit row), so the chart says which sheet the patient got."""
    cid = case.case_id
    printed = printed_version(cid)  # the caption below the print button names it
    # The next step's one primary button: printing until a sheet is printed, then the tick.
    discharge_instructions_button(cid, user, primary=primary and printed is None)
    st.button(
        messages.INSTRUCTIONS_GIVEN_BUTTON,
        key=f"dayof_tick_{cid}_instructions_given",
        type="primary" if primary and printed is not None else "secondary",
        icon=":material/check:",
        width="stretch",
        disabled=printed is None,  # nothing printed yet in this browser: print first
        on_click=_instructions_given,
        args=(user, cid, case.version),
    )


def _instructions_given(user: Actor, case_id: int, version: int) -> None:
    printed = printed_version(case_id)
    run(
        case_id,
        "instructions_given",
        lambda: service.record_instructions_given(
            case_id, printed, actor=user, expected_version=version
        ),
        messages.STEP_TICKED.format(step="Written discharge instructions given"),
    )


def discharge_form(case: CaseDetail, view: StepView, user: Actor, *, primary: bool) -> None:
    """Before the discharge button: every step still open, by name, and her confirmation.

    Shown once the patient is in the recovery room (the only status discharge leaves from);
    the hard stops are named beside the step's title and refused if she presses anyway.
    """
    cid = case.case_id
    open_keys: tuple[str, ...] = ()
    if can_transition(case.status, CaseStatus.DISCHARGED):
        done = current_state(e.as_tick() for e in case.entries)
        review = discharge_review(done, diabetic=case.diabetic, escort_exempt=case.escort_exempt)
        open_keys = review.open_keys
        if open_keys:
            st.warning(
                messages.DISCHARGE_OPEN_STEPS.format(steps=review.open_labels),
                icon=":material/playlist_remove:",
            )
            st.checkbox(messages.DISCHARGE_CONFIRM_OPEN, key=confirm_open_key(cid, open_keys))
        else:
            st.caption(messages.DISCHARGE_NOTHING_OPEN)
    submit_button(
        f"dayof_tick_{cid}_discharged",
        "Discharge patient",
        _discharge_patient,
        (user, cid, case.version, open_keys),
        primary=primary,
    )


def _discharge_patient(user: Actor, case_id: int, version: int, open_keys: tuple[str, ...]) -> None:
    # Only the open steps her screen named count as confirmed, and only if she ticked the box.
    confirmed = open_keys if st.session_state.get(confirm_open_key(case_id, open_keys)) else ()
    run(
        case_id,
        "discharged",
        lambda: service.discharge_patient(
            case_id, actor=user, open_steps_confirmed=confirmed, expected_version=version
        ),
        messages.STEP_TICKED.format(step="Discharged"),
    )
