"""Today as a launchpad (issue 13): each count on Today opens the screen where that work is
done, at the count's office. Which screen depends on the role: a nurse works the day's cases on
the checklist, a coordinator or manager watches them on the schedule. Practice design, no
clinical rule."""

from __future__ import annotations

import enum

from mild import messages
from mild.errors import RuleViolation
from mild.staff import Role, Screen, may_open, screens_for


class CountKind(enum.StrEnum):
    """What a count on Today counts."""

    DAY = "day"  # the day's cases by status, booked to discharged
    CANCELLED = "cancelled"  # the day's cancellations
    FOLLOW_UP = "follow_up"  # follow-ups due or overdue


# The screens that do each count's work, the first one the role may open is opened.
COUNT_SCREENS: dict[CountKind, tuple[Screen, ...]] = {
    CountKind.DAY: (Screen.CHECKLIST, Screen.SCHEDULE),
    CountKind.CANCELLED: (Screen.SCHEDULE,),
    CountKind.FOLLOW_UP: (Screen.FOLLOW_UP,),
}


def count_opens(role: Role, kind: CountKind) -> Screen | None:
    """The screen a count opens for `role`; None when the role may open none of them (a count
    stays a number)."""
    return next((s for s in COUNT_SCREENS[kind] if may_open(role, s)), None)


# --- the screen each user lands on after signing in (issue 13) ---------------------------------

# Screens never landed on: one's own account is reached from the user bar.
NOT_A_LANDING = frozenset({Screen.ACCOUNT})


def landing_choices(role: Role) -> list[Screen]:
    """The screens a user of `role` may choose to land on: those the role may open."""
    return [s for s in screens_for(role) if s not in NOT_A_LANDING]


def landing_screen(role: Role, chosen: str | None) -> Screen:
    """Where a sign-in lands: the user's choice while the role may open it, else Today (or the
    role's first screen: a provider's escalations)."""
    choices = landing_choices(role)
    try:
        wanted = Screen(chosen) if chosen else None
    except ValueError:
        wanted = None
    if wanted in choices:
        return wanted
    return Screen.HOME if Screen.HOME in choices else choices[0]


def check_landing(role: Role, chosen: str | None) -> Screen:
    """A landing choice must be a screen the role may open."""
    try:
        wanted = Screen(chosen or "")
    except ValueError:
        wanted = None
    if wanted not in landing_choices(role):
        raise RuleViolation("landing", messages.LANDING_NOT_ALLOWED)
    return wanted
