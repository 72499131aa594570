"""Offices and staff accounts: manage.py's create-office and create-user, and the admin screen.

One transaction per action with its audit row, attributed to the acting admin; only an active
admin (or the command line, audited to the operating-system user) may call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Case, Office, Provider, SignInThrottle, StaffUser
from db.session import transaction
from mild import admin as rules
from mild import messages
from mild.admin import OFFICE_CODE_RE, check_timezone
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.staff import Role, check_username
from services import sessions
from services.admin import end_open_sessions, require_admin
from services.auth import hash_password
from services.common import Actor, audit, now_utc

# manage.py and older callers import these from here.
__all__ = [
    "OFFICE_CODE_RE",
    "check_timezone",
    "create_office",
    "create_user",
    "reset_password",
    "set_email",
    "set_office_active",
    "set_user_active",
    "update_office",
    "update_user",
]

CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.CANCELLED)


# --- offices ----------------------------------------------------------------------------------


def _switch_active(
    session: Session,
    row: Office | Provider,
    active: bool,
    *,
    already: tuple[str, str],
    blocker: Callable[[], str | None],
    actor: Actor,
    office_id: int,
    detail: dict,
) -> None:
    """Deactivate a row (an office, a provider) or bring it back, in the caller's transaction:
    refused when it already is so, or (deactivating) when `blocker` names what keeps it;
    audited as "<table>.deactivated" or ".reactivated"."""
    if row.active == active:
        raise RuleViolation("active", already[0] if active else already[1])
    if not active and (reason := blocker()):
        raise RuleViolation("active", reason)
    row.active = active
    table = row.__tablename__
    audit(
        session,
        actor,
        f"{table}.reactivated" if active else f"{table}.deactivated",
        table,
        row.id,
        office_id=office_id,
        detail=detail,
    )


def _office(session: Session, office_id: int) -> Office:
    office = session.get(Office, office_id, with_for_update=True)
    if office is None:
        raise RuleViolation("office", messages.OFFICE_NOT_FOUND)
    return office


def create_office(
    code: str, name: str, timezone: str, *, phone: str | None = None, actor: Actor
) -> int:
    """Add an office; its code is short and unique (shown on boards and case codes); its phone
    is the number patients call with a red flag (printed on the discharge instructions)."""
    code = rules.check_office_code(code)
    name = rules.check_office_name(name)
    timezone = check_timezone(timezone)
    phone = rules.check_office_phone(phone)
    with transaction() as session:
        require_admin(session, actor)
        if session.scalar(select(Office.id).where(Office.code == code)) is not None:
            raise RuleViolation("code", messages.OFFICE_CODE_TAKEN.format(code=code))
        office = Office(code=code, name=name, timezone=timezone, active=True, phone=phone)
        session.add(office)
        session.flush()
        audit(
            session,
            actor,
            "office.created",
            "office",
            office.id,
            office_id=office.id,
            detail={"code": code, "name": office.name, "timezone": timezone, "phone": phone},
        )
        return office.id


def update_office(
    office_id: int, name: str, timezone: str, *, phone: str | None = None, actor: Actor
) -> None:
    """Rename an office, change its time zone or its phone (None: leave the phone as it is).
    Its code never changes: case codes carry it."""
    name = rules.check_office_name(name)
    timezone = check_timezone(timezone)
    new_phone = None if phone is None else rules.check_office_phone(phone)
    with transaction() as session:
        require_admin(session, actor)
        office = _office(session, office_id)
        before = {"name": office.name, "timezone": office.timezone, "phone": office.phone}
        after = {
            "name": name,
            "timezone": timezone,
            "phone": office.phone if phone is None else new_phone,
        }
        changed = {k for k in after if after[k] != before[k]}
        if not changed:
            raise RuleViolation("name", messages.NOTHING_CHANGED)
        office.name, office.timezone, office.phone = name, timezone, after["phone"]
        audit(
            session,
            actor,
            "office.changed",
            "office",
            office.id,
            office_id=office.id,
            detail={
                "code": office.code,
                "before": {k: before[k] for k in sorted(changed)},
                "after": {k: after[k] for k in sorted(changed)},
            },
        )


def set_office_active(office_id: int, active: bool, *, actor: Actor) -> None:
    """Deactivate an office (it leaves every screen and list; its cases, staff links and audit
    trail are kept) or bring it back. Refused while any case there is still open."""
    with transaction() as session:
        require_admin(session, actor)
        office = _office(session, office_id)

        def blocker() -> str | None:
            open_cases = session.scalar(
                select(func.count())
                .select_from(Case)
                .where(Case.office_id == office.id, Case.status.not_in(CLOSED_STATUSES))
            )
            return rules.office_deactivation_blocker(office.code, open_cases or 0)

        _switch_active(
            session,
            office,
            active,
            already=(messages.OFFICE_ALREADY_ACTIVE, messages.OFFICE_ALREADY_INACTIVE),
            blocker=blocker,
            actor=actor,
            office_id=office.id,
            detail={"code": office.code},
        )


# --- providers --------------------------------------------------------------------------------


def _provider_values(provider: Provider) -> dict:
    return {"name": provider.name, "email": provider.email, "phone": provider.phone}


def _name_taken(session: Session, office_id: int, name: str, provider_id: int | None) -> bool:
    """Another provider of the office with the same name (case and spacing aside)."""
    others = session.scalars(
        select(Provider.name).where(
            Provider.office_id == office_id, Provider.id != (provider_id or 0)
        )
    )
    return any(" ".join(n.split()).lower() == name.lower() for n in others)


def create_provider(
    office_id: int,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    actor: Actor,
) -> int:
    """Add a physician at an active office, with the email and phone escalations reach."""
    name = rules.check_provider_name(name)
    email = rules.normalize_email(email)
    phone = rules.check_office_phone(phone)
    with transaction() as session:
        require_admin(session, actor)
        office = _office(session, office_id)
        if not office.active:
            raise RuleViolation("office", messages.PROVIDER_OFFICE_INACTIVE)
        if _name_taken(session, office.id, name, None):
            raise RuleViolation("name", messages.PROVIDER_NAME_TAKEN.format(name=name))
        provider = Provider(name=name, office_id=office.id, active=True, email=email, phone=phone)
        session.add(provider)
        session.flush()
        audit(
            session,
            actor,
            "provider.created",
            "provider",
            provider.id,
            office_id=office.id,
            detail={"office": office.code, **_provider_values(provider)},
        )
        return provider.id


def _provider(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id, with_for_update=True)
    if provider is None:
        raise RuleViolation("provider", messages.PROVIDER_NOT_FOUND)
    return provider


def update_provider(
    provider_id: int, name: str, *, email: str | None, phone: str | None, actor: Actor
) -> None:
    """Change a provider's name or contact (their booked cases follow: they refer to the row)."""
    name = rules.check_provider_name(name)
    email = rules.normalize_email(email)
    phone = rules.check_office_phone(phone)
    with transaction() as session:
        require_admin(session, actor)
        provider = _provider(session, provider_id)
        if _name_taken(session, provider.office_id, name, provider.id):
            raise RuleViolation("name", messages.PROVIDER_NAME_TAKEN.format(name=name))
        before = _provider_values(provider)
        provider.name, provider.email, provider.phone = name, email, phone
        after = _provider_values(provider)
        changed = sorted(k for k in after if after[k] != before[k])
        if not changed:
            raise RuleViolation("name", messages.NOTHING_CHANGED)
        audit(
            session,
            actor,
            "provider.changed",
            "provider",
            provider.id,
            office_id=provider.office_id,
            detail={
                "before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed},
            },
        )


def set_provider_active(provider_id: int, active: bool, *, actor: Actor) -> None:
    """Deactivate a provider (booking no longer offers them; their cases and history stay) or
    bring them back. Refused while cases are booked with them from today on."""
    with transaction() as session:
        require_admin(session, actor)
        provider = _provider(session, provider_id)

        def blocker() -> str | None:
            upcoming = session.scalar(
                select(func.count())
                .select_from(Case)
                .where(
                    Case.provider_id == provider.id,
                    Case.status.in_(rules.UPCOMING_CASE_STATUSES),
                    Case.scheduled_start >= now_utc() - dt.timedelta(hours=24),
                )
            )
            if not upcoming:
                return None
            return messages.PROVIDER_UPCOMING_CASES.format(name=provider.name, n=upcoming)

        _switch_active(
            session,
            provider,
            active,
            already=(messages.PROVIDER_ALREADY_ACTIVE, messages.PROVIDER_ALREADY_INACTIVE),
            blocker=blocker,
            actor=actor,
            office_id=provider.office_id,
            detail={"name": provider.name},
        )
        if not active:
            _disable_sign_ins_of(session, provider, actor)


def _disable_sign_ins_of(session: Session, provider: Provider, actor: Actor) -> None:
    """A provider who leaves the practice can no longer sign in: their sign-ins are disabled
    (open sessions end) with the deactivation, each audited. Reactivating the provider does not
    bring a sign-in back; an admin enables it knowingly."""
    users = session.scalars(
        select(StaffUser)
        .where(StaffUser.provider_id == provider.id, StaffUser.active)
        .with_for_update()
    ).all()
    for user in users:
        user.active = False
        ended = end_open_sessions(session, user, sessions.DISABLED, actor)
        audit(
            session,
            actor,
            "staff_user.disabled",
            "staff_user",
            user.id,
            detail={
                "username": user.username,
                "sessions_ended": ended,
                "because": f"provider {provider.name} deactivated",
            },
        )


# --- accounts ---------------------------------------------------------------------------------


def _user(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id, with_for_update=True)
    if user is None:
        raise RuleViolation("user", messages.USER_NOT_FOUND)
    return user


def _offices_by_code(
    session: Session, office_codes: Iterable[str], keep: Iterable[Office] = ()
) -> list[Office]:
    """The offices with these codes; an unknown code is refused, and so is a deactivated office
    the user does not already have (`keep`)."""
    codes = sorted({c.strip().upper() for c in office_codes if c and c.strip()})
    # A code that cannot exist is unknown without asking the database (it may hold NUL).
    malformed = [c for c in codes if not OFFICE_CODE_RE.fullmatch(c)]
    if malformed:
        raise RuleViolation("offices", messages.OFFICE_UNKNOWN.format(code=malformed[0]))
    offices = list(session.scalars(select(Office).where(Office.code.in_(codes))))
    missing = set(codes) - {o.code for o in offices}
    if missing:
        raise RuleViolation("offices", messages.OFFICE_UNKNOWN.format(code=sorted(missing)[0]))
    kept = {o.id for o in keep}
    inactive = sorted(o.code for o in offices if not o.active and o.id not in kept)
    if inactive:
        raise RuleViolation("offices", messages.OFFICE_INACTIVE.format(code=inactive[0]))
    return sorted(offices, key=lambda o: o.code)


def _email_taken(session: Session, email: str, user_id: int | None) -> bool:
    query = select(StaffUser.id).where(func.lower(StaffUser.email) == email)
    if user_id is not None:
        query = query.where(StaffUser.id != user_id)
    return session.scalar(query) is not None


def create_user(
    username: str,
    display_name: str,
    password: str,
    role: Role | None,
    office_codes: list[str],
    *,
    actor: Actor,
    email: str | None = None,
    repeat: str | None = None,
    provider_id: int | None = None,
) -> int:
    """Add a staff account with an argon2 hash; everyone but an admin needs at least one office.
    `repeat` (the password typed again) is checked when given; `email` is for single sign-on.
    A provider's sign-in (role provider) names their provider row (`provider_id`, one sign-in
    per provider) and works at the provider's office (and any office given)."""
    username = check_username(username)
    display = rules.check_display_name(display_name, username)
    role = rules.check_role(role)
    rules.check_provider_link(role, provider_id)
    rules.check_new_password(password, repeat)
    email_ = rules.normalize_email(email)
    codes = [c for c in office_codes if c and c.strip()]
    if role != Role.PROVIDER:
        rules.check_offices_for_role(role, len(codes))
    with transaction() as session:
        require_admin(session, actor)
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
            raise RuleViolation("username", messages.USERNAME_TAKEN)
        if provider_id is not None:
            codes.append(_office_of_new_provider_sign_in(session, provider_id))
        offices = _offices_by_code(session, codes)
        if email_ is not None and _email_taken(session, email_, None):
            raise RuleViolation("email", messages.EMAIL_TAKEN)
        user = StaffUser(
            username=username,
            display_name=display,
            password_hash=hash_password(password),
            role=role,
            active=True,
            created_at=now_utc(),
            email=email_,
            offices=offices,
            provider_id=provider_id,
        )
        session.add(user)
        session.flush()
        audit(
            session,
            actor,
            "staff_user.created",
            "staff_user",
            user.id,
            detail={
                "username": username,
                "display_name": display,
                "role": role.value,
                "offices": [o.code for o in offices],
                "email": email_,
                **({"provider": provider_id} if provider_id is not None else {}),
            },
        )
        return user.id


def _office_of_new_provider_sign_in(session: Session, provider_id: int) -> str:
    """The office code of the active provider a new sign-in is for (row-locked); refused when
    they have a sign-in already."""
    provider = _provider(session, provider_id)
    if not provider.active:
        raise RuleViolation("provider", messages.PROVIDER_SIGN_IN_INACTIVE)
    taken = session.scalar(select(StaffUser.id).where(StaffUser.provider_id == provider.id))
    if taken is not None:
        raise RuleViolation(
            "provider", messages.PROVIDER_ALREADY_SIGNS_IN.format(name=provider.name)
        )
    return session.get(Office, provider.office_id).code


def update_user(
    user_id: int, *, display_name: str, role: Role | None, office_codes: list[str], actor: Actor
) -> None:
    """Change a user's name, role and offices. An admin cannot take away their own admin role."""
    with transaction() as session:
        require_admin(session, actor)
        user = _user(session, user_id)
        display = rules.check_display_name(display_name, user.username)
        role = rules.check_role(role)
        rules.check_role_change(user.role, role)
        if blocker := rules.self_lockout_blocker(actor.id, user.id, active=True, role=role):
            raise RuleViolation(*blocker)
        codes = [c for c in office_codes if c and c.strip()]
        rules.check_offices_for_role(role, len(codes))
        offices = _offices_by_code(session, codes, keep=user.offices)
        before = {
            "display_name": user.display_name,
            "role": user.role.value,
            "offices": [o.code for o in user.offices],
        }
        after = {
            "display_name": display,
            "role": role.value,
            "offices": [o.code for o in offices],
        }
        changed = sorted(k for k in after if after[k] != before[k])
        if not changed:
            raise RuleViolation("role", messages.NOTHING_CHANGED)
        user.display_name, user.role, user.offices = display, role, offices
        audit(
            session,
            actor,
            "staff_user.changed",
            "staff_user",
            user.id,
            detail={
                "username": user.username,
                "before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed},
            },
        )


def set_user_active(user_id: int, active: bool, *, actor: Actor) -> int:
    """Disable an account (every open session of it ends at once) or enable it again; returns
    how many sessions were ended. An admin cannot disable themself."""
    with transaction() as session:
        require_admin(session, actor)
        user = _user(session, user_id)
        if blocker := rules.self_lockout_blocker(actor.id, user.id, active=active, role=user.role):
            raise RuleViolation(*blocker)
        if user.active == active:
            raise RuleViolation(
                "active",
                messages.USER_ALREADY_ACTIVE if active else messages.USER_ALREADY_DISABLED,
            )
        user.active = active
        ended = 0 if active else end_open_sessions(session, user, sessions.DISABLED, actor)
        audit(
            session,
            actor,
            "staff_user.enabled" if active else "staff_user.disabled",
            "staff_user",
            user.id,
            detail={"username": user.username, "sessions_ended": ended},
        )
        return ended


def reset_password(user_id: int, password: str, repeat: str, *, actor: Actor) -> int:
    """Set a temporary password for a user who forgot theirs. Their open sessions end (whoever
    holds one may be the reason for the reset) and a sign-in lock on the username is lifted.
    Audited without the password; returns how many sessions were ended."""
    rules.check_new_password(password, repeat)
    with transaction() as session:
        require_admin(session, actor)
        user = _user(session, user_id)
        user.password_hash = hash_password(password)
        keep = actor.session_id if actor.id == user.id else None
        ended = end_open_sessions(
            session, user, rules.END_REASON_PASSWORD_RESET, actor, keep_session_id=keep
        )
        throttle = session.get(SignInThrottle, user.username, with_for_update=True)
        unlocked = throttle is not None
        if throttle is not None:
            session.delete(throttle)
        audit(
            session,
            actor,
            "staff_user.password_reset",
            "staff_user",
            user.id,
            detail={"username": user.username, "sessions_ended": ended, "unlocked": unlocked},
        )
        return ended


def set_email(user_id: int, email: str | None, *, actor: Actor) -> str | None:
    """Set (or, blank, clear) the address single sign-on vouches for; unique across accounts.
    Returns the address as stored."""
    email_ = rules.normalize_email(email)
    with transaction() as session:
        require_admin(session, actor)
        user = _user(session, user_id)
        if email_ == user.email:
            raise RuleViolation("email", messages.NOTHING_CHANGED)
        if email_ is not None and _email_taken(session, email_, user.id):
            raise RuleViolation("email", messages.EMAIL_TAKEN)
        before, user.email = user.email, email_
        audit(
            session,
            actor,
            "staff_user.email_changed" if email_ else "staff_user.email_cleared",
            "staff_user",
            user.id,
            detail={"username": user.username, "before": before, "after": email_},
        )
        return email_
