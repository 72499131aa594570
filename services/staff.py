"""Offices and staff accounts for a real deployment (used by manage.py; the admin screen later)."""

from __future__ import annotations

import re
import zoneinfo

from sqlalchemy import select

from db.models import Office, StaffUser
from db.session import transaction
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Role, check_password, check_username
from services.auth import hash_password
from services.common import Actor, audit, now_utc

OFFICE_CODE_RE = re.compile(r"^[A-Z0-9]{2,12}$")


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RuleViolation("timezone", messages.TIMEZONE_UNKNOWN.format(tz=name)) from None
    return name


def create_office(code: str, name: str, timezone: str, *, actor: Actor) -> int:
    """Add an office; its code is short and unique (shown on boards and case codes)."""
    code = code.strip().upper()
    if not OFFICE_CODE_RE.fullmatch(code):
        raise RuleViolation("code", messages.OFFICE_CODE_FORMAT)
    if not name.strip():
        raise RuleViolation("name", messages.OFFICE_NAME_REQUIRED)
    check_timezone(timezone)
    with transaction() as session:
        if session.scalar(select(Office.id).where(Office.code == code)) is not None:
            raise RuleViolation("code", messages.OFFICE_CODE_TAKEN.format(code=code))
        office = Office(code=code, name=name.strip(), timezone=timezone, active=True)
        session.add(office)
        session.flush()
        audit(
            session,
            actor,
            "office.created",
            "office",
            office.id,
            office_id=office.id,
            detail={"code": code, "name": office.name, "timezone": timezone},
        )
        return office.id


def create_user(
    username: str,
    display_name: str,
    password: str,
    role: Role,
    office_codes: list[str],
    *,
    actor: Actor,
) -> int:
    """Add a staff account with an argon2 hash; everyone but an admin needs at least one office."""
    username = check_username(username)
    check_password(password)
    codes = sorted({c.strip().upper() for c in office_codes if c.strip()})
    if role != Role.ADMIN and not codes:
        raise RuleViolation("offices", messages.OFFICES_REQUIRED)
    with transaction() as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
            raise RuleViolation("username", messages.USERNAME_TAKEN)
        offices = list(session.scalars(select(Office).where(Office.code.in_(codes))))
        missing = set(codes) - {o.code for o in offices}
        if missing:
            raise RuleViolation("offices", messages.OFFICE_UNKNOWN.format(code=sorted(missing)[0]))
        user = StaffUser(
            username=username,
            display_name=display_name.strip() or username,
            password_hash=hash_password(password),
            role=role,
            active=True,
            created_at=now_utc(),
            offices=offices,
        )
        session.add(user)
        session.flush()
        audit(
            session,
            actor,
            "staff_user.created",
            "staff_user",
            user.id,
            detail={"username": username, "role": role.value, "offices": codes},
        )
        return user.id
