"""The Admin screen's side of escalation notifications (services.notify sends them): each
office's on-call contact and notification URLs, masked wherever shown and never audited in
full, and a test message with no patient in it to the URLs typed or saved."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import apprise
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Office, OfficeNotification, StaffUser
from db.session import read_session, transaction
from mild import messages
from mild.errors import RuleViolation
from mild.escalations import check_on_call_name, masked_url, split_urls, test_message
from services.admin import require_admin
from services.common import Actor, audit, now_utc
from services.notify import send, settings, split_stored


def mask(url: str) -> str:
    """A URL as a screen or the audit trail may show it (mild.escalations.masked_url), with
    the name of the service Apprise reads it as."""
    parsed = apprise.Apprise.instantiate(url)
    return masked_url(url, getattr(parsed, "service_name", None) if parsed else None)


def check_urls(text: str | None) -> list[str]:
    """Typed URLs, one a line, each one Apprise can use; refused naming the line otherwise."""
    urls = split_urls(text)
    for n, url in enumerate(urls, 1):
        if apprise.Apprise.instantiate(url) is None:
            raise RuleViolation("urls", messages.NOTIFY_URL_UNKNOWN.format(line=n))
    return urls


def _settings_values(row: OfficeNotification | None) -> dict:
    urls = split_stored(row.urls if row else None)
    return {"on_call_name": row.on_call_name if row else None, "urls": [mask(u) for u in urls]}


def _office_for_admin(session: Session, office_id: int, actor: Actor) -> Office:
    require_admin(session, actor)
    office = session.get(Office, office_id)
    if office is None:
        raise RuleViolation("office", messages.OFFICE_NOT_FOUND)
    return office


def save_office_notifications(
    office_id: int,
    on_call_name: str | None,
    urls: str | None,
    *,
    remove_urls: bool = False,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Set an office's on-call contact and, when `urls` holds any, replace its notification
    URLs (`remove_urls`: remove them all). Audited with the URLs masked. Returns the time of
    this change (what the next save expects)."""
    name = check_on_call_name(on_call_name)
    typed = check_urls(urls)
    with transaction() as session:
        office = _office_for_admin(session, office_id, actor)
        row = session.get(OfficeNotification, office_id, with_for_update=True)
        # The change the screen was opened on (None: it showed no settings yet); someone
        # else's save since, a first one included, is refused rather than overwritten.
        if (row.updated_at if row is not None else None) != expected_updated_at:
            raise RuleViolation("urls", messages.NOTIFY_SETTINGS_CHANGED_BY_SOMEONE_ELSE)
        before = _settings_values(row)
        at = now_utc()
        if row is None:
            row = OfficeNotification(office_id=office_id, updated_at=at)
            session.add(row)
        row.on_call_name = name
        if remove_urls:
            row.urls = None
        elif typed:
            row.urls = "\n".join(typed)
        after = _settings_values(row)
        if after == before:
            raise RuleViolation("urls", messages.NOTHING_CHANGED)
        row.updated_at, row.updated_by_id = at, actor.id
        audit(
            session,
            actor,
            "office_notification.changed",
            "office",
            office.id,
            office_id=office.id,
            detail={"office": office.code, "before": before, "after": after},
            at=at,
        )
        return at


def send_test(office_id: int, urls: str | None, *, actor: Actor) -> int:
    """Send the test message (no patient, no case) to the URLs typed, or else the office's
    saved ones (and the configuration file's entries for the office). Audited with the result;
    a failure is refused with the reason beside the URLs. Returns how many services got it."""
    typed = check_urls(urls)
    with transaction() as session:
        code = _office_for_admin(session, office_id, actor).code
        saved = session.get(OfficeNotification, office_id)
        targets = typed or split_stored(saved.urls if saved else None)
    sent = send(targets, test_message(code), tag=code, config=settings().config_path)
    with transaction() as session:
        audit(
            session,
            actor,
            "office_notification.tested",
            "office",
            office_id,
            office_id=office_id,
            detail={
                "office": code,
                "typed": bool(typed),
                "urls": [mask(u) for u in targets],
                "services": sent.services,
                "error": sent.error,
            },
        )
    if not sent.services:
        raise RuleViolation("urls", messages.NOTIFY_NOTHING_TO_TEST)
    if sent.error is not None:
        raise RuleViolation("urls", messages.NOTIFY_TEST_FAILED.format(reason=sent.error))
    return sent.services


@dataclass(frozen=True)
class OfficeSettingsView:
    """An office's notification settings as the Admin screen shows them: URLs masked."""

    office_id: int
    code: str
    name: str
    active: bool
    on_call_name: str | None
    urls: tuple[str, ...]  # masked
    updated_at: dt.datetime | None
    updated_by: str | None


def office_settings() -> list[OfficeSettingsView]:
    """Every office with its on-call contact and masked URLs, by code (a read: no audit)."""
    with read_session() as s:
        rows = s.execute(
            select(Office, OfficeNotification, StaffUser.username)
            .outerjoin(OfficeNotification, OfficeNotification.office_id == Office.id)
            .outerjoin(StaffUser, StaffUser.id == OfficeNotification.updated_by_id)
            .order_by(Office.code)
        ).all()
        return [
            OfficeSettingsView(
                office_id=office.id,
                code=office.code,
                name=office.name,
                active=office.active,
                on_call_name=setting.on_call_name if setting else None,
                urls=tuple(mask(u) for u in split_stored(setting.urls if setting else None)),
                updated_at=setting.updated_at if setting else None,
                updated_by=username,
            )
            for office, setting, username in rows
        ]


@dataclass(frozen=True)
class PracticeView:
    """The practice-wide settings (environment) as the Admin screen shows them."""

    smtp: str | None  # masked
    config_path: str | None
    config_readable: bool
    base_url: str


def practice_view() -> PracticeView:
    config = settings()
    path = config.config_path
    readable = bool(path) and os.path.isfile(path) and os.access(path, os.R_OK)
    return PracticeView(
        smtp=mask(config.smtp_url) if config.smtp_url else None,
        config_path=config.config_path,
        config_readable=bool(readable),
        base_url=config.base_url,
    )
