"""A provider's day at an office, for booking beside it: the cases booked, the procedure hours,
the free windows between them and the starts a case of a given length may take, and the next
free start across days.

Free is what booking would accept: no clash with a live case of the provider (mild.booking,
the turnover included), inside the procedure hours of a procedure day, and ahead of now. Times
are aware UTC; hours and days are the office's own, so a day after a change of summer time
opens at the same wall-clock hour. One `Diary` holds what every question needs: the provider's
cases as read, the office's zone, now, and the case being booked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mild.booking import (
    MAX_DAYS_AHEAD,
    MIN_PLANNED_MINUTES,
    TURNOVER_MINUTES,
    BookedSlot,
    check_planned_minutes,
    first_clash,
)
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.schedule import WORKING_WEEKDAYS

# Starts are offered on the booking form's quarter-hour grid, counted from the opening hour.
START_STEP_MINUTES = 15
# "Next free slot" looks this many days ahead, the day it starts from included.
SEARCH_DAYS = 30
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ProcedureHours:
    """When cases are booked at an office: its procedure days and the hours, office time, a
    case lies within (start at or after `opens`, end by `closes`)."""

    opens: dt.time
    closes: dt.time
    weekdays: frozenset[int] = WORKING_WEEKDAYS

    def open_on(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays

    def bounds(self, tz_name: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The day's opening and closing as aware UTC."""
        return at_local(tz_name, day, self.opens), at_local(tz_name, day, self.closes)

    @property
    def days_text(self) -> str:
        """The procedure days in words: "Monday to Friday", or "Monday, Wednesday"."""
        days = sorted(self.weekdays)
        names = [WEEKDAY_NAMES[d] for d in days]
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            return f"{names[0]} to {names[-1]}"
        return ", ".join(names)


# Procedures run 07:00 to 17:00 office time, Monday to Friday (policy; the demo's day).
PROCEDURE_HOURS = ProcedureHours(dt.time(7), dt.time(17))


@dataclass(frozen=True)
class DayLine:
    """One line of a provider's day in time order: a booked case, or a free window."""

    start: dt.datetime
    end: dt.datetime
    case: BookedSlot | None = None  # None: free
    this_case: bool = False  # the case being (re)booked, where it stands now

    @property
    def free(self) -> bool:
        return self.case is None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class ProviderDay:
    """What the booking form draws of one office-local day of the provider."""

    day: dt.date
    open: bool  # a procedure day
    opens: dt.datetime
    closes: dt.datetime
    lines: tuple[DayLine, ...]  # the cases touching the day and the free windows, by start


@dataclass(frozen=True)
class Diary:
    """A provider's booked cases at an office (any statuses; cancelled ones hold no time), read
    in the office's zone at `now`, for booking `case_id` (which may move within its own time)."""

    booked: tuple[BookedSlot, ...]
    tz_name: str
    now: dt.datetime
    case_id: int | None = None
    hours: ProcedureHours = PROCEDURE_HOURS
    turnover: int = TURNOVER_MINUTES
    step: int = START_STEP_MINUTES

    def live(self, *, count_this_case: bool = False) -> list[BookedSlot]:
        """The cases that hold the provider's time, in start order: not cancelled, and (unless
        counted) not the case being booked."""
        mine = None if count_this_case else self.case_id
        live = [b for b in self.booked if b.status != CaseStatus.CANCELLED and b.case_id != mine]
        return sorted(live, key=lambda b: (b.start, b.code))

    def free_windows(
        self, day: dt.date, *, count_this_case: bool = False
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The spans of the day a case may take, each from a start on the grid and at least the
        shortest case long: within the hours of a procedure day, the turnover clear of every
        live case, after now. None on a day that is not a procedure day."""
        if not self.hours.open_on(day):
            return []
        opens, closes = self.hours.bounds(self.tz_name, day)
        grid = self._grid(day)
        edge = _first_at_or_after(grid, self.now + dt.timedelta(microseconds=1))
        windows = []
        for busy_start, busy_end in self._busy(day, count_this_case):
            if edge is None:
                break
            if busy_end <= edge:
                continue
            if busy_start > edge:
                windows.append((edge, min(busy_start, closes)))
            edge = _first_at_or_after(grid, busy_end)
        if edge is not None:
            windows.append((edge, closes))
        shortest = dt.timedelta(minutes=MIN_PLANNED_MINUTES)
        return [(s, e) for s, e in windows if e - s >= shortest]

    def free_starts(self, day: dt.date, minutes: int) -> list[dt.datetime]:
        """The starts on the day's grid that booking a case of `minutes` would accept without a
        clash (mild.booking.first_clash), ending by closing time, after now; none on a day that
        is not a procedure day. Refuses planned minutes booking would refuse."""
        check_planned_minutes(minutes)
        if not self.hours.open_on(day):
            return []
        _, closes = self.hours.bounds(self.tz_name, day)
        near = self._near(day, self.live())
        length = dt.timedelta(minutes=minutes)
        return [
            s
            for s in self._grid(day)
            if s > self.now
            and s + length <= closes
            and first_clash(s, minutes, near, self.turnover) is None
        ]

    def next_free_start(
        self, first_day: dt.date | None, minutes: int, days: int = SEARCH_DAYS
    ) -> dt.datetime | None:
        """The first free start for a case of `minutes`, from `first_day` (or today) forward
        over `days` days, skipping the days that are not procedure days; None when none is."""
        check_planned_minutes(minutes)
        day, last = search_days(first_day, self.tz_name, self.now, days)
        while day <= last:
            found = self.free_starts(day, minutes)
            if found:
                return found[0]
            day += dt.timedelta(days=1)
        return None

    def day(self, day: dt.date) -> ProviderDay:
        """The provider's day as the booking form draws it: the live cases touching the
        office-local day (the case being booked marked as itself, where it stands now) and the
        free windows around them all, by start. Its own time is drawn as its own, though its
        free starts may move it within it."""
        day_start = at_local(self.tz_name, day, dt.time(0))
        day_end = at_local(self.tz_name, day + dt.timedelta(days=1), dt.time(0))
        shown = [
            b for b in self.live(count_this_case=True) if b.start < day_end and b.end > day_start
        ]
        lines = [DayLine(b.start, b.end, b, this_case=b.case_id == self.case_id) for b in shown]
        lines += [DayLine(s, e) for s, e in self.free_windows(day, count_this_case=True)]
        lines.sort(key=lambda line: (line.start, line.free, line.case.code if line.case else ""))
        opens, closes = self.hours.bounds(self.tz_name, day)
        return ProviderDay(day, self.hours.open_on(day), opens, closes, tuple(lines))

    def _grid(self, day: dt.date) -> list[dt.datetime]:
        """The office-local starts of the day within its hours, every `step` minutes, as UTC."""
        starts, local = [], dt.datetime.combine(day, self.hours.opens)
        while local.time() < self.hours.closes and local.date() == day:
            starts.append(at_local(self.tz_name, day, local.time()))
            local += dt.timedelta(minutes=self.step)
        return starts

    def _near(self, day: dt.date, cases: list[BookedSlot]) -> list[BookedSlot]:
        """The cases that can bear on the day's hours (the turnover either side included)."""
        opens, closes = self.hours.bounds(self.tz_name, day)
        pad = dt.timedelta(minutes=self.turnover)
        return [b for b in cases if b.start < closes + pad and b.end > opens - pad]

    def _busy(self, day: dt.date, count_this_case: bool) -> list[tuple[dt.datetime, dt.datetime]]:
        """Merged spans of the day no new case may share: each case and the turnover either
        side of it."""
        pad = dt.timedelta(minutes=self.turnover)
        spans: list[tuple[dt.datetime, dt.datetime]] = []
        for b in self._near(day, self.live(count_this_case=count_this_case)):
            start, end = b.start - pad, b.end + pad
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
        return spans


def _first_at_or_after(grid: list[dt.datetime], moment: dt.datetime) -> dt.datetime | None:
    return next((s for s in grid if s >= moment), None)


def search_days(
    first_day: dt.date | None, tz_name: str, now: dt.datetime, days: int = SEARCH_DAYS
) -> tuple[dt.date, dt.date]:
    """The days "next free slot" looks through: from the chosen day (today when none is
    chosen or it is past) for `days` days, never beyond the furthest day booking takes."""
    today = local_today(tz_name, now)
    start = max(first_day or today, today)
    last = min(start + dt.timedelta(days=days - 1), today + dt.timedelta(days=MAX_DAYS_AHEAD))
    return start, max(last, start)
