"""Today as a launchpad (issue 13): each count on Today opens the screen where that work is
done, at the count's office. Which screen depends on the role: a nurse works the day's cases on
the checklist, a coordinator or manager watches them on the schedule. Practice design, no
clinical rule."""

from __future__ import annotations

import enum

from mild.staff import Role, Screen, may_open


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
