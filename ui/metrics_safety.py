"""The metrics screen's Safety tab: CMS ASC-1 to ASC-4 per 1,000 admissions and hospital visits
within 7 days per 1,000 discharges, one line per office, and every event with its case for the
manager to read (mild.safety; db/queries/metrics.py)."""

from __future__ import annotations

import streamlit as st

from db.queries.metrics import OfficeMetrics
from mild import messages
from mild.safety import SafetyKind
from ui import metrics, metrics_charts
from ui.format import local_moment

EVENT_COLUMNS = {
    "office": "Office",
    "case_code": "Case",
    "period": "Period",
    "event": "Event",
    "measure": "Measure",
    "when": "When (office time)",
    "description": "What happened",
    "recorded_by": "Recorded by",
}


def safety(data: OfficeMetrics) -> None:
    metrics.heading("Safety events", "safety_events", "hospital_visits")
    metrics_charts.chart_pair(
        data,
        ("asc_per_1000", "ASC-1 to ASC-4 per 1,000 admissions", "per 1,000", "metrics_asc_chart"),
        (
            "hospital_visits_per_1000",
            "Hospital visits within 7 days per 1,000",
            "per 1,000",
            "metrics_visits_chart",
        ),
    )
    events(data)
    metrics.period_table(data, metrics.SAFETY, "safety", "metrics_safety")


def events(data: OfficeMetrics) -> None:
    """Each event with its case, newest last, for the manager to follow up."""
    st.markdown(f"**{messages.METRICS_EVERY_SAFETY_EVENT}**")
    if data.safety.empty:
        st.caption(messages.METRICS_NO_SAFETY_EVENTS)
        return
    by_id = {o.id: o for o in data.offices}
    rows = data.safety
    frame = rows.assign(
        office=[by_id[i].code for i in rows.office_id],
        event=[SafetyKind(k).label for k in rows.kind],
        measure=[SafetyKind(k).measure for k in rows.kind],
        when=[
            local_moment(by_id[i].timezone, at)
            for i, at in zip(rows.office_id, rows.occurred_at, strict=True)
        ],
        recorded_by=[r or messages.STAFF_NOT_RECORDED for r in rows.recorded_by],
    )[list(EVENT_COLUMNS)]
    metrics.table(
        frame,
        metrics.file_name(data, "safety_events"),
        "metrics_safety_events",
        {"period": data.range.grain.label}
        | {k: v for k, v in EVENT_COLUMNS.items() if k != "period"},
    )
