"""Booking rules: which cases may be (re)booked, for how long, and a provider's double booking
(an overlap, or less than the turnover between two cases). The free starts of a provider's day
follow the same clash rule (mild.availability)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseStatus
from mild.days import to_local
from mild.errors import RuleViolation

# A case may be booked, or moved to another day or time, until it is checked in.
BOOKABLE: frozenset[CaseStatus] = frozenset(
    {CaseStatus.REQUESTED, CaseStatus.INTAKE, CaseStatus.SCHEDULED}
)
# Further ahead than this is a mistyped year; it also keeps every date sum far from year 9999.
MAX_DAYS_AHEAD = 730
MIN_PLANNED_MINUTES = 15
MAX_PLANNED_MINUTES = 240
DEFAULT_PLANNED_MINUTES = 60
# Between two cases of one provider the room is turned over (previous patient out, next one in):
# the practice's turnover target, 20 minutes (mild.targets, policy). With the default hour's
# case on the quarter-hour grid this is the demo's cadence, a case every 90 minutes.
TURNOVER_MINUTES = 20


@dataclass(frozen=True)
class BookedSlot:
    """Another case of the same provider: its code, aware UTC start, planned minutes and
    status (a cancelled case holds no time)."""

    case_id: int
    code: str
    start: dt.datetime
    planned_minutes: int
    status: CaseStatus = CaseStatus.SCHEDULED

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.planned_minutes)


def overlaps(
    start: dt.datetime, minutes: int, other_start: dt.datetime, other_minutes: int
) -> bool:
    """True when [start, start+minutes) and the other interval share any time.

    Half-open intervals: a case ending at 09:00 and one starting at 09:00 do not clash.
    """
    end = start + dt.timedelta(minutes=minutes)
    other_end = other_start + dt.timedelta(minutes=other_minutes)
    return start < other_end and other_start < end


def clashes(
    start: dt.datetime, minutes: int, other: BookedSlot, turnover: int = TURNOVER_MINUTES
) -> bool:
    """True when the proposed booking and `other` share any time or leave less than the
    turnover between them (each case counted as holding the room for its turnover after it)."""
    return overlaps(start, minutes + turnover, other.start, other.planned_minutes + turnover)


def first_clash(
    start: dt.datetime,
    minutes: int,
    others: Iterable[BookedSlot],
    turnover: int = TURNOVER_MINUTES,
) -> BookedSlot | None:
    """The earliest of `others` that clashes with the proposed booking, or None."""
    clashing = [o for o in others if clashes(start, minutes, o, turnover)]
    return min(clashing, key=lambda o: (o.start, o.code)) if clashing else None


def check_bookable(status: CaseStatus) -> None:
    if status not in BOOKABLE:
        raise RuleViolation("status", messages.BOOKING_NOT_OPEN.format(status=status.label))


def check_planned_minutes(minutes: int) -> int:
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not MIN_PLANNED_MINUTES <= minutes <= MAX_PLANNED_MINUTES
    ):
        raise RuleViolation(
            "planned_minutes",
            messages.BOOKING_MINUTES_RANGE.format(
                low=MIN_PLANNED_MINUTES, high=MAX_PLANNED_MINUTES
            ),
        )
    return minutes


def check_not_too_far(day: dt.date, today: dt.date) -> None:
    """Refuse a day more than MAX_DAYS_AHEAD after the office's today."""
    if (day - today).days > MAX_DAYS_AHEAD:
        raise RuleViolation("day", messages.BOOKING_TOO_FAR_AHEAD.format(days=MAX_DAYS_AHEAD))


def check_in_future(start: dt.datetime, now: dt.datetime, tz_name: str) -> None:
    """A booking must lie ahead: a past day is refused on the day, a past time today on start."""
    if start <= now:
        past_day = to_local(tz_name, start).date() < to_local(tz_name, now).date()
        raise RuleViolation("day" if past_day else "start", messages.BOOKING_IN_PAST)


def check_no_clash(
    start: dt.datetime,
    minutes: int,
    others: Iterable[BookedSlot],
    *,
    provider: str,
    tz_name: str,
) -> None:
    """Refuse a double booking of the provider, or a start within the turnover of another of
    their cases, naming the clashing case and its local start."""
    clash = first_clash(start, minutes, others)
    if clash is not None:
        local = to_local(tz_name, clash.start)
        shared = overlaps(start, minutes, clash.start, clash.planned_minutes)
        raise RuleViolation(
            "start",
            (messages.BOOKING_CLASH if shared else messages.BOOKING_TURNOVER_CLASH).format(
                provider=provider,
                code=clash.code,
                start=f"{local:%H:%M} on {local:%a %d %b %Y}",
                minutes=clash.planned_minutes,
                turnover=TURNOVER_MINUTES,
            ),
        )


# --- what the time-out checks against: levels and side ---------------------------------------

# Lumbar levels as MILD treats them (DOMAIN.md, "The procedure": lumbar spinal stenosis): one
# interspace "L3-L4", several separated by commas; L5-S1 included.
LEVEL_RE = re.compile(r"^L([1-5])-(L[1-5]|S1)$")
SIDES: tuple[str, ...] = ("bilateral", "left", "right")
LEVELS_MAX = 40  # mild_case.planned_levels


def check_planned_levels(levels: str | None) -> str | None:
    """The levels booked, as stored ("L3-L4, L4-L5"), or None when not given yet; each an
    adjacent lumbar interspace."""
    parts = [p.strip().upper().replace(" ", "") for p in (levels or "").split(",") if p.strip()]
    if not parts:
        return None
    for part in parts:
        match = LEVEL_RE.fullmatch(part)
        below = int(match.group(1)) + 1 if match else 0
        expected = "S1" if below == 6 else f"L{below}"
        if match is None or match.group(2) != expected:
            raise RuleViolation("planned_levels", messages.PLANNED_LEVELS_FORMAT)
    stored = ", ".join(dict.fromkeys(parts))
    if len(stored) > LEVELS_MAX:
        raise RuleViolation("planned_levels", messages.TEXT_TOO_LONG.format(limit=LEVELS_MAX))
    return stored


def check_planned_side(side: str | None) -> str | None:
    if side is None or side == "":
        return None
    if side not in SIDES:
        raise RuleViolation("planned_side", messages.PLANNED_SIDE_CHOICE)
    return side
