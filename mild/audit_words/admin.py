"""Administration in words: offices, providers, accounts, the hold table, the practice's
policy rows, notification settings, and the database itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mild import settings, targets
from mild.audit_words.core import (
    Event,
    Names,
    Renderer,
    changes,
    counted,
    joined,
    label_of,
    labelled,
    lower_first,
    plain,
    quoted,
    then,
)
from mild.clearances import LIMIT_LABELS, LimitAction, LimitKey
from mild.escalations import Tier
from mild.followup import RedFlag
from mild.hold_rules import MedClass
from mild.staff import Role, Screen

SHORT = 60  # a source or instruction longer than this is cut in the sentence (the CSV has it)
_OFFICE = {"name": "name", "timezone": "time zone", "phone": "phone"}
_HOLD = {
    "generic": "generic name",
    "brands": "brand names",
    "med_class": "class",
    "stop_before_hours": "stop (hours before)",
    "skip_on_day": "no dose on the day",
    "restart_after_hours": "restart (hours after)",
    "needs_clearance": "prescriber clearance needed",
    "instruction": "instruction",
    "source": "source",
    "active": "in use",
}


def short(value: Any) -> str:
    text = plain(value)
    return text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"


def _typed(key: str, value: Any) -> str:
    """A field someone typed (a name, a source), quoted and cut; other values plain."""
    if key in {"name", "source", "instruction", "on_call_name", "display_name"} and value:
        return quoted(short(value))
    if key in {"role"}:
        return labelled(Role, value)
    if key in {"med_class"}:
        return lower_first(labelled(MedClass, value))
    if key in {"action"}:
        return labelled(LimitAction, value)
    if key in {"tier"}:
        return lower_first(labelled(Tier, value))
    if key in {"urls"} and isinstance(value, list):
        return counted(len(value), "URL")
    return plain(value)


def _whose(e: Event, n: Names) -> str:
    """The account a staff_user row is about, by its display name."""
    return n.person(e.entity_id, e.detail.get("username"))


def _ended(e: Event) -> str:
    ended = e.detail.get("sessions_ended")
    return f"{counted(ended, 'session')} ended" if ended else ""


# --- offices and providers -----------------------------------------------------------------------


def office_created(e: Event, n: Names) -> str:
    d = e.detail
    return f"created office {d.get('code')} · {d.get('name')} ({d.get('timezone')})"


def office_changed(e: Event, n: Names) -> str:
    d = e.detail
    what = changes(d.get("before"), d.get("after"), _OFFICE, _typed)
    return then(f"changed office {d.get('code')}", what)


def provider_created(e: Event, n: Names) -> str:
    d = e.detail
    at = f" at {d['office']}" if d.get("office") else ""
    return f"added provider {d.get('name')}{at}"


def provider_changed(e: Event, n: Names) -> str:
    d = e.detail
    what = changes(d.get("before"), d.get("after"), show=_typed)
    return then(f"changed provider {n.provider(e.entity_id)}", what)


def _active(thing: str, done: str) -> Renderer:
    def tell(e: Event, n: Names) -> str:
        d = e.detail
        name = d.get("code") or d.get("name")
        if not name:
            name = n.office(e.entity_id) if thing == "office" else n.provider(e.entity_id)
        return f"{done} {thing} {name}"

    return tell


# --- accounts -------------------------------------------------------------------------------------


def user_created(e: Event, n: Names) -> str:
    d = e.detail
    role = labelled(Role, d.get("role"))
    offices = d.get("offices") or []
    at = f" at {', '.join(offices)}" if offices else ""
    who = f"{d.get('display_name')} ({d.get('username')})"
    provider = f"; signs in as {n.provider(d['provider'])}" if d.get("provider") else ""
    return f"created the account of {who}: {role}{at}{provider}"


def user_changed(e: Event, n: Names) -> str:
    d = e.detail
    what = changes(d.get("before"), d.get("after"), {"display_name": "name"}, _typed)
    return then(f"changed {_whose(e, n)}'s account", what)


def user_disabled(e: Event, n: Names) -> str:
    because = e.detail.get("because")
    return joined(
        f"disabled {_whose(e, n)}'s account" + (f" ({because})" if because else ""), _ended(e)
    )


def password_reset(e: Event, n: Names) -> str:
    unlocked = "sign-in lock lifted" if e.detail.get("unlocked") else ""
    return joined(f"reset {_whose(e, n)}'s password", _ended(e), unlocked)


def email_set(e: Event, n: Names) -> str:
    d = e.detail
    was = f" (was {d['before']})" if d.get("before") else ""
    return f"set {_whose(e, n)}'s sign-on email to {d.get('after')}{was}"


def email_cleared(e: Event, n: Names) -> str:
    before = e.detail.get("before")
    return f"cleared {_whose(e, n)}'s sign-on email" + (f" (was {before})" if before else "")


# --- the hold table and the practice's policy rows ------------------------------------------------


def hold_added(e: Event, n: Names) -> str:
    d = e.detail
    row = d.get("after") or {}
    facts = [lower_first(labelled(MedClass, row.get("med_class")))] if row.get("med_class") else []
    if row.get("stop_before_hours") is not None:
        facts.append(f"stop {plain(row['stop_before_hours'])} h before")
    return f"added {d.get('drug')} to the hold table" + (f" ({', '.join(facts)})" if facts else "")


def hold_changed(e: Event, n: Names) -> str:
    d = e.detail
    what = changes(d.get("before"), d.get("after"), _HOLD, _typed)
    return then(f"changed the hold table's {d.get('drug')} row", what)


def hold_confirmed(e: Event, n: Names) -> str:
    d = e.detail
    by = f" ({d['confirmed_by']})" if d.get("confirmed_by") else ""
    return f"confirmed the hold table's {d.get('drug')} row for the practice{by}"


def _limit(key: Any) -> str | None:
    try:
        return LIMIT_LABELS[LimitKey(key)]
    except (ValueError, KeyError):
        return None


def _spec(specs: Mapping[str, Any]) -> Callable[[Any], str | None]:
    return lambda key: specs[key].label if key in specs else None


# What each policy table's row is called, and how its key reads.
_POLICY: dict[str, tuple[str, Callable[[Any], str | None]]] = {
    "clinical_limit.changed": ("the clinical limit", _limit),
    "kpi_target.changed": ("the target", _spec(targets.SPECS)),
    "practice_setting.changed": ("the setting", _spec(settings.SPECS)),
    "escalation_tier.changed": ("the time limit of the tier", lambda k: label_of(Tier, k)),
    "red_flag_tier.changed": ("the tier of the red flag", lambda k: label_of(RedFlag, k)),
}


def policy_changed(e: Event, n: Names) -> str:
    what, label = _POLICY[e.action]
    d = e.detail
    name = label(d.get("key")) or plain(d.get("key"))
    fields = changes(d.get("before"), d.get("after"), {"limit_minutes": "minutes"}, _typed)
    return then(f"changed {what} {quoted(name)}", fields)


# --- notifications and the database --------------------------------------------------------------


def notify_changed(e: Event, n: Names) -> str:
    d = e.detail
    labels = {"on_call_name": "on-call contact", "urls": "notification URLs"}
    what = changes(d.get("before"), d.get("after"), labels, _typed)
    return then(f"changed office {d.get('office')}'s notifications", what)


def notify_tested(e: Event, n: Names) -> str:
    d = e.detail
    urls = counted(len(d.get("urls") or []), "URL")
    typed = "typed " if d.get("typed") else "saved "
    if d.get("error"):
        outcome = f"failed: {quoted(d['error'])}"
    else:
        outcome = f"reached {counted(d.get('services'), 'service')}"
    return f"sent a test notification for office {d.get('office')} ({typed}{urls}): {outcome}"


def backed_up(e: Event, n: Names) -> str:
    d = e.detail
    size = d.get("bytes")
    mb = f" ({size / 1_000_000:,.1f} MB)" if isinstance(size, int | float) else ""
    return f"backed up the database to {d.get('path')}{mb}"


def restored(e: Event, n: Names) -> str:
    d = e.detail
    kept = f"the replaced one kept as {d['safety_copy']}" if d.get("safety_copy") else ""
    ended = d.get("sessions_ended")
    everyone = f"{counted(ended, 'session')} ended" if ended else ""
    return joined(f"restored the database from {d.get('backup')}", kept, everyone)


def demo_seeded(e: Event, n: Names) -> str:
    d = e.detail
    return (
        f"loaded the demo data: {counted(d.get('offices'), 'office')}, "
        f"{plain(d.get('years'))} years of history"
    )


def _fixed(text: str) -> Renderer:
    return lambda e, n: text


def landing_changed(e: Event, n: Names) -> str:
    """The screen the user's sign-ins land on, their own choice on My account."""
    d = e.detail
    was = f" (was {_screen(d['from'])})" if d.get("from") else ""
    return f"chose to land on {_screen(d.get('to'))} after signing in{was}"


def _screen(value: Any) -> str:
    try:
        return Screen(value).label
    except ValueError:
        return str(value)


RENDERERS: dict[str, Renderer] = {
    "office.created": office_created,
    "office.changed": office_changed,
    "office.deactivated": _active("office", "deactivated"),
    "office.reactivated": _active("office", "reactivated"),
    "provider.created": provider_created,
    "provider.changed": provider_changed,
    "provider.deactivated": _active("provider", "deactivated"),
    "provider.reactivated": _active("provider", "reactivated"),
    "staff_user.created": user_created,
    "staff_user.changed": user_changed,
    "staff_user.disabled": user_disabled,
    "staff_user.enabled": lambda e, n: joined(f"enabled {_whose(e, n)}'s account", _ended(e)),
    "staff_user.password_reset": password_reset,
    "staff_user.password_changed": lambda e, n: joined("changed their own password", _ended(e)),
    "staff_user.password_change_refused": _fixed(
        "could not change their password: the current password was wrong"
    ),
    "staff_user.landing_changed": landing_changed,
    "staff_user.email_changed": email_set,
    "staff_user.email_cleared": email_cleared,
    "hold_rule.added": hold_added,
    "hold_rule.changed": hold_changed,
    "hold_rule.confirmed": hold_confirmed,
    **{action: policy_changed for action in _POLICY},
    "office_notification.changed": notify_changed,
    "office_notification.tested": notify_tested,
    "database.backed_up": backed_up,
    "database.restored": restored,
    "demo.seeded": demo_seeded,
}
