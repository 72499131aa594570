"""The procedure day in words: checklist ticks, un-ticks and corrected times, the escort
exemption, printed documents and safety events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mild.audit_words.core import (
    Event,
    Names,
    Renderer,
    counted,
    day,
    joined,
    labelled,
    moment,
    plain,
    with_note,
)
from mild.checklist import STEP_BY_KEY
from mild.days import to_local
from mild.discharge import DischargeScale
from mild.safety import SafetyKind

DISCHARGE_INSTRUCTIONS, DAY_SHEET = "discharge_instructions", "day_sheet"


def step_label(key: Any) -> str:
    """A step's label in quotes; a key this version does not know, as stored."""
    step = STEP_BY_KEY.get(key) if isinstance(key, str) else None
    return f"“{step.label}”" if step else f"“{plain(key)}”"


def ticked(e: Event, n: Names) -> str:
    d = e.detail
    sub = d.get("detail") if isinstance(d.get("detail"), dict) else {}
    value = d.get("value")
    if sub.get("template"):  # instructions given: the value names the print's audit row
        shown = f" (template {sub['template']})"
    elif sub.get("scale"):
        shown = f": {plain(value)} ({labelled(DischargeScale, sub['scale'])})"
    else:
        shown = f": {value}" if value not in (None, "") else ""
    left = d.get("left_open") or []
    left_open = f"left open: {', '.join(step_label(k) for k in left)}" if left else ""
    return joined(f"ticked {step_label(d.get('step'))}{shown}", left_open)


def unticked(e: Event, n: Names) -> str:
    return with_note(f"un-ticked {step_label(e.detail.get('step'))}", e.detail.get("reason"))


def _time(value: Any, zone: str, same_day_as: Any = None) -> str:
    """A corrected time: the whole moment, or only the clock when on the day of the other."""
    try:
        when = dt.datetime.fromisoformat(str(value))
        other = dt.datetime.fromisoformat(str(same_day_as)) if same_day_as else None
    except ValueError:
        return moment(value, zone)
    if other is not None and to_local(zone, when).date() == to_local(zone, other).date():
        return f"{to_local(zone, when):%H:%M %Z}"
    return moment(when, zone)


def time_corrected(e: Event, n: Names) -> str:
    d = e.detail
    old, new = d.get("from"), d.get("to")
    text = (
        f"corrected the time of {step_label(d.get('step'))} from {_time(old, e.zone)} "
        f"to {_time(new, e.zone, old)}"
    )
    text = with_note(text, d.get("reason"))
    moved = d.get("follow_ups_rescheduled")
    return joined(text, "follow-ups rescheduled" if moved else "")


def escort_exempted(e: Event, n: Names) -> str:
    d = e.detail
    return with_note(
        f"recorded {d.get('physician')}'s exemption from the escort rule", d.get("reason")
    )


def printed(e: Event, n: Names) -> str:
    d = e.detail
    template = f" (template {d['template_version']})" if d.get("template_version") else ""
    if d.get("document") == DAY_SHEET:
        cases = d.get("cases") or []
        return f"printed the day sheet for {day(d.get('day'))}, {counted(len(cases), 'case')}"
    if d.get("document") == DISCHARGE_INSTRUCTIONS:
        return f"printed the discharge instructions{template}"
    return f"printed {plain(d.get('document'))}{template}"


def safety_event(e: Event, n: Names) -> str:
    d = e.detail
    kind = labelled(SafetyKind, d.get("kind"))
    measure = f" ({d['measure']})" if d.get("measure") else ""
    when = f", {moment(d['occurred_at'], e.zone)}" if d.get("occurred_at") else ""
    return with_note(f"recorded a safety event: {kind}{measure}{when}", d.get("description"))


RENDERERS: dict[str, Renderer] = {
    "checklist.ticked": ticked,
    "checklist.unticked": unticked,
    "checklist.time_corrected": time_corrected,
    "checklist.escort_exempted": escort_exempted,
    "document.printed": printed,
    "safety_event.recorded": safety_event,
}
