"""Audit screen reads: the trail filtered and scoped by the database, newest first.

Scope is enforced here, not in widgets: managers get only rows stamped with one of their
offices, admins every row (rows without an office too: sign-ins, accounts), anyone else a
refusal. The date range is office-local days: each office's rows are cut at that office's
midnights; rows without an office at the midnights of the practice's zone. The whole window
is also given as one range on `at`, so the database walks the `at` index (ix_audit_event_at)
however long the history is. A case code, however typed, becomes a few exact lookups of the
codes it may mean, then that case's whole history whatever the dates, oldest first, through
(entity, entity_id) (ix_audit_event_entity). Both are cut at `limit` rows; the ids the rows'
details hold (staff, providers, offices, follow-ups) are named in a few bulk reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Case, FollowUp, Office, Provider, StaffUser, staff_office
from db.session import read_session
from mild.audit import (
    SHOWN_ROWS,
    ActionGroup,
    AuditScope,
    audit_scope,
    claimed_elsewhere,
)
from mild.audit_words import FollowUpName, Names, event, may_name_ids, references
from mild.case_codes import case_code_candidates
from mild.days import local_day_bounds
from mild.staff import Role

COLUMNS = [
    "id",
    "at",
    "actor_name",
    "actor_display",
    "action",
    "entity",
    "entity_id",
    "case_code",
    "office_id",
    "office_code",
    "timezone",
    "detail",
]
UNASSIGNED = -1  # the office filter's value for "rows without an office" (admins)


@dataclass(frozen=True)
class AuditFilter:
    """What the screen asks for. `start`/`end` are office-local days, both included; `zone`
    is the practice's time zone, whose days cut rows without an office; `office_id` None
    means every office in scope (UNASSIGNED: only rows without an office)."""

    start: dt.date
    end: dt.date
    zone: str
    office_id: int | None = None
    actor_name: str | None = None
    group: ActionGroup | None = None
    case_code: str | None = None

    def described(self) -> dict[str, object]:
        """The filters as the export's audit row records them."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "zone": self.zone,
            "office_id": self.office_id,
            "user": self.actor_name,
            "actions": self.group.key if self.group else None,
            "case": self.case_code,
        }


@dataclass(frozen=True)
class AuditOffice:
    id: int
    code: str
    name: str
    timezone: str
    active: bool


@dataclass(frozen=True)
class AuditPage:
    """The newest `limit` matching rows and how many matched in all, with the names of the
    ids the rows hold. A named case: its whole history, oldest first (`case_code` the code
    found); `case_found` False when the typed code names no case the user may read, with the
    codes it could be when it named more than one (`ambiguous`)."""

    rows: pd.DataFrame
    matched: int
    case_found: bool = True
    names: Names = field(default_factory=Names)
    case_code: str | None = None
    ambiguous: tuple[str, ...] = ()

    @property
    def oldest_first(self) -> bool:
        return self.case_code is not None


def audit_offices(role: Role, office_ids: Collection[int]) -> list[AuditOffice]:
    """The offices whose rows the user may read, by code: admins every office (closed ones
    too, their history stays), managers their own."""
    scope = audit_scope(role, office_ids)
    with read_session() as s:
        return _offices_in(s, scope)


def audit_users(role: Role, office_ids: Collection[int]) -> pd.DataFrame:
    """username, display_name: whom the user filter offers. Admins: every account; managers:
    the staff of their offices and the admins (who act at every office)."""
    scope = audit_scope(role, office_ids)
    query = select(StaffUser.username, StaffUser.display_name).order_by(StaffUser.display_name)
    if not scope.every_row:
        at_mine = select(staff_office.c.staff_user_id).where(
            staff_office.c.office_id.in_(list(scope.office_ids))
        )
        query = query.where(or_(StaffUser.id.in_(at_mine), StaffUser.role == Role.ADMIN))
    with read_session() as s:
        return pd.DataFrame(s.execute(query).all(), columns=["username", "display_name"])


def _offices_in(s: Session, scope: AuditScope) -> list[AuditOffice]:
    query = select(Office.id, Office.code, Office.name, Office.timezone, Office.active)
    if not scope.every_row:
        query = query.where(Office.id.in_(list(scope.office_ids)))
    return [AuditOffice(*r) for r in s.execute(query.order_by(Office.code))]


def _window(offices: list[AuditOffice], unassigned_zone: str | None, start: dt.date, end: dt.date):
    """Rows on the chosen office-local days: one range per time zone (an office's own
    midnights), plus rows without an office when `unassigned_zone` is given."""
    by_zone: dict[str, list[int]] = {}
    for o in offices:
        by_zone.setdefault(o.timezone, []).append(o.id)
    ranges = []
    for zone, ids in by_zone.items():
        first, _ = local_day_bounds(zone, start)
        _, last = local_day_bounds(zone, end)
        ranges.append((AuditEvent.office_id.in_(ids), first, last))
    if unassigned_zone is not None:
        first, _ = local_day_bounds(unassigned_zone, start)
        _, last = local_day_bounds(unassigned_zone, end)
        ranges.append((AuditEvent.office_id.is_(None), first, last))
    if not ranges:
        return false()
    parts = [and_(where, AuditEvent.at >= lo, AuditEvent.at < hi) for where, lo, hi in ranges]
    # The overall window on its own as well: the index range the database walks.
    lowest = min(lo for _, lo, _ in ranges)
    highest = max(hi for _, _, hi in ranges)
    return and_(AuditEvent.at >= lowest, AuditEvent.at < highest, or_(*parts))


def _in_group(group: ActionGroup):
    action = AuditEvent.action
    parts = [action.in_(group.codes)] if group.codes else []
    if group.prefixes:
        by_prefix = or_(*(action.startswith(p, autoescape=True) for p in group.prefixes))
        taken = claimed_elsewhere(group)
        parts.append(and_(by_prefix, action.not_in(taken)) if taken else by_prefix)
    return or_(*parts)


def _cases(s: Session, scope: AuditScope, typed: str) -> list[tuple[int, str]]:
    """The cases a typed code may mean (mild.case_codes), among those the user may read: by
    the unique index on the code, a handful of exact lookups."""
    query = select(Case.id, Case.code).where(Case.code.in_(case_code_candidates(typed)))
    if not scope.every_row:
        query = query.where(Case.office_id.in_(list(scope.office_ids)))
    return [(r.id, r.code) for r in s.execute(query.order_by(Case.code))]


def _where(s: Session, scope: AuditScope, f: AuditFilter) -> tuple[list, list[tuple[int, str]]]:
    """The conditions of the filter within the scope, and the cases a typed code found. A
    named case is its whole history: no date window, no office filter (the case has its
    office); the user and action filters still apply."""
    conditions = []
    if f.actor_name:
        conditions.append(AuditEvent.actor_name == f.actor_name)
    if f.group is not None:
        conditions.append(_in_group(f.group))
    if f.case_code:
        found = _cases(s, scope, f.case_code)
        if len(found) != 1:
            return [false()], found
        conditions += [AuditEvent.entity == "case", AuditEvent.entity_id == found[0][0]]
        if not scope.every_row:
            conditions.append(AuditEvent.office_id.in_(list(scope.office_ids)))
        return conditions, found
    offices = _offices_in(s, scope)
    if f.office_id == UNASSIGNED:
        chosen, unassigned = [], scope.every_row
    elif f.office_id is not None:
        chosen, unassigned = [o for o in offices if o.id == f.office_id], False
    else:
        chosen, unassigned = offices, scope.every_row
    conditions.insert(0, _window(chosen, f.zone if unassigned else None, f.start, f.end))
    return conditions, []


def _rows(conditions: list, *, oldest_first: bool) -> Select:
    order = (
        (AuditEvent.at.asc(), AuditEvent.id.asc())
        if oldest_first
        else (AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.actor_name,
            StaffUser.display_name.label("actor_display"),
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            Case.code.label("case_code"),
            AuditEvent.office_id,
            Office.code.label("office_code"),
            Office.timezone,
            AuditEvent.detail,
        )
        .outerjoin(StaffUser, StaffUser.id == AuditEvent.actor_id)
        .outerjoin(Case, and_(AuditEvent.entity == "case", Case.id == AuditEvent.entity_id))
        .outerjoin(Office, Office.id == AuditEvent.office_id)
        .where(*conditions)
        .order_by(*order)
    )


def audit_events(
    role: Role,
    office_ids: Collection[int],
    f: AuditFilter,
    *,
    limit: int = SHOWN_ROWS,
) -> AuditPage:
    """The newest `limit` rows matching `f` that the user may read, and the count of all; a
    named case's first `limit` rows, oldest first. With the names of the ids they hold."""
    scope = audit_scope(role, office_ids)
    with read_session() as s:
        conditions, found = _where(s, scope, f)
        if f.case_code and len(found) != 1:
            empty = pd.DataFrame(columns=COLUMNS)
            ambiguous = tuple(code for _, code in found)
            return AuditPage(empty, 0, case_found=False, ambiguous=ambiguous)
        matched = s.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
        query = _rows(conditions, oldest_first=bool(found)).limit(limit)
        rows = pd.DataFrame(s.execute(query).all(), columns=COLUMNS)
        names = _names(s, rows)
    return AuditPage(rows, int(matched or 0), names=names, case_code=found[0][1] if found else None)


# --- the names of the ids the rows hold -----------------------------------------------------------

CHUNK = 1000  # ids per IN list: well inside every backend's limit on bound parameters


def _chunks(ids: frozenset[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _names(s: Session, rows: pd.DataFrame) -> Names:
    """Every staff member, provider, office and follow-up the rows' details name, read by
    primary key in a few IN lists (never a query per row)."""
    if rows.empty:
        return Names()
    columns = (rows[c].tolist() for c in ("action", "detail", "entity", "entity_id"))
    refs = references(
        event(action, detail, entity, entity_id)
        for action, detail, entity, entity_id in zip(*columns, strict=True)
        if may_name_ids(entity, detail)
    )
    staff, providers, offices, follow_ups = {}, {}, {}, {}
    for ids in _chunks(refs.staff):
        query = select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))
        staff.update({i: name for i, name in s.execute(query)})
    for ids in _chunks(refs.providers):
        query = select(Provider.id, Provider.name).where(Provider.id.in_(ids))
        providers.update({i: name for i, name in s.execute(query)})
    for ids in _chunks(refs.offices):
        query = select(Office.id, Office.code).where(Office.id.in_(ids))
        offices.update({i: code for i, code in s.execute(query)})
    for ids in _chunks(refs.follow_ups):
        query = (
            select(FollowUp.id, FollowUp.kind, Case.code)
            .join(Case, Case.id == FollowUp.case_id)
            .where(FollowUp.id.in_(ids))
        )
        follow_ups.update({i: FollowUpName(str(kind), code) for i, kind, code in s.execute(query)})
    return Names(staff, providers, offices, follow_ups)
