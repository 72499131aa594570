"""The intake screen's medications: add a drug by generic or brand name, see the hold the
practice's table gives it (stop before, latest allowed last dose, restart), place a drug the
table cannot (a nurse picks its row and says why), the prescriber's clearance, the hold
confirmed with the patient, and the last dose the patient reports at the pre-op call.

What users typed (names, doses, reasons) is shown with st.text, never as markdown. Widget keys
start with `intake_` and carry the case or medication id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from db.queries.holds import current_hold_table
from db.queries.intake import IntakeCase
from db.queries.medications import MedicationRow
from mild import messages
from mild.days import at_local
from mild.glp1 import RISK_FACTORS, Glp1Decision, decision_summary, read_screen
from mild.intake import DRUG_REVIEWERS, hold_confirmation_blocker
from mild.medications import (
    NO_RELEVANCE,
    HoldRule,
    MedClass,
    last_dose_passed,
    needs_agreed_stop,
    needs_patient_instruction,
    restart_text,
    stop_text,
)
from services import medications as service
from services.common import Actor, now_utc
from services.medications import hold_facts
from ui import forms
from ui.format import local_moment, plain
from ui.safe import show_failure


def medications(case: IntakeCase, user: Actor) -> None:
    errors = f"intake_med_add_errors_{case.id}"
    drug, dose = st.columns([3, 2])
    with drug:
        st.text_input(
            "Drug (generic or brand)",
            key=f"intake_drug_{case.id}",
            placeholder="e.g. Eliquis or apixaban",
        )
        forms.field_error(errors, "drug")
    with dose:
        st.text_input("Dose", key=f"intake_dose_{case.id}", placeholder="e.g. 5 mg twice daily")
        forms.field_error(errors, "dose")

    def add() -> None:
        forms.submit(
            lambda: service.add_medication(
                case.id,
                st.session_state.get(f"intake_drug_{case.id}", ""),
                st.session_state.get(f"intake_dose_{case.id}", ""),
                actor=user,
            ),
            errors_key=errors,
            success=messages.INTAKE_SAVED,
            clear={f"intake_drug_{case.id}": "", f"intake_dose_{case.id}": ""},  # still shown
        )

    forms.button("Add medication", f"intake_med_add_{case.id}", add)
    forms.other_errors(errors, ["drug", "dose"])
    if not case.medications:
        st.caption(messages.NO_MEDICATIONS)
        return
    table: Mapping[str, HoldRule] = {}
    if any(m.needs_review for m in case.medications) and user.role in DRUG_REVIEWERS:
        try:
            table = current_hold_table()  # the rows a nurse may place a drug on
        except Exception as exc:
            show_failure(exc)
            return
    for med in case.medications:
        _medication(case, med, user, table)


def hold_facts_line(tz: str, med: MedicationRow, now: dt.datetime) -> str:
    """Class · the stop · the latest allowed last dose · the restart, in one line."""
    parts = [med.med_class.label]
    if med.timed_hold:
        parts.append(stop_text(med.stop_before, med.skip_on_day))
        if med.stop_before is not None:
            parts.append(
                messages.LAST_DOSE_BY.format(when=local_moment(tz, med.last_dose_by))
                if med.last_dose_by
                else messages.LAST_DOSE_SET_WHEN_BOOKED
            )
            taken = med.last_dose_taken_at
            if taken is not None and med.last_dose_by is not None and taken > med.last_dose_by:
                parts.append(messages.LAST_DOSE_REPORTED_TOO_LATE)
            elif (
                med.hold_confirmed_at is None
                and taken is None
                and last_dose_passed(med.last_dose_by, now)
            ):
                parts.append(messages.LAST_DOSE_PAST)
    if needs_patient_instruction(med.med_class) and not med.needs_review:
        parts.append(restart_text(med.restart_after, med.instruction))
    return " · ".join(p for p in parts if p)


def _medication(
    case: IntakeCase, med: MedicationRow, user: Actor, table: Mapping[str, HoldRule]
) -> None:
    errors = f"intake_med_errors_{med.id}"
    key = f"intake_med_{med.id}"
    with st.container(border=True, key=key):
        st.markdown(f"**{plain(med.drug)}**")  # typed: shown inert
        if med.name_given and med.name_given.lower() != med.drug:
            st.text(messages.NAME_GIVEN.format(name=med.name_given))
        if med.dose:
            st.text(med.dose)
        st.caption(hold_facts_line(case.timezone, med, now_utc()))
        if med.instruction:
            st.caption(messages.HOLD_INSTRUCTION.format(instruction=med.instruction))
        if med.reviewed_at is not None:
            st.text(
                messages.DRUG_REVIEWED_AS.format(
                    who=med.reviewed_by,
                    when=local_moment(case.timezone, med.reviewed_at),
                    choice=messages.NO_RELEVANCE_CHOICE if med.hold_rule is None else med.drug,
                    reason=med.review_reason,
                )
            )

        def act(action: Callable[[], object], clear: Sequence[str] = ()) -> Callable[[], None]:
            return lambda: forms.submit(
                action, errors_key=errors, success=messages.INTAKE_SAVED, clear=clear
            )

        if med.needs_review:
            # An ambiguous name says which rows it could mean; an unknown one needs review.
            st.warning(med.instruction or messages.DRUG_NEEDS_REVIEW, icon=":material/help:")
            if user.role in DRUG_REVIEWERS:
                place_form(med, user, key, errors, table, act)
            else:
                st.caption(messages.DRUG_REVIEW_ROLE)
        if med.med_class == MedClass.GLP1_AGONIST:
            _glp1(med, user, key, errors, act)
        _clearance(case, med, user, key, errors, act)
        _told(case, med, user, key, errors, act)
        if med.timed_hold and not med.needs_review:
            last_dose_input(case.timezone, med, user, key, errors, via="pre_op_call")
        dose, remove = st.columns([3, 1], vertical_alignment="bottom")
        with dose:
            st.text_input("Dose", value=med.dose or "", key=f"{key}_dose")
            forms.field_error(errors, "dose")
            forms.button(
                "Save dose",
                f"{key}_save",
                act(
                    lambda: service.change_medication_dose(
                        med.id, st.session_state.get(f"{key}_dose", ""), actor=user
                    )
                ),
            )
        with remove:
            forms.button(
                "Remove",
                f"{key}_remove",
                act(lambda: service.remove_medication(med.id, actor=user)),
            )
        forms.other_errors(
            errors,
            [
                "prescriber",
                "hold",
                "dose",
                "choice",
                "reason",
                "last_dose",
                "review",
                "glp1_decision",
                "glp1_decided_by",
                "agreed_stop_hours",
            ],
        )


def place_form(med, user, key, errors, table, act) -> None:
    """A drug the table could not place: pick the row it follows (the ambiguous name's own
    candidates first) or "no relevance", and say why. There is no bare "no hold" tap. Used on
    intake and, until anesthesia starts, beside the checklist's holds step."""
    candidates = [d for d, rule in table.items() if rule.generic == med.drug]
    choices = [*candidates, *[d for d in table if d not in candidates], NO_RELEVANCE]
    st.selectbox(
        "Follows the hold-table row",
        choices,
        index=None,
        format_func=lambda d: (
            messages.NO_RELEVANCE_CHOICE
            if d == NO_RELEVANCE
            else messages.PLACE_CHOICE.format(
                drug=d,
                med_class=table[d].med_class.label,
                stop=stop_text(table[d].stop_before, table[d].skip_on_day),
            )
        ),
        key=f"{key}_choice",
        placeholder="Pick the row or 'no bleeding or fasting relevance'",
    )
    forms.field_error(errors, "choice")
    st.text_input("Why (who or what confirmed it)", key=f"{key}_reason", max_chars=500)
    forms.field_error(errors, "reason")
    forms.button(
        "Place drug",
        f"{key}_place",
        act(
            lambda: service.place_drug(
                med.id,
                st.session_state.get(f"{key}_choice"),
                st.session_state.get(f"{key}_reason", ""),
                actor=user,
            )
        ),
    )


def _glp1(med: MedicationRow, user: Actor, key: str, errors: str, act) -> None:
    """The 2024 guidance: screen for risk, then continue, continue with a liquid diet, or hold
    as the anesthesia team decides."""
    screen = read_screen(med.glp1_screen)
    st.text(decision_summary(screen, med.glp1_decision))
    if med.glp1_decided_by:
        st.text(messages.GLP1_DECIDED_BY.format(who=med.glp1_decided_by))
    with st.expander(messages.GLP1_SCREEN_TITLE, expanded=med.glp1_decision is None):
        state = st.session_state
        for factor, label in RISK_FACTORS:
            state.setdefault(f"{key}_glp1_{factor}", screen.get(factor, False))
            st.checkbox(label, key=f"{key}_glp1_{factor}")
        st.radio(
            "Decision",
            list(Glp1Decision),
            index=None
            if med.glp1_decision is None
            else list(Glp1Decision).index(Glp1Decision(med.glp1_decision)),
            format_func=lambda d: d.label,
            key=f"{key}_glp1_decision",
        )
        forms.field_error(errors, "glp1_decision")
        st.text_input(
            "Anesthesia clinician who decided (needed for a hold)",
            value=med.glp1_decided_by or "",
            key=f"{key}_glp1_by",
            max_chars=120,
        )
        forms.field_error(errors, "glp1_decided_by")
        forms.button(
            "Record screen and decision",
            f"{key}_glp1_save",
            act(
                lambda: service.record_glp1_decision(
                    med.id,
                    {f: state.get(f"{key}_glp1_{f}", False) for f, _ in RISK_FACTORS},
                    state.get(f"{key}_glp1_decision"),
                    state.get(f"{key}_glp1_by", ""),
                    actor=user,
                )
            ),
        )


def _clearance(case, med, user, key, errors, act) -> None:
    if not med.needs_clearance:
        return
    if med.cleared_at is not None:
        st.text(
            messages.PRESCRIBER_CLEARED.format(
                prescriber=med.cleared_by, when=local_moment(case.timezone, med.cleared_at)
            )
        )
        return
    st.text_input("Prescriber who agreed to the stop", key=f"{key}_prescriber")
    forms.field_error(errors, "prescriber")
    agreed = needs_agreed_stop(med.med_class, med.stop_before_hours, med.skip_on_day)
    if agreed:  # a shared decision: the stop itself is what the prescriber agrees
        st.number_input(
            messages.AGREED_STOP_LABEL,
            min_value=0,
            max_value=720,
            value=None,
            step=12,
            key=f"{key}_agreed_stop",
        )
        forms.field_error(errors, "agreed_stop_hours")
    forms.button(
        "Record prescriber clearance",
        f"{key}_clear",
        act(
            lambda: service.record_prescriber_clearance(
                med.id,
                st.session_state.get(f"{key}_prescriber", ""),
                st.session_state.get(f"{key}_agreed_stop") if agreed else None,
                actor=user,
            )
        ),
    )


def _told(case, med, user, key, errors, act) -> None:
    if not needs_patient_instruction(med.med_class) or med.needs_review:
        return
    if med.hold_confirmed_at is not None:
        st.text(
            messages.HOLD_TOLD.format(
                who=med.hold_confirmed_by, when=local_moment(case.timezone, med.hold_confirmed_at)
            )
        )
        return
    blocker = hold_confirmation_blocker(**hold_facts(med))
    if blocker is not None:
        st.caption(f"{messages.HOLD_NOT_YET_TOLD} {blocker[1]}")
    else:
        forms.button(
            "Hold instructions confirmed with the patient",
            f"{key}_told",
            act(lambda: service.confirm_hold_with_patient(med.id, actor=user)),
        )
    forms.field_error(errors, "hold")


def last_dose_input(
    tz: str, med: MedicationRow, user: Actor, key: str, errors: str, *, via: str
) -> None:
    """The last dose as the patient reports it: what is on record, and a date and time (office
    time) to record it; refusals beside the inputs."""
    if med.last_dose_taken_at is not None:
        st.text(
            messages.LAST_DOSE_REPORTED.format(
                when=local_moment(tz, med.last_dose_taken_at),
                via=messages.REPORTED_VIA_LABELS.get(med.last_dose_reported_via or "", ""),
                who=med.last_dose_reported_by or "",
            )
        )
    else:
        st.text(messages.LAST_DOSE_NOT_REPORTED)
    day, time = st.columns(2)
    day.date_input("Last dose: day", value=None, key=f"{key}_last_day", format="YYYY-MM-DD")
    time.time_input("Last dose: time", value=None, key=f"{key}_last_time", step=900)
    forms.field_error(errors, "last_dose")

    def record() -> None:
        taken_day = st.session_state.get(f"{key}_last_day")
        taken_time = st.session_state.get(f"{key}_last_time")
        taken = (
            at_local(tz, taken_day, taken_time)
            if taken_day is not None and taken_time is not None
            else None
        )
        forms.submit(
            lambda: service.record_last_dose(med.id, taken, via=via, actor=user),
            errors_key=errors,
            success=messages.LAST_DOSE_SAVED.format(drug=med.drug),
            clear={f"{key}_last_day": None, f"{key}_last_time": None},
        )

    forms.button("Record last dose", f"{key}_last_save", record)
