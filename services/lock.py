"""The idle lock (issue 13): a screen idle past the timeout locks in place; its own user's
password opens it again on the same screen with nothing typed lost. The session stays open
while locked (services.sessions.check says so), shows no patient data and takes no write
(services.common refuses writes of a session idle past the timeout)."""

from __future__ import annotations

from db.models import SignInThrottle, StaffUser
from db.queries.account import signed_in_via
from db.session import transaction
from mild import messages
from mild.account import BY_SSO
from mild.errors import RuleViolation
from mild.sessions import is_locked
from mild.text import unstorable
from services import sessions
from services.auth import _count_failure, _verify
from services.common import Actor, audit, now_utc


def unlock(actor: Actor, password: str) -> None:
    """The locked session's own user types their password: active again from now (audited).
    Wrong passwords count like failed sign-ins of that username: after the same number the
    name is locked out for the same time, so nobody at an unattended tablet can keep guessing.
    """
    if signed_in_via(actor.session_id) == BY_SSO:
        # No password of ours proves a single sign-on user: refused, never counted as a guess.
        raise RuleViolation("password", messages.UNLOCK_SSO)
    if not password:
        raise RuleViolation("password", messages.UNLOCK_PASSWORD_REQUIRED)
    if unstorable(password):  # argon2 cannot encode a lone surrogate
        raise RuleViolation("password", messages.UNLOCK_PASSWORD_WRONG)
    key = actor.username[:80]
    at = now_utc()
    minutes = sessions.policy().lockout_minutes
    with transaction() as session:
        throttle = session.get(SignInThrottle, key, with_for_update=True)
        if throttle is not None and is_locked(throttle.locked_until, at):
            refusal = messages.SIGN_IN_LOCKED.format(minutes=minutes)
            failed = "auth.unlock_locked_out"
        else:
            user = session.get(StaffUser, actor.id)
            if user is not None and user.active and _verify(user.password_hash, password):
                if throttle is not None:
                    session.delete(throttle)
                sessions.unlocked(session, actor, at)
                return
            failed = "auth.unlock_failed"
            locked = _count_failure(session, throttle, key, actor.id, at)
            refusal = (
                messages.SIGN_IN_LOCKED.format(minutes=minutes)
                if locked
                else messages.UNLOCK_PASSWORD_WRONG
            )
        audit(
            session,
            actor,
            failed,
            "user_session",
            actor.session_id,
            at=at,
            check_session=False,
        )
    # Raised after the transaction: the failure's audit row and count are committed.
    raise RuleViolation("password", refusal)
