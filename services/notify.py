"""Escalations that reach someone (issue 11): the outbox the escalating write fills, and the
dispatcher that sends it through Apprise.

- `queue_round` adds an escalation's notifications (the case's provider by email, the office's
  on-call contact by its URLs) inside the caller's transaction: they exist if and only if the
  escalation does.
- `dispatch_due` sends what is due, outside any transaction: each notification is claimed by
  one atomic UPDATE (two app processes never send it twice), sent with Apprise, then recorded:
  sent, not configured, or failed and tried again later (mild.escalations.RETRY_DELAYS) until
  it has failed for good. It first queues a reminder round for every escalation still open past
  its tier's limit. It runs right after the nurse saves an escalating call, in a background
  thread of the app process (start_background, every MILD_NOTIFY_SECONDS) and from cron
  (manage.py notify).
- The Admin screen's settings (on-call contact and URLs per office) and its test message are
  services/notify_settings.py.

A message holds the case code, the tier and a link: never who the patient is. URLs hold
passwords and tokens: they are masked wherever they are shown and never audited; a failure is
recorded in our own words (which service did not accept), never with a URL.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass, field

import apprise
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import (
    Case,
    FollowUp,
    Notification,
    Office,
    OfficeNotification,
    Provider,
)
from db.queries.escalations import is_open_escalation
from db.queries.tiers import tier_limit_table
from db.session import read_session, transaction
from mild import messages
from mild.escalations import (
    SENDING_LEASE,
    Delivery,
    Message,
    NotifySettings,
    Recipient,
    Tier,
    escalation_link,
    escalation_message,
    next_attempt_after,
    notify_settings,
    renotify_round_due,
    short_error,
    tier_of_stored,
    with_recipient,
)
from services.common import audit, now_utc

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 20  # one Apprise call, every service in it
DISPATCHER = "notify"  # the audit trail's name for the dispatcher (no user acts)
DUE = (Delivery.PENDING, Delivery.SENDING)  # SENDING: only once its lease has run out


def settings() -> NotifySettings:
    """This process's notification settings (environment variables, mild.escalations)."""
    return notify_settings(os.environ)


# --- the outbox -------------------------------------------------------------------------------


def queue_round(
    session: Session, follow_up: FollowUp, case: Case, tier: Tier, round_: int, at: dt.datetime
) -> None:
    """Add one round of an escalation's notifications (provider and on-call) in the caller's
    transaction, due at once."""
    for recipient in Recipient:
        session.add(
            Notification(
                follow_up_id=follow_up.id,
                case_id=case.id,
                office_id=case.office_id,
                recipient=recipient,
                round=round_,
                tier=tier,
                status=Delivery.PENDING,
                attempts=0,
                next_attempt_at=at,
                created_at=at,
            )
        )


def cancel_pending(session: Session, follow_up_id: int) -> int:
    """The escalation was resolved: what has not gone yet will not go. Returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.follow_up_id == follow_up_id, Notification.status == Delivery.PENDING)
        .values(status=Delivery.CANCELLED, next_attempt_at=None)
    )
    return result.rowcount or 0


def _rounds_done(session: Session):
    """Each open escalation that has notifications: its tier, when raised, its last round."""
    return session.execute(
        select(
            FollowUp.id,
            FollowUp.escalation_tier,
            FollowUp.escalated_at,
            func.max(Notification.round),
        )
        .join(Notification, Notification.follow_up_id == FollowUp.id)
        .where(is_open_escalation())
        .group_by(FollowUp.id, FollowUp.escalation_tier, FollowUp.escalated_at)
    ).all()


def queue_reminders(now: dt.datetime) -> int:
    """Queue the next round for every open escalation past its tier's limit, once per round:
    found by a read, then the follow-up row locked and its rounds counted again under the lock
    (so a write transaction is opened only when a reminder is due). Escalations raised before
    notifications existed (no round 1) are left alone. Returns the rounds queued."""
    with read_session() as session:
        limits = tier_limit_table(session)
        due = [
            follow_up_id
            for follow_up_id, tier, escalated_at, done in _rounds_done(session)
            if renotify_round_due(escalated_at, limits[tier_of_stored(tier)], done, now)
        ]
    queued = 0
    for follow_up_id in due:
        with transaction() as session:
            follow_up = session.scalars(
                select(FollowUp).where(FollowUp.id == follow_up_id).with_for_update()
            ).one()
            done = session.scalar(
                select(func.max(Notification.round)).where(
                    Notification.follow_up_id == follow_up_id
                )
            )
            tier = tier_of_stored(follow_up.escalation_tier)
            round_ = renotify_round_due(
                follow_up.escalated_at, tier_limit_table(session)[tier], done or 0, now
            )
            if round_ is None or follow_up.escalation_resolved_at is not None:
                continue
            queue_round(session, follow_up, session.get(Case, follow_up.case_id), tier, round_, now)
            queued += 1
    return queued


# --- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A claimed notification with what sending it needs."""

    id: int
    follow_up_id: int
    case_id: int
    office_id: int
    office_code: str
    code: str
    recipient: Recipient
    round: int
    tier: Tier
    attempts: int
    limit_minutes: int
    provider_name: str | None
    provider_email: str | None
    on_call_name: str | None
    on_call_urls: tuple[str, ...]

    @property
    def recipient_name(self) -> str | None:
        return self.provider_name if self.recipient == Recipient.PROVIDER else self.on_call_name


@dataclass(frozen=True)
class Outcome:
    status: Delivery  # SENT, NOT_CONFIGURED, or FAILED (tried again while attempts are left)
    error: str | None = None


@dataclass
class DispatchReport:
    """What one dispatch did, by the outcome of each notification it handled."""

    queued_rounds: int = 0
    outcomes: list[tuple[Recipient, Delivery]] = field(default_factory=list)

    def count(self, status: Delivery) -> int:
        return sum(1 for _, s in self.outcomes if s == status)


def dispatch_due(
    now: dt.datetime | None = None, *, follow_up_id: int | None = None, limit: int = 50
) -> DispatchReport:
    """Send every notification due by `now` (of one escalation when `follow_up_id` is given),
    after queueing the reminders that are due. Never inside a transaction: each claim and each
    record is its own. Returns what happened."""
    now = now or now_utc()
    config = settings()  # a bad setting is refused before anything is claimed
    report = DispatchReport()
    if follow_up_id is None:
        report.queued_rounds = queue_reminders(now)
    for notification_id in _due(now, follow_up_id, limit):
        job = _claim(notification_id, now)
        if job is None:
            continue  # another dispatcher has it
        try:
            outcome = deliver(job, config)
        except Exception as exc:  # recorded as a failed attempt, tried again on its schedule
            log.exception("notification %s could not be sent", job.id)
            outcome = Outcome(
                Delivery.FAILED, messages.NOTIFY_SEND_ERROR.format(kind=type(exc).__name__)
            )
        report.outcomes.append((job.recipient, _record(job, outcome, _clock(now))))
    return report


def _clock(now: dt.datetime) -> dt.datetime:
    """The time to stamp a claim or a result with: the clock as it reads now, not when the batch
    began (sends take seconds each; a lease counted from the batch's start could run out before
    it was taken). A `now` ahead of the clock (a dispatch asked for a later moment) is kept."""
    return max(now, now_utc())


def _due(now: dt.datetime, follow_up_id: int | None, limit: int) -> list[int]:
    query = select(Notification.id).where(
        Notification.status.in_(DUE), Notification.next_attempt_at <= now
    )
    if follow_up_id is not None:
        query = query.where(Notification.follow_up_id == follow_up_id)
    with read_session() as s:
        return list(
            s.scalars(query.order_by(Notification.next_attempt_at, Notification.id).limit(limit))
        )


def _claim(notification_id: int, now: dt.datetime) -> Job | None:
    """Take one due notification for this dispatcher: a single UPDATE whose condition only one
    of two racing dispatchers can meet. Its lease (SENDING_LEASE) lets another take it over if
    this process dies mid-send."""
    with transaction() as session:
        claimed = session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.status.in_(DUE),
                Notification.next_attempt_at <= now,
            )
            .values(
                status=Delivery.SENDING,
                attempts=Notification.attempts + 1,
                next_attempt_at=_clock(now) + SENDING_LEASE,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        row = session.get(Notification, notification_id)
        case = session.get(Case, row.case_id)
        office = session.get(Office, row.office_id)
        provider = session.get(Provider, case.provider_id) if case.provider_id else None
        setting = session.get(OfficeNotification, row.office_id)
        return Job(
            id=row.id,
            follow_up_id=row.follow_up_id,
            case_id=case.id,
            office_id=office.id,
            office_code=office.code,
            code=case.code,
            recipient=row.recipient,
            round=row.round,
            tier=row.tier,
            attempts=row.attempts,
            limit_minutes=tier_limit_table(session)[row.tier],
            provider_name=provider.name if provider else None,
            provider_email=provider.email if provider else None,
            on_call_name=setting.on_call_name if setting else None,
            on_call_urls=tuple(split_stored(setting.urls if setting else None)),
        )


def deliver(job: Job, config: NotifySettings) -> Outcome:
    """Send one notification with Apprise: the provider by email through the practice's SMTP
    server, the on-call contact through the office's URLs (and the configuration file's entries
    tagged with the office's code)."""
    link = escalation_link(config.base_url, job.recipient)
    message = escalation_message(
        job.code, job.tier, link, round_=job.round, limit_minutes=job.limit_minutes
    )
    if job.recipient == Recipient.PROVIDER:
        if job.provider_name is None:
            return Outcome(Delivery.NOT_CONFIGURED, messages.NOTIFY_NO_PROVIDER)
        if not job.provider_email:
            return Outcome(Delivery.NOT_CONFIGURED, messages.NOTIFY_NO_PROVIDER_EMAIL)
        if not config.smtp_url:
            return Outcome(Delivery.NOT_CONFIGURED, messages.NOTIFY_NO_SMTP)
        sent = send([with_recipient(config.smtp_url, job.provider_email)], message)
    else:
        sent = send(list(job.on_call_urls), message, tag=job.office_code, config=config.config_path)
        if not sent.services:
            return Outcome(Delivery.NOT_CONFIGURED, messages.NOTIFY_NO_ON_CALL_URLS)
    return Outcome(Delivery.SENT) if sent.error is None else Outcome(Delivery.FAILED, sent.error)


@dataclass(frozen=True)
class Sent:
    """How one Apprise call went: how many services it reached for, and the reason it failed in
    our words (None: every service accepted the message)."""

    services: int
    error: str | None


def send(
    urls: list[str], message: Message, *, tag: str | None = None, config: str | None = None
) -> Sent:
    """Send one message to every URL (and, with `tag`, the entries of the Apprise configuration
    file `config` carrying that tag)."""
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url, tag=tag):
            return Sent(len(urls), messages.NOTIFY_URL_UNUSABLE)
    if config and tag:
        loaded = apprise.AppriseConfig()
        if loaded.add(config):
            notifier.add(loaded)
    try:
        result = notifier.notify(
            body=message.body,
            title=message.title,
            tag=tag or apprise.common.MATCH_ALL_TAG,
            timeout=SEND_TIMEOUT_SECONDS,
        )
    except Exception as exc:  # a plugin's own failure: recorded in our words, logged in full
        log.warning("notification failed: %s", type(exc).__name__, exc_info=exc)
        return Sent(len(urls), messages.NOTIFY_SEND_ERROR.format(kind=type(exc).__name__))
    if result.status == apprise.AppriseResultStatus.NOMATCH or not len(result):
        return Sent(0, None)
    if result:
        return Sent(len(result), None)
    refused = dict.fromkeys(r.name for r in result.results if not r)
    return Sent(
        len(result), short_error(messages.NOTIFY_NOT_DELIVERED.format(services=", ".join(refused)))
    )


def _record(job: Job, outcome: Outcome, now: dt.datetime) -> Delivery:
    """Write down how a claimed notification went, in its own transaction; a failure is tried
    again after its delay while attempts are left (and the escalation is still open). The final
    outcomes are audited (who was told, or why nobody was), never with a URL."""
    with transaction() as session:
        row = session.get(Notification, job.id, with_for_update=True)
        # The claim is ours while it is sending at our attempt: a dispatcher that took it over
        # after the lease ran out counted another attempt, and its result is the one kept.
        if row is None or row.status != Delivery.SENDING or row.attempts != job.attempts:
            return row.status if row else outcome.status
        row.recipient_name = job.recipient_name
        row.last_error = short_error(outcome.error) if outcome.error else None
        status = outcome.status
        retry_at = None
        if status == Delivery.FAILED:
            retry_at = next_attempt_after(row.attempts, now)
            still_open = session.scalar(
                select(FollowUp.id).where(FollowUp.id == job.follow_up_id, is_open_escalation())
            )
            if retry_at is not None:
                status = Delivery.PENDING if still_open else Delivery.CANCELLED
        row.status = status
        row.next_attempt_at = retry_at if status == Delivery.PENDING else None
        if status == Delivery.SENT:
            row.sent_at = now
        if status != Delivery.PENDING:
            audit(
                session,
                None,
                f"notification.{status.value}",
                "case",
                job.case_id,
                office_id=job.office_id,
                actor_name=DISPATCHER,
                detail={
                    "follow_up": job.follow_up_id,
                    "recipient": job.recipient.value,
                    "name": job.recipient_name,
                    "round": job.round,
                    "tier": job.tier.value,
                    "attempts": row.attempts,
                    "error": row.last_error,
                },
                at=now,
            )
        return status


# --- the dispatcher of the app process ----------------------------------------------------------

_started = threading.Event()
_start_lock = threading.Lock()


def start_background(interval_seconds: int | None = None) -> bool:
    """Start this process's dispatcher thread (once per process; MILD_NOTIFY_SECONDS, 0: not
    at all). Returns whether it was started by this call."""
    interval = settings().interval_seconds if interval_seconds is None else interval_seconds
    if interval <= 0:
        return False
    with _start_lock:
        if _started.is_set():
            return False
        _started.set()
    thread = threading.Thread(
        target=_run_forever, args=(interval,), name="mild-notify", daemon=True
    )
    thread.start()
    return True


def _run_forever(interval: int, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            dispatch_due()
        except Exception:  # the database away, a bad setting: said in the log, tried again
            log.exception("notification dispatch failed")
        stop.wait(interval)


def split_stored(urls: str | None) -> list[str]:
    return [u for u in (urls or "").splitlines() if u.strip()]
