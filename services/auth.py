"""Sign-in and sign-out, audited whether they succeed or not."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from db.models import Office, SignInThrottle, StaffUser, UserSession
from db.session import transaction
from mild import messages
from mild.errors import RuleViolation
from mild.sessions import after_failure, is_locked
from mild.staff import Screen, may_open
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
    """The signed-in user turns this screen into the waiting-room display of one of their
    offices (one office per display: its codes mean nothing beside another office's)."""
    shown = [i for i in dict.fromkeys(office_ids) if i in actor.office_ids]
    if len(shown) != 1:
        raise RuleViolation("office", messages.DISPLAY_ONE_OFFICE)
    with transaction() as session:
        # The audit row first: it refuses the action if the session is over (and a display
        # session never idles out, so the check must see the session as it was).
        audit(
            session,
            actor,
            "board.display_started",
            "staff_user",
            actor.id,
            office_id=shown[0],
            detail={"office_ids": shown},
        )
        sessions.set_display(session, actor, shown)


def end_display(actor: Actor, password: str, username: str | None = None) -> Actor:
    """End the waiting-room display `actor`'s session shows: any active member of its office's
    staff who may open the board (or an admin), with their own username and password; a blank
    username is the starter's. Wrong guesses count toward the typed username's lockout, as
    failed sign-ins do, so a patient at the screen cannot keep trying. Audited either way.

    Returns who ended it. The starter goes back to the staff screens in their session; anyone
    else takes the screen over: the starter's session ends here (they are not at the display)
    and the caller starts one for the returned user.
    """
    if not password:
        raise RuleViolation("password", messages.DISPLAY_PASSWORD_REQUIRED)
    name = (username or "").strip().lower() or actor.username
    if unstorable(name) or unstorable(password):  # argon2 cannot encode a lone surrogate
        raise RuleViolation("password", messages.DISPLAY_PASSWORD_WRONG)
    key = name[:80]
    at = now_utc()
    minutes = sessions.policy().lockout_minutes
    ender: Actor | None = None
    with transaction() as session:
        shown = _display_offices(session, actor)
        typed = {"username": key, "office_ids": shown}
        throttle = session.get(SignInThrottle, key, with_for_update=True)
        user = session.scalars(select(StaffUser).where(StaffUser.username == name)).one_or_none()
        if throttle is not None and is_locked(throttle.locked_until, at):
            audit(session, actor, "board.display_unlock_locked", "staff_user", actor.id, at=at)
            refusal = messages.SIGN_IN_LOCKED.format(minutes=minutes)
        elif user is None or not user.active or not _verify(user.password_hash, password):
            audit(
                session,
                actor,
                "board.display_unlock_failed",
                "staff_user",
                actor.id,
                detail=typed,
                at=at,
            )
            locked = _count_failure(session, throttle, key, user.id if user else None, at)
            refusal = (
                messages.SIGN_IN_LOCKED.format(minutes=minutes)
                if locked
                else messages.DISPLAY_PASSWORD_WRONG
            )
        else:
            if throttle is not None:
                session.delete(throttle)
            all_ids = list(session.scalars(select(Office.id).where(Office.active)))
            found = actor_for(user, all_ids)
            if not may_open(found.role, Screen.BOARD) or not set(shown) <= found.office_ids:
                audit(
                    session,
                    actor,
                    "board.display_unlock_refused",
                    "staff_user",
                    found.id,
                    detail=typed,
                    at=at,
                )
                refusal = messages.DISPLAY_NOT_THIS_OFFICE
            else:
                ender, refusal = found, None
                _end_display_session(session, actor, ender, shown, at)
    if refusal is not None:
        raise RuleViolation("password", refusal)
    return actor if ender.id == actor.id else ender


DISPLAY_HANDED_OVER = "display ended"


def end_display_session(actor: Actor, session_id: int) -> None:
    """A signed-in staff member of the office a display shows (or an admin) ends it from their
    own screen: its session ends, and the display leaves the wall at its next refresh (it then
    shows the sign-in form). Audited as theirs, naming whose display it was."""
    at = now_utc()
    with transaction() as session:
        row = session.get(UserSession, session_id, with_for_update=True)
        shown = [int(i) for i in ((row.display_offices if row else None) or "").split(",") if i]
        if row is None or row.ended_at is not None or not shown:
            raise RuleViolation("display", messages.DISPLAY_ALREADY_ENDED)
        if not may_open(actor.role, Screen.BOARD) or not set(shown) <= actor.office_ids:
            raise RuleViolation("display", messages.DISPLAY_NOT_THIS_OFFICE)
        starter = session.get(StaffUser, row.user_id)
        audit(
            session,
            actor,
            "board.display_ended",
            "staff_user",
            row.user_id,
            office_id=shown[0],
            detail={"office_ids": shown, "started_by": starter.username, "remotely": True},
            at=at,
        )
        row.ended_at = at
        row.end_reason = DISPLAY_HANDED_OVER
        row.ticket_hash = None


def _display_offices(session, actor: Actor) -> list[int]:
    """The offices the actor's session shows as a display (their own outside a browser)."""
    row = session.get(UserSession, actor.session_id) if actor.session_id is not None else None
    if row is None:
        return sorted(actor.office_ids)
    if row.ended_at is not None:
        raise RuleViolation("session", messages.SESSION_ENDED)
    return [int(i) for i in (row.display_offices or "").split(",") if i]


def _end_display_session(session, actor: Actor, ender: Actor, shown: list[int], at) -> None:
    """The display ends: the starter's session goes back to the staff screens, or, when
    someone else ended it, ends (audited as theirs, naming the starter)."""
    detail = {"office_ids": shown} | (
        {} if ender.id == actor.id else {"started_by": actor.username}
    )
    audit(
        session,
        ender,
        "board.display_ended",
        "staff_user",
        actor.id,
        office_id=shown[0] if shown else None,
        detail=detail,
        at=at,
        check_session=False,  # the display's session is checked just below
    )
    if ender.id == actor.id:
        sessions.set_display(session, actor, None)
    elif actor.session_id is not None:
        row = session.get(UserSession, actor.session_id, with_for_update=True)
        if row is None or row.ended_at is not None:
            raise RuleViolation("session", messages.SESSION_ENDED)
        row.ended_at = at
        row.end_reason = DISPLAY_HANDED_OVER
        row.ticket_hash = None


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
