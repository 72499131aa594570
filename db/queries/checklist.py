"""Day-of checklist reads: today's cases at one office, and one open case with its checklist.

The list costs two queries for the whole day (the cases, then the steps in force for all of
them, grouped in the database); the open case costs four small queries by its id. Nothing
reads beyond the day's work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from db.models import (
    AuditEvent,
    Case,
    CaseCondition,
    ChecklistEntry,
    Office,
    Patient,
    Provider,
    StaffUser,
)
from db.queries.clearances import limit_table
from db.queries.home import OfficeRow
from db.queries.medications import MedicationRow, medication_rows
from db.session import read_session
from mild.cases import DAY_OF_STATUSES, CaseStatus
from mild.checklist import DayCheck, Entry, case_progress
from mild.clearances import Limit, LimitKey
from mild.dayof_checks import DayFacts, day_of_problems, glucose_warnings
from mild.days import local_day_bounds, local_today
from mild.intake import Condition

DAY_COLUMNS = [
    "case_id",
    "code",
    "scheduled_start",
    "planned_minutes",
    "patient",
    "provider",
    "status",
    "steps_done",
    "steps_applicable",
]


def _diabetic_clause():
    return exists().where(
        CaseCondition.case_id == Case.id, CaseCondition.condition == Condition.DIABETES
    )


def todays_cases(office: OfficeRow, now: dt.datetime) -> pd.DataFrame:
    """The day's cases at `office` (its own local day) in schedule order, with progress.

    Cancelled cases are left out: they are not the nurse's work today.
    """
    start, end = local_day_bounds(office.timezone, local_today(office.timezone, now))
    day = and_(
        Case.office_id == office.id,
        Case.scheduled_start >= start,
        Case.scheduled_start < end,
        Case.status.in_(DAY_OF_STATUSES),
    )
    with read_session() as s:
        cases = s.execute(
            select(
                Case.id,
                Case.code,
                Case.scheduled_start,
                Case.planned_minutes,
                (Patient.last_name + ", " + Patient.first_name).label("patient"),
                Provider.name,
                Case.status,
                _diabetic_clause().label("diabetic"),
                Case.escort_exempted_by.is_not(None).label("exempt"),
            )
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(day)
            .order_by(Case.scheduled_start, Case.id)
        ).all()
        # The row in force for each step is the last tick or un-tick written (a correction of
        # the event time changes neither).
        last = (
            select(func.max(ChecklistEntry.id).label("id"))
            .join(Case, Case.id == ChecklistEntry.case_id)
            .where(day, ChecklistEntry.corrects_time.is_(False))
            .group_by(ChecklistEntry.case_id, ChecklistEntry.step)
            .subquery()
        )
        in_force = s.execute(
            select(ChecklistEntry.case_id, ChecklistEntry.step, ChecklistEntry.value)
            .join(last, last.c.id == ChecklistEntry.id)
            .where(ChecklistEntry.undone.is_(False))
        ).all()
    done: dict[int, dict[str, str | None]] = {}
    for case_id, step, value in in_force:
        done.setdefault(case_id, {})[step] = value
    rows = []
    for case_id, code, start_at, planned, patient, provider, status, diabetic, exempt in cases:
        steps_done, applicable = case_progress(
            done.get(case_id, {}), diabetic=bool(diabetic), escort_exempt=bool(exempt)
        )
        rows.append(
            (
                case_id,
                code,
                start_at,
                planned,
                patient,
                provider,
                CaseStatus(status),
                steps_done,
                applicable,
            )
        )
    return pd.DataFrame(rows, columns=DAY_COLUMNS)


@dataclass(frozen=True)
class CaseDetail:
    """One case as the day-of checklist shows it, read fresh for each screen."""

    case_id: int
    code: str
    version: int
    status: CaseStatus
    office_code: str
    timezone: str
    patient: str
    mrn: str
    date_of_birth: dt.date
    provider: str | None
    scheduled_start: dt.datetime | None
    planned_minutes: int
    planned_levels: str | None
    planned_side: str | None
    procedure_started_at: dt.datetime | None
    procedure_ended_at: dt.datetime | None
    escort_name: str | None
    escort_relationship: str | None
    escort_phone: str | None
    escort_exempted_by: str | None
    escort_exempt_reason: str | None
    escort_exempt_at: dt.datetime | None
    escort_exempt_recorded_by: str | None
    waiting_code: str | None  # the waiting-room display's code, from check-in to discharge
    conditions: list[tuple[Condition, str | None]]
    medications: list[MedicationRow]
    entries: list[Entry]  # every row (tick, un-tick, time correction), oldest first, with names
    limits: dict[LimitKey, Limit]  # the practice's (mild.clearances): glucose for proceeding
    # The case's newest audit row when it was read (in the same statement as its version): a
    # tick from this screen is refused only for a change since to its own step, a hard stop's
    # inputs or the case outside the checklist (services.checklist).
    last_change: int = 0

    @property
    def diabetic(self) -> bool:
        return any(c == Condition.DIABETES for c, _ in self.conditions)

    @property
    def escort_exempt(self) -> bool:
        return self.escort_exempted_by is not None

    @property
    def day_facts(self) -> DayFacts:
        return DayFacts(
            self.medications,
            self.entries,
            self.timezone,
            self.scheduled_start,
            self.diabetic,
            self.limits,
        )

    def problems(self, at: dt.datetime) -> dict[DayCheck, list[str]]:
        """What each day-of check refuses at `at` (mild.dayof_checks), for the screen to show."""
        return day_of_problems(self.day_facts, at)

    def glucose_warnings(self) -> list[str]:
        return glucose_warnings(self.day_facts)


def case_detail(case_id: int, office_ids: Collection[int]) -> CaseDetail | None:
    """The case with its patient, conditions, medications and checklist rows; None when it does
    not exist or is not at one of `office_ids`."""
    recorder = aliased(StaffUser)
    with read_session() as s:
        # The newest audit row of the case, read in the same statement as the case (one
        # snapshot on PostgreSQL too): the version and this mark agree.
        last_change = (
            select(func.max(AuditEvent.id))
            .where(AuditEvent.entity == "case", AuditEvent.entity_id == case_id)
            .scalar_subquery()
        )
        row = s.execute(
            select(
                Case.id,
                Case.code,
                Case.version,
                Case.status,
                Office.code,
                Office.timezone,
                (Patient.last_name + ", " + Patient.first_name),
                Patient.mrn,
                Patient.date_of_birth,
                Provider.name,
                Case.scheduled_start,
                Case.planned_minutes,
                Case.planned_levels,
                Case.planned_side,
                Case.procedure_started_at,
                Case.procedure_ended_at,
                Case.escort_name,
                Case.escort_relationship,
                Case.escort_phone,
                Case.escort_exempted_by,
                Case.escort_exempt_reason,
                Case.escort_exempt_at,
                recorder.display_name,
                Case.waiting_code,
                last_change,
            )
            .join(Patient, Patient.id == Case.patient_id)
            .join(Office, Office.id == Case.office_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .outerjoin(recorder, recorder.id == Case.escort_exempt_recorded_by_id)
            .where(Case.id == case_id, Case.office_id.in_(list(office_ids)))
        ).one_or_none()
        if row is None:
            return None
        conditions = [
            (Condition(c), details)
            for c, details in s.execute(
                select(CaseCondition.condition, CaseCondition.details)
                .where(CaseCondition.case_id == case_id)
                .order_by(CaseCondition.id)
            )
        ]
        medications = list(medication_rows(s, case_id))
        limits = limit_table(s)
        entries = [
            Entry(step, at, by, value, bool(undone), reason, note, event_at, bool(fix), detail)
            for step, at, by, value, undone, reason, note, event_at, fix, detail in s.execute(
                select(
                    ChecklistEntry.step,
                    ChecklistEntry.done_at,
                    StaffUser.display_name,
                    ChecklistEntry.value,
                    ChecklistEntry.undone,
                    ChecklistEntry.reason,
                    ChecklistEntry.note,
                    ChecklistEntry.event_at,
                    ChecklistEntry.corrects_time,
                    ChecklistEntry.detail,
                )
                .outerjoin(StaffUser, StaffUser.id == ChecklistEntry.done_by_id)
                .where(ChecklistEntry.case_id == case_id)
                .order_by(ChecklistEntry.id)
            )
        ]
    return CaseDetail(
        *row[:3],
        CaseStatus(row[3]),
        *row[4:-1],
        conditions=conditions,
        medications=medications,
        entries=entries,
        limits=limits,
        last_change=row[-1] or 0,
    )
