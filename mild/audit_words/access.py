"""Sign-in, sessions, the waiting-room display, and the reads that are recorded (a case
opened, the audit trail opened or exported, a FHIR export) in words."""

from __future__ import annotations

from mild.audit import GROUP_BY_KEY
from mild.audit_words.core import (
    Event,
    Names,
    Renderer,
    counted,
    day,
    lower_first,
    plain,
    quoted,
)
from mild.staff import Screen

_FAILED_SIGN_IN = {
    "bad password": "a wrong password",
    "unknown user": "no account has that username",
    "inactive": "the account is disabled",
}
_SSO_REFUSED = {
    "no account": "no active account has that email",
    "inactive": "the account with that email is disabled",
}
_SESSION_END = {
    "signed out": "signed out",
    "idle timeout": "idle timeout",
    "ended by admin": "ended by an admin",
    "disabled": "account disabled",
}
_SCREENS = {
    Screen.CHECKLIST.value: "checklist",
    Screen.FOLLOW_UP.value: "follow-up",
    Screen.INTAKE.value: "intake",
    Screen.ESCALATIONS.value: "escalations",
    Screen.SCHEDULE.value: "schedule",
    Screen.BOARD.value: "board",
}


def signed_in(e: Event, n: Names) -> str:
    return "signed in with single sign-on" if e.detail.get("via") == "sso" else "signed in"


def sign_in_failed(e: Event, n: Names) -> str:
    reason = e.detail.get("reason")
    return f"could not sign in: {_FAILED_SIGN_IN.get(reason, plain(reason))}"


def locked(e: Event, n: Names) -> str:
    minutes = e.detail.get("minutes")
    return "was locked out after repeated failed sign-ins" + (
        f" for {counted(minutes, 'minute')}" if minutes else ""
    )


def sso_refused(e: Event, n: Names) -> str:
    reason = e.detail.get("reason")
    return f"was refused single sign-on: {_SSO_REFUSED.get(reason, plain(reason))}"


def session_ended(e: Event, n: Names) -> str:
    reason = e.detail.get("reason")
    return f"had their session ended ({_SESSION_END.get(reason, plain(reason))})"


def ended_by_admin(e: Event, n: Names) -> str:
    whose = n.person(e.detail.get("user_id"), e.detail.get("username"))
    reason = e.detail.get("reason")
    why = _SESSION_END.get(reason, plain(reason)) if reason else ""
    return f"ended {whose}'s session" + (f" ({why})" if why and why != "ended by an admin" else "")


def ended_by_password_change(e: Event, n: Names) -> str:
    return "had another session ended by their password change"


def session_locked(e: Event, n: Names) -> str:
    minutes = e.detail.get("idle_minutes")
    after = f" after {counted(minutes, 'minute')} without activity" if minutes else ""
    return f"had their screen locked{after}"


def display_started(e: Event, n: Names) -> str:
    offices = [n.office(i) for i in e.detail.get("office_ids") or []]
    return "started the waiting-room display" + (f" for {', '.join(offices)}" if offices else "")


def _typed_for(e: Event) -> str:
    """Whose password was typed at the display, when the row says."""
    name = e.detail.get("username")
    return f" for {quoted(name)}" if name else ""


def display_unlock_failed(e: Event, n: Names) -> str:
    return f"could not end the waiting-room display: a wrong password{_typed_for(e)}"


def display_unlock_locked(e: Event, n: Names) -> str:
    return f"was refused ending the waiting-room display: the username{_typed_for(e)} is locked"


def display_unlock_refused(e: Event, n: Names) -> str:
    whose = n.person(e.entity_id, e.detail.get("username"))
    offices = [n.office(i) for i in e.detail.get("office_ids") or []]
    at = f" {', '.join(offices)}" if offices else " the display's office"
    return f"was refused ending the waiting-room display: {whose} does not work at{at}"


def case_viewed(e: Event, n: Names) -> str:
    screen = e.detail.get("screen")
    where = _SCREENS.get(screen, plain(screen)) if screen else ""
    return "opened the case" + (f" on the {where} screen" if where else "")


def audit_exported(e: Event, n: Names) -> str:
    filters = e.detail.get("filters") or {}
    rows = e.detail.get("rows")
    what = f"exported {counted(rows, 'row')} of the audit trail" if rows is not None else ""
    return (what or "exported the audit trail") + _filters(filters, n)


def _filters(f: dict, n: Names) -> str:
    if not isinstance(f, dict) or not f:
        return ""
    office = f.get("office_id")
    parts = [
        f"case {f['case']} (whole history)" if f.get("case") else _range(f),
        "rows without an office" if office == -1 else n.office(office) if office else "",
        f"user {quoted(f['user'])}" if f.get("user") else "",
        f"actions: {_group(f['actions'])}" if f.get("actions") else "",
    ]
    text = ", ".join(p for p in parts if p)
    return f" ({text})" if text else ""


def _group(key: str) -> str:
    group = GROUP_BY_KEY.get(key)
    return lower_first(group.label) if group else plain(key)


def _range(f: dict) -> str:
    first, last = f.get("from"), f.get("to")
    if not first:
        return ""
    return f"{day(first)}" if first == last else f"{day(first)} to {day(last)}"


def fhir_exported(e: Event, n: Names) -> str:
    d = e.detail
    counts = d.get("resources")
    resources = sum(counts.values()) if isinstance(counts, dict) else counts
    size = f"{counted(resources, 'resource')}" if resources is not None else ""
    if e.entity == "office":
        cases = counted(d.get("bundles"), "case")
        span = _range({"from": d.get("first"), "to": d.get("last")})
        return (
            f"exported {cases} as FHIR"
            + (f", booked {span}" if span else "")
            + (f" ({size})" if size else "")
        )
    return "exported the case as FHIR" + (f" ({size})" if size else "")


def _fixed(text: str) -> Renderer:
    return lambda e, n: text


RENDERERS: dict[str, Renderer] = {
    "auth.sign_in": signed_in,
    "auth.sign_in_failed": sign_in_failed,
    "auth.sign_in_locked": _fixed("was refused sign-in: the username is locked"),
    "auth.locked": locked,
    "auth.sso_refused": sso_refused,
    "auth.sign_out": _fixed("signed out"),
    "auth.session_started": _fixed("started a session"),
    "auth.session_ended": session_ended,
    "auth.session_timed_out": _fixed("was signed out after being idle"),
    "auth.session_ended_by_admin": ended_by_admin,
    "auth.session_ended_by_password_change": ended_by_password_change,
    "auth.session_locked": session_locked,
    "auth.session_unlocked": _fixed("unlocked their screen"),
    "auth.unlock_failed": _fixed("could not unlock their screen: a wrong password"),
    "auth.unlock_locked_out": _fixed("was refused unlocking their screen: the username is locked"),
    "board.display_started": display_started,
    "board.display_ended": _fixed("ended the waiting-room display"),
    "board.display_unlock_failed": display_unlock_failed,
    "board.display_unlock_locked": display_unlock_locked,
    "board.display_unlock_refused": display_unlock_refused,
    "case.viewed": case_viewed,
    "audit.viewed": _fixed("opened the audit trail"),
    "audit.exported": audit_exported,
    "fhir.exported": fhir_exported,
}
