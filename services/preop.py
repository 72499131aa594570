"""The pre-op call (mild.preop): one attempt recorded in one transaction with its audit row.

When the patient was reached, the script's answers go where the rest of the app reads them:
each held drug's last dose as reported onto the drug (the day-of hold check compares it with
the hold), the escort's name and phone onto the case (the readiness summary and the day sheet
show them). A change that leaves a confirmed case not ready withdraws the confirmation
(services.intake.finish).
"""

from __future__ import annotations

from sqlalchemy import select

from db.models import CaseMedication, PreopCall
from db.session import transaction
from mild import messages
from mild import preop as rules
from mild.errors import RuleViolation
from mild.medications import REPORTED_VIA
from services.common import Actor, audit, lock_case, now_utc
from services.intake import finish
from services.medications import chart_last_dose

VIA = REPORTED_VIA[0]  # "pre_op_call"


def record_preop_call(
    case_id: int,
    report: rules.CallReport,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Record one attempt of the pre-op call and, when reached, its answers. Refused (naming the
    field) for a case not still to come, a user who does not make these calls, or a form with a
    problem; nothing is saved then. Returns the case version."""
    rules.check_caller(actor.role)
    with transaction() as session:
        case = lock_case(session, case_id, actor, expected_version)
        rules.check_callable(case.status)
        at = now_utc()
        call = rules.check_call(report, now=at, scheduled_start=case.scheduled_start)
        detail: dict = {"outcome": call.outcome.value}
        if call.call_back_at is not None:
            detail["call_back_at"] = call.call_back_at
        if call.last_doses:
            held = {
                m.id: m
                for m in session.scalars(
                    select(CaseMedication)
                    .where(CaseMedication.case_id == case.id)
                    .where(CaseMedication.id.in_(list(call.last_doses)))
                    .with_for_update()
                )
            }
            changes = []
            for medication_id, taken in call.last_doses.items():
                med = held.get(medication_id)
                if med is None:
                    raise RuleViolation(f"last_dose_{medication_id}", messages.MEDICATION_NOT_FOUND)
                try:
                    changes.append(chart_last_dose(med, taken, at, via=VIA, actor=actor))
                except RuleViolation as refusal:
                    raise RuleViolation(f"last_dose_{medication_id}", refusal.message) from None
            detail["last_doses"] = changes
        if call.escort_confirmed:
            before = [case.escort_name, case.escort_phone]
            if before != [call.escort_name, call.escort_phone]:
                if (case.escort_name or "").casefold() != (call.escort_name or "").casefold():
                    case.escort_relationship = None  # another person: not asked on the call
                case.escort_name, case.escort_phone = call.escort_name, call.escort_phone
                detail["escort"] = {"from": before, "to": [call.escort_name, call.escort_phone]}
        row = PreopCall(
            case_id=case.id,
            office_id=case.office_id,
            called_at=at,
            called_by_id=actor.id,
            outcome=call.outcome,
            call_back_at=call.call_back_at,
            arrival_time_told=call.arrival_time_told,
            fasting_explained=call.fasting_explained,
            escort_confirmed=call.escort_confirmed,
            questions=call.questions,
        )
        session.add(row)
        session.flush()
        detail["call"] = row.id
        if "last_doses" in detail or "escort" in detail:
            return finish(session, case, actor, "preop_call.recorded", detail, at)
        # Nothing on the case changed: its version stays, so a screen open on it is not told
        # "changed by someone else" for a voicemail.
        audit(
            session,
            actor,
            "preop_call.recorded",
            "case",
            case.id,
            office_id=case.office_id,
            detail=detail,
            at=at,
        )
        return case.version
