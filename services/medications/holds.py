"""The decisions on a listed drug's hold: the prescriber's clearance, the hold confirmed with the
patient, a nurse's placement of a drug the table cannot place, a GLP-1 agonist's risk screen
and decision, the last dose the patient reports (pre-op call or on the day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from db.models import Case, CaseMedication
from db.queries.clearances import case_egfr
from db.queries.holds import hold_table
from db.session import transaction
from mild import glp1, messages
from mild import intake as rules
from mild import medications as meds
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.glp1 import Glp1Decision
from mild.medications import HOURS, MedClass, whole_hours
from services.common import Actor, lock_case, now_utc
from services.intake import finish
from services.medications.common import _apply, _medication, _summary, has_timed_hold, hold_facts
from services.medications.reclass import apply_kidney_function


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
