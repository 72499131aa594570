"""The intake screen's medications: one table of the case's drugs with their holds, and one
form below it to add a drug or change a row: the drug by generic or brand name (the hold the
practice's table gives it shown as soon as it is typed), the dose, the last dose the patient
reports, the prescriber's clearance (who and the day they agreed) and the hold told to the
patient, saved together (services.medications.save_medication). A drug the table cannot place
is placed by a nurse (she picks its row and says why); a GLP-1 agonist has its risk screen.

What users typed (names, doses, reasons) is shown with st.text or in the table, never as
markdown. Widget keys start with `intake_` and carry the case or medication id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import streamlit as st

from db.queries.holds import current_hold_table
from db.queries.intake import IntakeCase
from db.queries.medications import MedicationRow
from mild import messages
from mild.days import to_local
from mild.glp1 import RISK_FACTORS, Glp1Decision, decision_summary, read_screen
from mild.intake import DRUG_REVIEWERS, hold_confirmation_blocker
from mild.medications import (
    NO_RELEVANCE,
    HoldRule,
    MedClass,
    MedicationEntry,
    last_dose_passed,
    medication_hold,
    needs_agreed_stop,
    needs_patient_instruction,
    restart_text,
    stop_text,
    whole_hours,
)
from services import medications as service
from services.common import Actor, now_utc
from services.medications import ENTRY_FIELDS, hold_facts
from ui import forms
from ui.format import local_moment, plain, zone_abbreviation
from ui.safe import show_failure

NEW = 0  # the picker's "New medication" (ids start at 1)
OLDEST_CLEARANCE = dt.timedelta(days=366)


def medications(case: IntakeCase, user: Actor) -> None:
    """The case's drugs as one table; below it one form, for a new drug or the row picked."""
    by_id = {m.id: m for m in case.medications}
    pick = f"intake_med_pick_{case.id}"
    if st.session_state.get(pick) not in (NEW, *by_id):
        st.session_state[pick] = NEW
    if by_id:
        _table(case)
    else:
        st.caption(messages.NO_MEDICATIONS)
    picked = st.segmented_control(
        messages.MEDICATION_PICK_LABEL,
        [NEW, *by_id],
        format_func=lambda i: messages.MEDICATION_NEW if i == NEW else by_id[i].drug,
        required=True,
        key=pick,
    )
    table: Mapping[str, HoldRule] = {}
    try:
        table = current_hold_table()  # what a typed name means; the rows a nurse may pick
    except Exception as exc:
        show_failure(exc)
        return
    if picked in by_id:
        with st.container(border=True, key=f"intake_med_{picked}"):
            _row_form(case, by_id[picked], user, table)
    else:
        with st.container(border=True, key=f"intake_med_new_{case.id}"):
            _new_form(case, user, table)


def _table(case: IntakeCase) -> None:
    """One line per drug: the drug (as the patient named it), dose, hold, the latest allowed
    last dose, the last dose reported, the prescriber's clearance, the patient told. An HTML
    table: it wraps on a tablet instead of scrolling sideways; typed text is escaped."""
    tz, now = case.timezone, now_utc()
    zone = zone_abbreviation(tz, now)
    rows = case.medications

    def moment(at: dt.datetime | None) -> str:
        return "" if at is None else f"{to_local(tz, at):%a %d %b %H:%M}"

    frame = pd.DataFrame(
        {
            "Drug": [
                plain(
                    m.drug
                    if not m.name_given or m.name_given.lower() == m.drug
                    else f"{m.drug} ({m.name_given})"
                )
                for m in rows
            ],
            "Dose": [plain(m.dose or "") for m in rows],
            "Hold": [_hold_cell(m) for m in rows],
            f"Last dose by ({zone})": [_last_dose_by_cell(m, moment, now) for m in rows],
            f"Last dose taken ({zone})": [
                moment(m.last_dose_taken_at)
                if m.last_dose_taken_at
                else (messages.MEDICATION_TOLD_NO if m.timed_hold else "")
                for m in rows
            ],
            "Prescriber clearance": [_clearance_cell(tz, m) for m in rows],
            "Patient told": [
                plain(m.hold_confirmed_by or "")
                if m.hold_confirmed_at
                else (
                    messages.MEDICATION_TOLD_NO
                    if needs_patient_instruction(m.med_class) and not m.needs_review
                    else ""
                )
                for m in rows
            ],
        }
    )
    with st.container(key=f"intake_med_table_{case.id}"):
        st.table(frame, hide_index=True)


def _hold_cell(m: MedicationRow) -> str:
    """The stop for a held drug, else what the drug is (unknown, no hold)."""
    if m.needs_review or not m.timed_hold:
        return m.med_class.label
    return stop_text(m.stop_before, m.skip_on_day)


def _last_dose_by_cell(m: MedicationRow, moment, now: dt.datetime) -> str:
    if m.stop_before is None:
        return ""
    if m.last_dose_by is None:
        return messages.LAST_DOSE_SET_WHEN_BOOKED.removeprefix("last dose: ")
    shown = moment(m.last_dose_by)
    taken = m.last_dose_taken_at
    if taken is not None and taken > m.last_dose_by:
        return f"{shown} ({messages.LAST_DOSE_REPORTED_TOO_LATE})"
    if m.hold_confirmed_at is None and taken is None and last_dose_passed(m.last_dose_by, now):
        return f"{shown} ({messages.LAST_DOSE_PAST})"
    return shown


def _clearance_cell(tz: str, m: MedicationRow) -> str:
    if not m.needs_clearance:
        return messages.MEDICATION_CLEARANCE_NOT_NEEDED
    if m.cleared_at is None:
        return messages.MEDICATION_CLEARANCE_NEEDED
    return f"{plain(m.cleared_by)}, {to_local(tz, m.cleared_at):%d %b %Y}"


# --- the one form: a new drug, or a row of the table ------------------------------------------


def _new_form(case: IntakeCase, user: Actor, table: Mapping[str, HoldRule]) -> None:
    """A drug by generic or brand name: what the hold table makes of it as soon as it is
    typed, then the fields that drug needs, one "Add medication". Kept while another row is
    open (persist_state), emptied once added."""
    errors = f"intake_med_add_errors_{case.id}"
    k = f"intake_med_new_{case.id}"
    drug_key, dose_key = f"intake_drug_{case.id}", f"intake_dose_{case.id}"
    drug, dose = st.columns([3, 2])
    with drug:
        st.text_input(
            "Drug (generic or brand)",
            key=drug_key,
            placeholder="e.g. Eliquis or apixaban",
            persist_state="page",
        )
        forms.field_error(errors, "drug")
    with dose:
        st.text_input(
            "Dose", key=dose_key, placeholder="e.g. 5 mg twice daily", persist_state="page"
        )
        forms.field_error(errors, "dose")
    typed = (st.session_state.get(drug_key) or "").strip()
    rule = None
    if typed:
        advice = medication_hold(typed, case.scheduled_start, table)
        rule = advice.rule
        if advice.needs_review:
            st.warning(rule.instruction or messages.DRUG_NEEDS_REVIEW, icon=":material/help:")
        else:
            facts = [rule.med_class.label]
            if rule.stop_before is not None or rule.skip_on_day:
                facts.append(stop_text(rule.stop_before, rule.skip_on_day))
            if needs_patient_instruction(rule.med_class):
                facts.append(restart_text(rule.restart_after, rule.instruction))
            st.caption(
                messages.MEDICATION_MATCHED.format(
                    drug=rule.drug, facts=" · ".join(f for f in facts if f)
                )
            )
    held = rule is not None and (rule.stop_before is not None or rule.skip_on_day)
    clearing = rule is not None and rule.needs_clearance
    agreed = clearing and needs_agreed_stop(
        rule.med_class, whole_hours(rule.stop_before), rule.skip_on_day
    )
    told = rule is not None and rule.med_class != MedClass.UNKNOWN
    if told:  # as for a listed drug: offered once only the clearance could stand in its way
        told = (
            hold_confirmation_blocker(
                needs_review=False,
                patient_instructed=needs_patient_instruction(rule.med_class),
                dated_hold=rule.stop_before is not None,
                last_dose_known=case.scheduled_start is not None,
                needs_clearance=rule.needs_clearance,
                cleared=True,
                drug=rule.drug,
                glp1_pending=rule.med_class == MedClass.GLP1_AGONIST,
            )
            is None
        )
    keys = _entry_fields(
        case,
        k,
        errors,
        last_dose=held,
        clearance=clearing,
        agreed_stop=agreed,
        told=told,
        persist=True,
    )

    def add() -> None:
        saved = forms.submit(
            lambda: service.save_medication(
                case.id, None, _entry(keys, drug_key, dose_key), actor=user
            ),
            errors_key=errors,
            clear={drug_key: "", dose_key: "", **{w: v for w, v in keys.blanks.items()}},
        )
        if saved is not None:
            st.session_state[forms.FLASH_KEY] = messages.MEDICATION_ADDED.format(drug=saved.drug)

    forms.button("Add medication", f"intake_med_add_{case.id}", add, primary=True)
    forms.other_errors(errors, ENTRY_FIELDS[1:])


def _row_form(
    case: IntakeCase, med: MedicationRow, user: Actor, table: Mapping[str, HoldRule]
) -> None:
    """A listed drug: what it is and its hold, a nurse's placing or the GLP-1 screen where it
    needs one, then its dose, last dose, clearance and "told" in one save, and Remove."""
    errors = f"intake_med_errors_{med.id}"
    key = f"intake_med_{med.id}"
    st.markdown(f"**{plain(med.drug)}**")  # typed: shown inert
    if med.name_given and med.name_given.lower() != med.drug:
        st.text(messages.NAME_GIVEN.format(name=med.name_given))
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
    st.text_input("Dose", value=med.dose or "", key=f"{key}_dose")
    forms.field_error(errors, "dose")
    if med.timed_hold and not med.needs_review:
        _reported(case.timezone, med)
    if med.needs_clearance and med.cleared_at is not None:
        st.text(
            messages.PRESCRIBER_CLEARED_ON.format(
                prescriber=med.cleared_by, day=f"{to_local(case.timezone, med.cleared_at):%d %b %Y}"
            )
        )
    instructable = needs_patient_instruction(med.med_class) and not med.needs_review
    if instructable and med.hold_confirmed_at is not None:
        st.text(
            messages.HOLD_TOLD.format(
                who=med.hold_confirmed_by,
                when=local_moment(case.timezone, med.hold_confirmed_at),
            )
        )
    # "Told" is offered once nothing but the clearance (typed in this same form) stands in
    # its way; a booking or a review still to come is said instead.
    blocker = hold_confirmation_blocker(**{**hold_facts(med), "cleared": True})
    if instructable and med.hold_confirmed_at is None and blocker is not None:
        st.caption(f"{messages.HOLD_NOT_YET_TOLD} {blocker[1]}")
    keys = _entry_fields(
        case,
        key,
        errors,
        last_dose=med.timed_hold and not med.needs_review,
        clearance=med.needs_clearance and med.cleared_at is None,
        agreed_stop=needs_agreed_stop(med.med_class, med.stop_before_hours, med.skip_on_day),
        told=instructable and med.hold_confirmed_at is None and blocker is None,
        persist=False,
    )

    def save() -> None:
        saved = forms.submit(
            lambda: service.save_medication(
                case.id,
                med.id,
                _entry(keys, None, f"{key}_dose"),
                actor=user,
                expected_version=case.version,
            ),
            errors_key=errors,
            clear=keys.blanks,
        )
        if saved is not None:
            st.session_state[forms.FLASH_KEY] = (
                messages.MEDICATION_SAVED.format(drug=saved.drug)
                if saved.changed
                else messages.NOTHING_CHANGED
            )

    def remove() -> None:
        done = forms.submit(
            lambda: service.remove_medication(med.id, actor=user), errors_key=errors
        )
        if done is not None:
            st.session_state[f"intake_med_pick_{case.id}"] = NEW
            st.session_state[forms.FLASH_KEY] = messages.MEDICATION_REMOVED.format(drug=med.drug)

    save_col, remove_col = st.columns([3, 1])
    with save_col:
        forms.button("Save medication", f"{key}_save", save, primary=True)
    with remove_col:
        forms.button(f"Remove {med.drug}", f"{key}_remove", remove)
    forms.other_errors(
        errors,
        [*ENTRY_FIELDS[1:], "choice", "reason", "glp1_decision", "glp1_decided_by"],
    )


class _Keys:
    """The widget keys of one form's shared fields, and what each is emptied to after a save."""

    def __init__(self, prefix: str) -> None:
        self.last_day = f"{prefix}_last_day"
        self.last_time = f"{prefix}_last_time"
        self.prescriber = f"{prefix}_prescriber"
        self.cleared_on = f"{prefix}_cleared_on"
        self.agreed_stop = f"{prefix}_agreed_stop"
        self.told = f"{prefix}_told"
        self.blanks: dict[str, object] = {}
        self.today: dt.date | None = None  # the clearance day offered, when one is asked


def _entry_fields(
    case: IntakeCase,
    prefix: str,
    errors: str,
    *,
    last_dose: bool,
    clearance: bool,
    agreed_stop: bool,
    told: bool,
    persist: bool,
) -> _Keys:
    """The last dose (day and time), the prescriber's clearance (who, the day agreed, the stop
    agreed where the table leaves it to them) and "told", each drawn only where the drug needs
    it, each refusal below its input."""
    keys = _Keys(prefix)
    keep = {"persist_state": "page"} if persist else {}
    today = to_local(case.timezone, now_utc()).date()
    if last_dose:
        day, time = st.columns(2)
        day.date_input(
            "Last dose: day",
            value=None,
            max_value=today,
            key=keys.last_day,
            format="YYYY-MM-DD",
            help=messages.MEDICATION_LAST_DOSE_HELP,
            **keep,
        )
        time.time_input("Last dose: time", value=None, key=keys.last_time, step=900, **keep)
        forms.field_error(errors, "last_dose")
        keys.blanks |= {keys.last_day: None, keys.last_time: None}
    if clearance:
        who, day = st.columns(2)
        with who:
            st.text_input("Prescriber who agreed to the stop", key=keys.prescriber, **keep)
            forms.field_error(errors, "prescriber")
        with day:
            st.date_input(
                "Day the prescriber agreed",
                value=today,  # most clearances are recorded the day they come in
                min_value=today - OLDEST_CLEARANCE,
                max_value=today,
                key=keys.cleared_on,
                format="YYYY-MM-DD",
                **keep,
            )
            forms.field_error(errors, "cleared_on")
        keys.blanks |= {keys.prescriber: "", keys.cleared_on: today}
        keys.today = today
        if agreed_stop:  # a shared decision: the stop itself is what the prescriber agrees
            st.number_input(
                messages.AGREED_STOP_LABEL,
                min_value=0,
                max_value=720,
                value=None,
                step=12,
                key=keys.agreed_stop,
                **keep,
            )
            forms.field_error(errors, "agreed_stop_hours")
            keys.blanks[keys.agreed_stop] = None
    if told:
        st.checkbox(messages.MEDICATION_TOLD_LABEL, key=keys.told, **keep)
        forms.field_error(errors, "told")
        keys.blanks[keys.told] = False
    return keys


def _entry(keys: _Keys, drug_key: str | None, dose_key: str) -> MedicationEntry:
    get = st.session_state.get
    prescriber = get(keys.prescriber) or ""
    cleared_on = get(keys.cleared_on)
    if not prescriber.strip() and cleared_on == keys.today:
        cleared_on = None  # the day offered, untouched, with no prescriber: nothing typed
    return MedicationEntry(
        drug=get(drug_key) or "" if drug_key else "",
        dose=get(dose_key) or "",
        last_dose_day=get(keys.last_day),
        last_dose_time=get(keys.last_time),
        prescriber=prescriber,
        cleared_on=cleared_on,
        agreed_stop_hours=get(keys.agreed_stop),
        told=bool(get(keys.told)),
    )


def _reported(tz: str, med: MedicationRow) -> None:
    """The last dose on record, as the patient reported it (or that nobody has asked yet)."""
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
