"""Staff roles, what each may see, and the rules for usernames and passwords."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from mild import messages
from mild.errors import RuleViolation


class Role(enum.StrEnum):
    NURSE = "nurse"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"
    # A physician's own sign-in: the escalations of their cases (services.followup).
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Screen(enum.StrEnum):
    """Screens of the app; the role decides which appear in the navigation."""

    HOME = "home"
    CHECKLIST = "checklist"
    FOLLOW_UP = "follow-up"
    ESCALATIONS = "escalations"
    INTAKE = "intake"
    SCHEDULE = "schedule"
    BOARD = "board"
    METRICS = "metrics"
    AUDIT = "audit"
    ADMIN = "admin"
    # Every signed-in user's own account (their password): opened from the user bar, not
    # listed in the navigation.
    ACCOUNT = "account"

    @property
    def label(self) -> str:
        """The screen's name in the navigation: short, so a nurse's screens fit at 768 px."""
        return SCREEN_LABELS[self]


SCREEN_LABELS: dict[Screen, str] = {
    Screen.HOME: "Today",
    Screen.CHECKLIST: "Checklist",
    Screen.FOLLOW_UP: "Follow-up",
    Screen.ESCALATIONS: "Escalations",
    Screen.INTAKE: "Intake",
    Screen.SCHEDULE: "Schedule",
    Screen.BOARD: "Board",
    Screen.METRICS: "Metrics",
    Screen.AUDIT: "Audit",
    Screen.ADMIN: "Admin",
    Screen.ACCOUNT: "My account",
}


# The office's whole day (every patient on it): staff of the office. A provider's sign-in sees
# the escalations of their own cases only (minimum necessary), not the office's other patients.
OFFICE_STAFF: frozenset[Role] = frozenset(Role) - {Role.PROVIDER}

SCREEN_ROLES: dict[Screen, frozenset[Role]] = {
    Screen.HOME: OFFICE_STAFF,
    # Coordinators run intake; nurses may complete it before the day.
    Screen.INTAKE: frozenset({Role.COORDINATOR, Role.NURSE, Role.ADMIN}),
    Screen.CHECKLIST: frozenset({Role.NURSE, Role.ADMIN}),
    Screen.FOLLOW_UP: frozenset({Role.NURSE, Role.ADMIN}),
    # A provider resolves the escalations of their own cases (nurses do it from follow-up).
    Screen.ESCALATIONS: frozenset({Role.PROVIDER, Role.ADMIN}),
    Screen.SCHEDULE: frozenset({Role.COORDINATOR, Role.NURSE, Role.MANAGER, Role.ADMIN}),
    Screen.BOARD: OFFICE_STAFF,
    Screen.METRICS: frozenset({Role.MANAGER, Role.ADMIN}),
    # Managers read the audit trail of their offices; admins all of it.
    Screen.AUDIT: frozenset({Role.MANAGER, Role.ADMIN}),
    Screen.ADMIN: frozenset({Role.ADMIN}),
    Screen.ACCOUNT: frozenset(Role),
}


def screens_for(role: Role) -> list[Screen]:
    """The screens a role may open, in navigation order."""
    return [s for s in Screen if role in SCREEN_ROLES[s]]


def may_open(role: Role, screen: Screen) -> bool:
    return role in SCREEN_ROLES[screen]


def office_scope(
    role: Role, own_offices: Iterable[int], all_offices: Iterable[int]
) -> frozenset[int]:
    """The offices whose data a user may read and write: admins all, everyone else their own."""
    return frozenset(all_offices) if role == Role.ADMIN else frozenset(own_offices)


USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
MIN_PASSWORD_LENGTH = 8


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise RuleViolation("username", messages.USERNAME_FORMAT)
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation("password", messages.PASSWORD_TOO_SHORT.format(n=MIN_PASSWORD_LENGTH))
    if len(password) > 256:
        raise RuleViolation("password", messages.PASSWORD_TOO_LONG)
    return password


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise RuleViolation("role", messages.ROLE_UNKNOWN.format(roles=", ".join(Role))) from None
