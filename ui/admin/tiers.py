"""The admin screen's escalation-tiers tab: each red flag's tier ("go to the emergency department
now" or "provider today") and each tier's time limit (still open this long: notify again, red on
the board), with their sources (mild.escalations). Every change is audited with before and
after; escalations raised later take the new tier, open ones the new limit."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.tiers import FlagTierView, TierLimitView, flag_tier_rows, tier_limit_rows
from mild import messages
from mild.escalations import LIMIT_MAX_MINUTES, LIMIT_MIN_MINUTES, Tier
from services import tiers
from services.common import Actor
from ui import forms
from ui.admin import common


def tiers_tab(user: Actor) -> None:
    common.policy_tab(
        "tier",
        tier_limit_rows,
        messages.TIERS_HELP,
        _limit_frame,
        ("Tier", lambda r: r.limit.tier.value, lambda r: r.limit.tier.label),
        lambda row: _limit_editor(row, user),
    )
    st.divider()
    common.policy_tab(
        "flag",
        flag_tier_rows,
        "",
        _flag_frame,
        ("Red flag", lambda r: r.flag_tier.flag.value, lambda r: r.flag_tier.flag.label),
        lambda row: _flag_editor(row, user),
    )


def _changed(rows: Sequence, tz: str, zone: str) -> dict[str, list[str]]:
    return {
        f"Changed ({zone})": [common.when(tz, r.updated_at) if r.updated_by else "" for r in rows],
        "By": [r.updated_by or "" for r in rows],
    }


def _limit_frame(rows: Sequence[TierLimitView], tz: str, zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Tier": [r.limit.tier.label for r in rows],
            "Time limit (minutes)": [r.limit.limit_minutes for r in rows],
            "Source": [r.limit.source for r in rows],
            **_changed(rows, tz, zone),
        }
    )


def _flag_frame(rows: Sequence[FlagTierView], tz: str, zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Red flag": [r.flag_tier.flag.label for r in rows],
            "Tier": [r.flag_tier.tier.label for r in rows],
            "Source": [r.flag_tier.source for r in rows],
            **_changed(rows, tz, zone),
        }
    )


def _source(k: str, errors: str) -> None:
    st.text_input("Source", key=f"{k}_source", max_chars=500)
    forms.field_error(errors, "source")


def _limit_editor(row: TierLimitView, user: Actor) -> None:
    limit = row.limit
    k = f"admin_tier_{limit.tier.value}"

    def inputs(errors: str) -> None:
        st.number_input(
            f"Time limit (minutes, {LIMIT_MIN_MINUTES} to {LIMIT_MAX_MINUTES})",
            step=5,
            key=f"{k}_limit_minutes",
        )
        forms.field_error(errors, "limit_minutes")
        _source(k, errors)

    common.policy_editor(
        k,
        row.updated_at,
        {"limit_minutes": limit.limit_minutes, "source": limit.source},
        inputs,
        lambda typed, seen: tiers.update_tier_limit(
            limit.tier.value,
            limit_minutes=typed["limit_minutes"],
            source=typed["source"] or "",
            expected_updated_at=seen,
            actor=user,
        ),
        label="Save time limit",
        success=messages.TIER_LIMIT_SAVED.format(tier=limit.tier.label),
        fields=("limit_minutes", "source"),
    )


def _flag_editor(row: FlagTierView, user: Actor) -> None:
    flag_tier = row.flag_tier
    k = f"admin_flag_{flag_tier.flag.value}"

    def inputs(errors: str) -> None:
        st.radio(
            "Tier",
            [t.value for t in Tier],
            format_func=lambda v: Tier(v).label,
            horizontal=True,
            key=f"{k}_tier",
        )
        forms.field_error(errors, "tier")
        _source(k, errors)

    common.policy_editor(
        k,
        row.updated_at,
        {"tier": flag_tier.tier.value, "source": flag_tier.source},
        inputs,
        lambda typed, seen: tiers.update_flag_tier(
            flag_tier.flag.value,
            tier=typed["tier"],
            source=typed["source"] or "",
            expected_updated_at=seen,
            actor=user,
        ),
        label="Save tier",
        success=messages.FLAG_TIER_SAVED.format(flag=flag_tier.flag.label),
        fields=("tier", "source"),
    )
