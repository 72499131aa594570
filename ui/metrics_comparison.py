"""The metrics screen's Comparison tab: one row per office with the KPIs as columns (more than
four offices: the KPIs as rows and the offices as columns, easier to scan), each value with a
target coloured green, amber or red (mild.targets) and, in words, which KPIs are near or off
target; the CSV carries the same numbers and headings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.queries.metrics import OfficeMetrics
from mild import messages
from mild.kpis import FUNNEL_STAGES
from mild.targets import Rag, rag
from ui import metrics
from ui.format import plain

WIDE = 4  # more offices than this: KPIs as rows, offices as columns
RAG_CSS = {
    Rag.GREEN: "background-color: #e3f2e6",
    Rag.AMBER: "background-color: #fff1d6",
    Rag.RED: "background-color: #fde4e4",
}


def _rags(data: OfficeMetrics, frame: pd.DataFrame) -> dict[str, list[Rag | None]]:
    """Per KPI column with a target: each office's colour."""
    return {
        column: [rag(v, target) for v in frame[column]]
        for column, target in data.targets.items()
        if column in frame.columns
    }


def _named(
    data: OfficeMetrics, rags: dict[str, list[Rag | None]], colour: Rag, count: int
) -> list[str]:
    """Per office (`count` of them): the KPIs of that colour, in words."""
    return [
        ", ".join(data.targets[c].spec.label for c, found in rags.items() if found[i] == colour)
        for i in range(count)
    ]


def comparison(data: OfficeMetrics) -> None:
    keys = dict.fromkeys(k for _, k, _ in metrics.COMPARISON_COLUMNS.values())
    metrics.heading("Office comparison", *keys)
    st.caption(messages.METRICS_COMPARISON_NOTE)
    counted = data.by_period[["booked", "discharged"]].to_numpy().sum()
    if not counted and not data.funnel[FUNNEL_STAGES[0][0]].sum():
        st.info(messages.METRICS_NO_CASES)
    frame = data.comparison.drop(columns="office_id")
    rags = _rags(data, frame)
    # In words first, beside the office: what is off or near target (colour is not enough).
    frame.insert(1, "off_target", _named(data, rags, Rag.RED, len(frame)))
    frame.insert(2, "near_target", _named(data, rags, Rag.AMBER, len(frame)))
    _at_a_glance(frame, rags)
    if len(data.offices) > WIDE:
        _kpis_as_rows(data, frame, rags)
    else:
        _offices_as_rows(data, frame, rags)


# The at-a-glance table's badges: the colour beside the count; its column (Rag.label) says it
# in words.
BADGE_COLOURS = {Rag.GREEN: "green", Rag.AMBER: "orange", Rag.RED: "red"}


def _at_a_glance(frame: pd.DataFrame, rags: dict[str, list[Rag | None]]) -> None:
    """First, per office, how many KPIs are on, near and off target: one Markdown table of
    coloured counts. It was a Plotly bar chart: drawing it was most of the screen's time in
    the browser (issue 12: Metrics 16x the floor), for three numbers an office."""
    lines = [
        f"**{messages.METRICS_TARGETS_GLANCE}**",
        "",
        "| Office | " + " | ".join(c.label for c in Rag) + " |",
        "|---|" + "---:|" * len(Rag),
    ]
    for i, office in enumerate(frame.office):
        counts = {c: sum(found[i] == c for found in rags.values()) for c in Rag}
        cells = [f":{BADGE_COLOURS[c]}-badge[{n}]" if n else "0" for c, n in counts.items()]
        lines.append(f"| **{plain(office)}** | " + " | ".join(cells) + " |")
    st.container(key="metrics_glance").markdown("\n".join(lines))


def _offices_as_rows(data: OfficeMetrics, frame: pd.DataFrame, rags) -> None:
    def colours(column: pd.Series) -> list[str]:
        return [RAG_CSS.get(r, "") for r in rags[column.name]]

    styled = frame.style.apply(colours, subset=list(rags))
    metrics.table(
        frame,
        metrics.file_name(data, "office_comparison"),
        "metrics_comparison",
        {"office": st.column_config.TextColumn("Office", pinned=True)}
        | {
            column: st.column_config.NumberColumn(label, format=fmt)
            for column, (label, _, fmt) in metrics.COMPARISON_COLUMNS.items()
        }
        | {"off_target": "Off target", "near_target": "Near target"},
        styled,
    )


def _kpis_as_rows(data: OfficeMetrics, frame: pd.DataFrame, rags) -> None:
    """KPIs down, offices across; each KPI row with its target in words."""
    offices = list(frame.office)
    rows = []
    for column, (label, _, fmt) in metrics.COMPARISON_COLUMNS.items():
        target = data.targets.get(column)
        shown = [_shown(v, fmt) for v in frame[column]]
        rows.append([label, target.text() if target else "", *shown])
    wide = pd.DataFrame(rows, columns=["KPI", "Target", *offices])

    def colours(row: pd.Series) -> list[str]:
        column = list(metrics.COMPARISON_COLUMNS)[row.name]
        found = rags.get(column, [None] * len(offices))
        return ["", "", *(RAG_CSS.get(r, "") for r in found)]

    metrics.table(
        wide,
        metrics.file_name(data, "office_comparison"),
        "metrics_comparison",
        {"KPI": st.column_config.TextColumn("KPI", pinned=True)},
        wide.style.apply(colours, axis=1),
    )
    st.caption(messages.METRICS_OFF_TARGET_SUMMARY)
    # One element, a line per office (an element each cost the browser on every run, issue 12).
    lines = [f"{o}: {off}" for o, off in zip(offices, frame.off_target, strict=True) if off]
    if lines:
        st.text("\n".join(lines))


def _shown(value, fmt: str) -> str:
    """A value as the wide table shows it (text: each row has its own unit)."""
    if value is None or pd.isna(value):
        return metrics.MISSING
    return f"{value:.0f}" if fmt == "%d" else f"{value:.1f}"
