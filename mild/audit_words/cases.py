"""A case's requests, booking, confirmation, status and pre-op call in words."""

from __future__ import annotations

from typing import Any

from mild.audit_words.core import (
    Event,
    Names,
    Renderer,
    change,
    joined,
    labelled,
    moment,
    plain,
    status_move,
    with_note,
)
from mild.cases import CancelReason
from mild.preop import CallOutcome

_CHANNELS = {"online_form": "the online form", "phone": "phone", "referral": "a referral"}


def patient_created(e: Event, n: Names) -> str:
    twins = e.detail.get("likely_duplicates") or []
    same = f"; same name and birth date as MRN {plain(twins)}" if twins else ""
    return f"added the patient (MRN {plain(e.detail.get('mrn'))}){same}"


def case_requested(e: Event, n: Names) -> str:
    d = e.detail
    channel = d.get("channel")
    by = f" by {_CHANNELS.get(channel, plain(channel))}" if channel else ""
    who = f" with {n.provider(d['provider_id'])}" if d.get("provider_id") else ""
    return f"requested a consult{by}{who} (MRN {plain(d.get('mrn'))})"


def _slot(b: dict[str, Any], zone: str, n: Names) -> str:
    """ "Tue 10 Mar 2026 09:00 EDT with Dr Ames, 60 min, L4-L5 bilateral"."""
    parts = [moment(b.get("start"), zone) if b.get("start") else "no date"]
    if b.get("provider_id"):
        parts[0] += f" with {n.provider(b['provider_id'])}"
    if b.get("planned_minutes"):
        parts.append(f"{plain(b['planned_minutes'])} min")
    levels = " ".join(str(b[k]) for k in ("planned_levels", "planned_side") if b.get(k))
    if levels:
        parts.append(levels)
    return ", ".join(parts)


def booked(e: Event, n: Names) -> str:
    return f"booked the case for {_slot(e.detail.get('to') or {}, e.zone, n)}"


def rebooked(e: Event, n: Names) -> str:
    d = e.detail
    before, after = d.get("from") or {}, d.get("to") or {}
    parts = []
    if before.get("start") != after.get("start"):
        parts.append(
            f"from {moment(before.get('start'), e.zone)} to {moment(after.get('start'), e.zone)}"
        )
    if before.get("provider_id") != after.get("provider_id"):
        parts.append(
            "provider " + change(before.get("provider_id"), after.get("provider_id"), n.provider)
        )
    for key, words in (
        ("planned_minutes", "minutes"),
        ("planned_levels", "levels"),
        ("planned_side", "side"),
    ):
        if before.get(key) != after.get(key):
            parts.append(f"{words} {change(before.get(key), after.get(key))}")
    if before.get("office_id") != after.get("office_id"):
        parts.append("office " + change(before.get("office_id"), after.get("office_id"), n.office))
    cleared = "hold confirmations withdrawn" if d.get("confirmations_cleared") else ""
    return joined("rescheduled the case " + (", ".join(parts) or "(no change)"), cleared)


def cancelled(e: Event, n: Names) -> str:
    reason = e.detail.get("reason")
    why = f" ({labelled(CancelReason, reason)})" if reason else ""
    return with_note(f"cancelled the case{why}", e.detail.get("note"))


def status_changed(e: Event, n: Names) -> str:
    move = status_move(e.detail)
    return f"moved the case: {move}" if move else "changed the case's status"


def confirmation_withdrawn(e: Event, n: Names) -> str:
    why = e.detail.get("why")
    return "withdrew the case's confirmation for its day" + (f": {why}" if why else "")


def kidney_function_reapplied(e: Event, n: Names) -> str:
    return (
        "re-applied the dabigatran stop after the eGFR limit changed "
        f"(eGFR {plain(e.detail.get('egfr'))})"
    )


def preop_call(e: Event, n: Names) -> str:
    d = e.detail
    outcome = labelled(CallOutcome, d.get("outcome")).lower()
    parts = [f"made the pre-op call: {outcome}"]
    if d.get("call_back_at"):
        parts[0] += f", call back {moment(d['call_back_at'], e.zone)}"
    for dose in d.get("last_doses") or []:
        parts.append(f"last dose of {dose.get('drug')} {moment(dose.get('to'), e.zone)}")
    escort = d.get("escort")
    if isinstance(escort, dict):
        parts.append(f"escort {change(escort.get('from'), escort.get('to'))}")
    return joined(*parts)


RENDERERS: dict[str, Renderer] = {
    "patient.created": patient_created,
    "case.requested": case_requested,
    "case.booked": booked,
    "case.rebooked": rebooked,
    "case.confirmed": lambda e, n: "confirmed the case for its day",
    "case.confirmation_withdrawn": confirmation_withdrawn,
    "case.cancelled": cancelled,
    "case.status_changed": status_changed,
    "case.kidney_function_reapplied": kidney_function_reapplied,
    "case.waiting_code_issued": lambda e, n: (
        f"issued the waiting-room code {plain(e.detail.get('code'))}"
    ),
    "preop_call.recorded": preop_call,
}
