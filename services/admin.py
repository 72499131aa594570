"""Admin actions on sessions and the medication hold table; who may administer at all.

Offices and accounts are in services/staff.py. Every action: one transaction, the acting
admin checked against the database (a role taken away meanwhile counts), the change, its audit
row with before and after.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import HoldRuleRow, StaffUser, UserSession
from db.queries.holds import rule_from_row
from db.session import transaction
from mild import admin as rules
from mild import messages
from mild.errors import RuleViolation
from mild.medications import HoldRule, whole_hours
from services import sessions
from services.common import Actor, audit, now_utc
from services.medications import reclass_open_cases


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


@dataclass(frozen=True)
class PolicyEdit:
    """An admin's edit of one practice policy row (a clinical limit, a KPI target): the row's
    key, the new values by column, the change the screen showed, and the words of a refusal."""

    key: str
    values: dict[str, Any]
    expected_updated_at: dt.datetime | None
    field: str  # where a stale screen or an unchanged row is refused
    unknown: str
    stale: str


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def change_policy_row(session: Session, model: type, edit: PolicyEdit, actor: Actor, action: str):
    """Change one policy row in the caller's transaction: row-locked, refused if someone changed
    it since the screen showed it or if nothing changes, stamped with who and when, audited
    with before and after. Returns (row, when)."""
    row = session.get(model, edit.key, with_for_update=True)
    if row is None:
        raise RuleViolation("key", edit.unknown)
    if edit.expected_updated_at is not None and row.updated_at != edit.expected_updated_at:
        raise RuleViolation(edit.field, edit.stale)
    before = {name: _plain(getattr(row, name)) for name in edit.values}
    for name, value in edit.values.items():
        setattr(row, name, value)
    after = {name: _plain(getattr(row, name)) for name in edit.values}
    if after == before:
        raise RuleViolation(edit.field, messages.NOTHING_CHANGED)
    at = now_utc()
    row.updated_at, row.updated_by_id = at, actor.id
    audit(
        session,
        actor,
        action,
        model.__tablename__,
        None,
        detail={"key": edit.key, "before": before, "after": after},
        at=at,
    )
    return row, at


# --- sessions ---------------------------------------------------------------------------------


ENDED_BY_ADMIN = "auth.session_ended_by_admin"


def _end(
    session: Session,
    row: UserSession,
    user: StaffUser,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    action: str = ENDED_BY_ADMIN,
) -> None:
    row.ended_at = at
    row.end_reason = reason
    row.ticket_hash = None
    audit(
        session,
        actor,
        action,
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
    action: str = ENDED_BY_ADMIN,
) -> int:
    """End every open session of `user` in the caller's transaction, one audit row each
    (`action`; all but `keep_session_id`); returns how many ended."""
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
            _end(session, row, user, reason, actor, at, action)
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
        "generic": row.generic,
        "brands": row.brands,
        "med_class": row.med_class.value,
        "stop_before_hours": row.stop_before_hours,
        "skip_on_day": row.skip_on_day,
        "restart_after_hours": row.restart_after_hours,
        "needs_clearance": row.needs_clearance,
        "instruction": row.instruction,
        "source": row.source,
        "active": row.active,
    }


# What a practice confirms: a change to any of these asks for the row to be confirmed again.
CLINICAL_FIELDS = frozenset(
    {"med_class", "stop_before_hours", "skip_on_day", "restart_after_hours", "needs_clearance"}
)


def _set_row(row: HoldRuleRow, rule: HoldRule) -> None:
    row.generic = rule.generic
    row.brands = "; ".join(rule.brands)
    row.med_class = rule.med_class
    row.stop_before_hours = whole_hours(rule.stop_before)
    row.skip_on_day = rule.skip_on_day
    row.restart_after_hours = whole_hours(rule.restart_after)
    row.needs_clearance = rule.needs_clearance
    row.instruction = rule.instruction
    row.source = rule.source


@dataclass(frozen=True)
class HoldChange:
    """What saving a row did: when (what the next save expects) and the open cases whose
    drugs were re-classed by it (their codes, for the admin to follow up)."""

    at: dt.datetime
    reclassed: tuple[str, ...]


def add_hold_rule(typed: rules.HoldRuleInput, *, actor: Actor) -> HoldChange:
    """Add a row to the hold table (in use at once). Open cases listing a drug of that name
    that the table could not place, or placed elsewhere, are re-classed and listed."""
    rule = rules.check_hold_rule(typed)
    with transaction() as session:
        require_admin(session, actor)
        if session.get(HoldRuleRow, rule.drug) is not None:
            raise RuleViolation("drug", messages.HOLD_DRUG_TAKEN.format(drug=rule.drug))
        at = now_utc()
        row = HoldRuleRow(drug=rule.drug, active=True, updated_at=at, updated_by_id=actor.id)
        _set_row(row, rule)
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "hold_rule.added",
            "hold_rule",
            None,
            detail={"drug": rule.drug, "after": _rule_values(row)},
            at=at,
        )
        codes = reclass_open_cases(session, rule, rule.names, actor, at)
        return HoldChange(at, tuple(codes))


def update_hold_rule(
    typed: rules.HoldRuleInput,
    *,
    active: bool,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> HoldChange:
    """Change one row (names, class, hours, clearance, instruction, source, in use or not).
    `expected_updated_at` is the last change the admin's screen showed: a change made since by
    someone else is not overwritten. A clinical change clears the row's confirmation; the drugs
    of open cases that follow the row are re-classed, audited and listed."""
    rule = rules.check_hold_rule(typed)
    with transaction() as session:
        require_admin(session, actor)
        row = session.get(HoldRuleRow, rule.drug, with_for_update=True)
        if row is None:
            raise RuleViolation("drug", messages.HOLD_DRUG_NOT_FOUND)
        if expected_updated_at is not None and row.updated_at != expected_updated_at:
            raise RuleViolation("drug", messages.HOLD_RULE_CHANGED_BY_SOMEONE_ELSE)
        before = _rule_values(row)
        old_names = rule_from_row(row).names
        _set_row(row, rule)
        row.active = active
        after = _rule_values(row)
        changed = sorted(k for k in after if after[k] != before[k])
        if not changed:
            raise RuleViolation("drug", messages.NOTHING_CHANGED)
        if CLINICAL_FIELDS & set(changed):
            row.confirmed_by, row.confirmed_on = None, None
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
        session.flush()
        codes = reclass_open_cases(
            session, rule if active else None, {*old_names, *rule.names}, actor, at
        )
        return HoldChange(at, tuple(codes))


def confirm_hold_rule(
    drug: str, confirmed_by: str, *, expected_updated_at: dt.datetime | None, actor: Actor
) -> dt.datetime:
    """Record who at the practice confirmed a row (against its source) and when (today, in the
    admin's practice). Returns the time of this change."""
    name = rules.check_confirmer(confirmed_by)
    with transaction() as session:
        require_admin(session, actor)
        row = session.get(HoldRuleRow, rules.check_hold_drug(drug), with_for_update=True)
        if row is None:
            raise RuleViolation("drug", messages.HOLD_DRUG_NOT_FOUND)
        if expected_updated_at is not None and row.updated_at != expected_updated_at:
            raise RuleViolation("drug", messages.HOLD_RULE_CHANGED_BY_SOMEONE_ELSE)
        at = now_utc()
        row.confirmed_by, row.confirmed_on = name, at.date()
        row.updated_at, row.updated_by_id = at, actor.id
        audit(
            session,
            actor,
            "hold_rule.confirmed",
            "hold_rule",
            None,
            detail={"drug": row.drug, "confirmed_by": name, "values": _rule_values(row)},
            at=at,
        )
        return at
