"""Reads for printed documents: one case's discharge instructions, filled from the record.

Four small queries by the case's id (the case with its patient, office and provider; its drugs
with their hold-table rows; the escort tick in force; the next-day call), whatever the history.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Case,
    CaseMedication,
    ChecklistEntry,
    FollowUp,
    HoldRuleRow,
    Office,
    Patient,
    Provider,
)
from db.session import read_session
from mild.discharge_instructions import DischargeFacts, DrugFacts, EscortFacts, ExemptionFacts
from mild.followup import FollowUpKind
from mild.medications import from_hours

ESCORT_STEP = "escort_confirmed"


@dataclass(frozen=True)
class DischargeRecord:
    """The facts the instructions are filled in from, and the case's office (for the audit)."""

    case_id: int
    office_id: int
    facts: DischargeFacts


def confirmed_escort(value: str | None) -> EscortFacts | None:
    """The escort met in person, from the tick's value: "name, relationship, phone"
    (mild.checklist.escort_confirmation; the name may hold commas, the other two do not), or
    a JSON object with escort_name, escort_relationship and escort_phone."""
    if not value:
        return None
    try:
        given = json.loads(value)
    except ValueError:
        given = None
    if isinstance(given, dict):
        return EscortFacts(
            str(given.get("escort_name") or ""),
            str(given.get("escort_relationship") or ""),
            str(given.get("escort_phone") or ""),
            confirmed=True,
        )
    parts = value.rsplit(", ", 2)
    if len(parts) != 3:
        return EscortFacts(value, "", "", confirmed=True)
    return EscortFacts(*parts, confirmed=True)


def _escort_tick(session: Session, case_id: int) -> EscortFacts | None:
    last = session.execute(
        select(ChecklistEntry.value, ChecklistEntry.undone)
        .where(ChecklistEntry.case_id == case_id, ChecklistEntry.step == ESCORT_STEP)
        .order_by(ChecklistEntry.id.desc())
        .limit(1)
    ).one_or_none()
    if last is None or last.undone:
        return None
    return confirmed_escort(last.value)


def _drugs(session: Session, case_id: int) -> tuple[DrugFacts, ...]:
    rows = session.execute(
        select(
            CaseMedication.drug,
            CaseMedication.name_given,
            CaseMedication.stop_before_hours,
            CaseMedication.skip_on_day,
            CaseMedication.restart_after_hours,
            HoldRuleRow.instruction,
            HoldRuleRow.source,
        )
        .outerjoin(HoldRuleRow, HoldRuleRow.drug == CaseMedication.hold_rule)
        .where(CaseMedication.case_id == case_id)
        .order_by(CaseMedication.id)
    )
    return tuple(
        DrugFacts(
            drug=drug,
            name_given=given,
            stop_before=from_hours(stop),
            skip_on_day=bool(skip),
            restart_after=from_hours(restart),
            instruction=instruction or "",
            source=source or "",
        )
        for drug, given, stop, skip, restart, instruction, source in rows
    )


def discharge_record(case_id: int, office_ids: Collection[int]) -> DischargeRecord | None:
    """What one case's discharge instructions say; None when the case does not exist or is
    not at one of `office_ids`."""
    with read_session() as s:
        row = s.execute(
            select(
                Case.office_id,
                Case.code,
                Patient.first_name,
                Patient.last_name,
                Patient.date_of_birth,
                Office.name,
                Office.phone,
                Office.timezone,
                Provider.name,
                Case.levels_treated,
                Case.scheduled_start,
                Case.procedure_started_at,
                Case.procedure_ended_at,
                Case.discharged_at,
                Case.escort_name,
                Case.escort_relationship,
                Case.escort_phone,
                Case.escort_exempted_by,
                Case.escort_exempt_reason,
            )
            .join(Patient, Patient.id == Case.patient_id)
            .join(Office, Office.id == Case.office_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(Case.id == case_id, Case.office_id.in_(list(office_ids)))
        ).one_or_none()
        if row is None:
            return None
        (office_id, code, first, last, born, office, phone, timezone, provider, levels) = row[:10]
        (scheduled, started, ended, discharged) = row[10:14]
        (escort_name, relationship, escort_phone, exempted_by, exempt_reason) = row[14:]
        escort = _escort_tick(s, case_id)
        if escort is None and escort_name:
            escort = EscortFacts(escort_name, relationship or "", escort_phone or "")
        call = s.execute(
            select(FollowUp.due_at, FollowUp.overdue_at).where(
                FollowUp.case_id == case_id, FollowUp.kind == FollowUpKind.NEXT_DAY_CALL
            )
        ).one_or_none()
        drugs = _drugs(s, case_id)
    facts = DischargeFacts(
        case_code=code,
        patient_name=f"{first} {last}",
        date_of_birth=born,
        office_name=office,
        office_phone=phone,
        timezone=timezone,
        provider=provider,
        levels_treated=levels,
        scheduled_start=scheduled,
        procedure_started_at=started,
        procedure_ended_at=ended,
        discharged_at=discharged,
        escort=escort,
        exemption=ExemptionFacts(exempted_by, exempt_reason or "") if exempted_by else None,
        drugs=drugs,
        next_day_call_due=call.due_at if call else None,
        next_day_call_overdue=call.overdue_at if call else None,
    )
    return DischargeRecord(case_id, office_id, facts)
