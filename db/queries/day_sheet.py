"""What the day sheet prints for one office and day (mild.day_sheet): every case booked that
day with its patient, provider, booked levels, escort, allergies, held drugs and readiness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select

from db.models import Case, CaseCondition, Patient, Provider
from db.queries.home import OfficeRow
from db.queries.medications import medication_rows
from db.queries.readiness import readiness_for_cases
from db.queries.schedule import office_days_clause
from db.session import read_session
from mild.cases import CaseStatus
from mild.day_sheet import HeldDrugLine, SheetCase
from mild.dayof_holds import is_held
from mild.hold_rules import from_hours
from mild.intake import ALLERGIES, CONDITION_LABELS, Condition
from mild.medications import stop_text
from mild.schedule import BEFORE_ARRIVAL, readiness_text


def _escort(case: Case) -> str | None:
    parts = [p for p in (case.escort_name, case.escort_relationship, case.escort_phone) if p]
    return ", ".join(parts) if case.escort_name else None


def sheet_cases(office: OfficeRow, day: dt.date, *, scope: Collection[int]) -> list[SheetCase]:
    """The office's cases of its local day, in start order; none for an office outside scope."""
    if office.id not in scope:
        return []
    with read_session() as s:
        rows = s.execute(
            select(Case, Patient, Provider.name)
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(office_days_clause([(office.id, office.timezone, day, day)]))
            .order_by(Case.scheduled_start, Case.id)
        ).all()
        ids = [case.id for case, _, _ in rows]
        conditions: dict[int, list[tuple[Condition, str | None]]] = {}
        for case_id, condition, details in s.execute(
            select(CaseCondition.case_id, CaseCondition.condition, CaseCondition.details)
            .where(CaseCondition.case_id.in_(ids))
            .order_by(CaseCondition.id)
        ):
            conditions.setdefault(case_id, []).append((Condition(condition), details))
        held = {
            case_id: tuple(
                HeldDrugLine(
                    m.drug,
                    stop_text(from_hours(m.stop_before_hours), bool(m.skip_on_day)),
                    m.last_dose_by,
                )
                for m in medication_rows(s, case_id)
                if is_held(m) and not m.needs_review
            )
            for case_id in ids
        }
        to_come = [case.id for case, _, _ in rows if case.status in BEFORE_ARRIVAL]
        missing = readiness_for_cases(to_come)
        found = []
        for case, patient, provider in rows:
            mine = conditions.get(case.id, [])
            allergies = tuple(
                CONDITION_LABELS[c] + (f" ({d})" if d else "") for c, d in mine if c in ALLERGIES
            )
            found.append(
                SheetCase(
                    code=case.code,
                    scheduled_start=case.scheduled_start,
                    patient=f"{patient.last_name}, {patient.first_name}",
                    date_of_birth=patient.date_of_birth,
                    mrn=patient.mrn,
                    status=CaseStatus(case.status).label,
                    provider=provider,
                    levels=case.planned_levels,
                    side=case.planned_side,
                    escort=_escort(case),
                    allergies=allergies,
                    held=held[case.id],
                    readiness=readiness_text(missing[case.id]) if case.id in missing else "",
                    cancelled=case.status == CaseStatus.CANCELLED,
                    diabetic=any(c == Condition.DIABETES for c, _ in mine),
                )
            )
    return found
