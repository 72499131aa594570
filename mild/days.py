"""Office-local days and times: the database keeps UTC, people work in their office's day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_today(tz_name: str, now: dt.datetime) -> dt.date:
    """The calendar day it is at the office at `now` (aware)."""
    return now.astimezone(ZoneInfo(tz_name)).date()


def local_day_bounds(tz_name: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of an office-local day in UTC; 23 or 25 hours long on DST change days."""
    tz = ZoneInfo(tz_name)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def at_local(tz_name: str, day: dt.date, time: dt.time) -> dt.datetime:
    """An office-local wall-clock time on `day`, as aware UTC."""
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(tz_name)).astimezone(dt.UTC)


def to_local(tz_name: str, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo(tz_name))
