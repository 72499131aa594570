"""The admin screen's clinical-limits tab: the limits intake checks comorbidity values against
(mild.clearances), each with its value, unit, whether it blocks confirmation or warns, and its
source; changing one is audited with before and after."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.clearances import LimitView, limit_rows
from mild import messages
from mild.clearances import MONTHS, LimitAction
from services import limits
from services.common import Actor
from ui import forms
from ui.admin import common

FIELDS = ("value", "action", "source")


def limits_tab(user: Actor) -> None:
    common.policy_tab(
        "limit",
        limit_rows,
        messages.LIMITS_HELP,
        _frame,
        ("Limit", lambda r: r.limit.key, lambda r: r.limit.label),
        lambda row: _editor(row, user),
    )


def _frame(rows: Sequence[LimitView], tz: str, zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Limit": [r.limit.label for r in rows],
            "Value": [f"{r.limit.value:g}" for r in rows],
            "Unit": [r.limit.unit for r in rows],
            "Action": [r.limit.action.label for r in rows],
            "Source": [r.limit.source for r in rows],
            **common.changed(rows, tz, zone),
        }
    )


def _editor(row: LimitView, user: Actor) -> None:
    limit = row.limit
    k = f"admin_limit_{limit.key.value}"

    def inputs(errors: str) -> None:
        value, action = st.columns(2)
        with value:
            st.number_input(
                f"Value ({limit.unit})",
                step=1.0 if limit.unit == MONTHS else 0.5,
                format="%g",
                key=f"{k}_value",
            )
            forms.field_error(errors, "value")
        with action:
            st.radio(
                "When a value is over the limit",
                list(LimitAction),
                format_func=lambda a: a.label,
                horizontal=True,
                key=f"{k}_action",
            )
            forms.field_error(errors, "action")
        st.text_input("Source", key=f"{k}_source", max_chars=500)
        forms.field_error(errors, "source")

    common.policy_editor(
        k,
        row.updated_at,
        {"value": limit.value, "action": limit.action, "source": limit.source},
        inputs,
        lambda typed, seen: limits.update_clinical_limit(
            limit.key,
            value=typed["value"],
            action=typed["action"],
            source=typed["source"] or "",
            expected_updated_at=seen,
            actor=user,
        ),
        label="Save limit",
        success=messages.LIMIT_SAVED.format(label=limit.label),
        fields=FIELDS,
    )
