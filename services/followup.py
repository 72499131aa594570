"""Post-op follow-up actions."""

from __future__ import annotations

from sqlalchemy import select

from db.models import FollowUp
from db.session import transaction
from mild import messages
from mild.errors import RuleViolation
from services.common import Actor, audit, lock_case, now_utc, touch_case


def record_call_attempt(
    follow_up_id: int, *, actor: Actor, note: str = "", expected_version: int | None = None
) -> int:
    """A call that did not reach the patient: counted, so the worklist shows the attempts.

    Returns the number of attempts so far.
    """
    if len(note) > 2000:
        raise RuleViolation("note", messages.TEXT_TOO_LONG.format(limit=2000))
    with transaction() as session:
        # Lock the case before its follow-up: every service takes locks in that order.
        case_id = session.scalar(select(FollowUp.case_id).where(FollowUp.id == follow_up_id))
        if case_id is None:
            raise RuleViolation("follow_up", messages.FOLLOW_UP_NOT_FOUND)
        case = lock_case(session, case_id, actor, expected_version)
        follow_up = session.scalars(
            select(FollowUp).where(FollowUp.id == follow_up_id).with_for_update()
        ).one()
        if follow_up.completed_at is not None:
            raise RuleViolation("follow_up", messages.FOLLOW_UP_ALREADY_DONE)
        at = now_utc()
        follow_up.attempts += 1
        follow_up.reached = False
        touch_case(case, at)
        audit(
            session,
            actor,
            "follow_up.call_attempt",
            "case",
            case.id,
            office_id=case.office_id,
            detail={"follow_up": follow_up.id, "kind": follow_up.kind.value, "note": note.strip()},
            at=at,
        )
        return follow_up.attempts
