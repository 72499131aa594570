"""Post-op follow-up actions: call attempts, the next-day call, outcome visits, escalations,
and closing a case after its last visit.

Every action: one transaction, the case locked first (then its follow-up), the rule checked in
mild/, the change stamped with who and when, and an audit row committed with it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, FollowUp, Provider
from db.queries.tiers import flag_tier_table
from db.session import transaction
from mild import messages
from mild.cases import CaseStatus
from mild.days import local_today
from mild.errors import RuleViolation
from mild.escalations import Tier, check_provider_scope, escalation_tier
from mild.followup import (
    AttemptOutcome,
    CallAnswers,
    FollowUpKind,
    RedFlag,
    check_attempt,
    check_attempt_outcome,
    check_call,
    check_close_unreached,
    check_follow_up_open,
    check_may_close,
    check_note,
    check_resolution,
    check_visit_date,
    escalation_note,
    needs_escalation,
    stored_red_flags,
)
from mild.scores import ODI_SECTIONS, VisitScores, check_visit
from services.common import Actor, audit, lock_case, move_case, now_utc, touch_case
from services.notify import cancel_pending, queue_round


def _lock(
    session: Session, follow_up_id: int, actor: Actor, expected_version: int | None
) -> tuple[Case, FollowUp]:
    """Lock the case before its follow-up: every service takes locks in that order."""
    case_id = session.scalar(select(FollowUp.case_id).where(FollowUp.id == follow_up_id))
    if case_id is None:
        raise RuleViolation("follow_up", messages.FOLLOW_UP_NOT_FOUND)
    try:
        case = lock_case(session, case_id, actor, expected_version)
    except RuleViolation as refusal:
        if refusal.field == "case":  # not at the actor's offices: say "follow-up", not "case"
            raise RuleViolation("follow_up", messages.FOLLOW_UP_NOT_FOUND) from None
        raise
    follow_up = session.scalars(
        select(FollowUp).where(FollowUp.id == follow_up_id).with_for_update()
    ).one()
    return case, follow_up


def _complete(
    case: Case, follow_up: FollowUp, status: CaseStatus, actor: Actor, at: dt.datetime
) -> CaseStatus:
    """Stamp a reached follow-up done (the reaching call counts as an attempt) and move the case
    on (discharged -> follow-up); returns the status it had."""
    follow_up.attempts += 1
    follow_up.reached = True
    follow_up.completed_at = at
    follow_up.completed_by_id = actor.id
    previous = case.status
    case.status = status
    touch_case(case, at)
    return previous


def record_call_attempt(
    follow_up_id: int,
    *,
    actor: Actor,
    outcome: AttemptOutcome | str | None = AttemptOutcome.NO_ANSWER,
    note: str = "",
    expected_version: int | None = None,
) -> int:
    """A try that did not reach the patient (a call unanswered, a visit not attended): counted
    with how it went, so the worklist shows the attempts and the last outcome.

    Returns the number of attempts so far.
    """
    note = check_note("note", note)
    with transaction() as session:
        case, follow_up = _lock(session, follow_up_id, actor, expected_version)
        check_attempt(case.status, follow_up.completed_at is not None)
        outcome = check_attempt_outcome(follow_up.kind, outcome)
        at = now_utc()
        follow_up.attempts += 1
        follow_up.reached = False
        follow_up.last_attempt_outcome = outcome
        touch_case(case, at)
        audit(
            session,
            actor,
            "follow_up.call_attempt",
            "case",
            case.id,
            office_id=case.office_id,
            detail={
                "follow_up": follow_up.id,
                "kind": follow_up.kind.value,
                "outcome": outcome.value,
                "note": note,
            },
            at=at,
        )
        return follow_up.attempts


def close_not_reached(
    follow_up_id: int, note: str, *, actor: Actor, expected_version: int | None = None
) -> int:
    """Give up on a follow-up after enough attempts: completed, not reached, with a note of
    what was done instead. It leaves the worklist; the case goes on to its later follow-ups.
    Returns the number of attempts it was closed after."""
    with transaction() as session:
        case, follow_up = _lock(session, follow_up_id, actor, expected_version)
        status, text = check_close_unreached(
            case.status, follow_up.completed_at is not None, follow_up.attempts, note
        )
        at = now_utc()
        follow_up.reached = False
        follow_up.completed_at = at
        follow_up.completed_by_id = actor.id
        follow_up.notes = text
        previous = case.status
        case.status = status
        touch_case(case, at)
        audit(
            session,
            actor,
            "follow_up.closed_not_reached",
            "case",
            case.id,
            office_id=case.office_id,
            detail={
                "follow_up": follow_up.id,
                "kind": follow_up.kind.value,
                "attempts": follow_up.attempts,
                "note": text,
                "status": {"from": previous.value, "to": status.value},
            },
            at=at,
        )
        return follow_up.attempts


@dataclass(frozen=True)
class CallResult:
    red_flags: list[RedFlag]
    escalation_note: str | None  # set when the call escalated the case
    case_version: int
    follow_up_id: int | None = None
    tier: Tier | None = None  # the escalation's tier, when it escalated


def record_followup_call(
    follow_up_id: int,
    answers: CallAnswers,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> CallResult:
    """The next-day call reached the patient: store the answers, complete the call, and escalate
    to the provider at once when there is a red flag (reported, fever, pain 8+, wound): at the
    most urgent tier of its flags, with its notifications (provider and on-call) queued in the
    same transaction, so they exist if and only if the escalation does."""
    with transaction() as session:
        case, follow_up = _lock(session, follow_up_id, actor, expected_version)
        status = check_follow_up_open(
            case.status, follow_up.kind, follow_up.completed_at is not None, as_call=True
        )
        at = now_utc()
        tz = case.office.timezone
        procedure_day = local_today(tz, case.discharged_at or follow_up.due_at)
        flags = check_call(answers, procedure_day=procedure_day, today=local_today(tz, at))
        follow_up.nprs = answers.nprs
        follow_up.swelling = answers.swelling
        follow_up.bruising = answers.bruising
        follow_up.incision = answers.incision.value
        follow_up.meds_as_prescribed = answers.meds_as_prescribed
        follow_up.returned_to_work_on = answers.returned_to_work_on
        follow_up.temperature_c = answers.temperature_c
        follow_up.red_flags = stored_red_flags(flags)
        follow_up.notes = answers.notes.strip() or None
        note = tier = None
        if needs_escalation(flags):
            provider = session.scalar(select(Provider.name).where(Provider.id == case.provider_id))
            note = escalation_note(provider, flags)
            tier = escalation_tier(flags, flag_tier_table(session))
            follow_up.escalated_at = at
            follow_up.escalation_note = note
            follow_up.escalation_tier = tier.value
            queue_round(session, follow_up, case, tier, 1, at)
        previous = _complete(case, follow_up, status, actor, at)
        audit(
            session,
            actor,
            "follow_up.call_recorded",
            "case",
            case.id,
            office_id=case.office_id,
            detail={
                "follow_up": follow_up.id,
                "nprs": answers.nprs,
                "red_flags": [f.value for f in flags],
                "escalated": note is not None,
                "tier": tier.value if tier else None,
                "status": [previous.value, case.status.value],
            },
            at=at,
        )
        return CallResult(flags, note, case.version, follow_up.id, tier)


@dataclass(frozen=True)
class VisitResult:
    odi: float
    may_close: bool  # the 12-month visit is done: the screen offers to close the case
    case_version: int


def record_outcome_visit(
    follow_up_id: int,
    scores: VisitScores,
    *,
    actor: Actor,
    visited_on: dt.date | None = None,
    expected_version: int | None = None,
) -> VisitResult:
    """A later visit (2 weeks, 3/6/12 months) on its day (`visited_on`, office-local; None:
    today): NPRS, ODI from its sections, walking and standing tolerance. The ODI answers are
    stored as given, with the score computed from them."""
    with transaction() as session:
        case, follow_up = _lock(session, follow_up_id, actor, expected_version)
        status = check_follow_up_open(
            case.status, follow_up.kind, follow_up.completed_at is not None, as_call=False
        )
        at = now_utc()
        tz = case.office.timezone
        today = local_today(tz, at)
        visited_on = check_visit_date(
            today if visited_on is None else visited_on,
            discharged_on=local_today(tz, case.discharged_at or follow_up.due_at),
            today=today,
        )
        odi = check_visit(scores)
        follow_up.visited_on = visited_on
        follow_up.nprs = scores.nprs
        follow_up.odi = odi
        follow_up.odi_answers = json.dumps({s: scores.odi_answers.get(s) for s in ODI_SECTIONS})
        follow_up.walk_minutes = scores.walk_minutes
        follow_up.stand_minutes = scores.stand_minutes
        previous = _complete(case, follow_up, status, actor, at)
        audit(
            session,
            actor,
            "follow_up.visit_recorded",
            "case",
            case.id,
            office_id=case.office_id,
            detail={
                "follow_up": follow_up.id,
                "kind": follow_up.kind.value,
                "visited_on": visited_on.isoformat(),
                "nprs": scores.nprs,
                "odi": odi,
                "status": [previous.value, case.status.value],
            },
            at=at,
        )
        return VisitResult(odi, follow_up.kind == FollowUpKind.MONTHS_12, case.version)


def resolve_escalation(
    follow_up_id: int, note: str, *, actor: Actor, expected_version: int | None = None
) -> int:
    """Someone dealt with the red flags: the resolution note, who and when; the flag goes away
    from the worklist, schedule and board, and notifications not yet sent are not sent. A
    provider resolves the escalations of their own cases only. Returns the case version."""
    with transaction() as session:
        case, follow_up = _lock(session, follow_up_id, actor, expected_version)
        check_provider_scope(actor.role, actor.provider_id, case.provider_id)
        if case.status == CaseStatus.CLOSED:
            raise RuleViolation("status", messages.CASE_LOCKED)
        text = check_resolution(
            follow_up.escalated_at is not None, follow_up.escalation_resolved_at is not None, note
        )
        at = now_utc()
        follow_up.escalation_resolved_at = at
        follow_up.escalation_resolved_by_id = actor.id
        follow_up.resolution_note = text
        touch_case(case, at)
        cancelled = cancel_pending(session, follow_up.id)
        audit(
            session,
            actor,
            "follow_up.escalation_resolved",
            "case",
            case.id,
            office_id=case.office_id,
            detail={"follow_up": follow_up.id, "note": text, "notifications_cancelled": cancelled},
            at=at,
        )
        return case.version


def close_case(case_id: int, *, actor: Actor, expected_version: int | None = None) -> int:
    """Close a case after its 12-month visit (offered, never forced). Returns the case version."""
    with transaction() as session:
        case = lock_case(session, case_id, actor, expected_version)
        follow_ups = session.execute(
            select(
                FollowUp.kind,
                FollowUp.completed_at,
                FollowUp.escalated_at,
                FollowUp.escalation_resolved_at,
            )
            .where(FollowUp.case_id == case.id)
            .with_for_update()
        ).all()
        twelve_month_done = any(
            f.kind == FollowUpKind.MONTHS_12 and f.completed_at is not None for f in follow_ups
        )
        open_escalations = sum(
            f.escalated_at is not None and f.escalation_resolved_at is None for f in follow_ups
        )
        check_may_close(case.status, twelve_month_done, open_escalations)
        move_case(session, case, CaseStatus.CLOSED, actor, now_utc())
        return case.version
