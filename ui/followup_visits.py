"""The follow-up screen's outcome visits (2 weeks, 3, 6, 12 months): NPRS, ODI, walking and
standing tolerance, satisfaction and further treatment, with the change from baseline shown as
the nurse types (Ostelo 2008 thresholds, mild.scores). Split from ui/followup.py by section."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.queries.followup import FollowUpDetail
from mild import messages
from mild.days import local_today
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.scores import ODI_SECTIONS, VisitScores, odi_score, outcome_changes
from services import followup
from services.common import Actor, now_utc
from ui import forms
from ui.followup import (
    ODI_LABELS,
    VISIT_ERRORS,
    VISIT_KEYS,
    attempt_form,
    field_value,
    flash,
    form_keys,
    keyed,
    put_away_form,
)


def _visit_scores(follow_up_id: int) -> VisitScores:
    def typed(field: str):
        return field_value(keyed(VISIT_KEYS[field], follow_up_id))

    return VisitScores(
        nprs=typed("nprs"),
        odi_answers={s: typed(s) for s in ODI_SECTIONS},
        walk_minutes=typed("walk_minutes"),
        stand_minutes=typed("stand_minutes"),
    )


def visit_form(detail: FollowUpDetail, user: Actor) -> None:
    """A later visit: pain, the ten ODI sections, walking and standing tolerance, and the change
    from the intake baseline as the answers come in."""
    fid = detail.follow_up_id
    errors_key = keyed(VISIT_ERRORS, fid)

    def key(field: str) -> str:
        return keyed(VISIT_KEYS[field], fid)

    today = local_today(detail.timezone, now_utc())
    st.date_input(
        "Visit date",
        value=today,
        max_value=today,
        key=key("visited_on"),
        format="YYYY-MM-DD",
        help="The day the patient was seen (in person or by phone).",
    )
    forms.field_error(errors_key, "visited_on")
    st.segmented_control(
        "Pain now (NPRS: 0 no pain, 10 worst imaginable)",
        list(range(11)),
        key=key("nprs"),
        width="stretch",
    )
    forms.field_error(errors_key, "nprs")
    st.markdown("**Oswestry Disability Index**")
    st.caption(
        "Each section 0 (no difficulty) to 5 (worst). Leave a section unselected if the "
        "patient does not answer it; at least 8 of 10 are needed."
    )
    columns = st.columns(2)
    for n, section in enumerate(ODI_SECTIONS):
        with columns[n % 2]:
            st.segmented_control(
                ODI_LABELS[section], list(range(6)), key=key(section), width="stretch"
            )
            forms.field_error(errors_key, section)
    forms.field_error(errors_key, "odi")
    walk, stand = st.columns(2)
    walk.number_input("Walking tolerance (minutes)", value=None, step=1, key=key("walk_minutes"))
    stand.number_input("Standing tolerance (minutes)", value=None, step=1, key=key("stand_minutes"))
    forms.field_error(errors_key, "walk_minutes")
    forms.field_error(errors_key, "stand_minutes")
    changes_table(detail.baseline, _visit_scores(fid))
    forms.other_errors(errors_key, [*VISIT_KEYS, "odi"])
    st.button(
        "Save visit",
        key=keyed("fu_visit_save", fid),
        type="primary",
        width="stretch",
        on_click=_save_visit,
        args=(fid, detail.case_version, detail.kind, user),
    )


def missed_visit(detail: FollowUpDetail, user: Actor) -> None:
    """A visit that did not happen (not reached, did not attend): recorded as an attempt, in a
    fold drawn only once opened."""
    box = st.expander(
        messages.FU_MISSED_VISIT,
        icon=":material/event_busy:",
        key=keyed("fu_missed", detail.follow_up_id),
        on_change="rerun",
    )
    if box.open:
        with box:
            attempt_form(detail, user)


def changes_table(baseline: dict[str, float | None], scores: VisitScores) -> None:
    """Baseline, now, change and clinically important improvement, for what is typed so far."""
    try:
        odi = odi_score(scores.odi_answers)
    except RuleViolation:
        odi = None
    nprs = scores.nprs if isinstance(scores.nprs, int) and 0 <= scores.nprs <= 10 else None
    now = {
        "nprs": nprs,
        "odi": odi,
        "walk_minutes": scores.walk_minutes,
        "stand_minutes": scores.stand_minutes,
    }
    rows = outcome_changes(baseline, now)
    st.container(key="fu_visit_changes").dataframe(
        pd.DataFrame(
            {
                "measure": [r.measure for r in rows],
                "baseline": [_number(r.baseline) for r in rows],
                "now": [_number(r.now) for r in rows],
                "change": [_number(r.change, signed=True) for r in rows],
                "improved": [{True: "Yes", False: "No", None: "—"}[r.improved] for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "measure": "Compared with intake",
            "baseline": "Baseline",
            "now": "Now",
            "change": "Change",
            "improved": "Clinically important improvement",
        },
    )


def _number(value: float | None, *, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:+g}" if signed else f"{value:g}"
    return text.replace("-", "−")


def _save_visit(follow_up_id: int, version: int, kind: FollowUpKind, user: Actor) -> None:
    result = forms.submit(
        lambda: followup.record_outcome_visit(
            follow_up_id,
            _visit_scores(follow_up_id),
            actor=user,
            visited_on=field_value(keyed(VISIT_KEYS["visited_on"], follow_up_id)),
            expected_version=version,
        ),
        errors_key=keyed(VISIT_ERRORS, follow_up_id),
        clear=form_keys(follow_up_id),
    )
    if result is not None:
        put_away_form()
        template = messages.FU_VISIT_CLOSE_OFFERED if result.may_close else messages.FU_VISIT_SAVED
        flash(template.format(kind=kind.label, odi=f"{result.odi:g}"))
