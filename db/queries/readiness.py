"""Readiness of cases for their day: five queries for any number of cases (cases, conditions,
medications, comorbidity values, the practice's limits), no loop per case.

The caller passes case ids it already scoped to the user's offices (a schedule, a worklist).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseCondition, CaseMedication, Office
from db.queries.clearances import case_values, limit_table
from db.session import read_session
from mild.clearances import ClearanceValues
from mild.days import local_today, to_local
from mild.medications import needs_patient_instruction
from mild.readiness import CaseFacts, ConditionFact, MedicationFact, missing_items

CHUNK = 1000  # ids per IN (...) list: well inside every backend's parameter limit


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


def facts_for_cases(session: Session, case_ids: Collection[int]) -> dict[int, CaseFacts]:
    """The readiness facts of each case, read in the caller's session (a service's transaction
    sees its own locked rows)."""
    now = dt.datetime.now(dt.UTC)
    conditions: dict[int, list[ConditionFact]] = defaultdict(list)
    medications: dict[int, list[MedicationFact]] = defaultdict(list)
    cases = []
    for chunk in _chunks(case_ids):
        cases += session.execute(
            select(
                Case.id,
                Case.asa_class,
                Case.provider_id,
                Case.scheduled_start,
                Case.escort_name,
                Case.escort_phone,
                Case.medicare,
                Case.cms_study_enrolled,
                Case.cms_study_nct,
                Office.timezone,
            )
            .join(Office, Office.id == Case.office_id)
            .where(Case.id.in_(chunk))
        ).all()
        for case_id, condition, cleared_at in session.execute(
            select(CaseCondition.case_id, CaseCondition.condition, CaseCondition.cleared_at)
            .where(CaseCondition.case_id.in_(chunk))
            .order_by(CaseCondition.case_id, CaseCondition.id)
        ):
            conditions[case_id].append(ConditionFact(condition, cleared_at is not None))
        for m in session.execute(
            select(
                CaseMedication.case_id,
                CaseMedication.drug,
                CaseMedication.med_class,
                CaseMedication.needs_review,
                CaseMedication.needs_clearance,
                CaseMedication.cleared_at,
                CaseMedication.hold_confirmed_at,
                CaseMedication.last_dose_by,
                CaseMedication.last_dose_taken_at,
                CaseMedication.glp1_decision,
            )
            .where(CaseMedication.case_id.in_(chunk))
            .order_by(CaseMedication.case_id, CaseMedication.id)
        ):
            medications[m.case_id].append(
                MedicationFact(
                    drug=m.drug,
                    med_class=m.med_class,
                    needs_review=m.needs_review,
                    needs_prescriber_clearance=m.needs_clearance,
                    cleared=m.cleared_at is not None,
                    hold_needed=needs_patient_instruction(m.med_class),
                    hold_confirmed_with_patient=m.hold_confirmed_at is not None,
                    last_dose_by=m.last_dose_by,
                    last_dose_taken_at=m.last_dose_taken_at,
                    glp1_decided=m.glp1_decision is not None,
                )
            )
    values = case_values(session, case_ids)
    limits = tuple(limit_table(session).values())
    return {
        c.id: CaseFacts(
            asa_recorded=c.asa_class is not None,
            provider_set=c.provider_id is not None,
            booked=c.scheduled_start is not None,
            conditions=tuple(conditions[c.id]),
            medications=tuple(medications[c.id]),
            escort_name=c.escort_name,
            escort_phone=c.escort_phone,
            now=now,
            timezone=c.timezone,
            values=values.get(c.id, ClearanceValues()),
            limits=limits,
            judged_on=(
                to_local(c.timezone, c.scheduled_start).date()
                if c.scheduled_start is not None
                else local_today(c.timezone, now)
            ),
            medicare=c.medicare,
            study_enrolled=c.cms_study_enrolled,
            study_nct=c.cms_study_nct,
        )
        for c in cases
    }


def readiness_for_cases(case_ids: Collection[int]) -> dict[int, list[str]]:
    """Missing items per case id (empty list: ready). Unknown ids are left out."""
    if not case_ids:
        return {}
    with read_session() as session:
        facts = facts_for_cases(session, case_ids)
    return {case_id: missing_items(f) for case_id, f in facts.items()}
