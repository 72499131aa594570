"""Booking a case for a day and time with its provider, and confirming it for that day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, Office, Provider
from db.queries.readiness import facts_for_cases
from db.session import transaction
from mild import messages
from mild.booking import (
    DEFAULT_PLANNED_MINUTES,
    MAX_PLANNED_MINUTES,
    TURNOVER_MINUTES,
    BookedSlot,
    check_bookable,
    check_in_future,
    check_no_clash,
    check_not_too_far,
    check_planned_levels,
    check_planned_minutes,
    check_planned_side,
)
from mild.cases import CaseStatus, check_transition
from mild.days import at_local, local_today, to_local
from mild.errors import RuleViolation
from mild.readiness import missing_items, not_ready
from services.common import Actor, audit, lock_case, move_case, now_utc, touch_case
from services.medications import redate_holds


def _provider_at(session: Session, provider_id: int | None, office_id: int) -> Provider:
    """The provider, row-locked: two bookings of one provider are checked one after the other."""
    if provider_id is None:
        raise RuleViolation("provider", messages.BOOKING_PROVIDER_REQUIRED)
    provider = session.scalars(
        select(Provider).where(Provider.id == provider_id).with_for_update()
    ).one_or_none()
    if provider is None or provider.office_id != office_id or not provider.active:
        raise RuleViolation("provider", messages.BOOKING_PROVIDER_NOT_AT_OFFICE)
    return provider


def _other_bookings(
    session: Session, case_id: int, provider_id: int, start: dt.datetime, minutes: int
) -> list[BookedSlot]:
    """The provider's other live cases that could clash: any starting up to the longest possible
    case and its turnover before this one, and before it ends and is turned over. The clash
    itself is mild's rule."""
    turnover = dt.timedelta(minutes=TURNOVER_MINUTES)
    rows = session.execute(
        select(Case.id, Case.code, Case.scheduled_start, Case.planned_minutes).where(
            Case.provider_id == provider_id,
            Case.id != case_id,
            Case.status != CaseStatus.CANCELLED,
            Case.scheduled_start >= start - dt.timedelta(minutes=MAX_PLANNED_MINUTES) - turnover,
            Case.scheduled_start < start + dt.timedelta(minutes=minutes) + turnover,
        )
    )
    return [BookedSlot(*r) for r in rows]


def _booking(case: Case, tz_name: str) -> dict:
    """A case's booking for the audit trail: UTC and office-local start, minutes, who, where."""
    start = case.scheduled_start
    return {
        "start": start.isoformat() if start else None,
        "local_start": to_local(tz_name, start).isoformat() if start else None,
        "planned_minutes": case.planned_minutes,
        "planned_levels": case.planned_levels,
        "planned_side": case.planned_side,
        "provider_id": case.provider_id,
        "office_id": case.office_id,
    }


def book_case(
    case_id: int,
    *,
    day: dt.date,
    start: dt.time,
    planned_minutes: int = DEFAULT_PLANNED_MINUTES,
    provider_id: int,
    office_id: int | None = None,
    planned_levels: str | None = None,
    planned_side: str | None = None,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Book (or re-book) a case at an office-local day and time with a provider; returns the
    new version.

    Refuses a past time, planned minutes outside 15-240, a provider not at the office, a case
    past scheduling, and a double booking of the provider (naming the clashing case). Moving
    the start recomputes every medication's latest allowed last dose from the new start and,
    because the patient must be told the new times, clears the hold confirmations and the
    case's confirmation for its day. Levels and side are what the time-out checks against.
    """
    levels = check_planned_levels(planned_levels)
    side = check_planned_side(planned_side)
    if day is None:
        raise RuleViolation("day", messages.BOOKING_DAY_REQUIRED)
    if start is None:
        raise RuleViolation("start", messages.BOOKING_START_REQUIRED)
    check_planned_minutes(planned_minutes)
    with transaction() as session:
        case = lock_case(session, case_id, actor, expected_version)
        check_bookable(case.status)
        office_id = case.office_id if office_id is None else office_id
        if not actor.may_touch(office_id):
            raise RuleViolation("office", messages.OFFICE_NOT_YOURS)
        office = session.get(Office, office_id)
        if office is None or not office.active:
            raise RuleViolation("office", messages.OFFICE_NOT_YOURS)
        at = now_utc()
        check_not_too_far(day, local_today(office.timezone, at))
        starts_at = at_local(office.timezone, day, start)
        check_in_future(starts_at, at, office.timezone)
        provider = _provider_at(session, provider_id, office_id)
        check_no_clash(
            starts_at,
            planned_minutes,
            _other_bookings(session, case.id, provider.id, starts_at, planned_minutes),
            provider=provider.name,
            tz_name=office.timezone,
        )
        before = _booking(case, case.office.timezone)
        moved = case.scheduled_start is not None and case.scheduled_start != starts_at
        case.scheduled_start = starts_at
        redate_holds(session, case, moved=moved)
        if moved:
            case.confirmed_at = None
            case.confirmed_by_id = None
        case.planned_minutes = planned_minutes
        case.planned_levels, case.planned_side = levels, side
        case.provider_id = provider.id
        case.office_id = office_id
        touch_case(case, at)
        audit(
            session,
            actor,
            "case.booked" if before["start"] is None else "case.rebooked",
            "case",
            case.id,
            office_id=office_id,
            detail={
                "from": before,
                "to": _booking(case, office.timezone),
                "confirmations_cleared": moved,
            },
            at=at,
        )
        return case.version


def confirm_case(case_id: int, *, actor: Actor, expected_version: int | None = None) -> int:
    """Confirm a case for its day once nothing is missing: intake -> scheduled (a re-booked,
    scheduled case is confirmed again in place). Returns the new version."""
    with transaction() as session:
        case = lock_case(session, case_id, actor, expected_version)
        if case.status == CaseStatus.SCHEDULED:
            if case.confirmed_at is not None:
                raise RuleViolation("status", messages.CASE_ALREADY_CONFIRMED)
        else:
            check_transition(case.status, CaseStatus.SCHEDULED)
        missing = missing_items(facts_for_cases(session, [case.id])[case.id])
        if missing:
            raise RuleViolation("readiness", not_ready(missing))
        at = now_utc()
        case.confirmed_at = at
        case.confirmed_by_id = actor.id
        move_case(session, case, CaseStatus.SCHEDULED, actor, at, action="case.confirmed")
        return case.version
