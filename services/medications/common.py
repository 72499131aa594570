"""What the medication actions share: a case's drug with its hold copied from the table, read
back as a rule, summed up for the audit, and found with its case locked; the facts a hold
confirmation asks of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CaseMedication
from mild import medications as meds
from mild import messages
from mild.errors import RuleViolation
from mild.medications import HoldRule, MedClass, from_hours, needs_patient_instruction, whole_hours
from services.common import Actor
from services.intake import open_intake_case


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


def has_timed_hold(med: CaseMedication) -> bool:
    """The drug is stopped before the day (a stop time, or no dose that morning)."""
    return med.stop_before_hours is not None or med.skip_on_day
