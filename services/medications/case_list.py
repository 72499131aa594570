"""A case's medication list: add a drug (matched to the practice's hold table by generic or
brand name), one row of the intake's medication table in one save, change a dose, take a drug
off the list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseMedication
from db.queries.clearances import case_egfr
from db.queries.holds import hold_table
from db.session import transaction
from mild import intake as rules
from mild import medications as meds
from mild import messages
from mild.errors import RuleViolation
from mild.medications import HOURS, MedClass
from mild.problems import refuse
from services.common import Actor, now_utc
from services.intake import finish, finish_all, open_intake_case
from services.medications.common import _apply, _medication, _summary, has_timed_hold, hold_facts
from services.medications.holds import chart_last_dose
from services.medications.reclass import apply_kidney_function


def _new_medication(
    session: Session, case: Case, typed: str, dose: str | None
) -> tuple[CaseMedication, meds.HoldAdvice, str | None]:
    """A drug typed by generic or brand name, classed by the practice's hold table (not yet
    added to the session), the hold advice, and why it cannot be added (already listed)."""
    advice = meds.medication_hold(typed, case.scheduled_start, hold_table(session))
    if dose is None:
        # "Eliquis 5 mg twice daily" typed in one box: the rest after the name is the dose.
        matched = next(
            (
                n
                for n in sorted(advice.rule.names, key=len, reverse=True)
                if meds.normalize_drug(typed).startswith(n)
            ),
            None,
        )
        if matched and (advice.candidates or advice.med_class != MedClass.UNKNOWN):
            dose = typed[len(matched) :].strip(" ,") or None
    listed = session.scalars(
        select(CaseMedication.drug).where(CaseMedication.case_id == case.id)
    ).all()
    refusal = (
        messages.DRUG_ALREADY_LISTED.format(drug=advice.drug) if advice.drug in listed else None
    )
    med = CaseMedication(case_id=case.id, name_given=typed, dose=dose)
    _apply(med, advice.rule, case.scheduled_start)
    return med, advice, refusal


def _added(session: Session, case: Case, med: CaseMedication, advice, actor: Actor) -> dict:
    """Add the classed drug to the case (dabigatran's stop by kidney function); the audit
    detail of "medication.added"."""
    session.add(med)
    session.flush()
    if (egfr := case_egfr(session, case.id)) is not None:
        apply_kidney_function(session, case, egfr, actor)  # dabigatran: 6 days if impaired
    return {
        "medication": med.id,
        "name_given": med.name_given,
        "dose": med.dose,
        "class_label": med.med_class.label,
        "candidates": list(advice.candidates),
        **_summary(med),
    }


def add_medication(case_id: int, drug: str, dose: str = "", *, actor: Actor) -> int:
    """Add a drug by generic or brand name, matched to the practice's hold table (unknown,
    deactivated or ambiguous: needs review), with the latest allowed last dose when the case
    is booked. Returns the medication's id."""
    typed = rules.check_drug_name(drug)
    dose_ = rules.check_text(dose, "dose", 120)
    with transaction() as session:
        case = open_intake_case(session, case_id, actor)
        med, advice, refusal = _new_medication(session, case, typed, dose_)
        if refusal is not None:
            raise RuleViolation("drug", refusal)
        detail = _added(session, case, med, advice, actor)
        finish(session, case, actor, "medication.added", detail, now_utc())
        return med.id


# --- one row of the intake's medication table, one save --------------------------------------


# The medication form's fields in the order it shows them: its refusals in that order.
ENTRY_FIELDS = (
    "medication",
    "drug",
    "dose",
    "last_dose",
    "prescriber",
    "cleared_on",
    "agreed_stop_hours",
    "told",
)


@dataclass(frozen=True)
class SavedMedication:
    medication_id: int
    drug: str
    changed: bool  # False: the form held what was already on file, nothing was written


def save_medication(
    case_id: int,
    medication_id: int | None,
    entry: meds.MedicationEntry,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> SavedMedication:
    """One row of the intake's medication table in one save: a new drug by generic or brand
    name (`medication_id` None) or a listed one, its dose, the last dose the patient reports,
    the prescriber's clearance (who, the day they agreed, the stop agreed where the table
    leaves it to them) and the hold told to the patient. Every problem of the form at once;
    nothing is saved on a refusal. One transaction, the version bumped once, one audit row per
    change under the action each part has on its own (medication.added, .dose_changed, ...).
    `expected_version`: the case as the form was drawn; a colleague's change since is refused
    (messages.CHANGED_BY_SOMEONE_ELSE) rather than written over with the form's old values."""
    now = now_utc()
    with transaction() as session:
        case = open_intake_case(session, case_id, actor, expected_version)
        tz = case.office.timezone
        checked, problems = meds.entry_problems(entry, new=medication_id is None, tz=tz, now=now)
        med = advice = None
        if medication_id is None:
            if checked.drug is not None:
                med, advice, refusal = _new_medication(session, case, checked.drug, checked.dose)
                if refusal is not None:
                    problems.append(("drug", refusal))
        else:
            med = session.scalars(
                select(CaseMedication)
                .where(CaseMedication.id == medication_id, CaseMedication.case_id == case.id)
                .with_for_update()
            ).one_or_none()
            if med is None:
                raise RuleViolation("medication", messages.MEDICATION_NOT_FOUND)
        agreed = None
        if med is not None:
            agreed, more = meds.drug_problems(entry, _listed(med))
            problems += more
            if entry.told and med.hold_confirmed_at is None:
                facts = hold_facts(med)
                if checked.prescriber is not None and not more:
                    facts["cleared"] = True
                if agreed is not None:
                    facts["dated_hold"] = True
                    facts["last_dose_known"] = case.scheduled_start is not None
                if (blocker := rules.hold_confirmation_blocker(**facts)) is not None:
                    problems.append(("told", blocker[1]))
        refuse(sorted(problems, key=lambda p: ENTRY_FIELDS.index(p[0])))
        assert med is not None
        parts: list[tuple[str, dict]] = []
        if medication_id is None:
            parts.append(("medication.added", _added(session, case, med, advice, actor)))
        elif checked.dose != med.dose:
            before, med.dose = med.dose, checked.dose
            detail = {"medication": med.id, "drug": med.drug, "from": before, "to": med.dose}
            parts.append(("medication.dose_changed", detail))
        if checked.prescriber is not None:
            parts.append(
                ("medication.prescriber_cleared", _clear(med, case, checked, agreed, entry))
            )
        if checked.last_dose_at is not None and checked.last_dose_at != med.last_dose_taken_at:
            change = chart_last_dose(med, checked.last_dose_at, now, via="intake", actor=actor)
            parts.append(("medication.last_dose_reported", change))
        if entry.told and med.hold_confirmed_at is None:
            med.hold_confirmed_at, med.hold_confirmed_by_id = now, actor.id
            detail = {"medication": med.id, "drug": med.drug, "last_dose_by": med.last_dose_by}
            parts.append(("medication.hold_confirmed", detail))
        if parts:
            finish_all(session, case, actor, parts, now)
        return SavedMedication(med.id, med.drug, bool(parts))


def _listed(med: CaseMedication) -> meds.ListedDrug:
    return meds.ListedDrug(
        drug=med.drug,
        needs_clearance=med.needs_clearance,
        cleared=med.cleared_at is not None,
        agreed_stop=meds.needs_agreed_stop(med.med_class, med.stop_before_hours, med.skip_on_day),
        timed_hold=has_timed_hold(med),
    )


def _clear(
    med: CaseMedication, case: Case, checked: meds.CheckedEntry, agreed: int | None, entry
) -> dict:
    """Record the prescriber's clearance (and the stop agreed) on the drug; its audit detail."""
    med.cleared_by, med.cleared_at = checked.prescriber, checked.cleared_at
    if agreed is not None:
        med.stop_before_hours = agreed
        med.last_dose_by = meds.last_dose_by(agreed * HOURS, case.scheduled_start)
    return {
        "medication": med.id,
        "drug": med.drug,
        "prescriber": checked.prescriber,
        "cleared_on": entry.cleared_on,
        "agreed_stop_hours": agreed,
    }


def change_medication_dose(medication_id: int, dose: str, *, actor: Actor) -> int:
    """Change the dose text of a listed drug; returns the case version."""
    dose_ = rules.check_text(dose, "dose", 120)
    with transaction() as session:
        case, med = _medication(session, medication_id, actor)
        before = med.dose
        med.dose = dose_
        return finish(
            session,
            case,
            actor,
            "medication.dose_changed",
            {"medication": med.id, "drug": med.drug, "from": before, "to": dose_},
            now_utc(),
        )


def remove_medication(medication_id: int, *, actor: Actor) -> int:
    """Take a drug off the case's list; the audit row keeps what it was."""
    with transaction() as session:
        case, med = _medication(session, medication_id, actor)
        detail = {
            "medication": med.id,
            "dose": med.dose,
            "cleared_by": med.cleared_by,
            "hold_confirmed_at": med.hold_confirmed_at,
            "last_dose_taken_at": med.last_dose_taken_at,
            **_summary(med),
        }
        session.delete(med)
        return finish(session, case, actor, "medication.removed", detail, now_utc())
