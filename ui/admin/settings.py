"""The admin screen's practice-settings tab: the practice's whole-number settings (mild.settings)
with their source; changing one is audited with before and after and takes effect at once."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.settings import SettingView, setting_rows
from mild import messages
from services import settings
from services.common import Actor
from ui import forms
from ui.admin import common

FIELDS = ("value", "source")


def settings_tab(user: Actor) -> None:
    common.policy_tab(
        "setting",
        setting_rows,
        messages.SETTINGS_HELP,
        _frame,
        ("Setting", lambda r: r.setting.key, lambda r: r.setting.spec.label),
        lambda row: _editor(row, user),
    )


def _frame(rows: Sequence[SettingView], tz: str, zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Setting": [r.setting.spec.label for r in rows],
            "Value": [r.setting.spec.amount(r.setting.value) for r in rows],
            "Allowed": [f"{r.setting.spec.low} to {r.setting.spec.high}" for r in rows],
            "Source": [r.setting.source for r in rows],
            **common.changed(rows, tz, zone),
        }
    )


def _editor(row: SettingView, user: Actor) -> None:
    setting = row.setting
    spec = setting.spec
    k = f"admin_setting_{setting.key}"

    def inputs(errors: str) -> None:
        st.number_input(
            f"{spec.label} ({spec.unit}, {spec.low} to {spec.high})",
            step=1,
            key=f"{k}_value",
        )
        forms.field_error(errors, "value")
        st.text_input("Source", key=f"{k}_source", max_chars=500)
        forms.field_error(errors, "source")

    common.policy_editor(
        k,
        row.updated_at,
        {"value": setting.value, "source": setting.source},
        inputs,
        lambda typed, seen: settings.update_practice_setting(
            setting.key,
            value=typed["value"],
            source=typed["source"] or "",
            expected_updated_at=seen,
            actor=user,
        ),
        label="Save setting",
        success=messages.SETTING_SAVED.format(label=spec.label),
        fields=FIELDS,
    )
