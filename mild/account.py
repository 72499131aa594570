"""A signed-in user's own account: changing their password (any role), and how a session was
signed in (a password, or single sign-on).

Pure: the typed values in, every problem of the form out; services/auth.py checks the current
password against its hash and applies the change.
"""

from __future__ import annotations

from mild import messages
from mild.admin import check_new_password
from mild.errors import RuleViolation, RuleViolations

# How a session was signed in (user_session.signed_in_via); a session from before this was
# recorded has none and was signed in with a password (single sign-on came later to most).
BY_PASSWORD, BY_SSO = "password", "sso"
SIGN_IN_METHODS = (BY_PASSWORD, BY_SSO)

# Why the user's other sessions ended (user_session.end_reason; the other tabs read it).
END_REASON_PASSWORD_CHANGED = "password changed"


def password_change_blocker(signed_in_via: str | None) -> str | None:
    """A session signed in by single sign-on has no password here to prove: the identity
    provider keeps the one the person uses, and changing it is done there."""
    return messages.ACCOUNT_SSO if signed_in_via == BY_SSO else None


def password_change_problems(current: str, new: str, repeat: str) -> list[tuple[str, str]]:
    """Every problem of the change-password form at once, as (field, message), in the form's
    order: the current password typed, the new one by the practice's password rules (those an
    admin's temporary password follows), different from the current one, typed the same twice.
    Whether the current password is right is the service's to say (it holds the hash)."""
    problems: list[tuple[str, str]] = []
    if not current:
        problems.append(("current", messages.ACCOUNT_CURRENT_REQUIRED))
    try:
        check_new_password(new)
    except RuleViolation as refusal:
        problems.append(("password", refusal.message))
    else:
        if new == current:
            problems.append(("password", messages.ACCOUNT_SAME_PASSWORD))
    if not repeat:
        problems.append(("repeat", messages.ACCOUNT_REPEAT_REQUIRED))
    elif repeat != new:
        problems.append(("repeat", messages.PASSWORDS_DIFFER))
    return problems


def check_password_change(current: str, new: str, repeat: str) -> str:
    """The new password, or RuleViolations naming every problem of the form."""
    problems = password_change_problems(current, new, repeat)
    if problems:
        raise RuleViolations(problems)
    return new


def password_changed_message(sessions_ended: int) -> str:
    """What the user reads once the password is changed: how many other sessions ended."""
    if sessions_ended == 0:
        return messages.ACCOUNT_PASSWORD_CHANGED
    if sessions_ended == 1:
        return messages.ACCOUNT_PASSWORD_CHANGED_ONE
    return messages.ACCOUNT_PASSWORD_CHANGED_MANY.format(n=sessions_ended)
