"""Record a patient safety event (mild.safety): CMS ASC-1 to ASC-4 from the day-of checklist,
a hospital visit within 7 days of discharge from follow-up. One transaction: the case row-locked
in the actor's offices, the event added with who and when, the case's version bumped, an audit
row; refused with the field named, writing nothing, otherwise."""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import select

from db.models import Office, SafetyEvent
from db.session import transaction
from mild import messages, safety
from mild.errors import RuleViolation
from mild.event_times import moment_text
from mild.staff import Screen, may_open
from services.common import Actor, audit, lock_case, now_utc, touch_case

# Which screen records which kinds: the checklist the day's, follow-up the week after.
RECORDED_FROM: dict[Screen, tuple[safety.SafetyKind, ...]] = {
    Screen.CHECKLIST: safety.DAY_OF_KINDS,
    Screen.FOLLOW_UP: safety.AFTER_DISCHARGE_KINDS,
}


def record_safety_event(
    case_id: int,
    kind: safety.SafetyKind | str | None,
    occurred_at: dt.datetime | None,
    description: str | None,
    *,
    screen: Screen,
    actor: Actor,
) -> int:
    """Record one safety event on the case from `screen` (the checklist or follow-up); returns
    the event's id."""
    if screen not in RECORDED_FROM or not may_open(actor.role, screen):
        raise RuleViolation("role", messages.NOT_ALLOWED_HERE)
    with transaction() as session:
        case = lock_case(session, case_id, actor)
        timezone = session.scalar(select(Office.timezone).where(Office.id == case.office_id))
        at = now_utc()
        report = safety.check_report(
            kind,
            occurred_at,
            description,
            allowed=RECORDED_FROM[screen],
            checked_in_at=case.checked_in_at,
            discharged_at=case.discharged_at,
            now=at,
            fmt=functools.partial(moment_text, timezone or "UTC"),
        )
        event = SafetyEvent(
            case_id=case.id,
            office_id=case.office_id,
            kind=report.kind,
            occurred_at=report.occurred_at,
            description=report.description,
            recorded_at=at,
            recorded_by_id=actor.id,
        )
        session.add(event)
        session.flush()
        touch_case(case, at)
        audit(
            session,
            actor,
            "safety_event.recorded",
            "case",
            case.id,
            office_id=case.office_id,
            detail={
                "event": event.id,
                "kind": report.kind.value,
                "measure": report.kind.measure,
                "source": report.kind.source,
                "occurred_at": report.occurred_at,
                "description": report.description,
            },
            at=at,
        )
        return event.id
