"""Medication actions: add a drug (matched to the practice's hold table by generic or brand
name), place a drug the table cannot (a row picked, with who and why), record the prescriber's
clearance, confirm the hold with the patient, record the last dose the patient reports (pre-op
call or on the day), and re-class open cases when an admin changes the table.

One transaction per action, the case locked first, an audit row each; a change that leaves a
case confirmed for its day not ready withdraws the confirmation (services.intake.finish).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseMedication
from db.queries.clearances import case_egfr, limit_table
from db.queries.holds import hold_table
from db.session import transaction
from mild import glp1, messages
from mild import intake as rules
from mild import medications as meds
from mild.cases import CaseStatus
from mild.clearances import LimitKey, dabigatran_stop_hours, is_dabigatran
from mild.errors import RuleViolation
from mild.glp1 import Glp1Decision
from mild.medications import (
    HOURS,
    HoldRule,
    MedClass,
    from_hours,
    needs_patient_instruction,
    whole_hours,
)
from mild.problems import refuse
from services.common import Actor, audit, lock_case, now_utc
from services.intake import finish, finish_all, open_intake_case

# The statuses whose drugs a hold-table change re-classes: nothing was given under the old rule.
RECLASS_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.INTAKE, CaseStatus.SCHEDULED, CaseStatus.CHECKED_IN}
)


def rule_of(med: CaseMedication) -> HoldRule:
    """The hold as copied onto the case's drug, for the rules in mild.medications."""
    return HoldRule(
        drug=med.drug,
        generic=med.drug,
        med_class=med.med_class,
        stop_before=from_hours(med.stop_before_hours),
        restart_after=from_hours(med.restart_after_hours),
        needs_clearance=med.needs_clearance,
        skip_on_day=med.skip_on_day,
    )


def _apply(med: CaseMedication, rule: HoldRule, scheduled_start: dt.datetime | None) -> None:
    """Copy a hold-table row onto the case's drug (the table may change later; the case keeps
    what it was given until it is re-classed knowingly)."""
    med.drug = rule.drug
    med.hold_rule = None if rule.med_class == MedClass.UNKNOWN else rule.drug
    med.med_class = rule.med_class
    med.stop_before_hours = whole_hours(rule.stop_before)
    med.skip_on_day = rule.skip_on_day
    med.restart_after_hours = whole_hours(rule.restart_after)
    med.needs_clearance = rule.needs_clearance
    med.needs_review = rule.med_class == MedClass.UNKNOWN
    med.last_dose_by = meds.last_dose_by(rule.stop_before, scheduled_start)


def _summary(med: CaseMedication) -> dict:
    return {
        "drug": med.drug,
        "class": med.med_class.value,
        "stop_before_hours": med.stop_before_hours,
        "no_dose_on_the_day": med.skip_on_day,
        "restart_after_hours": med.restart_after_hours,
        "needs_clearance": med.needs_clearance,
        "last_dose_by": med.last_dose_by,
    }


def _medication(session: Session, medication_id: int, actor: Actor, *, opener=None):
    """The medication's case, locked and open for the change, then the medication row."""
    case_id = session.scalar(
        select(CaseMedication.case_id).where(CaseMedication.id == medication_id)
    )
    if case_id is None:
        raise RuleViolation("medication", messages.MEDICATION_NOT_FOUND)
    case = (opener or open_intake_case)(session, case_id, actor)
    med = session.scalars(
        select(CaseMedication).where(CaseMedication.id == medication_id).with_for_update()
    ).one_or_none()
    if med is None:
        raise RuleViolation("medication", messages.MEDICATION_NOT_FOUND)
    return case, med


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


def record_prescriber_clearance(
    medication_id: int,
    prescriber: str,
    agreed_stop_hours: float | None = None,
    *,
    actor: Actor,
) -> int:
    """The prescriber (named) agreed to stopping an anticoagulant or antiplatelet; stamped now.
    Where the table leaves the stop to a shared decision (aspirin for secondary prevention,
    fondaparinux), the stop agreed is recorded too, in hours (0: continue the drug), and from
    then on held and checked like any other."""
    name = rules.check_text(prescriber, "prescriber", 120)
    with transaction() as session:
        case, med = _medication(session, medication_id, actor)
        if not med.needs_clearance:
            raise RuleViolation("prescriber", messages.CLEARANCE_NOT_NEEDED.format(drug=med.drug))
        if name is None:
            raise RuleViolation("prescriber", messages.PRESCRIBER_REQUIRED)
        agreed = None
        if meds.needs_agreed_stop(med.med_class, med.stop_before_hours, med.skip_on_day):
            agreed = meds.check_agreed_stop(agreed_stop_hours)
        at = now_utc()
        med.cleared_by = name
        med.cleared_at = at
        if agreed is not None:
            med.stop_before_hours = agreed
            med.last_dose_by = meds.last_dose_by(agreed * HOURS, case.scheduled_start)
        return finish(
            session,
            case,
            actor,
            "medication.prescriber_cleared",
            {
                "medication": med.id,
                "drug": med.drug,
                "prescriber": name,
                "agreed_stop_hours": agreed,
            },
            at,
        )


def hold_facts(med) -> dict:
    """What mild.intake.hold_confirmation_blocker asks of a listed drug (a row or a read)."""
    return {
        "needs_review": med.needs_review,
        "patient_instructed": needs_patient_instruction(med.med_class),
        "dated_hold": med.stop_before_hours is not None,
        "last_dose_known": med.last_dose_by is not None,
        "needs_clearance": med.needs_clearance,
        "cleared": med.cleared_at is not None,
        "drug": med.drug,
        "glp1_pending": med.med_class == MedClass.GLP1_AGONIST and med.glp1_decision is None,
    }


def confirm_hold_with_patient(medication_id: int, *, actor: Actor) -> int:
    """The patient was told when to stop (or how to adjust) the drug; recorded with who and
    when. A timed hold needs the booked start, an anticoagulant its prescriber's clearance."""
    with transaction() as session:
        case, med = _medication(session, medication_id, actor)
        blocker = rules.hold_confirmation_blocker(**hold_facts(med))
        if blocker is not None:
            raise RuleViolation(*blocker)
        at = now_utc()
        med.hold_confirmed_at = at
        med.hold_confirmed_by_id = actor.id
        return finish(
            session,
            case,
            actor,
            "medication.hold_confirmed",
            {"medication": med.id, "drug": med.drug, "last_dose_by": med.last_dose_by},
            at,
        )


def _open_for_review(session: Session, case_id: int, actor: Actor) -> Case:
    case = lock_case(session, case_id, actor)
    if case.status == CaseStatus.REQUESTED:
        rules.check_intake_editable(case.status)  # intake not started: says so
    meds.check_review_window(case.status)
    return case


def place_drug(medication_id: int, choice: str | None, reason: str, *, actor: Actor) -> int:
    """A nurse (or admin) places a drug the table could not: `choice` is the hold-table row it
    follows (its class, stop and restart come with it) or meds.NO_RELEVANCE; who decided and
    why are kept on the drug and in the audit row. Open from intake until anesthesia starts
    (checklist, "Medication holds confirmed"). Returns the case version."""
    rules.check_drug_reviewer(actor.role)
    why = rules.check_text(reason, "reason", 500)
    with transaction() as session:
        case, med = _medication(session, medication_id, actor, opener=_open_for_review)
        if not med.needs_review:
            raise RuleViolation("review", messages.DRUG_REVIEW_NOT_NEEDED.format(drug=med.drug))
        if not choice:
            raise RuleViolation("choice", messages.REVIEW_CLASS_REQUIRED)
        if why is None:
            raise RuleViolation("reason", messages.REVIEW_REASON_REQUIRED)
        if choice == meds.NO_RELEVANCE:
            rule = meds.no_relevance_rule(med.drug)
        else:
            rule = hold_table(session).get(choice)
            if rule is None:
                raise RuleViolation("choice", messages.REVIEW_ROW_UNKNOWN)
        before = _summary(med)
        at = now_utc()
        _apply(med, rule, case.scheduled_start)
        if choice == meds.NO_RELEVANCE:
            med.drug = before["drug"]
        session.flush()
        if (egfr := case_egfr(session, case.id)) is not None:
            apply_kidney_function(session, case, egfr, actor, at)  # dabigatran: 6 days if low
        med.reviewed_by_id = actor.id
        med.reviewed_at = at
        med.review_reason = why
        return finish(
            session,
            case,
            actor,
            "medication.reviewed",
            {
                "medication": med.id,
                "choice": choice,
                "reason": why,
                "from": before,
                "to": _summary(med),
            },
            at,
        )


def record_glp1_decision(
    medication_id: int,
    answers: Mapping[str, object],
    decision: Glp1Decision | None,
    decided_by: str = "",
    *,
    actor: Actor,
) -> int:
    """A GLP-1 agonist's risk screen and the decision (2024 guidance: continue by default;
    elevated risk: a 24 h liquid diet; held only as the anesthesia team decides, then 1 week
    for a weekly drug, the day of for a daily one). A hold dates the last dose; a change of
    decision withdraws the patient's confirmation. Returns the case version."""
    screen = glp1.check_screen(answers)
    with transaction() as session:
        case, med = _medication(session, medication_id, actor)
        if med.med_class != MedClass.GLP1_AGONIST:
            raise RuleViolation("glp1_decision", messages.GLP1_NOT_A_GLP1.format(drug=med.drug))
        hold, who = glp1.check_decision(
            screen, decision, decided_by, weekly=glp1.weekly_drug(med.hold_rule, screen)
        )
        before = {
            "screen": glp1.read_screen(med.glp1_screen),
            "decision": med.glp1_decision,
            **_summary(med),
        }
        at = now_utc()
        med.glp1_screen = glp1.screen_json(screen)
        med.glp1_decision = Glp1Decision(decision).value
        med.glp1_decided_by = who
        med.glp1_recorded_at, med.glp1_recorded_by_id = at, actor.id
        med.stop_before_hours = whole_hours(hold.stop_before)
        med.skip_on_day = hold.skip_on_day
        med.last_dose_by = meds.last_dose_by(hold.stop_before, case.scheduled_start)
        if before["decision"] != med.glp1_decision:
            med.hold_confirmed_at, med.hold_confirmed_by_id = None, None
        return finish(
            session,
            case,
            actor,
            "medication.glp1_decided",
            {
                "medication": med.id,
                "drug": med.drug,
                "screen": screen,
                "elevated_risk": glp1.elevated_risk(screen),
                "decision": med.glp1_decision,
                "decided_by": who,
                "from": before,
                "to": _summary(med),
            },
            at,
        )


def _reapply_glp1_decision(med: CaseMedication, case: Case) -> None:
    """A GLP-1 decision already recorded keeps its hold when the table row is applied again."""
    if med.med_class != MedClass.GLP1_AGONIST or med.glp1_decision is None:
        return
    screen = glp1.read_screen(med.glp1_screen)
    hold, _ = glp1.check_decision(
        screen,
        Glp1Decision(med.glp1_decision),
        med.glp1_decided_by or "recorded",
        weekly=glp1.weekly_drug(med.hold_rule, screen),
    )
    med.stop_before_hours = whole_hours(hold.stop_before)
    med.skip_on_day = hold.skip_on_day
    med.last_dose_by = meds.last_dose_by(hold.stop_before, case.scheduled_start)


def _open_for_last_dose(session: Session, case_id: int, actor: Actor) -> Case:
    case = lock_case(session, case_id, actor)
    meds.check_last_dose_window(case.status)
    return case


def record_last_dose(
    medication_id: int, taken_at: dt.datetime | None, *, via: str, actor: Actor
) -> int:
    """The last dose of a held drug as the patient reports it (`via`: "pre_op_call" or
    "day_of"), charted with who and when; the day-of hold check compares it with the hold.
    Open from intake until anesthesia starts. Returns the case version."""
    with transaction() as session:
        case, med = _medication(
            session,
            medication_id,
            actor,
            opener=_open_for_last_dose,
        )
        at = now_utc()
        change = chart_last_dose(med, taken_at, at, via=via, actor=actor)
        return finish(session, case, actor, "medication.last_dose_reported", change, at)


def chart_last_dose(
    med: CaseMedication, taken_at: dt.datetime | None, at: dt.datetime, *, via: str, actor: Actor
) -> dict:
    """Chart a reported last dose on a held drug (in the caller's transaction, the case already
    locked): checked, stamped with who, when and how it was asked. The change, for the audit."""
    taken = meds.check_last_dose(taken_at, at, via)
    if not has_timed_hold(med):
        raise RuleViolation("last_dose", messages.LAST_DOSE_NOT_HELD.format(drug=med.drug))
    before = med.last_dose_taken_at
    med.last_dose_taken_at = taken
    med.last_dose_reported_at = at
    med.last_dose_reported_by_id = actor.id
    med.last_dose_reported_via = via
    return {"medication": med.id, "drug": med.drug, "from": before, "to": taken, "via": via}


def has_timed_hold(med: CaseMedication) -> bool:
    """The drug is stopped before the day (a stop time, or no dose that morning)."""
    return med.stop_before_hours is not None or med.skip_on_day


def redate_holds(session: Session, case: Case, *, moved: bool) -> None:
    """After (re-)booking: each drug's latest allowed last dose follows the new start; a moved
    case's hold confirmations are withdrawn (the patient must be told the new times)."""
    for med in session.scalars(
        select(CaseMedication)
        .where(CaseMedication.case_id == case.id)
        .order_by(CaseMedication.id)
        .with_for_update()
    ):
        med.last_dose_by = meds.last_dose_by(rule_of(med).stop_before, case.scheduled_start)
        if moved:
            med.hold_confirmed_at = None
            med.hold_confirmed_by_id = None


def reclass_open_cases(
    session: Session, rule: HoldRule | None, names: Iterable[str], actor: Actor, at: dt.datetime
) -> list[str]:
    """After an admin changed the hold table: every drug of an open case that the row `names`
    (its old and new names) concern is matched again and, where that changes its hold, updated,
    audited and its patient confirmation withdrawn. Returns the affected case codes."""
    wanted = {meds.normalize_drug(n) for n in names}
    table = hold_table(session)
    rows = session.execute(
        select(CaseMedication, Case)
        .join(Case, Case.id == CaseMedication.case_id)
        .where(Case.status.in_(RECLASS_STATUSES))
        .order_by(Case.id, CaseMedication.id)
        .with_for_update()
    ).all()
    touched: dict[int, Case] = {}
    for med, case in rows:
        given = meds.normalize_drug(med.name_given or med.drug)
        concerned = med.hold_rule in wanted or any(
            given == n or given.startswith(n + " ") for n in wanted
        )
        placed = med.reviewed_at is not None  # a nurse chose its row: it follows that row
        if not concerned or (placed and med.hold_rule not in wanted):
            continue  # placed elsewhere, or as having no relevance: stays as placed
        before = _summary(med)
        if placed:
            row = table.get(med.hold_rule)
            _apply(med, row or meds.unknown_rule(med.drug), case.scheduled_start)
        else:
            advice = meds.medication_hold(med.name_given or med.drug, case.scheduled_start, table)
            _apply(med, advice.rule, case.scheduled_start)
        _reapply_glp1_decision(med, case)
        after = _summary(med)
        if after == before:
            continue
        med.hold_confirmed_at = None
        med.hold_confirmed_by_id = None
        touched[case.id] = case
        finish(
            session,
            case,
            actor,
            "medication.reclassed",
            {"medication": med.id, "from": before, "to": after, "hold_rule": rule and rule.drug},
            at,
        )
    session.flush()
    for case in touched.values():  # the table's row, then dabigatran's stop by kidney function
        if (egfr := case_egfr(session, case.id)) is not None:
            apply_kidney_function(session, case, egfr, actor, at)
    return [c.code for c in touched.values()]


def apply_kidney_function(
    session: Session, case: Case, egfr: float | None, actor: Actor, at: dt.datetime | None = None
) -> list[dict]:
    """Dabigatran's stop follows kidney function (mild.clearances.dabigatran_stop_hours): 144 h
    when the case's eGFR is below the practice's limit, else the hold table's. A changed stop
    moves the latest allowed last dose (scheduled start - stop), withdraws the hold confirmed
    with the patient, and is audited. The caller has locked the case; returns the changes."""
    limit = limit_table(session).get(LimitKey.EGFR_DABIGATRAN)
    table = hold_table(session, include_inactive=True)
    changes = []
    for med in session.scalars(
        select(CaseMedication)
        .where(CaseMedication.case_id == case.id)
        .order_by(CaseMedication.id)
        .with_for_update()
    ):
        if med.needs_review or not is_dabigatran(med.drug):
            continue
        rule = table.get(med.hold_rule or "")
        table_hours = whole_hours(rule.stop_before) if rule is not None else med.stop_before_hours
        hours = dabigatran_stop_hours(egfr, limit, table_hours)
        if hours == med.stop_before_hours:
            continue
        before = _summary(med)
        med.stop_before_hours = hours
        med.last_dose_by = meds.last_dose_by(rule_of(med).stop_before, case.scheduled_start)
        med.hold_confirmed_at, med.hold_confirmed_by_id = None, None
        change = {"medication": med.id, "egfr": egfr, "from": before, "to": _summary(med)}
        audit(
            session,
            actor,
            "medication.kidney_function_applied",
            "case",
            case.id,
            office_id=case.office_id,
            detail=change,
            at=at,
        )
        changes.append(change)
    return changes
