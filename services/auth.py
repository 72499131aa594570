"""Sign-in and sign-out, audited whether they succeed or not."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from db.models import Office, StaffUser
from db.session import transaction
from mild import messages
from mild.errors import RuleViolation
from mild.staff import office_scope
from services.common import Actor, audit

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


def actor_for(user: StaffUser, all_office_ids: list[int]) -> Actor:
    return Actor(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        office_ids=office_scope(
            user.role, (o.id for o in user.offices if o.active), all_office_ids
        ),
    )


def sign_in(username: str, password: str) -> Actor:
    """The signed-in user, or RuleViolation with one message for every kind of failure."""
    name = username.strip().lower()
    if not name or not password:
        raise RuleViolation("username", messages.SIGN_IN_MISSING)
    with transaction() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == name)).one_or_none()
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not ok or not user.active:
            audit(
                session,
                None,
                "auth.sign_in_failed",
                "staff_user",
                user.id if user else None,
                actor_name=name[:80],
                detail={
                    "reason": "unknown user"
                    if user is None
                    else "inactive"
                    if ok
                    else "bad password"
                },
            )
            failed = True
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            all_ids = list(session.scalars(select(Office.id).where(Office.active)))
            actor = actor_for(user, all_ids)
            audit(session, actor, "auth.sign_in", "staff_user", user.id)
            failed = False
    # Raised after the transaction so the failed attempt's audit row is committed.
    if failed:
        raise RuleViolation("password", messages.SIGN_IN_FAILED)
    return actor


def sign_out(actor: Actor) -> None:
    with transaction() as session:
        audit(session, actor, "auth.sign_out", "staff_user", actor.id)


def start_display(actor: Actor, office_ids: list[int]) -> None:
    """The signed-in user turns this screen into a waiting-room display of their offices."""
    shown = [i for i in office_ids if i in actor.office_ids]
    with transaction() as session:
        audit(
            session,
            actor,
            "board.display_started",
            "staff_user",
            actor.id,
            detail={"office_ids": shown},
        )


def end_display(actor: Actor, password: str) -> None:
    """Leave the waiting-room display: only with the password of the user who started it, so a
    patient at the screen cannot reach the staff screens. A wrong password is audited."""
    if not password:
        raise RuleViolation("password", messages.DISPLAY_PASSWORD_REQUIRED)
    with transaction() as session:
        user = session.get(StaffUser, actor.id)
        ok = user is not None and user.active and _verify(user.password_hash, password)
        audit(
            session,
            actor,
            "board.display_ended" if ok else "board.display_unlock_failed",
            "staff_user",
            actor.id,
        )
    if not ok:
        raise RuleViolation("password", messages.DISPLAY_PASSWORD_WRONG)
