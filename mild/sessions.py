"""Session rules: idle lock and timeout, sign-in lockout, and their settings.

Pure: plain values in, decisions out. The services apply them on every request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation

COOKIE_NAME = "mild_session"


@dataclass(frozen=True)
class SessionPolicy:
    """How long an idle session lives, and how sign-in failures lock a username."""

    idle_minutes: int = 15
    lockout_failures: int = 5
    lockout_minutes: int = 15
    ticket_seconds: int = 60  # a new sign-in's one-time ticket for the cookie route
    touch_seconds: int = 30  # last activity is written at most this often
    # How often an open screen checks on its own whether its session ended (a signed-out
    # screen within this long of the timeout).
    idle_check_seconds: int = 60
    # Idle past `idle_minutes` the screen locks in place (issue 13); locked this long more, the
    # session ends: the next shift never finds the last one's lock.
    lock_hours: int = 12
    warn_seconds: int = 60  # the warning before the lock

    @property
    def lock(self) -> dt.timedelta:
        return dt.timedelta(hours=self.lock_hours)

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.idle_minutes)

    @property
    def lockout(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.lockout_minutes)


# Environment variable -> (field, lowest, highest).
SETTINGS: dict[str, tuple[str, int, int]] = {
    "MILD_IDLE_MINUTES": ("idle_minutes", 1, 24 * 60),
    "MILD_LOCKOUT_FAILURES": ("lockout_failures", 1, 100),
    "MILD_LOCKOUT_MINUTES": ("lockout_minutes", 1, 24 * 60),
    "MILD_IDLE_CHECK_SECONDS": ("idle_check_seconds", 1, 3600),
    "MILD_LOCK_HOURS": ("lock_hours", 1, 72),
}


def policy_from(environ: Mapping[str, str]) -> SessionPolicy:
    """The policy from environment variables; a bad value is refused naming the variable."""
    values: dict[str, int] = {}
    for name, (field, low, high) in SETTINGS.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise RuleViolation(
                name, messages.SETTING_RANGE.format(name=name, low=low, high=high, value=raw)
            )
        values[field] = value
    return SessionPolicy(**values)


def idle_expired(
    last_activity: dt.datetime, now: dt.datetime, policy: SessionPolicy, *, display: bool
) -> bool:
    """An open session locks once idle longer than the policy allows (HIPAA Security Rule,
    45 CFR 164.312(a)(2)(iii), automatic logoff: "terminate an electronic session after a
    predetermined time of inactivity"; the lock shows no patient data and takes the same
    user's password); a waiting-room display (case codes only, leaving it needs a password)
    never idles out."""
    return not display and now - last_activity > policy.idle


def lock_expired(
    last_activity: dt.datetime, now: dt.datetime, policy: SessionPolicy, *, display: bool
) -> bool:
    """A locked session ends once idle longer than the timeout and the lock's lifetime."""
    return not display and now - last_activity > policy.idle + policy.lock


def lock_warning_due(
    last_activity: dt.datetime, now: dt.datetime, policy: SessionPolicy, *, display: bool
) -> bool:
    """Within the warning time before the lock (and not yet locked): the screen says so."""
    idle = now - last_activity
    return not display and policy.idle - dt.timedelta(seconds=policy.warn_seconds) <= idle <= (
        policy.idle
    )


def needs_touch(last_activity: dt.datetime, now: dt.datetime, policy: SessionPolicy) -> bool:
    return now - last_activity >= dt.timedelta(seconds=policy.touch_seconds)


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and locked_until > now


@dataclass(frozen=True)
class Failures:
    count: int
    locked_until: dt.datetime | None

    @property
    def just_locked(self) -> bool:
        return self.locked_until is not None


def after_failure(
    count: int, last_failed_at: dt.datetime | None, now: dt.datetime, policy: SessionPolicy
) -> Failures:
    """Count one more failed sign-in. Failures older than the lockout period are forgotten; the
    one that reaches the limit locks the username for the lockout period and starts a new
    count, so after the lock the user has the full number of tries again."""
    if last_failed_at is None or now - last_failed_at > policy.lockout:
        count = 0
    count += 1
    if count >= policy.lockout_failures:
        return Failures(0, now + policy.lockout)
    return Failures(count, None)


def safe_next(path: str | None) -> str:
    """Where to send the browser after the cookie is set: only a path on this site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
