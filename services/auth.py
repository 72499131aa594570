"""Sign-in and sign-out, audited whether they succeed or not."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from db.models import Office, SignInThrottle, StaffUser
from db.session import transaction
from mild import messages
from mild.errors import RuleViolation
from mild.sessions import after_failure, is_locked
from mild.text import unstorable
from services import sessions
from services.common import Actor, actor_for, audit, now_utc

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(
    session, throttle: SignInThrottle | None, key: str, user_id: int | None, at
) -> bool:
    """One more failed password for `key` (a typed username); True when it locks the name
    for the lockout period (audited)."""
    rules = sessions.policy()
    if throttle is None:
        throttle = SignInThrottle(username=key, failures=0)
        session.add(throttle)
    counted = after_failure(throttle.failures, throttle.last_failed_at, at, rules)
    throttle.failures = counted.count
    throttle.last_failed_at = at
    throttle.locked_until = counted.locked_until
    if counted.just_locked:
        audit(
            session,
            None,
            "auth.locked",
            "staff_user",
            user_id,
            actor_name=key,
            detail={"minutes": rules.lockout_minutes},
            at=at,
        )
    return counted.just_locked


def sign_in(username: str, password: str) -> Actor:
    """The signed-in user, or RuleViolation with one message for every kind of failure.

    Failures are counted per typed username, known or not: after the policy's number of them
    the username is locked for the lockout period (audited), and the lock message reads the
    same whether the account exists or not.
    """
    name = username.strip().lower()
    if not name or not password:
        raise RuleViolation("username", messages.SIGN_IN_MISSING)
    if unstorable(name) or unstorable(password):
        # No account has such a name or password (NUL, a lone surrogate), and the database
        # could not even look the name up: the same refusal as any wrong sign-in.
        raise RuleViolation("password", messages.SIGN_IN_FAILED)
    key = name[:80]
    rules = sessions.policy()
    at = now_utc()
    refusal: str | None = None
    with transaction() as session:
        throttle = session.get(SignInThrottle, key, with_for_update=True)
        user = session.scalars(select(StaffUser).where(StaffUser.username == name)).one_or_none()
        if throttle is not None and is_locked(throttle.locked_until, at):
            audit(
                session,
                None,
                "auth.sign_in_locked",
                "staff_user",
                user.id if user else None,
                actor_name=key,
                at=at,
            )
            refusal = messages.SIGN_IN_LOCKED.format(minutes=rules.lockout_minutes)
        else:
            ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
            if user is None or not ok or not user.active:
                reason = "unknown user" if user is None else "inactive" if ok else "bad password"
                audit(
                    session,
                    None,
                    "auth.sign_in_failed",
                    "staff_user",
                    user.id if user else None,
                    actor_name=key,
                    detail={"reason": reason},
                    at=at,
                )
                locked = _count_failure(session, throttle, key, user.id if user else None, at)
                refusal = (
                    messages.SIGN_IN_LOCKED.format(minutes=rules.lockout_minutes)
                    if locked
                    else messages.SIGN_IN_FAILED
                )
            else:
                if throttle is not None:
                    session.delete(throttle)
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                all_ids = list(session.scalars(select(Office.id).where(Office.active)))
                actor = actor_for(user, all_ids)
                audit(session, actor, "auth.sign_in", "staff_user", user.id, at=at)
    # Raised after the transaction so the failed attempt's audit row and count are committed.
    if refusal is not None:
        raise RuleViolation("password", refusal)
    return actor


def sign_out(actor: Actor) -> None:
    sessions.end(actor)


def start_display(actor: Actor, office_ids: list[int]) -> None:
    """The signed-in user turns this screen into a waiting-room display of their offices."""
    shown = [i for i in office_ids if i in actor.office_ids]
    with transaction() as session:
        # The audit row first: it refuses the action if the session is over (and a display
        # session never idles out, so the check must see the session as it was).
        audit(
            session,
            actor,
            "board.display_started",
            "staff_user",
            actor.id,
            detail={"office_ids": shown},
        )
        sessions.set_display(session, actor, shown)


def end_display(actor: Actor, password: str) -> None:
    """Leave the waiting-room display: only with the password of the user who started it, so a
    patient at the screen cannot reach the staff screens. A wrong password is audited."""
    if not password:
        raise RuleViolation("password", messages.DISPLAY_PASSWORD_REQUIRED)
    if unstorable(password):  # argon2 cannot encode a lone surrogate
        raise RuleViolation("password", messages.DISPLAY_PASSWORD_WRONG)
    key = actor.username[:80]
    at = now_utc()
    minutes = sessions.policy().lockout_minutes
    # Guesses at a kiosk count like failed sign-ins of that username: locked after the same
    # number, for the same time (a patient cannot keep trying the nurse's password).
    with transaction() as session:
        throttle = session.get(SignInThrottle, key, with_for_update=True)
        if throttle is not None and is_locked(throttle.locked_until, at):
            audit(session, actor, "board.display_unlock_locked", "staff_user", actor.id, at=at)
            refusal = messages.SIGN_IN_LOCKED.format(minutes=minutes)
        else:
            user = session.get(StaffUser, actor.id)
            ok = user is not None and user.active and _verify(user.password_hash, password)
            audit(
                session,
                actor,
                "board.display_ended" if ok else "board.display_unlock_failed",
                "staff_user",
                actor.id,
                at=at,
            )
            if ok:
                if throttle is not None:
                    session.delete(throttle)
                sessions.set_display(session, actor, None)
                refusal = None
            elif _count_failure(session, throttle, key, actor.id, at):
                refusal = messages.SIGN_IN_LOCKED.format(minutes=minutes)
            else:
                refusal = messages.DISPLAY_PASSWORD_WRONG
    if refusal is not None:
        raise RuleViolation("password", refusal)


def sign_in_sso(email: str | None) -> Actor:
    """Single sign-on vouched for this email address: the staff user with that address, if
    active. The role and offices still come from our user table; an address no account
    carries (or a disabled account) is refused and audited. No password, so no lockout: the
    identity provider guards its own sign-in."""
    address = (email or "").strip().lower()
    if not address:
        raise RuleViolation("sso", messages.SSO_NO_EMAIL)
    with transaction() as session:
        user = session.scalars(
            select(StaffUser).where(func.lower(StaffUser.email) == address)
        ).one_or_none()
        if user is None or not user.active:
            audit(
                session,
                None,
                "auth.sso_refused",
                "staff_user",
                user.id if user else None,
                actor_name=address[:80],
                detail={"reason": "no account" if user is None else "inactive"},
            )
            actor = None
        else:
            all_ids = list(session.scalars(select(Office.id).where(Office.active)))
            actor = actor_for(user, all_ids)
            audit(session, actor, "auth.sign_in", "staff_user", user.id, detail={"via": "sso"})
    if actor is None:
        raise RuleViolation("sso", messages.SSO_NOT_A_USER.format(email=address))
    return actor
