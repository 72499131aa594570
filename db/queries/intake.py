"""Intake screen reads: open cases, one case with its medications and conditions, providers,
patients by MRN and likely duplicates. Everything is scoped to the caller's offices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Case, CaseCondition, Office, Patient, Provider, StaffUser
from db.queries.clearances import ClearanceRecord, clearance_records
from db.queries.medications import MedicationRow, medication_rows
from db.queries.readiness import facts_for_cases
from db.session import read_session
from mild.cases import CaseStatus, RequestChannel
from mild.clearances import ClearanceKind
from mild.intake import Condition
from mild.readiness import missing_items, warnings

# Cases the intake screen works on: before check-in, not cancelled.
OPEN_STATUSES = (CaseStatus.REQUESTED, CaseStatus.INTAKE, CaseStatus.SCHEDULED)
OPEN_CASES_LIMIT = 500


@dataclass(frozen=True)
class PatientRow:
    id: int
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    phone: str | None


@dataclass(frozen=True)
class ProviderRow:
    id: int
    name: str
    office_id: int


@dataclass(frozen=True)
class ConditionRow:
    condition: Condition
    details: str | None
    cleared_by: str | None
    cleared_at: dt.datetime | None


@dataclass(frozen=True)
class IntakeCase:
    """One case as the intake screen shows it, with what is still missing."""

    id: int
    code: str
    version: int
    status: CaseStatus
    request_channel: RequestChannel
    office_id: int
    office_name: str
    timezone: str
    provider_id: int | None
    provider_name: str | None
    patient: PatientRow
    scheduled_start: dt.datetime | None
    planned_minutes: int
    planned_levels: str | None
    planned_side: str | None
    confirmed_at: dt.datetime | None
    asa_class: int | None
    height_cm: float | None
    weight_kg: float | None
    baseline_nprs: int | None
    baseline_odi: float | None
    baseline_walk_minutes: int | None
    baseline_stand_minutes: int | None
    works: bool | None
    escort_name: str | None
    escort_relationship: str | None
    escort_phone: str | None
    medications: tuple[MedicationRow, ...]
    conditions: tuple[ConditionRow, ...]
    missing: tuple[str, ...]
    # Comorbidity values on file (mild.clearances) and what the practice's limits say of them.
    clearances: dict[ClearanceKind, ClearanceRecord] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    medicare: bool | None = None
    cms_study_enrolled: bool | None = None
    cms_study_nct: str | None = None


def open_cases(office_ids: Collection[int]) -> pd.DataFrame:
    """Cases requested, in intake or scheduled at the offices, unbooked first, then by start."""
    with read_session() as s:
        rows = s.execute(
            select(
                Case.id.label("case_id"),
                Case.code,
                Office.code.label("office"),
                Office.timezone,
                (Patient.last_name + ", " + Patient.first_name).label("patient"),
                Patient.mrn,
                Case.status,
                Case.scheduled_start,
            )
            .join(Patient, Patient.id == Case.patient_id)
            .join(Office, Office.id == Case.office_id)
            .where(Case.office_id.in_(list(office_ids)), Case.status.in_(OPEN_STATUSES))
            .order_by(
                Case.scheduled_start.is_not(None),
                Case.scheduled_start,
                Case.consult_requested_at,
            )
            .limit(OPEN_CASES_LIMIT)
        ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "case_id",
            "code",
            "office",
            "timezone",
            "patient",
            "mrn",
            "status",
            "scheduled_start",
        ],
    )


def _conditions(s: Session, case_id: int) -> tuple[ConditionRow, ...]:
    rows = s.execute(
        select(
            CaseCondition.condition,
            CaseCondition.details,
            StaffUser.display_name,
            CaseCondition.cleared_at,
        )
        .outerjoin(StaffUser, StaffUser.id == CaseCondition.cleared_by_id)
        .where(CaseCondition.case_id == case_id)
    )
    found = {r.condition: ConditionRow(*r) for r in rows}
    return tuple(found[c] for c in Condition if c in found)


def case_detail(case_id: int, office_ids: Collection[int]) -> IntakeCase | None:
    """The case if it is at one of the offices, else None."""
    with read_session() as s:
        row = s.execute(
            select(Case, Office.name, Office.timezone, Provider.name, Patient)
            .join(Office, Office.id == Case.office_id)
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(Case.id == case_id, Case.office_id.in_(list(office_ids)))
        ).one_or_none()
        if row is None:
            return None
        case, office_name, tz, provider_name, p = row
        facts = facts_for_cases(s, [case.id])[case.id]
        return IntakeCase(
            id=case.id,
            code=case.code,
            version=case.version,
            status=case.status,
            request_channel=case.request_channel,
            office_id=case.office_id,
            office_name=office_name,
            timezone=tz,
            provider_id=case.provider_id,
            provider_name=provider_name,
            patient=PatientRow(p.id, p.mrn, p.first_name, p.last_name, p.date_of_birth, p.phone),
            scheduled_start=case.scheduled_start,
            planned_minutes=case.planned_minutes,
            planned_levels=case.planned_levels,
            planned_side=case.planned_side,
            confirmed_at=case.confirmed_at,
            asa_class=case.asa_class,
            height_cm=case.height_cm,
            weight_kg=case.weight_kg,
            baseline_nprs=case.baseline_nprs,
            baseline_odi=case.baseline_odi,
            baseline_walk_minutes=case.baseline_walk_minutes,
            baseline_stand_minutes=case.baseline_stand_minutes,
            works=case.works,
            escort_name=case.escort_name,
            escort_relationship=case.escort_relationship,
            escort_phone=case.escort_phone,
            medications=medication_rows(s, case.id),
            conditions=_conditions(s, case.id),
            missing=tuple(missing_items(facts)),
            clearances=clearance_records(s, case.id),
            warnings=tuple(warnings(facts)),
            medicare=case.medicare,
            cms_study_enrolled=case.cms_study_enrolled,
            cms_study_nct=case.cms_study_nct,
        )


def providers(office_ids: Collection[int]) -> list[ProviderRow]:
    """Active providers of the offices, by office then name."""
    with read_session() as s:
        rows = s.execute(
            select(Provider.id, Provider.name, Provider.office_id)
            .where(Provider.office_id.in_(list(office_ids)), Provider.active)
            .order_by(Provider.office_id, Provider.name)
        )
        return [ProviderRow(*r) for r in rows]


def find_patient(s: Session, mrn: str) -> PatientRow | None:
    row = s.execute(
        select(
            Patient.id,
            Patient.mrn,
            Patient.first_name,
            Patient.last_name,
            Patient.date_of_birth,
            Patient.phone,
        ).where(Patient.mrn == mrn)
    ).one_or_none()
    return PatientRow(*row) if row else None


def patient_by_mrn(mrn: str) -> PatientRow | None:
    """The patient with this (normalized) MRN. Patients belong to the practice, not an office."""
    with read_session() as s:
        return find_patient(s, mrn)


def same_name_and_birth(
    s: Session, first_name: str, last_name: str, date_of_birth: dt.date
) -> list[str]:
    """MRNs of patients with this name (any letter case) and date of birth: likely duplicates."""
    return list(
        s.scalars(
            select(Patient.mrn)
            .where(
                Patient.date_of_birth == date_of_birth,
                func.lower(Patient.last_name) == last_name.lower(),
                func.lower(Patient.first_name) == first_name.lower(),
            )
            .order_by(Patient.mrn)
        )
    )


def likely_duplicates(first_name: str, last_name: str, date_of_birth: dt.date) -> list[str]:
    """MRNs already on file with this name and date of birth (shown before creating)."""
    first, last = " ".join(first_name.split()), " ".join(last_name.split())
    if not first or not last:
        return []
    with read_session() as s:
        return same_name_and_birth(s, first, last, date_of_birth)
