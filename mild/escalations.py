"""Escalations that reach someone: the severity tier of each red flag, the time limit of each
tier, who is told, what the message says, and when a notification is tried again.

Tiers and limits are practice policy (db tables `escalation_tier` and `red_flag_tier`, seeded
with the defaults below by migration 0012, changed on the Admin screen). DOMAIN.md: every red
flag escalates to the provider at once; issue 11 sorts them into "go to the emergency
department now" (a spinal hematoma or cauda equina compression develops over minutes to hours,
so the patient is sent now) and "provider today".

A message never carries who the patient is: the case code, the tier and a link, nothing else.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from mild import messages
from mild.errors import RuleViolation
from mild.followup import RedFlag
from mild.staff import Role
from mild.text import check_source, check_storable

PRACTICE = "practice policy (no published number)"
ISSUE_11 = "Practice policy (issue 11); DOMAIN.md: red flags escalate to the provider at once"


class Tier(enum.StrEnum):
    """How soon a red flag needs a clinician, most urgent first."""

    EMERGENCY = "emergency"
    PROVIDER_TODAY = "provider_today"

    @property
    def label(self) -> str:
        return TIER_LABELS[self]

    @property
    def rank(self) -> int:
        """0 for the most urgent: screens order escalations by it."""
        return list(Tier).index(self)


TIER_LABELS: dict[Tier, str] = {
    Tier.EMERGENCY: "Go to the emergency department now",
    Tier.PROVIDER_TODAY: "Provider today",
}


def tier_of_stored(value: str | None) -> Tier:
    """The tier stored on an escalation; one this version does not know (or none, from before
    tiers existed) counts as the most urgent: never quieter than it may be."""
    try:
        return Tier(value)
    except ValueError:
        return Tier.EMERGENCY


@dataclass(frozen=True)
class TierLimit:
    """A tier's time limit: an escalation still open this long after it was raised notifies
    again and shows red. Policy."""

    tier: Tier
    limit_minutes: int
    source: str


@dataclass(frozen=True)
class FlagTier:
    """Which tier a red flag escalates at. Policy."""

    flag: RedFlag
    tier: Tier
    source: str


DEFAULT_TIER_LIMITS: tuple[TierLimit, ...] = (
    TierLimit(Tier.EMERGENCY, 15, PRACTICE),
    TierLimit(Tier.PROVIDER_TODAY, 120, PRACTICE),
)
DEFAULT_FLAG_TIERS: tuple[FlagTier, ...] = (
    FlagTier(RedFlag.FEVER, Tier.PROVIDER_TODAY, ISSUE_11),
    FlagTier(RedFlag.WOUND, Tier.PROVIDER_TODAY, ISSUE_11),
    FlagTier(RedFlag.WEAKNESS_NUMBNESS, Tier.EMERGENCY, ISSUE_11),
    FlagTier(RedFlag.SADDLE_NUMBNESS, Tier.EMERGENCY, ISSUE_11),
    FlagTier(RedFlag.BOWEL_BLADDER, Tier.EMERGENCY, ISSUE_11),
    FlagTier(RedFlag.POSITIONAL_HEADACHE, Tier.PROVIDER_TODAY, ISSUE_11),
    FlagTier(RedFlag.UNCONTROLLED_PAIN, Tier.PROVIDER_TODAY, ISSUE_11),
    FlagTier(RedFlag.CHEST_PAIN_BREATHING, Tier.EMERGENCY, ISSUE_11),
)
DEFAULT_FLAG_TIER_TABLE: dict[RedFlag, Tier] = {f.flag: f.tier for f in DEFAULT_FLAG_TIERS}
DEFAULT_LIMIT_TABLE: dict[Tier, int] = {t.tier: t.limit_minutes for t in DEFAULT_TIER_LIMITS}


def tier_of_flag(flag: RedFlag, mapping: Mapping[RedFlag, Tier]) -> Tier:
    """A red flag's tier in the practice's mapping; a flag the mapping lacks is an emergency."""
    return mapping.get(flag, Tier.EMERGENCY)


def escalation_tier(flags: Iterable[RedFlag], mapping: Mapping[RedFlag, Tier]) -> Tier | None:
    """The most urgent tier among the flags (None when there is no flag: nothing escalates)."""
    tiers = [tier_of_flag(f, mapping) for f in flags]
    return min(tiers, key=lambda t: t.rank) if tiers else None


def past_limit(escalated_at: dt.datetime, limit_minutes: int, now: dt.datetime) -> bool:
    """Still open past its tier's limit: it shows red and notifies again."""
    return now >= escalated_at + dt.timedelta(minutes=limit_minutes)


def check_provider_scope(role: Role, own_provider_id: int | None, case_provider_id: int | None):
    """A provider's sign-in acts on the escalations of their own cases only (staff act on
    those of their offices, checked with the case)."""
    if role == Role.PROVIDER and (own_provider_id is None or own_provider_id != case_provider_id):
        raise RuleViolation("follow_up", messages.ESCALATION_NOT_YOURS)


# --- who is told, and how often ---------------------------------------------------------------


class Recipient(enum.StrEnum):
    PROVIDER = "provider"  # the case's provider, by email
    ON_CALL = "on_call"  # the office's on-call contact, by the office's notification URLs

    @property
    def label(self) -> str:
        return {"provider": "Provider", "on_call": "On-call"}[self.value]


class Delivery(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by one dispatcher; back to the queue if its lease runs out
    SENT = "sent"
    FAILED = "failed"  # every attempt failed
    NOT_CONFIGURED = "not_configured"  # nowhere to send it (no URL, no email, no SMTP)
    CANCELLED = "cancelled"  # the escalation was resolved before it went

    @property
    def label(self) -> str:
        return DELIVERY_LABELS[self]


DELIVERY_LABELS: dict[Delivery, str] = {
    Delivery.PENDING: "waiting to send",
    Delivery.SENDING: "sending",
    Delivery.SENT: "sent",
    Delivery.FAILED: "failed",
    Delivery.NOT_CONFIGURED: "not configured",
    Delivery.CANCELLED: "not sent (resolved first)",
}

# After a failed attempt, the next one waits this long; after the last, the notification has
# failed. Four tries in about 21 minutes: long enough to ride out a mail server restart, short
# enough that the re-notify round of an emergency (15 minutes) finds it reported.
RETRY_DELAYS: tuple[dt.timedelta, ...] = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claimed notification whose dispatcher died mid-send goes back to the queue after this.
SENDING_LEASE = dt.timedelta(minutes=2)
# Rounds of notifications at most: the first, then up to two reminders while it stays open.
MAX_ROUNDS = 3


def next_attempt_after(attempts: int, failed_at: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` failed attempts; None when that was the last."""
    if attempts < 1:
        raise ValueError("attempts counts the attempts made, from 1")
    if attempts >= MAX_ATTEMPTS:
        return None
    return failed_at + RETRY_DELAYS[attempts - 1]


def renotify_round_due(
    escalated_at: dt.datetime, limit_minutes: int, rounds: int, now: dt.datetime
) -> int | None:
    """The round to notify now for an escalation still open: round n + 1 is due once it has been
    open n limits (round 1 is the escalation itself). None when nothing is due, or every round
    has gone (MAX_ROUNDS)."""
    if rounds < 1 or rounds >= MAX_ROUNDS:
        return None
    due_at = escalated_at + dt.timedelta(minutes=limit_minutes * rounds)
    return rounds + 1 if now >= due_at else None


@dataclass(frozen=True)
class NotificationState:
    """One notification of an escalation as the screens read it."""

    recipient: Recipient
    round: int
    status: Delivery
    attempts: int
    name: str | None = None  # the provider's or the on-call contact's name, once known
    next_attempt_at: dt.datetime | None = None
    last_error: str | None = None
    sent_at: dt.datetime | None = None


def latest_rounds(states: Iterable[NotificationState]) -> list[NotificationState]:
    """Each recipient's latest round (the one that says where things stand), provider first."""
    latest: dict[Recipient, NotificationState] = {}
    for state in states:
        if state.recipient not in latest or state.round > latest[state.recipient].round:
            latest[state.recipient] = state
    return [latest[r] for r in Recipient if r in latest]


def notification_summary(states: Iterable[NotificationState]) -> str:
    """A short line for a table cell: "Provider: sent · On-call: not configured"."""
    return " · ".join(f"{s.recipient.label}: {s.status.label}" for s in latest_rounds(states))


# --- the message ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def escalation_message(
    code: str, tier: Tier, link: str, *, round_: int = 1, limit_minutes: int | None = None
) -> Message:
    """The words sent: the case code, the tier and a link, never a name, MRN, date of birth,
    phone or the red flags themselves (they travel over services outside the practice)."""
    if round_ > 1:
        title = messages.NOTIFY_REMINDER_TITLE.format(code=code, tier=tier.label)
        still = messages.NOTIFY_STILL_OPEN.format(minutes=(limit_minutes or 0) * (round_ - 1))
    else:
        title = messages.NOTIFY_TITLE.format(code=code, tier=tier.label)
        still = ""
    body = messages.NOTIFY_BODY.format(code=code, tier=tier.label, still=still, link=link)
    return Message(title, body)


def test_message(office_code: str) -> Message:
    """The Admin screen's test: no patient, no case."""
    return Message(messages.NOTIFY_TEST_TITLE, messages.NOTIFY_TEST_BODY.format(office=office_code))


def escalation_link(base_url: str, recipient: Recipient) -> str:
    """Where the message points: the provider's Escalations screen, or the follow-up screen
    whose escalations the office's staff resolve. The link names no case: it opens only after
    sign-in, and the screen lists the open escalations."""
    path = "escalations" if recipient == Recipient.PROVIDER else "follow-up"
    return f"{base_url.rstrip('/')}/{path}"


# --- what an admin may set -------------------------------------------------------------------

LIMIT_MIN_MINUTES, LIMIT_MAX_MINUTES = 5, 24 * 60
MAX_URLS = 10
URL_LENGTH = 1000
ON_CALL_NAME_LENGTH = 120


def check_tier_limit(key: object, limit_minutes: object, source: str | None) -> TierLimit:
    """A practice's edit of a tier's time limit: whole minutes from 5 to 24 h, with a source."""
    if key not in {t.value for t in Tier}:
        raise RuleViolation("key", messages.TIER_UNKNOWN)
    whole = isinstance(limit_minutes, int | float) and not isinstance(limit_minutes, bool)
    if (
        not whole
        or limit_minutes != int(limit_minutes)
        or not LIMIT_MIN_MINUTES <= limit_minutes <= LIMIT_MAX_MINUTES
    ):
        raise RuleViolation(
            "limit_minutes",
            messages.TIER_LIMIT_RANGE.format(low=LIMIT_MIN_MINUTES, high=LIMIT_MAX_MINUTES),
        )
    return TierLimit(Tier(str(key)), int(limit_minutes), check_source(source))


def check_flag_tier(flag: object, tier: object, source: str | None) -> FlagTier:
    """A practice's edit of the tier one red flag escalates at."""
    if flag not in {f.value for f in RedFlag}:
        raise RuleViolation("key", messages.RED_FLAG_UNKNOWN)
    if tier not in {t.value for t in Tier}:
        raise RuleViolation("tier", messages.TIER_REQUIRED)
    return FlagTier(RedFlag(str(flag)), Tier(str(tier)), check_source(source))


def check_on_call_name(name: str | None) -> str | None:
    """Who the office's on-call contact is, as staff read it ("Dr. Ames' pager", "RN line")."""
    text = " ".join((name or "").split())
    if len(text) > ON_CALL_NAME_LENGTH:
        raise RuleViolation(
            "on_call_name", messages.TEXT_TOO_LONG.format(limit=ON_CALL_NAME_LENGTH)
        )
    return check_storable("on_call_name", text) or None


def split_urls(text: str | None) -> list[str]:
    """Notification URLs as typed, one a line (blank lines and surrounding spaces dropped),
    refused past MAX_URLS or URL_LENGTH; whether each is a URL Apprise can use is checked by
    the service that holds Apprise."""
    urls = list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))
    if len(urls) > MAX_URLS:
        raise RuleViolation("urls", messages.NOTIFY_TOO_MANY_URLS.format(n=MAX_URLS))
    for url in urls:
        if len(url) > URL_LENGTH or any(c.isspace() for c in url):
            raise RuleViolation("urls", messages.NOTIFY_URL_MALFORMED.format(n=URL_LENGTH))
        check_storable("urls", url)
    return urls


def short_error(text: str, limit: int = 200) -> str:
    """A failure reason short enough for its column and a screen line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- where notifications go: the environment ---------------------------------------------------

SMTP_URL_ENV = "MILD_SMTP_URL"
CONFIG_ENV = "MILD_NOTIFY_CONFIG"
BASE_URL_ENV = "MILD_BASE_URL"
INTERVAL_ENV = "MILD_NOTIFY_SECONDS"
DEFAULT_BASE_URL = "http://localhost:8501"
DEFAULT_INTERVAL_SECONDS = 30
MAX_INTERVAL_SECONDS = 3600


@dataclass(frozen=True)
class NotifySettings:
    """The practice-wide notification settings of this process (environment variables):
    the SMTP server provider emails go through (an Apprise mailto:// or mailtos:// URL without
    a recipient), an Apprise configuration file (entries tagged with office codes reach the
    office's on-call contact), the address links point to, and how often the app's own
    dispatcher looks for due notifications (0: never; cron runs manage.py notify)."""

    smtp_url: str | None = None
    config_path: str | None = None
    base_url: str = DEFAULT_BASE_URL
    interval_seconds: int = DEFAULT_INTERVAL_SECONDS


def notify_settings(environ: Mapping[str, str]) -> NotifySettings:
    """The settings from environment variables; a bad value is refused naming the variable."""
    smtp = environ.get(SMTP_URL_ENV, "").strip() or None
    if smtp is not None and not smtp.lower().startswith(("mailto://", "mailtos://")):
        raise RuleViolation(SMTP_URL_ENV, messages.NOTIFY_SMTP_URL_FORMAT.format(name=SMTP_URL_ENV))
    base = environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    if not base.lower().startswith(("http://", "https://")) or any(c.isspace() for c in base):
        raise RuleViolation(BASE_URL_ENV, messages.NOTIFY_BASE_URL_FORMAT.format(name=BASE_URL_ENV))
    raw = environ.get(INTERVAL_ENV, "").strip()
    interval = DEFAULT_INTERVAL_SECONDS
    if raw:
        try:
            interval = int(raw)
        except ValueError:
            interval = -1
        if not 0 <= interval <= MAX_INTERVAL_SECONDS:
            raise RuleViolation(
                INTERVAL_ENV,
                messages.SETTING_RANGE.format(
                    name=INTERVAL_ENV, low=0, high=MAX_INTERVAL_SECONDS, value=raw
                ),
            )
    return NotifySettings(
        smtp_url=smtp,
        config_path=environ.get(CONFIG_ENV, "").strip() or None,
        base_url=base.rstrip("/"),
        interval_seconds=interval,
    )


def with_recipient(smtp_url: str, email: str) -> str:
    """The practice's SMTP URL addressed to one person (Apprise's `to=`)."""
    joiner = "&" if "?" in smtp_url else "?"
    return f"{smtp_url}{joiner}to={quote(email, safe='@')}"


def escalation_scope(
    role: Role, office_ids: Collection[int], provider_id: int | None
) -> tuple[list[int], int | None]:
    """Whose open escalations a sign-in resolves: (offices, provider). A provider's own cases
    only (a provider sign-in not linked to a provider sees none); anyone else their offices'."""
    if role != Role.PROVIDER:
        return list(office_ids), None
    return (list(office_ids) if provider_id is not None else []), provider_id


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,15}")


def masked_url(url: str, service: str | None = None) -> str:
    """A notification URL as a screen or the audit trail may show it: the service, the scheme
    and a fingerprint that tells two URLs apart, nothing of the user, host, path or query
    (services keep passwords, tokens and webhook secrets in any of them)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    shown = f"{scheme}://…" if _SCHEME.fullmatch(scheme) else "…"
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{service + ' ' if service else ''}{shown} #{digest}"
