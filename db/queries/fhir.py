"""Reads for the FHIR export (mild.fhir): the snapshot of one case, or of every case booked at an
office on a range of its local days.

Five queries per batch of cases, whatever the history: the cases with their patient, office and
provider (one indexed range on office and start for an office's days), then the batch's drugs,
intake flags, discharge-score ticks and completed follow-ups, each by case ids, CHUNK cases at a
time (bind-parameter limits, and memory that follows the batch).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    Case,
    CaseCondition,
    CaseMedication,
    ChecklistEntry,
    FollowUp,
    HoldRuleRow,
    Office,
    Patient,
    Provider,
)
from db.queries.schedule import office_days_clause
from db.session import read_session
from mild.checklist import Entry, in_force
from mild.discharge import DischargeScale
from mild.fhir_snapshot import (
    CaseSnapshot,
    ConditionFacts,
    FollowUpFacts,
    MedicationFacts,
    PatientFacts,
    ScoreFacts,
)
from mild.followup import Incision, parse_red_flags
from mild.intake import Condition

CHUNK = 500
SCORE_STEP = "discharge_score"


@dataclass(frozen=True)
class ExportOffice:
    id: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class CaseRecord:
    """A case's snapshot with its id and office (for the audit row)."""

    case_id: int
    office_id: int
    snapshot: CaseSnapshot


def office_for_export(office_id: int, scope: Collection[int]) -> ExportOffice | None:
    """The office, active or not (its history is still exported), if the caller works there."""
    if office_id not in scope:
        return None
    with read_session() as s:
        row = s.execute(
            select(Office.id, Office.code, Office.name, Office.timezone).where(
                Office.id == office_id
            )
        ).one_or_none()
    return ExportOffice(*row) if row else None


def case_record(case_id: int, office_ids: Collection[int]) -> CaseRecord | None:
    """One case's snapshot; None when it does not exist or is not at one of `office_ids`."""
    with read_session() as s:
        found = _records(s, (Case.id == case_id) & Case.office_id.in_(list(office_ids)))
    return found[0] if found else None


def office_records(office: ExportOffice, first: dt.date, last: dt.date) -> list[CaseRecord]:
    """Every case booked at the office from `first` to `last` (office-local days, inclusive),
    in start order."""
    with read_session() as s:
        return _records(s, office_days_clause([(office.id, office.timezone, first, last)]))


def _records(s: Session, where: ColumnElement) -> list[CaseRecord]:
    rows = s.execute(
        select(Case, Patient, Office.name, Office.timezone, Provider.name)
        .join(Patient, Patient.id == Case.patient_id)
        .join(Office, Office.id == Case.office_id)
        .outerjoin(Provider, Provider.id == Case.provider_id)
        .where(where)
        .order_by(Case.scheduled_start, Case.id)
    ).all()
    found: list[CaseRecord] = []
    for start in range(0, len(rows), CHUNK):
        batch = rows[start : start + CHUNK]
        ids = [row[0].id for row in batch]
        meds, flags = _medications(s, ids), _conditions(s, ids)
        scores, follow_ups = _scores(s, ids), _follow_ups(s, ids)
        for case, patient, office_name, timezone, provider in batch:
            snapshot = CaseSnapshot(
                code=case.code,
                status=case.status,
                timezone=timezone,
                office_name=office_name,
                patient=PatientFacts(
                    patient.mrn,
                    patient.first_name,
                    patient.last_name,
                    patient.date_of_birth,
                    patient.phone,
                ),
                provider=provider,
                scheduled_start=case.scheduled_start,
                checked_in_at=case.checked_in_at,
                procedure_started_at=case.procedure_started_at,
                procedure_ended_at=case.procedure_ended_at,
                discharged_at=case.discharged_at,
                cancellation_reason=case.cancellation_reason,
                cancellation_note=case.cancellation_note,
                planned_levels=case.planned_levels,
                planned_side=case.planned_side,
                levels_treated=case.levels_treated,
                anesthesia_type=case.anesthesia_type,
                imaging_modality=case.imaging_modality,
                baseline_nprs=case.baseline_nprs,
                baseline_odi=case.baseline_odi,
                baseline_walk_minutes=case.baseline_walk_minutes,
                baseline_stand_minutes=case.baseline_stand_minutes,
                conditions=tuple(flags[case.id]),
                medications=tuple(meds[case.id]),
                discharge_score=scores.get(case.id),
                follow_ups=tuple(follow_ups[case.id]),
            )
            found.append(CaseRecord(case.id, case.office_id, snapshot))
    return found


def _medications(s: Session, ids: Sequence[int]) -> dict[int, list[MedicationFacts]]:
    found: dict[int, list[MedicationFacts]] = defaultdict(list)
    rows = s.execute(
        select(CaseMedication, HoldRuleRow.instruction)
        .outerjoin(HoldRuleRow, HoldRuleRow.drug == CaseMedication.hold_rule)
        .where(CaseMedication.case_id.in_(ids))
        .order_by(CaseMedication.id)
    )
    for med, instruction in rows:
        found[med.case_id].append(
            MedicationFacts(
                drug=med.drug,
                name_given=med.name_given,
                dose=med.dose,
                stop_before_hours=med.stop_before_hours,
                skip_on_day=bool(med.skip_on_day),
                restart_after_hours=med.restart_after_hours,
                restart_instruction=instruction or "",
                last_dose_by=med.last_dose_by,
                last_dose_taken_at=med.last_dose_taken_at,
                last_dose_reported_at=med.last_dose_reported_at,
                last_dose_reported_via=med.last_dose_reported_via,
                needs_review=bool(med.needs_review),
                cleared_by=med.cleared_by,
                cleared_at=med.cleared_at,
                glp1_decision=med.glp1_decision,
            )
        )
    return found


def _conditions(s: Session, ids: Sequence[int]) -> dict[int, list[ConditionFacts]]:
    found: dict[int, list[ConditionFacts]] = defaultdict(list)
    rows = s.execute(
        select(CaseCondition.case_id, CaseCondition.condition, CaseCondition.details)
        .where(CaseCondition.case_id.in_(ids))
        .order_by(CaseCondition.id)
    )
    for case_id, condition, details in rows:
        found[case_id].append(ConditionFacts(Condition(condition), details))
    return found


def _scores(s: Session, ids: Sequence[int]) -> dict[int, ScoreFacts]:
    """The discharge score in force of each case (the latest not un-ticked), with the scale and
    items its score form recorded."""
    entries: dict[int, list[Entry]] = defaultdict(list)
    ticks = s.scalars(
        select(ChecklistEntry)
        .where(ChecklistEntry.case_id.in_(ids), ChecklistEntry.step == SCORE_STEP)
        .order_by(ChecklistEntry.id)
    )
    for tick in ticks:
        entries[tick.case_id].append(
            Entry(
                SCORE_STEP,
                tick.done_at,
                None,
                value=tick.value,
                undone=bool(tick.undone),
                event_at=tick.event_at,
                corrects_time=bool(tick.corrects_time),
                detail=tick.detail,
            )
        )
    found = {}
    for case_id, case_entries in entries.items():
        entry = in_force(case_entries).get(SCORE_STEP)
        if entry is not None and (score := _score(entry)) is not None:
            found[case_id] = score
    return found


def _score(entry: Entry) -> ScoreFacts | None:
    try:
        total = int(entry.value or "")
    except ValueError:  # not a whole number: nothing to report as a score
        return None
    try:
        detail = json.loads(entry.detail) if entry.detail else {}
    except ValueError:
        detail = {}
    scale = detail.get("scale") if isinstance(detail, dict) else None
    if scale not in {s.value for s in DischargeScale}:
        return ScoreFacts(total, entry.event_time)
    items = detail.get("items") or {}
    return ScoreFacts(
        total,
        entry.event_time,
        DischargeScale(scale),
        {k: v for k, v in items.items() if isinstance(v, int) and not isinstance(v, bool)},
    )


def _follow_ups(s: Session, ids: Sequence[int]) -> dict[int, list[FollowUpFacts]]:
    found: dict[int, list[FollowUpFacts]] = defaultdict(list)
    rows = s.scalars(
        select(FollowUp)
        .where(FollowUp.case_id.in_(ids), FollowUp.completed_at.is_not(None))
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    incisions = {i.value for i in Incision}
    for fu in rows:
        found[fu.case_id].append(
            FollowUpFacts(
                kind=fu.kind,
                completed_at=fu.completed_at,
                reached=fu.reached is not False,
                nprs=fu.nprs,
                odi=fu.odi,
                walk_minutes=fu.walk_minutes,
                stand_minutes=fu.stand_minutes,
                swelling=fu.swelling,
                bruising=fu.bruising,
                incision=Incision(fu.incision) if fu.incision in incisions else None,
                meds_as_prescribed=fu.meds_as_prescribed,
                returned_to_work_on=fu.returned_to_work_on,
                temperature_c=fu.temperature_c,
                red_flags=tuple(parse_red_flags(fu.red_flags)),
                notes=fu.notes,
                escalated_at=fu.escalated_at,
                escalation_note=fu.escalation_note,
                escalation_resolved_at=fu.escalation_resolved_at,
                resolution_note=fu.resolution_note,
            )
        )
    return found
