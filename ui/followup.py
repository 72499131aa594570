"""Widgets of the follow-up screen: escalations, the worklist, the call and visit forms.

Text typed by people (names, phones, notes, provider names) is shown with st.text or in
dataframes, never inside markdown. Every write goes through ui.forms.submit to a service.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from db.queries.followup import FollowUpDetail
from db.queries.home import OfficeRow
from mild import messages
from mild.days import to_local
from mild.errors import RuleViolation
from mild.escalations import Delivery
from mild.followup import (
    MIN_ATTEMPTS_TO_CLOSE_UNREACHED,
    AttemptOutcome,
    CallAnswers,
    FollowUpKind,
    FollowUpState,
    Incision,
    RedFlag,
    TemperatureUnit,
    Urgency,
    attempt_outcomes,
    may_close_unreached,
    red_flags,
    temperature_in_c,
)
from mild.scores import ODI_SECTIONS
from services import followup
from services.common import Actor
from ui import forms
from ui.escalations import notify_now
from ui.format import zone_abbreviation

YES_NO = {"Yes": True, "No": False}
REACHED, NOT_REACHED = "Reached", "Not reached"
STATE_LABELS = {FollowUpState.OVERDUE: "Overdue", FollowUpState.DUE: "Due"}
ODI_LABELS = {
    "pain_intensity": "Pain intensity",
    "personal_care": "Personal care",
    "lifting": "Lifting",
    "walking": "Walking",
    "sitting": "Sitting",
    "standing": "Standing",
    "sleeping": "Sleeping",
    "sex_life": "Sex life",
    "social_life": "Social life",
    "travelling": "Travelling",
}
CALL_KEYS = {
    "nprs": "fu_call_nprs",
    "swelling": "fu_call_swelling",
    "bruising": "fu_call_bruising",
    "meds_as_prescribed": "fu_call_meds",
    "incision": "fu_call_incision",
    "returned_to_work_on": "fu_call_rtw",
    "temperature_c": "fu_call_temp",
    "red_flags": "fu_call_flags",  # where its refusal shows; each flag is a checkbox
    "notes": "fu_call_notes",
}
FLAG_KEYS = {flag: f"fu_call_flag_{flag.value}" for flag in RedFlag}
VISIT_KEYS = {
    "visited_on": "fu_visit_date",
    "nprs": "fu_visit_nprs",
    "walk_minutes": "fu_visit_walk",
    "stand_minutes": "fu_visit_stand",
    **{section: f"fu_odi_{section}" for section in ODI_SECTIONS},
}
FORM_KEYS = [
    "fu_reached",
    "fu_attempt_outcome",
    "fu_attempt_note",
    "fu_give_up_note",
    "fu_call_temp_unit",
    *CALL_KEYS.values(),
    *FLAG_KEYS.values(),
    *VISIT_KEYS.values(),
]
CALL_ERRORS, VISIT_ERRORS, ATTEMPT_ERRORS = "fu_call_errors", "fu_visit_errors", "fu_attempt_errors"
GIVE_UP_ERRORS = "fu_give_up_errors"
FORM_ERRORS = (CALL_ERRORS, VISIT_ERRORS, ATTEMPT_ERRORS, GIVE_UP_ERRORS)
CLOSE_ERRORS = "fu_close_errors"
# Worklist rows drawn at once, the most urgent: more than a day's work for a whole practice; the
# counts above the table tell what is beyond, and the filters reach it.
WORKLIST_ROWS = 200


def keyed(name: str, follow_up_id: int) -> str:
    """The key of a widget (or refusal) on one follow-up's form, e.g. fu_call_nprs_42.

    Per follow-up on purpose: the browser keeps showing a widget's last value while it stays on
    screen, so shared keys could carry what was typed for one patient onto the next one's form.
    """
    return f"{name}_{follow_up_id}"


def local_moment(tz_name: str, moment: dt.datetime | None) -> str:
    """A moment as the office reads it: 'Tue 10 Mar 2026 14:05 EDT'."""
    if moment is None or pd.isna(moment):
        return ""
    return f"{to_local(tz_name, moment):%a %d %b %Y %H:%M} {zone_abbreviation(tz_name, moment)}"


def field_value(key: str):
    return st.session_state.get(key)


def flash(message: str) -> None:
    st.session_state[forms.FLASH_KEY] = message


def close_form() -> None:
    """The worklist was filtered: the open follow-up is put away."""
    st.session_state["fu_open"] = None


def form_keys(follow_up_id: int) -> list[str]:
    return [keyed(k, follow_up_id) for k in FORM_KEYS]


def put_away_form() -> None:
    """After a save: the form closes. The picker is set to nothing rather than forgotten, so the
    browser is told to show its placeholder instead of the follow-up just recorded."""
    st.session_state["fu_open"] = None


# --- the worklist ------------------------------------------------------------------------------

ALL = "all"


def filters(office_rows: list[OfficeRow]) -> tuple[int | None, list[FollowUpKind]]:
    """Office and kind filters; the query applies them (within the user's offices)."""
    names = {o.id: f"{o.name} ({o.code})" for o in office_rows}
    kinds = {
        ALL: "All follow-ups",
        "call": FollowUpKind.NEXT_DAY_CALL.label,
        "visits": "Later visits",
        **{k.value: k.label for k in FollowUpKind if k != FollowUpKind.NEXT_DAY_CALL},
    }
    left, right = st.columns(2)
    office = left.selectbox(
        "Office",
        [ALL, *names],
        format_func=lambda o: "All my offices" if o == ALL else names[o],
        key="fu_office",
        on_change=close_form,
    )
    kind = right.selectbox(
        "Kind", list(kinds), format_func=kinds.get, key="fu_kind", on_change=close_form
    )
    if kind == ALL:
        chosen: list[FollowUpKind] = []
    elif kind == "call":
        chosen = [FollowUpKind.NEXT_DAY_CALL]
    elif kind == "visits":
        chosen = [k for k in FollowUpKind if k != FollowUpKind.NEXT_DAY_CALL]
    else:
        chosen = [FollowUpKind(kind)]
    return (None if office == ALL else office), chosen


def urgency_counts(counts: dict[Urgency, int], shown: int) -> None:
    """How much of each urgency there is, and how much of it the table shows."""
    st.markdown(
        " · ".join(f"**{u.label}** {counts[u]}" for u in Urgency),
        help="The worklist's order: a case with an open escalation, then next-day calls, then "
        "visits past their window, then visits in it; the longest-waiting first within each.",
    )
    total = sum(counts.values())
    if shown < total:
        st.info(messages.FU_WORKLIST_SHOWN.format(shown=shown, total=total))


def _last_attempt(attempts: int, outcome: AttemptOutcome | None) -> str:
    if not attempts:
        return ""
    return f"{attempts} · {outcome.label}" if outcome is not None else str(attempts)


def worklist_table(rows: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {
            # First, so a tablet shows why a row is where it is without scrolling sideways.
            "urgency": [u.label for u in rows.urgency],
            "state": [STATE_LABELS[FollowUpState(s)] for s in rows.state],
            "kind": [FollowUpKind(k).label for k in rows.kind],
            "due_since": [
                local_moment(tz, at) for tz, at in zip(rows.timezone, rows.due_at, strict=True)
            ],
            "patient": rows.patient,
            "phone": rows.phone,
            "code": rows.code,
            "office": rows.office,
            "attempts": [
                _last_attempt(n, o)
                for n, o in zip(rows.attempts, rows.last_attempt_outcome, strict=True)
            ],
        }
    )
    # Keyed containers: AppTest (and a reader of the page source) find each table by them.
    st.container(key="fu_worklist").dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "urgency": "Urgency",
            "state": "State",
            "kind": "Kind",
            "due_since": "Due since",
            "patient": "Patient",
            "phone": "Phone",
            "code": "Case",
            "office": "Office",
            "attempts": "Attempts (last)",
        },
    )


def forget_if_gone(open_ids: set[int]) -> None:
    """When the follow-up being recorded left the worklist (someone else recorded it meanwhile),
    put its form away and say why, with the refusal of the save that found out."""
    gone = st.session_state.get("fu_open")
    if gone is None or gone in open_ids:
        return
    st.session_state["fu_open"] = None  # before the picker is drawn: it shows its placeholder
    st.info(messages.FU_NO_LONGER_OPEN)
    for errors_key in FORM_ERRORS:
        forms.other_errors(keyed(errors_key, gone), [])
        st.session_state.pop(keyed(errors_key, gone), None)


def choose(rows: pd.DataFrame) -> int | None:
    """The follow-up to record, picked from the worklist."""
    labels = {
        int(r.follow_up_id): " · ".join(
            ["Escalated"] * r.escalated
            + [STATE_LABELS[FollowUpState(r.state)], FollowUpKind(r.kind).label, r.patient, r.code]
        )
        for r in rows.itertuples()
    }
    forget_if_gone(set(labels))
    return st.selectbox(
        "Record a follow-up",
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder="Choose a patient from the worklist",
        key="fu_open",
    )


# --- recording one follow-up --------------------------------------------------------------------


def header(detail: FollowUpDetail) -> None:
    """Who to call and what for: the patient's name and phone are typed text, shown plainly."""
    st.subheader(detail.kind.label)
    st.text(f"{detail.patient}  ·  Case {detail.code}  ·  {detail.office}")
    st.text(f"Phone: {detail.phone or 'not on file'}")
    st.text(f"Provider: {detail.provider or 'none assigned'}")
    tried = f" (last: {detail.last_attempt_outcome.label})" if detail.last_attempt_outcome else ""
    st.caption(
        f"Due since {local_moment(detail.timezone, detail.due_at)} · "
        f"attempts so far: {detail.attempts}{tried}"
    )
    if detail.escalated:
        st.warning("This case has an open escalation (see above).", icon=":material/warning:")


def reached(follow_up_id: int) -> bool | None:
    """The next-day call's first question (a visit is recorded as seen, or as an attempt)."""
    choice = st.segmented_control(
        "Did you reach the patient?",
        [REACHED, NOT_REACHED],
        key=keyed("fu_reached", follow_up_id),
        width="stretch",
    )
    return None if choice is None else choice == REACHED


def attempt_form(detail: FollowUpDetail, user: Actor) -> None:
    """A try that did not reach the patient: how it went (required), a note, then the button."""
    fid = detail.follow_up_id
    errors_key = keyed(ATTEMPT_ERRORS, fid)
    st.segmented_control(
        "How did it go?",
        [o.value for o in attempt_outcomes(detail.kind)],
        format_func=lambda v: AttemptOutcome(v).label,
        key=keyed("fu_attempt_outcome", fid),
        width="stretch",
    )
    forms.field_error(errors_key, "outcome")
    st.text_area(
        "Note (optional)", key=keyed("fu_attempt_note", fid), placeholder="e.g. best time to call"
    )
    forms.field_error(errors_key, "note")
    forms.other_errors(errors_key, ["outcome", "note"])
    st.button(
        "Record attempt (not reached)",
        key=keyed("fu_attempt", fid),
        type="primary",
        width="stretch",
        on_click=_record_attempt,
        args=(fid, detail.case_version, user),
    )
    give_up_form(detail, user)


def give_up_form(detail: FollowUpDetail, user: Actor) -> None:
    """After enough attempts: close the follow-up as not reached, saying what was done."""
    fid = detail.follow_up_id
    needed = MIN_ATTEMPTS_TO_CLOSE_UNREACHED
    if not may_close_unreached(detail.attempts):
        st.caption(messages.FU_GIVE_UP_HINT.format(needed=needed, attempts=detail.attempts))
        return
    errors_key = keyed(GIVE_UP_ERRORS, fid)
    with st.expander("Close as not reached", icon=":material/phone_disabled:"):
        st.text_area(
            "What was done instead",
            key=keyed("fu_give_up_note", fid),
            placeholder="e.g. letter sent, provider told",
        )
        forms.field_error(errors_key, "give_up_note")
        forms.other_errors(errors_key, ["give_up_note"])
        st.button(
            f"Close after {detail.attempts} attempts",
            key=keyed("fu_give_up", fid),
            width="stretch",
            on_click=_give_up,
            args=(fid, detail.kind, detail.case_version, user),
        )


def _give_up(follow_up_id: int, kind: FollowUpKind, version: int, user: Actor) -> None:
    attempts = forms.submit(
        lambda: followup.close_not_reached(
            follow_up_id,
            field_value(keyed("fu_give_up_note", follow_up_id)) or "",
            actor=user,
            expected_version=version,
        ),
        errors_key=keyed(GIVE_UP_ERRORS, follow_up_id),
        clear=form_keys(follow_up_id),
    )
    if attempts is not None:
        put_away_form()
        flash(messages.FU_CLOSED_NOT_REACHED.format(kind=kind.label, attempts=attempts))


def _record_attempt(follow_up_id: int, version: int, user: Actor) -> None:
    outcome = field_value(keyed("fu_attempt_outcome", follow_up_id))
    attempts = forms.submit(
        lambda: followup.record_call_attempt(
            follow_up_id,
            actor=user,
            outcome=outcome,  # nothing chosen: refused beside the choice
            note=field_value(keyed("fu_attempt_note", follow_up_id)) or "",
            expected_version=version,
        ),
        errors_key=keyed(ATTEMPT_ERRORS, follow_up_id),
        clear=form_keys(follow_up_id),
    )
    if attempts is not None:
        put_away_form()
        label = AttemptOutcome(outcome).label.lower()
        flash(messages.FU_ATTEMPT_SAVED.format(outcome=label, attempts=attempts))


def _call_answers(follow_up_id: int) -> CallAnswers:
    """The call as typed; a temperature that cannot be a reading is refused here."""

    def typed(field: str):
        return field_value(keyed(CALL_KEYS[field], follow_up_id))

    incision = typed("incision")
    unit = field_value(keyed("fu_call_temp_unit", follow_up_id)) or TemperatureUnit.FAHRENHEIT
    return CallAnswers(
        nprs=typed("nprs"),
        swelling=YES_NO.get(typed("swelling")),
        bruising=YES_NO.get(typed("bruising")),
        meds_as_prescribed=YES_NO.get(typed("meds_as_prescribed")),
        incision=None if incision is None else Incision(incision),
        returned_to_work_on=typed("returned_to_work_on"),
        temperature_c=temperature_in_c(typed("temperature_c"), TemperatureUnit(unit)),
        reported_flags=tuple(f for f in RedFlag if field_value(keyed(FLAG_KEYS[f], follow_up_id))),
        notes=typed("notes") or "",
    )


def call_form(detail: FollowUpDetail, user: Actor) -> None:
    """The next-day call: pain, wound, medication, work, temperature, red flags, notes."""
    fid = detail.follow_up_id
    errors_key = keyed(CALL_ERRORS, fid)

    def key(field: str) -> str:
        return keyed(CALL_KEYS[field], fid)

    def refusal(field: str) -> None:
        forms.field_error(errors_key, field)

    st.segmented_control(
        "Pain now (NPRS: 0 no pain, 10 worst imaginable)",
        list(range(11)),
        key=key("nprs"),
        width="stretch",
    )
    refusal("nprs")
    for column, (label, field) in zip(
        st.columns(3),
        [
            ("Swelling", "swelling"),
            ("Bruising", "bruising"),
            ("Medication as prescribed", "meds_as_prescribed"),
        ],
        strict=True,
    ):
        with column:
            st.segmented_control(label, list(YES_NO), key=key(field), width="stretch")
            refusal(field)
    st.segmented_control(
        "Incision",
        [i.value for i in Incision],
        format_func=lambda v: Incision(v).label,
        key=key("incision"),
        width="stretch",
    )
    refusal("incision")
    work, temperature, unit = st.columns([2, 2, 1], vertical_alignment="bottom")
    work.date_input(
        "Returned to work on",
        value=None,
        key=key("returned_to_work_on"),
        help="Leave empty if not back at work yet (or not working).",
        format="YYYY-MM-DD",
    )
    temperature.number_input(
        "Temperature, if measured",
        value=None,
        step=0.1,
        format="%.1f",
        key=key("temperature_c"),
    )
    unit.segmented_control(
        "Unit",
        [u.value for u in TemperatureUnit],
        default=TemperatureUnit.FAHRENHEIT.value,
        format_func=lambda v: TemperatureUnit(v).label,
        key=keyed("fu_call_temp_unit", fid),
        required=True,
    )
    refusal("returned_to_work_on")
    refusal("temperature_c")
    st.markdown("**Red flags the patient reports** (tick each one; none ticked: none reported)")
    for flag in RedFlag:  # one list, read top to bottom (columns would read down each column)
        st.checkbox(flag.label, key=keyed(FLAG_KEYS[flag], fid))
    refusal("red_flags")
    st.text_area("Notes and questions", key=key("notes"))
    refusal("notes")
    _escalation_preview(fid)
    forms.other_errors(errors_key, CALL_KEYS)
    st.button(
        "Save call",
        key=keyed("fu_call_save", fid),
        type="primary",
        width="stretch",
        on_click=_save_call,
        args=(fid, detail.case_version, user),
    )


def _escalation_preview(follow_up_id: int) -> None:
    """What saving will do: the red flags found so far escalate the case at once."""
    try:
        answers = _call_answers(follow_up_id)
    except RuleViolation:
        return  # the refusal shows on save, beside its field
    flags = red_flags(
        reported=answers.reported_flags,
        temperature_c=answers.temperature_c,
        nprs=answers.nprs if isinstance(answers.nprs, int) else None,
        incision=answers.incision,
    )
    if flags:
        # Flag labels only: the provider's name is typed text and alerts render markdown.
        st.warning(
            messages.FU_ESCALATION_PREVIEW.format(flags=_flag_labels(flags)),
            icon=":material/warning:",
        )


def _save_call(follow_up_id: int, version: int, user: Actor) -> None:
    result = forms.submit(
        lambda: followup.record_followup_call(
            follow_up_id, _call_answers(follow_up_id), actor=user, expected_version=version
        ),
        errors_key=keyed(CALL_ERRORS, follow_up_id),
        clear=form_keys(follow_up_id),
    )
    if result is None:
        return
    put_away_form()
    if not result.escalation_note:
        flash(messages.FU_CALL_SAVED)
        return
    saved = messages.FU_CALL_ESCALATED.format(flags=_flag_labels(result.red_flags))
    # Its notifications go now, so the nurse reads whether the provider and on-call were told.
    outcomes = notify_now(result.follow_up_id)
    summary = messages.FU_NOTIFIED.format(
        summary="; ".join(f"{who}: {status.label}" for who, status in outcomes)
        or Delivery.PENDING.label
    )
    if outcomes and all(status == Delivery.SENT for _, status in outcomes):
        flash(f"{saved} {summary}")
    else:
        flash(saved)
        forms.flash_warning(summary)


def _flag_labels(flags: list[RedFlag]) -> str:
    return "; ".join(f.label for f in flags)


# --- closing cases after the 12-month visit ---------------------------------------------------


def ready_to_close(rows: pd.DataFrame, user: Actor) -> None:
    """Cases whose 12-month visit is recorded: closing is offered, never done by itself."""
    if rows.empty:
        return
    with st.container(border=True, key="fu_ready_to_close"):
        st.subheader(f"Ready to close ({len(rows)})")
        st.caption("The 12-month visit is recorded. Close a case when nothing more is planned.")
        labels = dict(zip(rows.case_id, rows.code + " · " + rows.patient, strict=True))
        versions = dict(zip(rows.case_id, rows.case_version, strict=True))
        codes = dict(zip(rows.case_id, rows.code, strict=True))
        st.selectbox("Case", list(labels), format_func=labels.get, key="fu_close_pick")
        forms.other_errors(CLOSE_ERRORS, [])
        st.button(
            "Close case",
            key="fu_close",
            width="stretch",
            on_click=_close,
            args=(user, versions, codes),
        )


def _close(user: Actor, versions: dict[int, int], codes: dict[int, str]) -> None:
    case_id = field_value("fu_close_pick")
    done = forms.submit(
        lambda: followup.close_case(case_id, actor=user, expected_version=versions.get(case_id)),
        errors_key=CLOSE_ERRORS,
    )
    if done is not None:
        flash(messages.FU_CASE_CLOSED.format(code=codes.get(case_id, "")))
