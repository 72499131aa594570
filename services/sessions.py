"""Server-side sessions: issued at sign-in, traded for an HttpOnly cookie, checked on every
request, ended by sign-out, an admin, the idle timeout or a disabled account.

The browser holds a random token; the database keeps only its SHA-256, so a copy of the
database opens no session. A new sign-in first gets a one-time ticket, valid for seconds,
which the cookie route (serve.py) trades for the token: the token itself never appears in a
URL, a log or the page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Office, StaffUser, UserSession
from db.session import read_session, transaction
from mild import messages
from mild.account import BY_PASSWORD
from mild.errors import RuleViolation
from mild.sessions import idle_expired, lock_expired, needs_touch
from services.common import Actor, actor_for, audit, now_utc, session_policy

SIGNED_OUT, IDLE, BY_ADMIN, DISABLED = "signed out", "idle timeout", "ended by admin", "disabled"


policy = session_policy  # the settings, read where every write checks its session too


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    actor: Actor  # with session_id set
    ticket: str  # for /session/adopt, once, within the policy's ticket_seconds


def start(actor: Actor, *, user_agent: str = "", via: str = BY_PASSWORD) -> Started:
    """A session for a user who just proved who they are (`via`: a password or single
    sign-on, mild.account); audited."""
    ticket = secrets.token_urlsafe(32)
    at = now_utc()
    with transaction() as session:
        row = UserSession(
            user_id=actor.id,
            ticket_hash=digest(ticket),
            ticket_expires_at=at + dt.timedelta(seconds=policy().ticket_seconds),
            created_at=at,
            last_activity_at=at,
            user_agent=user_agent[:200] or None,
            signed_in_via=via,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "auth.session_started",
            "user_session",
            row.id,
            at=at,
            check_session=False,
        )
        return Started(replace(actor, session_id=row.id), ticket)


def adopt(ticket: str, *, client_address: str | None = None) -> str | None:
    """Trade a fresh one-time ticket for the session's cookie token; None when the ticket is
    unknown, used, expired, or its session already ended. `client_address` is the browser's
    address as the cookie route saw it, kept for the admin's sessions list."""
    if not ticket or len(ticket) > 200:
        return None
    at = now_utc()
    with transaction() as session:
        row = session.scalars(
            select(UserSession).where(UserSession.ticket_hash == digest(ticket)).with_for_update()
        ).one_or_none()
        if row is None:
            return None
        row.ticket_hash = None  # used once, whatever happens next
        fresh = row.ticket_expires_at is not None and row.ticket_expires_at >= at
        row.ticket_expires_at = None
        if not fresh or row.ended_at is not None:
            return None
        token = secrets.token_urlsafe(32)
        row.token_hash = digest(token)
        row.client_address = (client_address or "")[:45] or None
        return token


@dataclass(frozen=True)
class Check:
    """The outcome of looking at a session on a request: the actor, or why there is none."""

    actor: Actor | None
    ended_reason: str | None = None
    display_offices: tuple[int, ...] = ()
    # Idle past the timeout: the screen is locked until the same user's password (issue 13).
    locked: bool = False
    last_activity: dt.datetime | None = None


def _actor(session: Session, user: StaffUser, session_id: int) -> Actor:
    all_ids = list(session.scalars(select(Office.id).where(Office.active)))
    return replace(actor_for(user, all_ids), session_id=session_id)


def _end(
    session: Session,
    row: UserSession,
    reason: str,
    at: dt.datetime,
    actor: Actor | None,
    action: str,
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
        detail={"reason": reason},
        at=at,
        check_session=False,
    )


def _find(session: Session, session_id: int | None, token: str | None, *, lock: bool):
    query = select(UserSession)
    if lock:
        query = query.with_for_update()
    if session_id is not None:
        return session.scalars(query.where(UserSession.id == session_id)).one_or_none()
    return session.scalars(query.where(UserSession.token_hash == digest(token or ""))).one_or_none()


def _displayed(row: UserSession) -> tuple[int, ...]:
    return tuple(int(i) for i in (row.display_offices or "").split(",") if i)


def check(*, session_id: int | None = None, token: str | None = None, touch: bool = True) -> Check:
    """Look up the session by id (a running tab) or cookie token (a reload, a second tab).

    Idle past the timeout it is locked (the lock audited once); locked past the lock's
    lifetime, or its user disabled, it ends here (audited). `touch` records this request as
    activity (a person acted); a timer's check passes touch=False, and a locked session's
    requests are never activity. Most requests only read: a write happens when the session
    locks or ends, or its last activity is due a refresh.
    """
    if session_id is None and not token:
        return Check(None)
    at = now_utc()
    rules = policy()
    with read_session() as session:
        row = _find(session, session_id, token, lock=False)
        if row is None:
            return Check(None)
        if row.ended_at is not None:
            return Check(None, row.end_reason)
        user = session.get(StaffUser, row.user_id)
        display = bool(row.display_offices)
        locked = idle_expired(row.last_activity_at, at, rules, display=display)
        over = not user.active or lock_expired(row.last_activity_at, at, rules, display=display)
        # Nothing to write: a lock already audited, or activity recorded recently enough.
        if locked:
            quiet = _lock_audited(session, row)
        else:
            quiet = not (touch and needs_touch(row.last_activity_at, at, rules))
        if quiet and not over:
            return _open(session, user, row, locked=locked)
    with transaction() as session:  # end it, lock it, or record the activity
        row = _find(session, session_id, token, lock=True)
        if row is None or row.ended_at is not None:
            return Check(None, row.end_reason if row else None)
        user = session.get(StaffUser, row.user_id)
        actor = _actor(session, user, row.id)
        display = bool(row.display_offices)
        if not user.active:
            _end(session, row, DISABLED, at, actor, "auth.session_ended")
            return Check(None, DISABLED)
        if lock_expired(row.last_activity_at, at, rules, display=display):
            _end(session, row, IDLE, at, actor, "auth.session_timed_out")
            return Check(None, IDLE)
        if idle_expired(row.last_activity_at, at, rules, display=display):
            if not _lock_audited(session, row):
                audit(
                    session,
                    actor,
                    LOCKED_ACTION,
                    "user_session",
                    row.id,
                    detail={"idle_minutes": rules.idle_minutes},
                    at=at,
                    check_session=False,
                )
            return _open(session, user, row, locked=True)
        if touch:
            row.last_activity_at = at
        return _open(session, user, row, locked=False)


LOCKED_ACTION, UNLOCKED_ACTION = "auth.session_locked", "auth.session_unlocked"


def _open(session: Session, user: StaffUser, row: UserSession, *, locked: bool) -> Check:
    return Check(
        _actor(session, user, row.id),
        None,
        _displayed(row),
        locked=locked,
        last_activity=row.last_activity_at,
    )


def _lock_audited(session: Session, row: UserSession) -> bool:
    """Whether this lock (since the session's last activity) is in the audit trail already."""
    return (
        session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.entity == "user_session",
                AuditEvent.entity_id == row.id,
                AuditEvent.action == LOCKED_ACTION,
                AuditEvent.at > row.last_activity_at,
            )
            .limit(1)
        )
        is not None
    )


def unlocked(session: Session, actor: Actor, at: dt.datetime) -> None:
    """The locked session's own user proved who they are (their password, checked by the
    caller in this transaction): the session is active again from `at`; audited."""
    row = session.get(UserSession, actor.session_id, with_for_update=True)
    if row is None or row.ended_at is not None:
        raise RuleViolation("session", messages.SESSION_ENDED)
    row.last_activity_at = at
    audit(session, actor, UNLOCKED_ACTION, "user_session", row.id, at=at, check_session=False)


def end(actor: Actor, reason: str = SIGNED_OUT) -> None:
    """Sign-out: the session ends at once, for every tab that shares it."""
    if actor.session_id is None:
        with transaction() as session:
            audit(session, actor, "auth.sign_out", "staff_user", actor.id, check_session=False)
        return
    with transaction() as session:
        row = session.get(UserSession, actor.session_id, with_for_update=True)
        if row is not None and row.ended_at is None:
            _end(session, row, reason, now_utc(), actor, "auth.sign_out")


def set_display(session: Session, actor: Actor, office_ids: list[int] | None) -> None:
    """Mark the actor's session as a waiting-room display of these offices (None: not one), in
    the caller's transaction, so a reload keeps showing the display and nothing else."""
    if actor.session_id is None:
        return
    row = session.get(UserSession, actor.session_id, with_for_update=True)
    if row is None or row.ended_at is not None:
        raise RuleViolation("session", messages.SESSION_ENDED)
    row.display_offices = ",".join(str(i) for i in office_ids) if office_ids else None
    if not office_ids:  # back to a staff screen: the password just typed is activity
        row.last_activity_at = now_utc()
