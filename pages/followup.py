"""Post-op follow-up: open escalations, the worklist of calls and visits due, recording them."""

from __future__ import annotations

import streamlit as st

from db.queries.followup import (
    escalations_to_resolve,
    follow_up_detail,
    ready_to_close,
    worklist,
    worklist_counts,
)
from db.queries.home import offices
from mild import messages
from mild.followup import FollowUpKind
from mild.safety import ASKED_AT_FOLLOW_UPS
from mild.staff import Screen
from services.common import now_utc
from ui import escalations, forms
from ui import followup as fu
from ui import followup_visits as visits
from ui.auth import require
from ui.documents import fhir_case_button
from ui.safe import record_view, show_failure
from ui.safety import safety_events


def render() -> None:
    user = require(Screen.FOLLOW_UP)
    st.title("Follow-up")
    forms.show_flash()
    now = now_utc()
    try:
        office_rows = offices(user.office_ids)
        escalated = escalations_to_resolve(user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return
    if not office_rows:
        st.info(messages.NO_OFFICES)
        return
    escalations.open_escalations(escalated, user, prefix="fu", title=messages.FU_ESCALATIONS_TITLE)

    st.subheader("Worklist: due and overdue")
    office_id, kinds = fu.filters(office_rows)
    try:
        rows = worklist(
            user.office_ids, now, office_id=office_id, kinds=kinds, limit=fu.WORKLIST_ROWS
        )
        counts = worklist_counts(user.office_ids, now, office_id=office_id, kinds=kinds)
    except Exception as exc:
        show_failure(exc)
        return
    if rows.empty:
        filtered = office_id is not None or kinds
        st.info(messages.FU_NOTHING_MATCHES if filtered else messages.FU_NOTHING_DUE)
        fu.forget_if_gone(set())
    else:
        fu.urgency_counts(counts, len(rows))
        fu.worklist_table(rows)
        follow_up_id = fu.choose(rows)
        detail = None
        if follow_up_id is not None:
            try:
                detail = follow_up_detail(follow_up_id, user.office_ids)
            except Exception as exc:
                show_failure(exc)
                return
            if detail is None or detail.completed:
                st.info(messages.FU_NO_LONGER_OPEN)
                detail = None
            elif not record_view(user, detail.case_id, Screen.FOLLOW_UP):
                detail = None  # a read the audit trail could not record is not shown
        if detail is not None:
            with st.container(border=True, key="fu_record"):
                fu.header(detail)
                fhir_case_button(detail.case_id, user, "fu")
                if detail.kind in ASKED_AT_FOLLOW_UPS:  # a hospital visit since discharge?
                    safety_events(detail.case_id, detail.timezone, user, Screen.FOLLOW_UP)
                if detail.kind == FollowUpKind.NEXT_DAY_CALL:
                    reached = fu.reached(detail.follow_up_id)
                    if reached is False:
                        fu.attempt_form(detail, user)
                    elif reached:
                        fu.call_form(detail, user)
                else:  # a visit is recorded when it happened; a missed one is an attempt
                    visits.visit_form(detail, user)
                    visits.missed_visit(detail, user)

    try:
        closable = ready_to_close(user.office_ids)
    except Exception as exc:
        show_failure(exc)
        return
    fu.ready_to_close(closable, user)
