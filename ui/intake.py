"""Widgets of the intake screen. Every write goes through services via ui.forms; what users
typed (doses, details, names of prescribers and escorts) is shown with st.text, never as
markdown. Widget keys start with `intake_` and carry the case id where they hold its values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.home import OfficeRow
from db.queries.intake import (
    IntakeCase,
    ProviderRow,
    likely_duplicates,
    patient_by_mrn,
)
from mild import messages
from mild.cases import CaseStatus, RequestChannel
from mild.days import age_on, local_today, to_local
from mild.errors import RuleViolation
from mild.intake import (
    MAX_AMBULATORY_ASA,
    bmi,
    normalize_mrn,
)
from mild.readiness import not_ready
from mild.scores import ODI_SECTIONS
from mild.units import (
    cm_from_feet_inches,
    feet_inches_from_cm,
    height_text,
    kg_from_pounds,
    pounds_from_kg,
    weight_text,
)
from services import booking, intake
from services.cases import advance_case
from services.common import Actor, now_utc
from ui import forms
from ui.format import local_moment

CHANNEL_LABELS = {
    RequestChannel.ONLINE_FORM: "Online form",
    RequestChannel.PHONE: "Phone",
    RequestChannel.REFERRAL: "Referral",
}
# The "New consult request" fold: open while a request is typed, closed once it is created (the
# new case opens below it instead of the emptied form staying above it; issue 13).
NEW_REQUEST_OPEN = "intake_new_open"
# Emptied after a request is created, so the next request starts blank. Set to these values,
# not dropped: the name, date of birth and phone are kept while hidden (persist_state), and a
# dropped key would bring what was typed back. The office is kept for the next one.
NEW_REQUEST_KEYS = {
    "intake_new_mrn": "",
    "intake_new_first": "",
    "intake_new_last": "",
    "intake_new_dob": None,
    "intake_new_phone": "",
    "intake_new_provider": None,
    "intake_new_channel": None,
    "intake_new_different": False,
}
ODI_LABELS = {s: s.replace("_", " ").capitalize() for s in ODI_SECTIONS}
ODI_CHOICES = [0, 1, 2, 3, 4, 5]


def _errors(key: str, fields: Sequence[str]) -> None:
    """Refusals with no widget of their own on this part of the screen (status, version)."""
    forms.other_errors(key, fields)


# --- the consult request ------------------------------------------------------------------


def new_request(user: Actor, offices: list[OfficeRow], providers: list[ProviderRow]) -> None:
    """Find the patient by MRN or enter a new one; office, provider and channel; create."""
    errors = "intake_new_errors"
    state = st.session_state
    st.text_input("MRN", key="intake_new_mrn", max_chars=20)
    forms.field_error(errors, "mrn")
    try:
        found = patient_by_mrn(normalize_mrn(state.get("intake_new_mrn", "")))
    except RuleViolation:
        found = None
    twins: list[str] = []
    chosen = {o.id: o for o in offices}.get(state.get("intake_new_office"), offices[0])
    today = local_today(chosen.timezone, now_utc())
    if found is not None:
        name = f"{found.last_name}, {found.first_name}"
        born = _born(found.date_of_birth, today)
        st.text(messages.EXISTING_PATIENT.format(name=name, born=born))
    else:
        # Kept while hidden: an existing patient's MRN typed by mistake and taken back leaves
        # the name, date of birth and phone as typed (persist_state="page"; issue 13).
        first, last = st.columns(2)
        with first:
            st.text_input("First name", key="intake_new_first", max_chars=80, persist_state="page")
            forms.field_error(errors, "first_name")
        with last:
            st.text_input("Last name", key="intake_new_last", max_chars=80, persist_state="page")
            forms.field_error(errors, "last_name")
        born, phone = st.columns(2)
        with born:
            st.date_input(
                "Date of birth",
                value=None,
                min_value=dt.date(1900, 1, 1),
                max_value=dt.date.today(),
                key="intake_new_dob",
                format="YYYY-MM-DD",
                persist_state="page",
            )
            if (typed := state.get("intake_new_dob")) is not None and typed < today:
                st.caption(messages.AGE_TODAY.format(age=age_on(typed, today)))
            forms.field_error(errors, "date_of_birth")
        with phone:
            st.text_input(
                "Patient phone", key="intake_new_phone", max_chars=40, persist_state="page"
            )
            forms.field_error(errors, "phone")
        if state.get("intake_new_dob") is not None:
            twins = likely_duplicates(
                state.get("intake_new_first", ""),
                state.get("intake_new_last", ""),
                state["intake_new_dob"],
            )
        if twins:
            st.warning(messages.LIKELY_DUPLICATE_SEEN.format(mrn=", ".join(twins)))
            st.checkbox(messages.DIFFERENT_PERSON_LABEL, key="intake_new_different")
    office_ids = [o.id for o in offices]
    names = {o.id: f"{o.name} ({o.code})" for o in offices}
    where, who = st.columns(2)
    with where:
        st.selectbox(
            "Office",
            office_ids,
            index=0 if len(office_ids) == 1 else None,  # several: a conscious choice
            format_func=names.get,
            placeholder="Choose the office",
            key="intake_new_office",
        )
        forms.field_error(errors, "office")
    office_id = state.get("intake_new_office")
    here = {p.id: p.name for p in providers if p.office_id == office_id}
    if state.get("intake_new_provider") not in (None, *here):  # None: emptied after a request
        state.pop("intake_new_provider", None)
    with who:
        st.selectbox(
            "Provider",
            list(here),
            index=None,
            format_func=here.get,
            placeholder="Choose later",
            key="intake_new_provider",
        )
        forms.field_error(errors, "provider")
    st.radio(
        "Request came in by",
        list(RequestChannel),
        index=None,
        format_func=CHANNEL_LABELS.get,
        horizontal=True,
        key="intake_new_channel",
    )
    forms.field_error(errors, "channel")

    def create() -> None:
        new = forms.submit(
            lambda: intake.create_case(
                mrn=state.get("intake_new_mrn", ""),
                first_name=state.get("intake_new_first", ""),
                last_name=state.get("intake_new_last", ""),
                date_of_birth=state.get("intake_new_dob"),
                phone=state.get("intake_new_phone", ""),
                office_id=state.get("intake_new_office"),
                provider_id=state.get("intake_new_provider"),
                channel=state.get("intake_new_channel"),
                different_person=bool(state.get("intake_new_different")),
                actor=user,
            ),
            errors_key=errors,
            clear=NEW_REQUEST_KEYS,
        )
        if new is not None:
            state["intake_case"] = new.case_id
            state[NEW_REQUEST_OPEN] = False
            state[forms.FLASH_KEY] = messages.CASE_REQUESTED.format(code=new.code)

    forms.button("Create consult request", "intake_new_create", create, primary=True)
    shown = ["mrn", "first_name", "last_name", "date_of_birth", "phone", "office", "provider"]
    _errors(errors, [*shown, "channel"])


# --- choosing a case ------------------------------------------------------------------------


def case_picker(cases: pd.DataFrame) -> int | None:
    """The open case to work on; a case that left the list (cancelled, checked in) is dropped."""
    labels = {}
    for row in cases.itertuples():
        start = (
            f"{to_local(row.timezone, row.scheduled_start):%a %d %b %H:%M}"
            if row.scheduled_start is not None and not pd.isna(row.scheduled_start)
            else "not booked"
        )
        status = CaseStatus(row.status).label
        labels[int(row.case_id)] = f"{row.code} · {row.patient} · {status} · {start}"
    picked = st.session_state.get("intake_case")
    if picked in labels:
        # Handed back on every run, so the browser is sent the case's label as it is now. The
        # browser returns the label it shows; once an action changed it (intake started, booked,
        # confirmed), the old label matched no option and the next click closed the case.
        st.session_state["intake_case"] = picked
    else:
        st.session_state.pop("intake_case", None)
    return st.selectbox(
        "Case",
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder="Choose an open case to work on",
        key="intake_case",
    )


def _born(date_of_birth: dt.date, today: dt.date) -> str:
    """The date of birth with the age beside it: "14 Mar 1951 (age 75)"."""
    return messages.BORN_WITH_AGE.format(
        born=f"{date_of_birth:%d %b %Y}", age=age_on(date_of_birth, today)
    )


def case_header(case: IntakeCase, user: Actor) -> None:
    p = case.patient
    born = _born(p.date_of_birth, local_today(case.timezone, now_utc()))
    st.subheader(f"{case.code} · {case.status.label}")
    st.text(
        f"{p.last_name}, {p.first_name} · MRN {p.mrn} · born {born}\n"
        f"{case.office_name} · {case.provider_name or 'no provider yet'} · "
        f"request by {CHANNEL_LABELS[case.request_channel].lower()}"
    )
    if case.status == CaseStatus.REQUESTED:
        errors = "intake_status_errors"

        def start() -> None:
            forms.submit(
                lambda: advance_case(
                    case.id, CaseStatus.INTAKE, actor=user, expected_version=case.version
                ),
                errors_key=errors,
                success=messages.INTAKE_SAVED,
            )

        forms.button("Start intake", "intake_start", start, primary=True)
        _errors(errors, [])


# --- readiness and confirmation -------------------------------------------------------------


def _refusal_as_it_stands(errors: str, missing: Sequence[str]) -> None:
    """A refusal to confirm named what was missing when it was pressed. Items are done in the
    other forms since, each rerun redraws it: it names what is missing now, and goes once
    nothing is (a stale "Missing: ..." beside "Ready" was issue 13)."""
    refused = dict(forms.errors(errors))
    if "readiness" not in refused:
        return
    if missing:
        refused["readiness"] = not_ready(missing)
    else:
        del refused["readiness"]
    st.session_state[errors] = refused


def readiness(case: IntakeCase, user: Actor) -> None:
    errors = "intake_confirm_errors"
    _refusal_as_it_stands(errors, case.missing)
    with st.container(border=True, key="intake_readiness"):
        st.markdown("**Readiness for the day**")
        if case.confirmed_at is not None:
            st.success(
                messages.CONFIRMED_ON.format(when=local_moment(case.timezone, case.confirmed_at))
            )
        if case.missing:
            st.warning(messages.MISSING_COUNT.format(n=len(case.missing)))
            st.text("\n".join(f"• {item}" for item in case.missing))
        else:
            st.success(messages.READY_TO_CONFIRM)
        if case.warnings:  # over a practice limit set to warn: the clinicians decide
            st.warning(messages.INTAKE_WARNINGS.format(n=len(case.warnings)))
            with st.container(key="intake_warnings"):
                st.text("\n".join(f"• {item}" for item in case.warnings))
        confirmable = case.status == CaseStatus.INTAKE or (
            case.status == CaseStatus.SCHEDULED and case.confirmed_at is None
        )
        if confirmable:

            def confirm() -> None:
                forms.submit(
                    lambda: booking.confirm_case(
                        case.id, actor=user, expected_version=case.version
                    ),
                    errors_key=errors,
                    success=messages.CASE_CONFIRMED,
                )

            forms.button("Confirm for the day", "intake_confirm", confirm, primary=not case.missing)
            forms.field_error(errors, "readiness")
            _errors(errors, ["readiness"])


# --- assessment, baseline ODI, escort -------------------------------------------------------


def _number(label: str, key: str, value, *, step, field: str, errors: str, fmt=None) -> None:
    # No min or max: an out-of-range value reaches the rules, which say what the range is.
    st.number_input(label, value=value, step=step, format=fmt, key=key)
    forms.field_error(errors, field)


def assessment(case: IntakeCase, user: Actor) -> None:
    """ASA class, height (ft, in) and weight (lb) as a US practice measures them (stored in cm
    and kg: mild.units), baseline pain and tolerances, work; one save, every refusal at once."""
    errors = f"intake_assess_errors_{case.id}"
    k = f"intake_assess_{case.id}"
    if case.asa_class is not None and case.asa_class > MAX_AMBULATORY_ASA:
        st.warning(messages.ASA_NEEDS_REVIEW.format(asa=case.asa_class, limit=MAX_AMBULATORY_ASA))
    feet = inches = pounds = None
    if case.height_cm and case.weight_kg:
        st.metric("BMI", f"{bmi(case.height_cm, case.weight_kg):.1f}")
        st.caption(
            messages.HEIGHT_WEIGHT_SHOWN.format(
                height=height_text(case.height_cm),
                weight=weight_text(case.weight_kg),
                bmi=f"{bmi(case.height_cm, case.weight_kg):.1f}",
            )
        )
    if case.height_cm:
        feet, inches = feet_inches_from_cm(case.height_cm)
    if case.weight_kg:
        pounds = pounds_from_kg(case.weight_kg)
    with st.form(f"{k}_form", border=False):
        left, right = st.columns(2)
        with left:
            _number(
                "ASA class (1-6)",
                f"{k}_asa",
                case.asa_class,
                step=1,
                field="asa_class",
                errors=errors,
            )
            ft, inch = st.columns(2)
            ft.number_input("Height (ft)", value=feet, step=1, key=f"{k}_feet")
            inch.number_input(
                "Height (in)", value=inches, step=0.5, format="%.1f", key=f"{k}_inches"
            )
            forms.field_error(errors, "height_cm")
            _number(
                "Weight (lb)",
                f"{k}_pounds",
                pounds,
                step=1.0,
                field="weight_kg",
                errors=errors,
                fmt="%.1f",
            )
            _number(
                "Baseline pain, NPRS (0-10)",
                f"{k}_nprs",
                case.baseline_nprs,
                step=1,
                field="nprs",
                errors=errors,
            )
        with right:
            _number(
                "Walking tolerance (minutes)",
                f"{k}_walk",
                case.baseline_walk_minutes,
                step=1,
                field="walk_minutes",
                errors=errors,
            )
            _number(
                "Standing tolerance (minutes)",
                f"{k}_stand",
                case.baseline_stand_minutes,
                step=1,
                field="stand_minutes",
                errors=errors,
            )
            forms.yes_no("Works", case.works, f"{k}_works")

        def save() -> None:
            get = st.session_state.get
            forms.submit(
                lambda: intake.save_assessment(
                    case.id,
                    asa_class=get(f"{k}_asa"),
                    height_cm=cm_from_feet_inches(get(f"{k}_feet"), get(f"{k}_inches")),
                    weight_kg=kg_from_pounds(get(f"{k}_pounds")),
                    baseline_nprs=get(f"{k}_nprs"),
                    walk_minutes=get(f"{k}_walk"),
                    stand_minutes=get(f"{k}_stand"),
                    works=get(f"{k}_works"),
                    actor=user,
                    expected_version=case.version,
                ),
                errors_key=errors,
                success=messages.INTAKE_SAVED,
            )

        st.form_submit_button("Save assessment", on_click=save, type="primary", width="stretch")
    fields = ["asa_class", "height_cm", "weight_kg", "nprs", "walk_minutes", "stand_minutes"]
    _errors(errors, fields)


def medicare(case: IntakeCase, user: Actor) -> None:
    """Medicare coverage and, for Medicare, enrolment in a CMS-approved study with its NCT
    number (NCD 150.13)."""
    errors = f"intake_medicare_errors_{case.id}"
    k = f"intake_medicare_{case.id}"
    st.caption(messages.MEDICARE_HELP)
    with st.form(f"{k}_form", border=False):
        forms.yes_no("Coverage", case.medicare, f"{k}_medicare", ("Medicare", "Not Medicare"))
        forms.field_error(errors, "medicare")
        enrolled, nct = st.columns(2)
        with enrolled:
            st.checkbox(
                "Enrolled in a CMS-approved study",
                value=bool(case.cms_study_enrolled),
                key=f"{k}_enrolled",
            )
            forms.field_error(errors, "study_enrolled")
        with nct:
            st.text_input(
                "Study NCT number",
                value=case.cms_study_nct or "",
                placeholder="NCT########",
                max_chars=16,
                key=f"{k}_nct",
            )
            forms.field_error(errors, "study_nct")

        def save() -> None:
            get = st.session_state.get
            forms.submit(
                lambda: intake.save_medicare(
                    case.id,
                    medicare=get(f"{k}_medicare"),
                    study_enrolled=bool(get(f"{k}_enrolled")),
                    study_nct=get(f"{k}_nct") or "",
                    actor=user,
                    expected_version=case.version,
                ),
                errors_key=errors,
                success=messages.MEDICARE_SAVED,
            )

        st.form_submit_button("Save coverage", key=f"{k}_save", on_click=save, width="stretch")
    _errors(errors, ["medicare", "study_enrolled", "study_nct"])


def odi_fold_title(case: IntakeCase) -> str:
    """The baseline ODI's fold, with the score once saved: in sight when folded."""
    if case.baseline_odi is None:
        return messages.ODI_FOLD
    score = messages.ODI_FOLD_SCORE.format(score=f"{case.baseline_odi:.1f}")
    return f"{messages.ODI_FOLD} · {score}"


def baseline_odi(case: IntakeCase, user: Actor) -> None:
    """The Oswestry Disability Index as one grid: a row of 0-5 per section, one save, the
    score shown once saved."""
    errors = f"intake_odi_errors_{case.id}"
    k = f"intake_odi_{case.id}"
    if case.baseline_odi is not None:
        st.metric("Baseline ODI", f"{case.baseline_odi:.1f}")
        st.caption(messages.ODI_ANSWERS_NOT_KEPT)
    with st.form(f"{k}_form", border=False):
        st.caption(messages.ODI_HOW_TO)
        for section in ODI_SECTIONS:
            with st.container(key=f"{k}_{section}_row"):
                label, choice = st.columns([2, 3], vertical_alignment="center")
                label.markdown(ODI_LABELS[section])
                with choice:
                    st.segmented_control(
                        ODI_LABELS[section],
                        ODI_CHOICES,
                        key=f"{k}_{section}",
                        label_visibility="collapsed",
                    )
                    forms.field_error(errors, section)

        def save() -> None:
            answers = {s: st.session_state.get(f"{k}_{s}") for s in ODI_SECTIONS}
            score = forms.submit(
                lambda: intake.save_baseline_odi(
                    case.id, answers, actor=user, expected_version=case.version
                ),
                errors_key=errors,
            )
            if score is not None:
                answered = sum(v is not None for v in answers.values())
                st.session_state[forms.FLASH_KEY] = messages.ODI_SCORE_ANSWERED.format(
                    score=f"{score:.1f}", answered=answered
                )

        st.form_submit_button("Save ODI", on_click=save, width="stretch")
    forms.field_error(errors, "odi")
    _errors(errors, ["odi", *ODI_SECTIONS])


def escort(case: IntakeCase, user: Actor) -> None:
    errors = f"intake_escort_errors_{case.id}"
    k = f"intake_escort_{case.id}"
    with st.form(f"{k}_form", border=False):
        st.text_input("Escort's name", value=case.escort_name or "", key=f"{k}_name")
        forms.field_error(errors, "escort_name")
        st.text_input("Relationship", value=case.escort_relationship or "", key=f"{k}_relationship")
        forms.field_error(errors, "escort_relationship")
        st.text_input("Escort's phone", value=case.escort_phone or "", key=f"{k}_phone")
        forms.field_error(errors, "escort_phone")

        def save() -> None:
            get = st.session_state.get
            forms.submit(
                lambda: intake.save_escort(
                    case.id,
                    name=get(f"{k}_name", ""),
                    relationship=get(f"{k}_relationship", ""),
                    phone=get(f"{k}_phone", ""),
                    actor=user,
                    expected_version=case.version,
                ),
                errors_key=errors,
                success=messages.INTAKE_SAVED,
            )

        st.form_submit_button("Save escort", on_click=save, type="primary", width="stretch")
    _errors(errors, ["escort_name", "escort_relationship", "escort_phone"])
