"""Follow-up in words: calls and visits recorded or missed, escalations resolved, and the
notifications the dispatcher sent about them."""

from __future__ import annotations

from mild.audit_words.core import (
    Event,
    Names,
    Renderer,
    counted,
    day,
    joined,
    labelled,
    lower_first,
    plain,
    quoted,
    status_move,
    then,
    with_note,
)
from mild.escalations import Delivery, Recipient, Tier
from mild.followup import AttemptOutcome, RedFlag


def _follow_up(e: Event, n: Names) -> str:
    return n.follow_up(e.detail.get("follow_up"), e.detail.get("kind"))


def _scores(e: Event) -> str:
    d = e.detail
    return ", ".join(
        f"{name} {plain(d[key])}"
        for key, name in (("nprs", "NPRS"), ("odi", "ODI"))
        if d.get(key) is not None
    )


def attempt(e: Event, n: Names) -> str:
    outcome = labelled(AttemptOutcome, e.detail.get("outcome"))
    return with_note(
        f"did not reach the patient for {_follow_up(e, n)} ({lower_first(outcome)})",
        e.detail.get("note"),
    )


def closed_not_reached(e: Event, n: Names) -> str:
    tries = e.detail.get("attempts")
    after = f" after {plain(tries)} {'try' if tries == 1 else 'tries'}" if tries else ""
    text = with_note(f"closed {_follow_up(e, n)} as not reached{after}", e.detail.get("note"))
    return joined(text, status_move(e.detail.get("status")))


def _tier(value: object) -> str:
    return lower_first(labelled(Tier, value))


def call_recorded(e: Event, n: Names) -> str:
    d = e.detail
    flags = [labelled(RedFlag, f) for f in d.get("red_flags") or []]
    found = f"red flags: {', '.join(flags)}" if flags else "no red flags"
    escalated = ""
    if d.get("escalated"):
        escalated = "escalated" + (f": {_tier(d['tier'])}" if d.get("tier") else "")
    scores = _scores(e)
    text = f"recorded {_follow_up(e, n)}: " + ", ".join(p for p in (scores, found) if p)
    return joined(text, escalated, status_move(d.get("status")))


def visit_recorded(e: Event, n: Names) -> str:
    d = e.detail
    on = f" on {day(d['visited_on'])}" if d.get("visited_on") else ""
    scores = _scores(e)
    text = then(f"recorded {_follow_up(e, n)}{on}", scores)
    return joined(text, status_move(d.get("status")))


def escalation_resolved(e: Event, n: Names) -> str:
    d = e.detail
    text = with_note(f"resolved the escalation from {_follow_up(e, n)}", d.get("note"))
    cancelled = d.get("notifications_cancelled")
    unsent = f"{counted(cancelled, 'notification')} no longer sent" if cancelled else ""
    return joined(text, unsent)


def _notice(e: Event, n: Names) -> tuple[str, str, str]:
    """What was to be sent, to whom, and its tier: ("round 1 of the escalation from the
    next-day call of AA-00012", "Dr Ames (provider)", "tier: provider today")."""
    d = e.detail
    recipient = labelled(Recipient, d.get("recipient")).lower()
    name = d.get("name")
    to = f"{name} ({recipient})" if name else f"the {recipient} contact"
    rounds = f"round {plain(d['round'])} of " if d.get("round") else ""
    tier = f"tier: {_tier(d['tier'])}" if d.get("tier") else ""
    return f"{rounds}the escalation from {_follow_up(e, n)}", to, tier


def notified(delivery: Delivery) -> Renderer:
    """One renderer per way a notification ended (notification.<delivery>)."""

    def tell(e: Event, n: Names) -> str:
        what, to, tier = _notice(e, n)
        if delivery == Delivery.SENT:
            return joined(f"sent {what} to {to}", tier)
        if delivery == Delivery.CANCELLED:
            return joined(f"did not send {what} to {to}: it was resolved first", tier)
        if delivery in (Delivery.PENDING, Delivery.SENDING):
            return joined(f"queued {what} for {to}", tier)
        if delivery == Delivery.NOT_CONFIGURED:
            return joined(f"could not send {what} to {to}: not configured", tier)
        tries = e.detail.get("attempts")
        after = f" after {counted(tries, 'attempt')}" if tries else ""
        error = e.detail.get("error")
        failed = f"could not send {what} to {to}{after}" + (f": {quoted(error)}" if error else "")
        return joined(failed, tier)

    return tell


RENDERERS: dict[str, Renderer] = {
    "follow_up.call_attempt": attempt,
    "follow_up.closed_not_reached": closed_not_reached,
    "follow_up.call_recorded": call_recorded,
    "follow_up.visit_recorded": visit_recorded,
    "follow_up.escalation_resolved": escalation_resolved,
    **{f"notification.{d.value}": notified(d) for d in Delivery},
}
