"""Rules of the admin screen: offices, accounts, sessions and the medication hold table.

Pure functions on plain values; services/staff.py and services/admin.py ask them before writing.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.hold_rules import from_hours
from mild.intake import check_drug_name, check_phone, check_text
from mild.medications import ANTITHROMBOTIC, HoldRule, MedClass, normalize_drug
from mild.staff import Role, check_password
from mild.text import check_storable

# --- who may administer -----------------------------------------------------------------------


def check_admin(role: Role, *, active: bool = True) -> None:
    """Only an active admin may change offices, accounts, sessions or the hold table."""
    if role != Role.ADMIN or not active:
        raise RuleViolation("role", messages.ADMIN_ONLY)


# --- offices ----------------------------------------------------------------------------------

OFFICE_CODE_RE = re.compile(r"^[A-Z0-9]{2,12}$")
OFFICE_NAME_MAX = 120
PROVIDER_NAME_MAX = 120  # provider.name
# A provider's cases still to be done (booked, or on the day): they keep the provider active.
UPCOMING_CASE_STATUSES = (
    CaseStatus.INTAKE,
    CaseStatus.SCHEDULED,
    CaseStatus.CHECKED_IN,
    CaseStatus.IN_PROCEDURE,
    CaseStatus.RECOVERY,
)
DEFAULT_TIMEZONE = "America/New_York"


def check_office_code(code: str) -> str:
    """An office code as stored: upper case, 2-12 letters or digits (shown on boards and case
    codes, so it never changes once made)."""
    value = (code or "").strip().upper()
    if not OFFICE_CODE_RE.fullmatch(value):
        raise RuleViolation("code", messages.OFFICE_CODE_FORMAT)
    return value


def _name(name: str, limit: int, required: str) -> str:
    """A name as stored: spacing collapsed, required, at most `limit` characters."""
    value = " ".join((name or "").split())
    if not value:
        raise RuleViolation("name", required)
    if len(value) > limit:
        raise RuleViolation("name", messages.TEXT_TOO_LONG.format(limit=limit))
    return check_storable("name", value)


def check_office_name(name: str) -> str:
    return _name(name, OFFICE_NAME_MAX, messages.OFFICE_NAME_REQUIRED)


def check_provider_name(name: str) -> str:
    """A physician's name as booked and printed ("Dr. Ana Ames"): 1-120 characters."""
    return _name(name, PROVIDER_NAME_MAX, messages.PROVIDER_NAME_REQUIRED)


def check_office_phone(phone: str | None) -> str | None:
    """The office's phone for patients, as stored (7-15 digits), or None when blank."""
    text = check_text(phone, "phone", 40)
    return None if text is None else check_phone(text, "phone")


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_names() -> tuple[str, ...]:
    """The IANA time zone names to pick from ("Area/City", and UTC), sorted."""
    return tuple(sorted(n for n in _known_timezones() if "/" in n or n == "UTC"))


def check_timezone(name: str) -> str:
    """An IANA time zone name such as America/Chicago; anything else is refused."""
    value = (name or "").strip()
    try:
        if value not in _known_timezones():
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RuleViolation("timezone", messages.TIMEZONE_UNKNOWN.format(tz=value)) from None
    return value


def office_deactivation_blocker(code: str, open_cases: int) -> str | None:
    """Why an office cannot be deactivated yet: a deactivated office leaves every screen, so a
    case still open there (requested, booked, on the day or in follow-up) would drop off every
    worklist. Its closed and cancelled cases, staff links and audit trail are kept."""
    if open_cases:
        return messages.OFFICE_HAS_OPEN_CASES.format(code=code, n=open_cases)
    return None


# --- accounts ---------------------------------------------------------------------------------

DISPLAY_NAME_MAX = 120
EMAIL_MAX = 254
# Deliberately plain: one @, no spaces, a dot in the domain. The identity provider vouches for
# the address; this only catches typing mistakes.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def check_display_name(name: str, username: str) -> str:
    """The name shown in the app; blank means the username."""
    value = " ".join((name or "").split())
    if len(value) > DISPLAY_NAME_MAX:
        raise RuleViolation("display_name", messages.TEXT_TOO_LONG.format(limit=DISPLAY_NAME_MAX))
    return check_storable("display_name", value) or username


def check_new_password(password: str, repeat: str | None = None) -> str:
    """A temporary password set by an admin: the ordinary password rules, typed the same twice."""
    check_password(password or "")
    check_storable("password", password)  # a lone surrogate cannot even be hashed
    if repeat is not None and password != repeat:
        raise RuleViolation("repeat", messages.PASSWORDS_DIFFER)
    return password


def normalize_email(email: str | None) -> str | None:
    """An email address as stored (lower case: a single sign-on address, a provider's
    contact), or None when blank."""
    value = (email or "").strip().lower()
    if not value:
        return None
    if len(value) > EMAIL_MAX or not EMAIL_RE.fullmatch(value):
        raise RuleViolation("email", messages.EMAIL_FORMAT)
    return check_storable("email", value)


def check_role(role: Role | None) -> Role:
    if role is None:
        raise RuleViolation("role", messages.ROLE_REQUIRED)
    return Role(role)


def check_offices_for_role(role: Role, office_count: int) -> None:
    """Everyone but an admin works at one office at least (admins see every office)."""
    if role != Role.ADMIN and office_count == 0:
        raise RuleViolation("offices", messages.OFFICES_REQUIRED)


def check_provider_link(role: Role, provider_id: int | None) -> None:
    """A provider's sign-in is linked to their provider row; no other account is."""
    if role == Role.PROVIDER and provider_id is None:
        raise RuleViolation("provider", messages.PROVIDER_SIGN_IN_NEEDS_PROVIDER)
    if role != Role.PROVIDER and provider_id is not None:
        raise RuleViolation("provider", messages.PROVIDER_ONLY_FOR_PROVIDER_ROLE)


def check_role_change(before: Role, after: Role) -> None:
    """A provider sign-in stays one (its link to the provider is what it is for), and no other
    account becomes one: disable it and add the account needed."""
    if (before == Role.PROVIDER) != (after == Role.PROVIDER):
        raise RuleViolation("role", messages.PROVIDER_ROLE_FIXED)


def self_lockout_blocker(
    actor_id: int | None, user_id: int, *, active: bool, role: Role
) -> tuple[str, str] | None:
    """(field, message) when an admin's change to their own account would lock them out:
    disabling themself, or taking away their own admin role."""
    if actor_id is None or actor_id != user_id:
        return None
    if not active:
        return "active", messages.CANNOT_DISABLE_SELF
    if role != Role.ADMIN:
        return "role", messages.CANNOT_DEMOTE_SELF
    return None


# --- sessions ---------------------------------------------------------------------------------

END_REASON_ADMIN = "ended by admin"
END_REASON_DISABLED = "account disabled"
END_REASON_PASSWORD_RESET = "password reset"


def session_end_blocker(session_id: int, own_session_id: int | None) -> str | None:
    """An admin ends their own browser's session with Sign out, not from the list."""
    if own_session_id is not None and session_id == own_session_id:
        return messages.SESSION_IS_YOURS
    return None


# --- the medication hold table ----------------------------------------------------------------

HOLD_DRUG_MAX = 80  # hold_rule.drug
HOLD_HOURS_MAX = 720  # 30 days, the longest stop or restart a row may give
INSTRUCTION_MAX = 300
SOURCE_MAX = 500
CONFIRMER_MAX = 120
# The classes whose stop the prescriber must always agree to. Aspirin is left to the practice:
# for primary prevention the stop needs no clearance, for secondary prevention it does.
ALWAYS_CLEARED: frozenset[MedClass] = ANTITHROMBOTIC - {MedClass.ASPIRIN}
# A table entry knows its class; "unknown" is what intake says for a drug not in the table.
TABLE_CLASSES: tuple[MedClass, ...] = tuple(c for c in MedClass if c != MedClass.UNKNOWN)


def check_hold_drug(name: str, field: str = "drug") -> str:
    """A drug name as the hold table keys it: the characters intake accepts, lower case, single
    spaces (what intake looks up), at most 80 characters."""
    try:
        value = normalize_drug(check_drug_name(name))
    except RuleViolation as refused:
        raise RuleViolation(field, refused.message) from None
    if len(value) > HOLD_DRUG_MAX:
        raise RuleViolation(field, messages.TEXT_TOO_LONG.format(limit=HOLD_DRUG_MAX))
    return value


def _check_hours(value: float | None, field: str, message: str) -> int | None:
    if value is None:
        return None
    whole = isinstance(value, int | float) and not isinstance(value, bool)
    # The range first: int() of NaN or infinity would raise rather than refuse.
    if not whole or not 0 <= value <= HOLD_HOURS_MAX or value != int(value):
        raise RuleViolation(field, message.format(max=HOLD_HOURS_MAX))
    return int(value)


def check_brands(brands: str) -> tuple[str, ...]:
    """Brand names typed "Eliquis; Xarelto": each a valid drug name, kept as typed."""
    names = [" ".join(b.split()) for b in (brands or "").split(";") if b.strip()]
    for name in names:
        try:
            check_drug_name(name)
        except RuleViolation:
            raise RuleViolation("brands", messages.HOLD_BRANDS_FORMAT) from None
    if len("; ".join(names)) > INSTRUCTION_MAX:
        raise RuleViolation("brands", messages.TEXT_TOO_LONG.format(limit=INSTRUCTION_MAX))
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class HoldRuleInput:
    """One row of the hold table as an admin typed it (hours as numbers, brands "a; b")."""

    drug: str
    generic: str
    brands: str
    med_class: MedClass | None
    stop_before_hours: float | None
    skip_on_day: bool
    restart_after_hours: float | None
    needs_clearance: bool
    instruction: str = ""
    source: str = ""


def check_hold_rule(typed: HoldRuleInput) -> HoldRule:
    """The row as stored once its parts agree with each other: a class from the table, hours
    0-720 or empty, no stop for a drug with no relevance, the prescriber's clearance for every
    anticoagulant and antiplatelet but aspirin, and a named source."""
    drug = check_hold_drug(typed.drug)
    generic = check_hold_drug(typed.generic or drug, "generic")
    if typed.med_class is None or typed.med_class not in TABLE_CLASSES:
        raise RuleViolation("med_class", messages.HOLD_CLASS_REQUIRED)
    stop = _check_hours(typed.stop_before_hours, "stop_before_hours", messages.HOLD_STOP_RANGE)
    restart = _check_hours(
        typed.restart_after_hours, "restart_after_hours", messages.HOLD_RESTART_RANGE
    )
    if typed.med_class == MedClass.OTHER and (stop is not None or typed.skip_on_day):
        raise RuleViolation("stop_before_hours", messages.HOLD_NO_RELEVANCE_HAS_NO_STOP)
    if typed.med_class in ALWAYS_CLEARED and not typed.needs_clearance:
        raise RuleViolation("needs_clearance", messages.HOLD_CLEARANCE_REQUIRED)
    source = check_text(typed.source, "source", SOURCE_MAX)
    if source is None:
        raise RuleViolation("source", messages.HOLD_SOURCE_REQUIRED)
    return HoldRule(
        drug=drug,
        generic=generic,
        med_class=typed.med_class,
        stop_before=from_hours(stop),
        restart_after=from_hours(restart),
        needs_clearance=bool(typed.needs_clearance),
        brands=check_brands(typed.brands),
        instruction=check_text(typed.instruction, "instruction", INSTRUCTION_MAX) or "",
        source=source,
        skip_on_day=bool(typed.skip_on_day),
    )


def check_confirmer(name: str) -> str:
    """Who at the practice confirmed a row (a physician or pharmacist; need not be a user)."""
    value = check_text(name, "confirmed_by", CONFIRMER_MAX)
    if value is None:
        raise RuleViolation("confirmed_by", messages.HOLD_CONFIRMED_BY_REQUIRED)
    return value


# What uap-python (ua_parser) calls a browser or a system, in the words staff use; a mobile
# build is the same browser to them ("Chrome Mobile iOS" is Chrome), and a headless Chrome
# (the browser tests') is Chrome.
_BROWSER_NAMES = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Edge Mobile": "Edge",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Opera Mobile": "Opera",
    "Samsung Internet": "Samsung Internet",
}
_SYSTEM_NAMES = {"Mac OS X": "Mac", "Chrome OS": "ChromeOS"}
_APPLE_DEVICES = frozenset({"iPad", "iPhone"})


def browser_label(user_agent: str | None) -> str:
    """ "Chrome 131 on Windows", "Safari 17 on iPad": the browser, its major version and the
    device or system, enough for an admin to tell a person's sessions apart; "Unknown
    browser" when the browser says nothing recognisable."""
    # Imported here: loading the parser (~130 ms, and its rules ~300 ms on the first parse,
    # then cached per user agent) is paid by the first sessions list a process draws, not by
    # every start of the app or of manage.py.
    from ua_parser import parse as parse_user_agent

    parsed = parse_user_agent(user_agent or "")
    browser = system = None
    if parsed.user_agent is not None:
        name = _BROWSER_NAMES.get(parsed.user_agent.family, parsed.user_agent.family)
        browser = f"{name} {parsed.user_agent.major}" if parsed.user_agent.major else name
    if parsed.device is not None and parsed.device.family in _APPLE_DEVICES:
        system = parsed.device.family
    elif parsed.os is not None:
        system = _SYSTEM_NAMES.get(parsed.os.family, parsed.os.family)
        if system == "Android" and (parsed.device.brand or "").endswith("Tablet"):
            system = "Android tablet"
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def time_ago(moment: dt.datetime, now: dt.datetime) -> str:
    """How long ago `moment` was, in the words of a person glancing at a list: "just now"
    (under a minute), "1 minute ago", "25 minutes ago", "2 hours ago", "3 days ago" (whole
    units, rounded down; a moment in the future, from a clock ahead, is "just now")."""
    seconds = (now - moment).total_seconds()
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        count = int(seconds // size)
        if count >= 1:
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"
