"""Values of the time-out items that carry one: the level and side checked against the booking,
and antibiotic prophylaxis within 60 minutes or not used (WHO Surgical Safety Checklist 2009;
Joint Commission UP.01.03.01)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from mild import messages
from mild.errors import RuleViolation
from mild.text import check_storable

ANTIBIOTIC_WINDOW = dt.timedelta(minutes=60)  # WHO 2009: given within the last 60 minutes
LEVEL_SIDE_LIMIT = 80


def booked_level_side(planned_levels: str | None, planned_side: str | None) -> str | None:
    """The levels and side booked, as the time-out shows them; None when the booking has none."""
    side = (planned_side or "").strip().capitalize()  # as the booking form shows it
    parts = [p for p in ((planned_levels or "").strip(), side) if p]
    return " · ".join(parts) or None


def level_side_value(
    planned_levels: str | None, planned_side: str | None, typed: str | None
) -> str:
    """What 'level and side confirmed' stores: the booking's levels and side, as checked; when
    the booking has none, the levels and side the team confirmed, typed (required)."""
    booked = booked_level_side(planned_levels, planned_side)
    if booked is not None:
        return messages.LEVEL_SIDE_AS_BOOKED.format(booked=booked)
    text = (typed or "").strip()
    if not text:
        raise RuleViolation("level_side_confirmed", messages.LEVEL_SIDE_NOT_BOOKED)
    if len(text) > LEVEL_SIDE_LIMIT:
        raise RuleViolation(
            "level_side_confirmed", messages.TEXT_TOO_LONG.format(limit=LEVEL_SIDE_LIMIT)
        )
    return check_storable("level_side_confirmed", text)


def antibiotic_value(
    used: bool | None, given_at: dt.datetime | None, *, now: dt.datetime, fmt_time
) -> tuple[str, dict[str, Any]]:
    """(value, detail) for the antibiotic item: not used, or given within the last 60 minutes
    (`fmt_time` shows a UTC moment in the office's time)."""
    if used is None:
        raise RuleViolation("antibiotic", messages.ANTIBIOTIC_CHOICE_REQUIRED)
    if not used:
        return messages.ANTIBIOTIC_NOT_USED, {"used": False}
    if given_at is None or given_at.tzinfo is None:
        raise RuleViolation("antibiotic_given_at", messages.ANTIBIOTIC_TIME_REQUIRED)
    given_at = given_at.astimezone(dt.UTC)
    if given_at > now:
        raise RuleViolation("antibiotic_given_at", messages.ANTIBIOTIC_IN_FUTURE)
    if given_at < now - ANTIBIOTIC_WINDOW:
        raise RuleViolation(
            "antibiotic_given_at", messages.ANTIBIOTIC_TOO_EARLY.format(at=fmt_time(given_at))
        )
    return (
        messages.ANTIBIOTIC_GIVEN.format(at=fmt_time(given_at)),
        {"used": True, "given_at": given_at.isoformat()},
    )


def antibiotic_problems(
    detail: str | None, incision_at: dt.datetime, fmt_time: Callable[[dt.datetime], str]
) -> list[str]:
    """The 60 minutes run to the incision (WHO 2009: "has antibiotic prophylaxis been given
    within the last 60 minutes?"): an antibiotic recorded as given earlier than that before
    `incision_at` must be given again. Nothing when not used, or not recorded (the time-out's
    `requires` names it)."""
    try:
        data = json.loads(detail) if detail else {}
        given_at = dt.datetime.fromisoformat(data["given_at"]) if data.get("used") else None
    except (ValueError, KeyError, TypeError):
        given_at = None
    if given_at is None or given_at >= incision_at - ANTIBIOTIC_WINDOW:
        return []
    return [
        messages.ANTIBIOTIC_BEFORE_INCISION.format(
            given=fmt_time(given_at), incision=fmt_time(incision_at)
        )
    ]
