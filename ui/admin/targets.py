"""The admin screen's KPI-targets tab: the practice's target for each office metric that has
one (mild.targets), with its amber band and source; changing one is audited with before and
after, and the metrics screen shows it at once (green, amber or red, and a line on the chart)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.targets import TargetView, target_rows
from mild import messages
from services import targets
from services.common import Actor
from ui import forms
from ui.admin import common

FIELDS = ("target", "amber", "source")


def targets_tab(user: Actor) -> None:
    common.policy_tab(
        "target",
        target_rows,
        messages.TARGETS_HELP,
        _frame,
        ("KPI", lambda r: r.target.key, lambda r: r.target.spec.label),
        lambda row: _editor(row, user),
    )


def _frame(rows: Sequence[TargetView], tz: str, zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "KPI": [r.target.spec.label for r in rows],
            "Target": [r.target.text() for r in rows],
            "Better": [r.target.spec.better.value for r in rows],
            "Source": [r.target.source for r in rows],
            **common.changed(rows, tz, zone),
        }
    )


def _editor(row: TargetView, user: Actor) -> None:
    target = row.target
    spec = target.spec
    k = f"admin_target_{target.key}"

    def inputs(errors: str) -> None:
        st.caption(messages.TARGET_BETTER[spec.better.value])
        left, right = st.columns(2)
        with left:
            st.number_input(f"Target ({spec.unit})", step=1.0, format="%g", key=f"{k}_target")
            forms.field_error(errors, "target")
        with right:
            st.number_input(
                f"Amber band edge ({spec.unit})", step=1.0, format="%g", key=f"{k}_amber"
            )
            forms.field_error(errors, "amber")
        st.text_input("Source", key=f"{k}_source", max_chars=500)
        forms.field_error(errors, "source")

    common.policy_editor(
        k,
        row.updated_at,
        {"target": target.target, "amber": target.amber, "source": target.source},
        inputs,
        lambda typed, seen: targets.update_kpi_target(
            target.key,
            target=typed["target"],
            amber=typed["amber"],
            source=typed["source"] or "",
            expected_updated_at=seen,
            actor=user,
        ),
        label="Save target",
        success=messages.TARGET_SAVED.format(label=spec.label),
        fields=FIELDS,
    )
