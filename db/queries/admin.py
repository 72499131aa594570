"""Admin screen reads: offices, accounts, open sessions, the hold table as the admin edits it.

Small tables (tens of offices and staff); the history they summarise (cases, sign-ins) is
counted by the database with GROUP BY on indexed columns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from db.models import (
    AuditEvent,
    Case,
    HoldRuleRow,
    Office,
    Provider,
    SignInThrottle,
    StaffUser,
    UserSession,
    staff_office,
)
from db.queries.holds import rule_from_row
from db.session import read_session
from mild.admin import UPCOMING_CASE_STATUSES
from mild.cases import CaseStatus
from mild.medications import HoldRule
from mild.staff import Role

UTC = "UTC"


@dataclass(frozen=True)
class AdminOffice:
    id: int
    code: str
    name: str
    timezone: str
    active: bool
    phone: str | None  # what patients call with a red flag (printed on the instructions)
    staff: int  # active accounts that work there
    open_cases: int  # not closed or cancelled: these keep an office from being deactivated


@dataclass(frozen=True)
class AdminUser:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    email: str | None
    office_codes: tuple[str, ...]
    last_sign_in: dt.datetime | None
    open_sessions: int
    locked_until: dt.datetime | None
    provider: str | None = None  # a provider's sign-in: the provider's name


@dataclass(frozen=True)
class OpenSession:
    id: int
    user_id: int
    username: str
    display_name: str
    role: Role
    created_at: dt.datetime
    last_activity_at: dt.datetime
    display: bool  # a waiting-room display (case codes only; never idles out)
    user_agent: str | None
    client_address: str | None = None  # as the server saw it when the cookie was set
    signed_in_via: str | None = None  # mild.account: a password or single sign-on


@dataclass(frozen=True)
class HoldRuleView:
    rule: HoldRule
    active: bool
    updated_at: dt.datetime
    updated_by: str | None  # username; None for the table as installed

    @property
    def drug(self) -> str:
        return self.rule.drug


def admin_offices() -> list[AdminOffice]:
    """Every office, active or not, by code."""
    with read_session() as s:
        staff = dict(
            s.execute(
                select(staff_office.c.office_id, func.count())
                .join(StaffUser, StaffUser.id == staff_office.c.staff_user_id)
                .where(StaffUser.active)
                .group_by(staff_office.c.office_id)
            ).all()
        )
        open_cases = dict(
            s.execute(
                select(Case.office_id, func.count())
                .where(Case.status.not_in((CaseStatus.CLOSED, CaseStatus.CANCELLED)))
                .group_by(Case.office_id)
            ).all()
        )
        rows = s.execute(
            select(
                Office.id, Office.code, Office.name, Office.timezone, Office.active, Office.phone
            ).order_by(Office.code)
        ).all()
    return [
        AdminOffice(*r, staff=staff.get(r.id, 0), open_cases=open_cases.get(r.id, 0)) for r in rows
    ]


def practice_timezone() -> str:
    """The zone the admin screen shows session times in: the first active office's (lowest
    id), or UTC when there is none. Sessions belong to no office."""
    with read_session() as s:
        tz = s.scalar(select(Office.timezone).where(Office.active).order_by(Office.id).limit(1))
    return tz or UTC


def viewer_timezone(user_id: int | None) -> str:
    """The zone a user reads times in: their own first active office's (by id), or the
    practice's (see practice_timezone) for one who works at none (an admin sees all)."""
    with read_session() as s:
        tz = s.scalar(
            select(Office.timezone)
            .join(staff_office, staff_office.c.office_id == Office.id)
            .where(staff_office.c.staff_user_id == user_id, Office.active)
            .order_by(Office.id)
            .limit(1)
        )
    return tz or practice_timezone()


def _live(active_since: dt.datetime | None):
    """Open sessions still in use: not ended, and active since `active_since` (one idle
    longer is over, and ends at its next request) or a waiting-room display (never idles)."""
    clause = UserSession.ended_at.is_(None)
    if active_since is None:
        return clause
    return clause & (
        (UserSession.last_activity_at >= active_since) | UserSession.display_offices.is_not(None)
    )


def admin_users(now: dt.datetime, active_since: dt.datetime | None = None) -> list[AdminUser]:
    """Every account, by username, with its offices, last sign-in, sessions in use (see
    `_live`) and whether the username is locked out now."""
    with read_session() as s:
        codes: dict[int, list[str]] = defaultdict(list)
        for user_id, code in s.execute(
            select(staff_office.c.staff_user_id, Office.code)
            .join(Office, Office.id == staff_office.c.office_id)
            .order_by(Office.code)
        ):
            codes[user_id].append(code)
        signed_in = dict(
            s.execute(
                select(AuditEvent.entity_id, func.max(AuditEvent.at))
                .where(AuditEvent.entity == "staff_user", AuditEvent.action == "auth.sign_in")
                .group_by(AuditEvent.entity_id)
            ).all()
        )
        started = dict(
            s.execute(
                select(UserSession.user_id, func.max(UserSession.created_at)).group_by(
                    UserSession.user_id
                )
            ).all()
        )
        open_count = dict(
            s.execute(
                select(UserSession.user_id, func.count())
                .where(_live(active_since))
                .group_by(UserSession.user_id)
            ).all()
        )
        locks = dict(
            s.execute(
                select(SignInThrottle.username, SignInThrottle.locked_until).where(
                    SignInThrottle.locked_until > now
                )
            ).all()
        )
        users = s.execute(
            select(
                StaffUser.id,
                StaffUser.username,
                StaffUser.display_name,
                StaffUser.role,
                StaffUser.active,
                StaffUser.email,
                Provider.name.label("provider"),
            )
            .outerjoin(Provider, Provider.id == StaffUser.provider_id)
            .order_by(StaffUser.username)
        ).all()
    result = []
    for u in users:
        moments = [m for m in (signed_in.get(u.id), started.get(u.id)) if m is not None]
        result.append(
            AdminUser(
                *u[:6],
                provider=u.provider,
                office_codes=tuple(codes.get(u.id, ())),
                last_sign_in=_utc(max(moments)) if moments else None,
                open_sessions=open_count.get(u.id, 0),
                locked_until=_utc(locks.get(u.username)),
            )
        )
    return result


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Aggregates (max) skip the column type: SQLite hands them back naive, or as text."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def open_sessions(active_since: dt.datetime | None = None) -> list[OpenSession]:
    """Sessions in use (see `_live`), by user then start: whoever is signed in right now."""
    with read_session() as s:
        rows = s.execute(
            select(
                UserSession.id,
                UserSession.user_id,
                StaffUser.username,
                StaffUser.display_name,
                StaffUser.role,
                UserSession.created_at,
                UserSession.last_activity_at,
                UserSession.display_offices,
                UserSession.user_agent,
                UserSession.client_address,
                UserSession.signed_in_via,
            )
            .join(StaffUser, StaffUser.id == UserSession.user_id)
            .where(_live(active_since))
            .order_by(StaffUser.username, UserSession.created_at, UserSession.id)
        ).all()
    return [
        OpenSession(
            id=r.id,
            user_id=r.user_id,
            username=r.username,
            display_name=r.display_name,
            role=r.role,
            created_at=r.created_at,
            last_activity_at=r.last_activity_at,
            display=bool(r.display_offices),
            user_agent=r.user_agent,
            client_address=r.client_address,
            signed_in_via=r.signed_in_via,
        )
        for r in rows
    ]


def hold_rules() -> list[HoldRuleView]:
    """Every row of the hold table, active or not, by drug, with who changed it last."""
    editor = aliased(StaffUser)
    with read_session() as s:
        rows = s.execute(
            select(HoldRuleRow, editor.username)
            .outerjoin(editor, editor.id == HoldRuleRow.updated_by_id)
            .order_by(HoldRuleRow.drug)
        ).all()
        return [
            HoldRuleView(rule_from_row(row), row.active, row.updated_at, username)
            for row, username in rows
        ]


@dataclass(frozen=True)
class AdminProvider:
    id: int
    name: str
    office_id: int
    office_code: str
    active: bool
    email: str | None
    phone: str | None
    upcoming: int  # cases booked with them, not yet done


def admin_providers() -> list[AdminProvider]:
    """Every provider, by office then name, with the cases still to come."""
    upcoming = (
        select(Case.provider_id, func.count().label("n"))
        .where(Case.status.in_(UPCOMING_CASE_STATUSES))
        .group_by(Case.provider_id)
        .subquery()
    )
    with read_session() as s:
        rows = s.execute(
            select(
                Provider.id,
                Provider.name,
                Provider.office_id,
                Office.code,
                Provider.active,
                Provider.email,
                Provider.phone,
                func.coalesce(upcoming.c.n, 0),
            )
            .join(Office, Office.id == Provider.office_id)
            .outerjoin(upcoming, upcoming.c.provider_id == Provider.id)
            .order_by(Office.code, Provider.name, Provider.id)
        ).all()
    return [AdminProvider(*r) for r in rows]


def office_id_by_code(code: str) -> int | None:
    """The office with this code (any case), or None."""
    with read_session() as s:
        return s.scalar(select(Office.id).where(Office.code == (code or "").strip().upper()))
