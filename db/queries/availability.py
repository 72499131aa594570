"""A provider's booked cases at an office over a few days, for booking beside the provider's day
(mild.availability draws the day and finds the free starts).

One query, bounded by an indexed range on (office_id, scheduled_start): the office's cases of
those days, never the provider's whole history. Cancelled cases come back with their status:
the domain decides they hold no time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select

from db.models import Case
from db.queries.home import OfficeRow
from db.session import read_session
from mild.availability import SEARCH_DAYS
from mild.booking import MAX_PLANNED_MINUTES, TURNOVER_MINUTES, BookedSlot
from mild.cases import CaseStatus
from mild.days import local_day_bounds


def provider_bookings(
    office: OfficeRow,
    provider_id: int,
    first_day: dt.date,
    last_day: dt.date,
    *,
    scope: Collection[int],
) -> list[BookedSlot]:
    """The provider's cases at the office that bear on first_day..last_day (office-local,
    inclusive; at most SEARCH_DAYS days): starting on those days, or early enough the day before
    to reach into them with the turnover. Code, start, planned minutes and status, by start."""
    if (last_day - first_day).days >= SEARCH_DAYS or last_day < first_day:
        raise ValueError(f"{first_day}..{last_day}: one to {SEARCH_DAYS} days")
    if office.id not in scope:
        return []
    start, _ = local_day_bounds(office.timezone, first_day)
    _, end = local_day_bounds(office.timezone, last_day)
    reach = dt.timedelta(minutes=MAX_PLANNED_MINUTES + TURNOVER_MINUTES)
    with read_session() as s:
        rows = s.execute(
            select(Case.id, Case.code, Case.scheduled_start, Case.planned_minutes, Case.status)
            .where(
                Case.office_id == office.id,
                Case.scheduled_start >= start - reach,
                Case.scheduled_start < end,
                Case.provider_id == provider_id,
            )
            .order_by(Case.scheduled_start, Case.id)
        ).all()
    return [BookedSlot(i, code, at, int(m), CaseStatus(st)) for i, code, at, m, st in rows]
