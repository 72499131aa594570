"""Open escalations as clinicians work them: each with its tier in words (the most urgent
first), its red flags, whom to call, red once it is open past its tier's limit, where each
notification stands, and the form that resolves one.

Drawn on the follow-up screen (prefix "fu": nurses) and the Escalations screen (prefix "esc":
a provider's own cases). Typed text (names, phones, notes) is shown with st.text, never as
markdown; flag and tier labels are the app's own words.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from mild import messages
from mild.escalations import Delivery, NotificationState, Tier, latest_rounds, past_limit
from mild.followup import FollowUpKind
from services import followup
from services.common import Actor, now_utc
from services.notify import dispatch_due
from ui import forms
from ui.format import local_moment
from ui.safe import log

TIER_COLOURS = {Tier.EMERGENCY: "red", Tier.PROVIDER_TODAY: "orange"}


def notification_lines(states: Iterable[NotificationState], tz: str) -> list[str]:
    """One line per recipient, their latest round: sent when, not configured and why, failed
    and why, trying again when. By role and name, never the address it went to."""
    lines = []
    for s in latest_rounds(states):
        if s.status == Delivery.SENT:
            state = messages.NOTIFY_STATUS_SENT.format(when=local_moment(tz, s.sent_at))
        elif s.status == Delivery.NOT_CONFIGURED:
            state = messages.NOTIFY_STATUS_NOT_CONFIGURED.format(reason=s.last_error or "")
        elif s.status == Delivery.FAILED:
            state = messages.NOTIFY_STATUS_FAILED.format(
                attempts=s.attempts, reason=s.last_error or ""
            )
        elif s.status == Delivery.PENDING and s.last_error:
            state = messages.NOTIFY_STATUS_RETRYING.format(
                reason=s.last_error, when=local_moment(tz, s.next_attempt_at)
            )
        else:
            state = s.status.label
        if s.round > 1:
            state = f"{messages.NOTIFY_REMINDER.format(n=s.round - 1)}: {state}"
        name = f" ({s.name})" if s.name else ""
        lines.append(
            messages.NOTIFY_STATUS_LINE.format(recipient=s.recipient.label, name=name, state=state)
        )
    return lines


def open_escalations(rows: pd.DataFrame, user: Actor, *, prefix: str, title: str) -> None:
    """The open escalations (db.queries.followup.escalations_to_resolve), most urgent first,
    then the resolve form. Widget keys start with `prefix`."""
    if rows.empty:
        return
    now = now_utc()
    with st.container(border=True, key=f"{prefix}_escalations"):
        st.subheader(f":material/warning: {title} ({len(rows)})")
        # One block each rather than a table: the red flags must be read whole on a tablet.
        for r in rows.itertuples():
            _card(r, prefix, now)
        _resolve_form(rows, user, prefix)


def _card(r, prefix: str, now: dt.datetime) -> None:
    """One escalation in two elements (issue 12: an admin's 26 open escalations were about 200
    elements on every rerun): its tier, the time limit passed and the red flags, in colour
    and in words; then every typed line as plain text (code, patient and phone, provider, the
    call's notes, when it was escalated, each notice)."""
    late = past_limit(r.escalated_at, r.limit_minutes, now)
    with st.container(border=True, key=f"{prefix}_escalation_{r.follow_up_id}"):
        tier = Tier(r.tier)
        marks = [f":{TIER_COLOURS[tier]}-badge[:material/emergency: {tier.label}]"]
        if late:
            passed = messages.ESCALATION_PAST_LIMIT.format(minutes=r.limit_minutes)
            marks.append(f":red[**:material/alarm: {passed}**]")
        flags = "\n".join(f"- :red[{label}]" for label in r.red_flags)
        st.markdown(" &nbsp; ".join(marks) + "\n\n" + flags)
        lines = [
            f"{r.code}  ·  {r.patient}  ·  {r.phone or 'no phone on file'}",
            f"Provider: {r.provider or 'none assigned'}",
        ]
        if r.notes:
            lines.append(f"Call notes: {r.notes}")
        lines.append(
            f"{FollowUpKind(r.kind).label}, escalated {local_moment(r.timezone, r.escalated_at)}"
        )
        lines += notification_lines(r.notifications, r.timezone) or [messages.NOTIFY_STATUS_NONE]
        st.text("\n".join(lines))


def _resolve_form(rows: pd.DataFrame, user: Actor, prefix: str) -> None:
    errors = f"{prefix}_resolve_errors"
    labels = dict(zip(rows.follow_up_id, rows.code + " · " + rows.patient, strict=True))
    versions = dict(zip(rows.follow_up_id, rows.case_version, strict=True))
    codes = dict(zip(rows.follow_up_id, rows.code, strict=True))
    st.selectbox(
        "Escalation to resolve",
        list(labels),
        format_func=labels.get,
        key=f"{prefix}_resolve_pick",
    )
    st.text_area(
        "How it was resolved",
        key=f"{prefix}_resolve_note",
        placeholder="Who was told, what was decided or done",
    )
    forms.field_error(errors, "resolution_note")
    forms.other_errors(errors, ["resolution_note"])

    def resolve() -> None:
        state = st.session_state
        follow_up_id = state.get(f"{prefix}_resolve_pick")
        done = forms.submit(
            lambda: followup.resolve_escalation(
                follow_up_id,
                state.get(f"{prefix}_resolve_note") or "",
                actor=user,
                expected_version=versions.get(follow_up_id),
            ),
            errors_key=errors,
        )
        if done is not None:
            state[f"{prefix}_resolve_note"] = ""  # still drawn when others are open
            state[forms.FLASH_KEY] = messages.FU_ESCALATION_RESOLVED.format(
                code=codes.get(follow_up_id, "")
            )

    st.button("Resolve escalation", key=f"{prefix}_resolve", width="stretch", on_click=resolve)


NOTIFY_WAIT_SECONDS = 5  # the nurse waits this long at most for the first sends


def notify_now(follow_up_id: int) -> list[tuple[str, Delivery]]:
    """Right after an escalating save: send its first notifications now, so the nurse reads
    whether they went; a mail server slow to answer is not waited on beyond
    NOTIFY_WAIT_SECONDS (the send goes on; its outcome shows on the escalation). Empty when
    nothing is known yet; whatever fails is left to the dispatcher (never raises)."""
    outcomes: list[tuple[str, Delivery]] = []

    def send() -> None:
        try:
            report = dispatch_due(follow_up_id=follow_up_id)
        except Exception:  # the background dispatcher and cron try again
            log.exception("notifying right after the escalation failed")
            return
        outcomes.extend((recipient.label, status) for recipient, status in report.outcomes)

    sender = threading.Thread(target=send, name="mild-notify-now", daemon=True)
    sender.start()
    sender.join(NOTIFY_WAIT_SECONDS)
    return [] if sender.is_alive() else list(outcomes)
