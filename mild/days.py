"""Office-local days and times: the database keeps UTC, people work in their office's day."""

from __future__ import annotations

import datetime as dt
import functools
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


TYPED_TIME_AHEAD = dt.timedelta(hours=1)  # a clock's minute off, or a slip: still today's


def typed_time_at(
    tz_name: str, time: dt.time, now: dt.datetime, ahead: dt.timedelta = TYPED_TIME_AHEAD
) -> dt.datetime:
    """A time typed alone for something already done ("given at 23:50"), as aware UTC: of the
    moments the office's clock read `time` (yesterday, today, tomorrow, both readings of the
    hour the clocks go back), the one nearest `now`, never more than `ahead` after it.

    Typed at 00:05, 23:50 is last night's, not a moment still to come today. A few minutes
    ahead of now it stays today's, so it is refused as in the future rather than taken for
    yesterday's (a dose just given read as a day old). In the repeated hour of autumn, 01:30
    typed at 01:40 EST is ten minutes ago, not seventy."""
    zone, today = ZoneInfo(tz_name), local_today(tz_name, now)
    readings = [
        dt.datetime.combine(today + dt.timedelta(days=d), time, tzinfo=zone)
        .replace(fold=fold)
        .astimezone(dt.UTC)
        for d in (-1, 0, 1)
        for fold in (0, 1)
    ]
    return min((r for r in readings if r <= now + ahead), key=lambda r: abs(r - now))


def to_local(tz_name: str, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Age in whole years on `day` (the office's today): a year is added on the birthday
    itself; someone born on 29 February turns a year older on 1 March in a common year."""
    not_yet = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(not_yet)


# --- For SQLite, which knows no time zones ------------------------------------------------------
# Registered on every SQLite connection (db/session.py) as local_date(ts, tz) and
# local_period(ts, tz, grain), so office-local days in SQL are exact on both backends, summer
# time included: PostgreSQL converts with timezone(tz, ts) and these do the same with zoneinfo.


def _stored_local(stored: str, tz_name: str) -> dt.date:
    """The office-local day of a UTC timestamp as SQLite stores it ('2026-07-01 04:20:00')."""
    moment = dt.datetime.fromisoformat(stored).replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(tz_name)).date()


# Cached: a query asks for the same timestamp's day several times (its day, its period, a
# window's partition); the answers never change (zoneinfo's rules are fixed while running).
@functools.lru_cache(maxsize=1 << 17)
def sqlite_local_date(stored: str | None, tz_name: str | None) -> str | None:
    """local_date(ts, tz): 'YYYY-MM-DD' at the office; NULL for a NULL timestamp."""
    if stored is None or tz_name is None:
        return None
    return _stored_local(stored, tz_name).isoformat()


@functools.lru_cache(maxsize=1 << 17)
def sqlite_local_period(stored: str | None, tz_name: str | None, grain: str) -> str | None:
    """local_period(ts, tz, 'week' | 'month'): the Monday of the office-local week, or the 1st
    of the office-local month, holding `ts`."""
    if stored is None or tz_name is None:
        return None
    day = _stored_local(stored, tz_name)
    start = day - dt.timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)
    return start.isoformat()
