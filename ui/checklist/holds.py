"""Beside "Medication holds confirmed": each held drug with its required stop, the latest
allowed last dose and the last dose the patient reported (or "not yet reported"), and a form to
record the last dose the patient reports on the day, in the office's time; a drug still under
review is placed here by a nurse (ui.medications.place_form), so one found on the day does not
block the step for good."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from db.queries.checklist import CaseDetail
from db.queries.holds import current_hold_table
from db.queries.medications import MedicationRow
from mild import messages
from mild.checklist import current_state
from mild.dayof_holds import is_held
from mild.days import at_local, local_today
from mild.hold_rules import HoldRule
from mild.intake import DRUG_REVIEWERS
from mild.medications import LAST_DOSE_OPEN, from_hours, stop_text
from services import medications
from services.common import Actor, now_utc
from ui import forms
from ui.checklist.common import last_dose_key, moment, run
from ui.medications import place_form
from ui.safe import show_failure


def _errors_key(case_id: int, medication_id: int) -> str:
    return f"dayof_errors_{case_id}_last_dose_{medication_id}"


def held_drugs(case: CaseDetail, user: Actor) -> None:
    held = [m for m in case.medications if is_held(m)]
    if not held:
        st.caption(messages.HELD_DRUGS_NONE)
        return
    done = current_state(e.as_tick() for e in case.entries)
    may_record = case.status in LAST_DOSE_OPEN and "anesthesia_start" not in done
    table: dict[str, HoldRule] = {}
    may_place = may_record and user.role in DRUG_REVIEWERS
    if may_place and any(m.needs_review for m in held):
        try:
            table = current_hold_table()
        except Exception as exc:
            show_failure(exc)
            return
    for med in held:
        with st.container(border=True, key=f"dayof_held_{med.id}"):
            st.text("\n".join(lines(case, med)))  # one element: one block, tight lines
            if may_record and not med.needs_review:
                _record_form(case, med, user)
            elif may_place and med.needs_review:
                _place_form(case, med, user, table)


def lines(case: CaseDetail, med: MedicationRow) -> list[str]:
    """The drug as the nurse checks it with the patient, one fact a line."""
    name = (
        messages.HELD_DRUG_NAME_GIVEN.format(drug=med.drug, name=med.name_given)
        if med.name_given and med.name_given.strip().lower() != med.drug.lower()
        else med.drug
    )
    if med.needs_review:
        return [name, messages.HELD_DRUG_UNDER_REVIEW]
    stop = from_hours(med.stop_before_hours)
    shown = [name, messages.HELD_DRUG_STOP.format(stop=stop_text(stop, med.skip_on_day))]
    shown.append(
        messages.HELD_DRUG_LAST_DOSE_BY.format(when=moment(case, med.last_dose_by))
        if med.last_dose_by
        else messages.HELD_DRUG_NO_DEADLINE
    )
    if med.last_dose_taken_at is None:
        shown.append(messages.LAST_DOSE_NOT_REPORTED)
    else:
        shown.append(
            messages.LAST_DOSE_REPORTED.format(
                when=moment(case, med.last_dose_taken_at),
                via=messages.REPORTED_VIA_LABELS.get(med.last_dose_reported_via or "", ""),
                who=med.last_dose_reported_by or messages.STAFF_NOT_RECORDED,
            )
        )
    return shown


def _record_form(case: CaseDetail, med: MedicationRow, user: Actor) -> None:
    cid = case.case_id
    day_key, time_key = last_dose_key(cid, med.id, "day"), last_dose_key(cid, med.id, "time")
    if day_key not in st.session_state:
        st.session_state[day_key] = local_today(case.timezone, now_utc())
    day, time = st.columns(2)
    day.date_input(f"{messages.LAST_DOSE_RECORD}: day", key=day_key, format="YYYY-MM-DD")
    time.time_input("Time (office time)", value=None, step=dt.timedelta(minutes=1), key=time_key)
    forms.field_error(_errors_key(cid, med.id), "last_dose")
    forms.other_errors(_errors_key(cid, med.id), ["last_dose"])
    st.button(
        "Record last dose",
        key=f"dayof_last_dose_{cid}_{med.id}",
        icon=":material/medication:",
        width="stretch",
        on_click=_record,
        args=(user, case, med.id, med.drug),
    )


def _place_form(
    case: CaseDetail, med: MedicationRow, user: Actor, table: dict[str, HoldRule]
) -> None:
    errors = _errors_key(case.case_id, med.id)

    def act(action: Callable[[], object]) -> Callable[[], None]:
        return lambda: run(
            case.case_id, f"last_dose_{med.id}", action, messages.DRUG_PLACED.format(drug=med.drug)
        )

    place_form(med, user, f"dayof_place_{case.case_id}_{med.id}", errors, table, act)
    forms.other_errors(errors, ["choice", "reason", "last_dose"])


def _record(user: Actor, case: CaseDetail, medication_id: int, drug: str) -> None:
    cid = case.case_id
    day = st.session_state.get(last_dose_key(cid, medication_id, "day"))
    time = st.session_state.get(last_dose_key(cid, medication_id, "time"))
    taken_at = None if day is None or time is None else at_local(case.timezone, day, time)
    run(
        cid,
        f"last_dose_{medication_id}",
        lambda: medications.record_last_dose(medication_id, taken_at, via="day_of", actor=user),
        messages.LAST_DOSE_SAVED.format(drug=drug),
    )
