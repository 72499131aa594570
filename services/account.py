"""A signed-in user's own account (any role): changing their own password, choosing the screen
they land on after signing in."""

from __future__ import annotations

from db.models import SignInThrottle, StaffUser, UserSession
from db.session import transaction
from mild import messages
from mild.account import (
    END_REASON_PASSWORD_CHANGED,
    password_change_blocker,
    password_change_problems,
)
from mild.errors import RuleViolation, RuleViolations
from mild.launchpad import check_landing
from mild.sessions import is_locked
from mild.staff import Screen
from mild.text import unstorable
from services import sessions
from services.admin import end_open_sessions
from services.auth import _count_failure, _verify, hash_password
from services.common import Actor, audit, now_utc

PASSWORD_CHANGED = "staff_user.password_changed"
WRONG_CURRENT = "staff_user.password_change_refused"
SESSION_ENDED_BY_CHANGE = "auth.session_ended_by_password_change"


def change_own_password(current: str, new: str, repeat: str, *, actor: Actor) -> int:
    """The signed-in user sets a new password, proving the current one: every problem of the
    form at once (RuleViolations, field by field). On success every other session of theirs
    ends (this browser stays signed in) and a sign-in lock on the username is lifted; audited
    without either password. A wrong current password is audited and counts toward the
    username's lockout like a failed sign-in (a borrowed, signed-in tablet is no way to guess
    it). Returns how many other sessions ended."""
    if actor.id is None:
        raise RuleViolation("current", messages.SESSION_ENDED)
    problems = password_change_problems(current, new, repeat)
    key = actor.username[:80]
    at = now_utc()
    ended = 0
    with transaction() as session:
        own = session.get(UserSession, actor.session_id) if actor.session_id else None
        if blocker := password_change_blocker(own.signed_in_via if own else None):
            raise RuleViolation("current", blocker)
        user = session.get(StaffUser, actor.id, with_for_update=True)
        if user is None or not user.active:
            raise RuleViolation("current", messages.SESSION_ENDED)
        throttle = session.get(SignInThrottle, key, with_for_update=True)
        refusal = None
        if throttle is not None and is_locked(throttle.locked_until, at):
            refusal = messages.SIGN_IN_LOCKED.format(minutes=sessions.policy().lockout_minutes)
        elif current and (unstorable(current) or not _verify(user.password_hash, current)):
            audit(session, actor, WRONG_CURRENT, "staff_user", user.id, at=at)
            locked = _count_failure(session, throttle, key, user.id, at)
            refusal = (
                messages.SIGN_IN_LOCKED.format(minutes=sessions.policy().lockout_minutes)
                if locked
                else messages.ACCOUNT_CURRENT_WRONG
            )
        if refusal is not None:
            problems = [("current", refusal), *(p for p in problems if p[0] != "current")]
        if not problems:
            user.password_hash = hash_password(new)
            ended = end_open_sessions(
                session,
                user,
                END_REASON_PASSWORD_CHANGED,
                actor,
                keep_session_id=actor.session_id,
                action=SESSION_ENDED_BY_CHANGE,
            )
            if throttle is not None:
                session.delete(throttle)
            audit(
                session,
                actor,
                PASSWORD_CHANGED,
                "staff_user",
                user.id,
                detail={"username": user.username, "sessions_ended": ended},
                at=at,
            )
    # Raised after the transaction, so a wrong current password's audit row and count stay.
    if problems:
        raise RuleViolations(problems)
    return ended


LANDING_CHANGED = "staff_user.landing_changed"


def choose_landing(screen: str | None, *, actor: Actor) -> Screen:
    """The signed-in user chooses the screen their sign-ins land on (one their role may open);
    audited with before and after."""
    chosen = check_landing(actor.role, screen)
    with transaction() as session:
        user = session.get(StaffUser, actor.id, with_for_update=True)
        before = user.landing_screen
        user.landing_screen = chosen.value
        audit(
            session,
            actor,
            LANDING_CHANGED,
            "staff_user",
            actor.id,
            detail={"from": before, "to": chosen.value},
        )
    return chosen
