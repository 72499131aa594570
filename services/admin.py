"""Admin actions on sessions and the medication hold table; who may administer at all.

Offices and accounts are in services/staff.py. Every action: one transaction, the acting
admin checked against the database (a role taken away meanwhile counts), the change, its audit
row with before and after.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import HoldRuleRow, StaffUser, UserSession
from db.session import transaction
from mild import admin as rules
from mild import messages
from mild.errors import RuleViolation
from mild.medications import MedClass
from services import sessions
from services.common import Actor, audit, now_utc


def require_admin(session: Session, actor: Actor) -> None:
    """Refuse anyone but an active admin, as the database has them now. The command line's
    actor (no user id, audited to the operating-system user) counts as an admin."""
    rules.check_admin(actor.role)
    if actor.id is None:
        return
    user = session.get(StaffUser, actor.id)
    if user is None:
        raise RuleViolation("role", messages.ADMIN_ONLY)
    rules.check_admin(user.role, active=user.active)


# --- sessions ---------------------------------------------------------------------------------


def _end(
    session: Session, row: UserSession, user: StaffUser, reason: str, actor: Actor, at: dt.datetime
) -> None:
    row.ended_at = at
    row.end_reason = reason
    row.ticket_hash = None
    audit(
        session,
        actor,
        "auth.session_ended_by_admin",
        "user_session",
        row.id,
        detail={"user_id": user.id, "username": user.username, "reason": reason},
        at=at,
    )


def end_open_sessions(
    session: Session,
    user: StaffUser,
    reason: str,
    actor: Actor,
    *,
    keep_session_id: int | None = None,
) -> int:
    """End every open session of `user` in the caller's transaction, one audit row each (all but
    `keep_session_id`); returns how many ended."""
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.id)
        .with_for_update()
    ).all()
    at = now_utc()
    ended = 0
    for row in rows:
        if row.id != keep_session_id:
            _end(session, row, user, reason, actor, at)
            ended += 1
    return ended


def end_session(session_id: int, *, actor: Actor) -> None:
    """End one open session now: the browser holding it is signed out on its next request."""
    if blocker := rules.session_end_blocker(session_id, actor.session_id):
        raise RuleViolation("session", blocker)
    with transaction() as session:
        require_admin(session, actor)
        row = session.get(UserSession, session_id, with_for_update=True)
        if row is None or row.ended_at is not None:
            raise RuleViolation("session", messages.SESSION_ALREADY_ENDED)
        user = session.get(StaffUser, row.user_id)
        _end(session, row, user, sessions.BY_ADMIN, actor, now_utc())


def end_user_sessions(user_id: int, *, actor: Actor) -> int:
    """End every open session of one user; for the admin themself, all but this browser's.
    Returns how many ended."""
    with transaction() as session:
        require_admin(session, actor)
        user = session.get(StaffUser, user_id)
        if user is None:
            raise RuleViolation("user", messages.USER_NOT_FOUND)
        keep = actor.session_id if actor.id == user.id else None
        ended = end_open_sessions(session, user, sessions.BY_ADMIN, actor, keep_session_id=keep)
        if not ended:
            raise RuleViolation("session", messages.SESSIONS_NONE_OPEN)
        return ended


# --- the medication hold table ----------------------------------------------------------------


def _rule_values(row: HoldRuleRow) -> dict:
    return {
        "med_class": row.med_class.value,
        "hold_days": row.hold_days,
        "needs_clearance": row.needs_clearance,
        "instruction": row.instruction,
        "active": row.active,
    }


def add_hold_rule(
    drug: str,
    *,
    med_class: MedClass | None,
    hold_days: int | None,
    needs_clearance: bool,
    instruction: str = "",
    actor: Actor,
) -> str:
    """Add a drug to the hold table (active at once: intake classes it from the next addition).
    Returns the drug name as stored (lower case)."""
    name = rules.check_hold_drug(drug)
    instruction_ = rules.check_hold_rule(med_class, hold_days, needs_clearance, instruction)
    with transaction() as session:
        require_admin(session, actor)
        if session.get(HoldRuleRow, name) is not None:
            raise RuleViolation("drug", messages.HOLD_DRUG_TAKEN.format(drug=name))
        at = now_utc()
        row = HoldRuleRow(
            drug=name,
            med_class=med_class,
            hold_days=hold_days,
            needs_clearance=needs_clearance,
            instruction=instruction_,
            active=True,
            updated_at=at,
            updated_by_id=actor.id,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "hold_rule.added",
            "hold_rule",
            None,
            detail={"drug": name, "after": _rule_values(row)},
            at=at,
        )
        return name


def update_hold_rule(
    drug: str,
    *,
    med_class: MedClass | None,
    hold_days: int | None,
    needs_clearance: bool,
    instruction: str,
    active: bool,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Change one drug's class, hold days, clearance, instruction or whether intake uses it.
    `expected_updated_at` is the last change the admin's screen showed: a change made since by
    someone else is not overwritten. Cases already listing the drug keep what they were given.
    Returns the time of this change (what the next save expects)."""
    instruction_ = rules.check_hold_rule(med_class, hold_days, needs_clearance, instruction)
    with transaction() as session:
        require_admin(session, actor)
        row = session.get(HoldRuleRow, rules.check_hold_drug(drug), with_for_update=True)
        if row is None:
            raise RuleViolation("drug", messages.HOLD_DRUG_NOT_FOUND)
        if expected_updated_at is not None and row.updated_at != expected_updated_at:
            raise RuleViolation("drug", messages.HOLD_RULE_CHANGED_BY_SOMEONE_ELSE)
        before = _rule_values(row)
        row.med_class = med_class
        row.hold_days = hold_days
        row.needs_clearance = needs_clearance
        row.instruction = instruction_
        row.active = active
        after = _rule_values(row)
        changed = sorted(k for k in after if after[k] != before[k])
        if not changed:
            raise RuleViolation("drug", messages.NOTHING_CHANGED)
        at = now_utc()
        row.updated_at = at
        row.updated_by_id = actor.id
        audit(
            session,
            actor,
            "hold_rule.changed",
            "hold_rule",
            None,
            detail={
                "drug": row.drug,
                "before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed},
            },
            at=at,
        )
        return at
