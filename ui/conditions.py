"""The intake screen's conditions: flag a comorbidity, see what it brings, and record its
clearance with its values (HbA1c, eGFR, STOP-Bang, the implanted device, the cardiology
clearance; mild.clearances) or, for the others, the "on file" tick with who and when.

Each set of values is one form saved by one service; a refusal shows beside its field and what
was typed stays. What users typed (names, plans) is shown with st.text, never as markdown.
Widget keys start with `intake_cond_` and carry the case id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from db.queries.clearances import ClearanceRecord
from db.queries.intake import IntakeCase
from mild import messages
from mild.clearances import (
    CONDITION_VALUES,
    STOP_BANG_ITEMS,
    STOP_BANG_LABELS,
    STOP_BANG_NECK_CM,
    ClearanceKind,
    DeviceType,
    Sex,
    is_dabigatran,
    stop_bang,
)
from mild.days import age_on, local_today
from mild.intake import HIGH_BMI_LIMIT, Condition, Requirement, bmi, needs_for
from services import clearances, intake
from services.common import Actor, now_utc
from ui import forms
from ui.format import local_moment as when
from ui.forms import button

YES_NO = {True: "Yes", False: "No"}
OLDEST = dt.date(2000, 1, 1)


def _needs_text(condition: Condition) -> str:
    """What a condition brings, e.g. "Before booking: HbA1c value and date; On the day: ..."."""
    return "; ".join(
        (
            messages.CONDITION_BRINGS_CLEARANCE
            if n.kind == Requirement.CLEARANCE
            else messages.CONDITION_BRINGS_DAY_OF
        ).format(need=n.text)
        for n in needs_for([condition])
    )


def conditions(case: IntakeCase, user: Actor) -> None:
    flagged = {c.condition: c for c in case.conditions}
    for condition in Condition:
        key = f"intake_cond_{case.id}_{condition.value}"
        errors = f"intake_cond_errors_{case.id}_{condition.value}"

        def toggle(condition: Condition = condition, key: str = key, errors: str = errors) -> None:
            on = st.session_state.get(key)
            done = forms.submit(
                lambda: (
                    intake.flag_condition(case.id, condition, actor=user)
                    if on
                    else intake.unflag_condition(case.id, condition, actor=user)
                ),
                errors_key=errors,
            )
            if done is None:
                st.session_state.pop(key, None)  # back to what is saved

        st.checkbox(condition.label, value=condition in flagged, key=key, on_change=toggle)
        forms.field_error(errors, "status")
        row = flagged.get(condition)
        if row is None:
            st.caption(_needs_text(condition))  # what flagging it would bring
            forms.other_errors(errors, ["status"])
            continue
        with st.container(border=True, key=f"{key}_box"):
            for need in needs_for([condition]):
                if need.kind == Requirement.DAY_OF:
                    st.caption(messages.CONDITION_BRINGS_DAY_OF.format(need=need.text))
                elif condition in CONDITION_VALUES:
                    _values(case, user, CONDITION_VALUES[condition], key, need.text)
                elif row.cleared_at is not None:
                    st.text(
                        messages.CLEARANCE_ON_FILE.format(
                            need=need.text,
                            who=row.cleared_by,
                            when=when(case.timezone, row.cleared_at),
                        )
                    )
                else:
                    st.caption(messages.CLEARANCE_MISSING.format(need=need.text))
                    button(
                        f"Record: {need.text}",
                        f"{key}_clear",
                        lambda c=condition, e=errors: forms.submit(
                            lambda: intake.record_condition_clearance(case.id, c, actor=user),
                            errors_key=e,
                            success=messages.INTAKE_SAVED,
                        ),
                    )
            st.text_input("Details", value=row.details or "", key=f"{key}_details")
            forms.field_error(errors, "details")
            button(
                "Save details",
                f"{key}_save",
                lambda c=condition, e=errors, k=f"{key}_details": forms.submit(
                    lambda: intake.change_condition_details(
                        case.id, c, st.session_state.get(k, ""), actor=user
                    ),
                    errors_key=e,
                    success=messages.INTAKE_SAVED,
                ),
            )
            forms.other_errors(errors, ["status", "details", "clearance"])
    on_dabigatran = any(is_dabigatran(m.drug) for m in case.medications)
    if on_dabigatran and Condition.KIDNEY_DISEASE not in flagged:
        key = f"intake_cond_{case.id}_dabigatran"
        with st.container(border=True, key=f"{key}_box"):
            st.markdown(f"**{messages.EGFR_FOR_DABIGATRAN}**")
            _values(case, user, ClearanceKind.EGFR, key, "eGFR value and date")


# --- one form per set of values -----------------------------------------------------------------

FORM_FIELDS: dict[ClearanceKind, tuple[str, ...]] = {
    ClearanceKind.HBA1C: ("hba1c_percent", "hba1c_measured_on"),
    ClearanceKind.EGFR: ("egfr_value", "egfr_measured_on"),
    ClearanceKind.STOP_BANG: ("stop_bang", "neck_cm", "sex"),
    ClearanceKind.DEVICE: (
        "device_type",
        "manufacturer",
        "indication",
        "pacing_dependent",
        "last_interrogated_on",
        "plan",
    ),
    ClearanceKind.CARDIOLOGY: ("cleared_by", "cleared_on"),
}


def _values(case: IntakeCase, user: Actor, kind: ClearanceKind, key: str, need: str) -> None:
    """The values of one clearance: what is on file (who, when), the form, its refusals."""
    record = case.clearances.get(kind)
    on_file = record is not None and record.values is not None
    if on_file:
        st.text(
            messages.VALUES_ON_FILE.format(
                values=_described(record),
                who=record.recorded_by or "-",
                when=when(case.timezone, record.recorded_at),
            )
        )
        if kind == ClearanceKind.STOP_BANG:
            _stop_bang_result(record)
    else:
        st.caption(messages.CLEARANCE_MISSING.format(need=need))
    errors = f"{key}_values_errors"
    k = f"{key}_{kind.value}"
    saved = record.values if on_file else None
    with st.form(f"{k}_form", border=False):
        save = FORMS[kind](case, k, errors, saved)
        st.form_submit_button(
            "Save",
            key=f"{k}_save",
            on_click=lambda: _submit(case, user, save, errors),
            width="stretch",
        )
    forms.other_errors(errors, FORM_FIELDS[kind])


def _submit(case: IntakeCase, user: Actor, save: Callable[..., int], errors: str) -> None:
    forms.submit(
        lambda: save(case.id, actor=user, expected_version=case.version),
        errors_key=errors,
        success=messages.INTAKE_SAVED,
    )


def _get(key: str):
    return st.session_state.get(key)


def _date(label: str, key: str, value: dt.date | None, field: str, errors: str) -> None:
    st.date_input(
        label,
        value=value,
        min_value=OLDEST,
        max_value=dt.date.today(),
        key=key,
        format="YYYY-MM-DD",
    )
    forms.field_error(errors, field)


def _measured(
    label: str, kind: str, part: str, value, *, k: str, fmt: str, step: float, errors, saved
):
    """One value (`{k}_{part}`) and the day it was measured (`{k}_on`), two to a row, each
    refusal below its input; the service's fields are `{kind}_{part}` and `{kind}_measured_on`."""
    left, right = st.columns(2)
    with left:
        st.number_input(label, value=value, step=step, format=fmt, key=f"{k}_{part}")
        forms.field_error(errors, f"{kind}_{part}")
    with right:
        on = saved and saved.measured_on
        _date("Measured on", f"{k}_on", on, f"{kind}_measured_on", errors)


def _hba1c_form(case, k, errors, saved):
    value = saved.percent if saved else None
    _measured(
        "HbA1c (%)",
        "hba1c",
        "percent",
        value,
        k=k,
        fmt="%.1f",
        step=0.1,
        errors=errors,
        saved=saved,
    )
    return lambda case_id, **kw: clearances.record_hba1c(
        case_id, percent=_get(f"{k}_percent"), measured_on=_get(f"{k}_on"), **kw
    )


def _egfr_form(case, k, errors, saved):
    value = saved.value if saved else None
    _measured(
        "eGFR (mL/min/1.73 m2)",
        "egfr",
        "value",
        value,
        k=k,
        fmt="%.1f",
        step=1.0,
        errors=errors,
        saved=saved,
    )
    return lambda case_id, **kw: clearances.record_egfr(
        case_id, value=_get(f"{k}_value"), measured_on=_get(f"{k}_on"), **kw
    )


def _stop_bang_defaults(case: IntakeCase) -> dict[str, bool]:
    """BMI over 35 and age over 50 as intake already knows them (the user may change them)."""
    age = age_on(case.patient.date_of_birth, local_today(case.timezone, now_utc()))
    body_mass = bmi(case.height_cm, case.weight_kg) if case.height_cm and case.weight_kg else 0
    return {"bmi_over_35": body_mass > HIGH_BMI_LIMIT, "age_over_50": age > 50}


def _stop_bang_form(case, k, errors, saved):
    defaults = _stop_bang_defaults(case)
    st.caption(messages.STOP_BANG_HOW_TO)
    for item in STOP_BANG_ITEMS:
        value = getattr(saved, item) if saved else defaults.get(item, False)
        st.checkbox(STOP_BANG_LABELS[item], value=value, key=f"{k}_{item}")
    forms.field_error(errors, "stop_bang")
    neck, sex = st.columns(2)
    with neck:
        st.number_input(
            "Neck circumference (cm)",
            value=saved.neck_cm if saved else None,
            step=0.5,
            format="%.1f",
            key=f"{k}_neck",
        )
        forms.field_error(errors, "neck_cm")
    with sex:
        sexes = list(Sex)
        st.radio(
            "Sex",
            sexes,
            index=sexes.index(saved.sex) if saved else None,
            format_func=lambda s: s.label,
            horizontal=True,
            key=f"{k}_sex",
        )
        forms.field_error(errors, "sex")
    return lambda case_id, **kw: clearances.record_stop_bang(
        case_id,
        answers={item: bool(_get(f"{k}_{item}")) for item in STOP_BANG_ITEMS},
        neck_cm=_get(f"{k}_neck"),
        sex=_get(f"{k}_sex"),
        **kw,
    )


def _device_form(case, k, errors, saved):
    types = list(DeviceType)
    st.selectbox(
        "Device type",
        types,
        index=types.index(saved.device_type) if saved else None,
        format_func=lambda t: t.label,
        placeholder="Choose the device",
        key=f"{k}_type",
    )
    forms.field_error(errors, "device_type")
    left, right = st.columns(2)
    with left:
        st.text_input("Manufacturer", value=saved.manufacturer if saved else "", key=f"{k}_maker")
        forms.field_error(errors, "manufacturer")
        forms.yes_no("Pacing-dependent", saved and saved.pacing_dependent, f"{k}_dependent")
        forms.field_error(errors, "pacing_dependent")
    with right:
        st.text_input("Indication", value=saved.indication if saved else "", key=f"{k}_why")
        forms.field_error(errors, "indication")
        _date(
            "Last interrogation",
            f"{k}_checked",
            saved and saved.last_interrogated_on,
            "last_interrogated_on",
            errors,
        )
    st.text_area(
        "Plan for the day (magnet, reprogramming, who is present)",
        value=saved.plan if saved else "",
        key=f"{k}_plan",
    )
    forms.field_error(errors, "plan")
    return lambda case_id, **kw: clearances.record_device(
        case_id,
        device_type=_get(f"{k}_type"),
        manufacturer=_get(f"{k}_maker") or "",
        indication=_get(f"{k}_why") or "",
        pacing_dependent=_get(f"{k}_dependent"),
        last_interrogated_on=_get(f"{k}_checked"),
        plan=_get(f"{k}_plan") or "",
        **kw,
    )


def _cardiology_form(case, k, errors, saved):
    left, right = st.columns(2)
    with left:
        st.text_input(
            "Cleared by (cardiologist)", value=saved.cleared_by if saved else "", key=f"{k}_by"
        )
        forms.field_error(errors, "cleared_by")
    with right:
        _date("Cleared on", f"{k}_on", saved and saved.cleared_on, "cleared_on", errors)
    return lambda case_id, **kw: clearances.record_cardiology_clearance(
        case_id, cleared_by=_get(f"{k}_by") or "", cleared_on=_get(f"{k}_on"), **kw
    )


FORMS = {
    ClearanceKind.HBA1C: _hba1c_form,
    ClearanceKind.EGFR: _egfr_form,
    ClearanceKind.STOP_BANG: _stop_bang_form,
    ClearanceKind.DEVICE: _device_form,
    ClearanceKind.CARDIOLOGY: _cardiology_form,
}


def _stop_bang_result(record: ClearanceRecord) -> None:
    result = stop_bang(record.values)
    text = messages.STOP_BANG_RESULT.format(score=result.score, band=result.band.value)
    (st.warning if result.band == "high" else st.info)(text)
    values = record.values
    st.caption(
        messages.STOP_BANG_NECK_AND_SEX.format(
            neck=YES_NO[values.neck_cm > STOP_BANG_NECK_CM].lower(),
            male=YES_NO[values.sex == Sex.MALE].lower(),
        )
    )
    if result.high_by_alternative_rule:
        st.caption(messages.STOP_BANG_HIGH_BY_ALTERNATIVE)


def _described(record: ClearanceRecord) -> str:
    """The values on file in one line."""
    v = record.values
    match record.kind:
        case ClearanceKind.HBA1C:
            return messages.ON_FILE_HBA1C.format(percent=f"{v.percent:g}", day=_day(v.measured_on))
        case ClearanceKind.EGFR:
            return messages.ON_FILE_EGFR.format(value=f"{v.value:g}", day=_day(v.measured_on))
        case ClearanceKind.STOP_BANG:
            return messages.ON_FILE_STOP_BANG.format(
                yes=", ".join(STOP_BANG_LABELS[i].lower() for i in v.yes) or "-",
                neck=f"{v.neck_cm:g}",
                sex=v.sex.label.lower(),
            )
        case ClearanceKind.DEVICE:
            return messages.ON_FILE_DEVICE.format(
                device=v.device_type.label,
                maker=v.manufacturer,
                indication=v.indication,
                dependent=YES_NO[v.pacing_dependent].lower(),
                day=_day(v.last_interrogated_on),
                plan=v.plan,
            )
    return messages.ON_FILE_CARDIOLOGY.format(who=v.cleared_by, day=_day(v.cleared_on))


def _day(day: dt.date) -> str:
    return f"{day:%d %b %Y}"
