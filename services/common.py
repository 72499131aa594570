"""What every service shares: the acting user, the clock, the audit row, the locked case."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Case, StaffUser, UserSession
from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.sessions import SessionPolicy, idle_expired, policy_from
from mild.staff import Role, office_scope


@dataclass(frozen=True)
class Actor:
    """The signed-in user a write is attributed to, with the offices they may touch."""

    id: int | None
    username: str
    display_name: str
    role: Role
    office_ids: frozenset[int]
    # The browser session (user_session row) this user acts through; None for the command
    # line and tests. Writes check that it is still open (services.common.audit).
    session_id: int | None = None
    # A provider's sign-in: the provider (db provider row) whose cases are theirs.
    provider_id: int | None = None

    def may_touch(self, office_id: int) -> bool:
        return office_id in self.office_ids


def actor_for(user: StaffUser, all_office_ids: list[int]) -> Actor:
    """The acting user as a user row and the active offices make them: their own, or all."""
    return Actor(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        office_ids=office_scope(
            user.role, (o.id for o in user.offices if o.active), all_office_ids
        ),
        provider_id=user.provider_id,
    )


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def audit(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    office_id: int | None = None,
    detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
    at: dt.datetime | None = None,
    check_session: bool = True,
) -> AuditEvent:
    """Append an audit row in the caller's transaction: it commits with the change or not at all.

    Every write audits, so this is also where a write from a browser is refused when its
    session has ended meanwhile (signed out in another tab, ended by an admin, idle too long):
    the whole transaction rolls back and the user is told nothing was saved.
    """
    if check_session and actor is not None and actor.session_id is not None:
        _require_open_session(session, actor.session_id)
    event = AuditEvent(
        at=at or now_utc(),
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.username if actor else "anonymous"),
        action=action,
        entity=entity,
        entity_id=entity_id,
        office_id=office_id,
        detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
    )
    session.add(event)
    return event


def session_policy() -> SessionPolicy:
    """The idle timeout and lockout settings, from the environment (see mild.sessions)."""
    return policy_from(os.environ)


def _require_open_session(session: Session, session_id: int) -> None:
    row = session.get(UserSession, session_id)
    if row is None or row.ended_at is not None:
        raise RuleViolation("session", messages.SESSION_ENDED)
    if idle_expired(
        row.last_activity_at, now_utc(), session_policy(), display=bool(row.display_offices)
    ):  # locked (ui.lock): the same user unlocks it, then saves again
        raise RuleViolation("session", messages.SESSION_LOCKED_NOT_SAVED)


def lock_case(
    session: Session, case_id: int, actor: Actor, expected_version: int | None = None
) -> Case:
    """Load a case for change: row-locked, in the actor's offices, unchanged since they read it.

    `expected_version` is the version the user's screen showed; a different one means someone
    else changed the case meanwhile and the write is refused rather than silently lost.
    """
    case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()).one_or_none()
    if case is None or not actor.may_touch(case.office_id):
        raise RuleViolation("case", messages.CASE_NOT_FOUND)
    if expected_version is not None and case.version != expected_version:
        raise RuleViolation("version", messages.CHANGED_BY_SOMEONE_ELSE)
    return case


def touch_case(case: Case, at: dt.datetime) -> None:
    """Every change to a case bumps its version, so concurrent screens notice."""
    case.version += 1
    case.updated_at = at


# The case column stamped when a case enters a status.
STATUS_TIMESTAMP: dict[CaseStatus, str] = {
    CaseStatus.INTAKE: "intake_started_at",
    CaseStatus.SCHEDULED: "booked_at",
    CaseStatus.CHECKED_IN: "checked_in_at",
    CaseStatus.IN_PROCEDURE: "procedure_started_at",
    CaseStatus.RECOVERY: "recovery_in_at",
    CaseStatus.DISCHARGED: "discharged_at",
    CaseStatus.CLOSED: "closed_at",
    CaseStatus.CANCELLED: "cancelled_at",
}


def move_case(
    session: Session,
    case: Case,
    to_status: CaseStatus,
    actor: Actor,
    at: dt.datetime,
    *,
    action: str = "case.status_changed",
) -> None:
    """Set a case's status with its timestamp column, bump its version, audit the move.

    The caller has locked the case and checked that the move is allowed.
    """
    previous = case.status
    case.status = to_status
    if column := STATUS_TIMESTAMP.get(to_status):
        setattr(case, column, at)
    touch_case(case, at)
    audit(
        session,
        actor,
        action,
        "case",
        case.id,
        office_id=case.office_id,
        detail={"from": previous.value, "to": to_status.value},
        at=at,
    )
