"""The admin screen's hold-table tab: the table one row per drug (generic and brand names, class,
stop before and restart after in hours, clearance, source, who confirmed it), its CSV for a
review on paper, adding and changing a row, and confirming a row against its source.

Saving a row re-classes the drugs of open cases that follow it; the cases are listed."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.admin import HoldRuleView, hold_rules, practice_timezone
from mild import messages
from mild.admin import HOLD_HOURS_MAX, TABLE_CLASSES, HoldRuleInput
from mild.medications import CLASS_LABELS, hold_table_csv, whole_hours
from services import admin
from services.admin import HoldChange
from services.common import Actor, now_utc
from ui import forms
from ui.admin import common
from ui.format import zone_abbreviation

FIELDS = (
    "drug",
    "generic",
    "brands",
    "med_class",
    "stop_before_hours",
    "skip_on_day",
    "restart_after_hours",
    "needs_clearance",
    "instruction",
    "source",
)
RECLASSED_KEY = "admin_hold_reclassed"


def _shown(value: int | None) -> str:
    return "" if value is None else str(value)


def holds_tab(user: Actor) -> None:
    loaded = common.load(lambda: (hold_rules(), practice_timezone()))
    if loaded is None:
        return
    rows, tz = loaded
    zone = zone_abbreviation(tz, now_utc())
    st.caption(messages.ADMIN_HOLD_TABLE_HELP)
    reclassed = st.session_state.get(RECLASSED_KEY)
    if reclassed is not None:
        st.info(
            messages.HOLD_TABLE_RECLASSED.format(cases=", ".join(reclassed))
            if reclassed
            else messages.HOLD_TABLE_NOTHING_RECLASSED,
            icon=":material/sync:",
        )
    in_use = [r.rule for r in rows if r.active]
    st.download_button(
        messages.ADMIN_HOLD_CSV,
        data=hold_table_csv(in_use),
        file_name="hold-table.csv",
        mime="text/csv",
        icon=":material/download:",
        key="admin_hold_csv",
        on_click="ignore",
    )
    common.table("admin_holds_table", _frame(rows, tz, zone))
    with st.expander("Add a drug", icon=":material/medication:"):
        _new_hold_rule(user)
    if not rows:
        return
    st.subheader("Change or confirm a drug")
    by_drug = {r.drug: r for r in rows}
    drug = st.selectbox(
        "Drug",
        list(by_drug),
        format_func=lambda d: d + ("" if by_drug[d].active else " (not in use)"),
        key="admin_hold_pick",
    )
    if drug is not None:
        _hold_editor(by_drug[drug], user)


def _frame(rows: Sequence[HoldRuleView], tz: str, zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Drug": [r.drug for r in rows],
            "Brand names": ["; ".join(r.rule.brands) for r in rows],
            "Class": [CLASS_LABELS[r.rule.med_class] for r in rows],
            "Stop before (h)": [_shown(whole_hours(r.rule.stop_before)) for r in rows],
            "No dose on the day": ["Yes" if r.rule.skip_on_day else "" for r in rows],
            "Restart after (h)": [_shown(whole_hours(r.rule.restart_after)) for r in rows],
            "Prescriber clearance": ["Yes" if r.rule.needs_clearance else "No" for r in rows],
            "In use": ["Yes" if r.active else "No" for r in rows],
            "Instruction": [r.rule.instruction for r in rows],
            "Source": [r.rule.source for r in rows],
            "Confirmed by": [r.rule.confirmed_by or messages.HOLD_NOT_CONFIRMED for r in rows],
            "Confirmed on": [
                f"{r.rule.confirmed_on:%d %b %Y}" if r.rule.confirmed_on else "" for r in rows
            ],
            **common.changed(rows, tz, zone),
        }
    )


def _class_picker(key: str) -> None:
    st.selectbox(
        "Class",
        TABLE_CLASSES,
        index=None,
        format_func=lambda c: CLASS_LABELS[c],
        key=key,
        placeholder="Choose a class",
    )


def _hours_input(label: str, key: str) -> None:
    st.number_input(
        f"{label} (hours, 0-{HOLD_HOURS_MAX}; empty: none)",
        min_value=0,
        max_value=HOLD_HOURS_MAX,
        value=None,
        step=1,
        key=key,
        placeholder="none",
    )


def _row_fields(key: str, errors: str, *, new: bool) -> None:
    """The inputs of one row, each refusal right below its input."""
    if new:
        st.text_input("Row name (drug, or drug and use)", key=f"{key}_drug", max_chars=80)
        forms.field_error(errors, "drug")
    names, med_class = st.columns(2)
    with names:
        st.text_input("Generic name", key=f"{key}_generic", max_chars=80)
        forms.field_error(errors, "generic")
        st.text_input("Brand names (separate with ;)", key=f"{key}_brands", max_chars=300)
        forms.field_error(errors, "brands")
    with med_class:
        _class_picker(f"{key}_med_class")
        forms.field_error(errors, "med_class")
        st.checkbox("Stopping it needs the prescriber's clearance", key=f"{key}_needs_clearance")
        forms.field_error(errors, "needs_clearance")
    stop, restart = st.columns(2)
    with stop:
        _hours_input("Stop before the procedure", f"{key}_stop_before_hours")
        forms.field_error(errors, "stop_before_hours")
        st.checkbox("No dose on the morning of the procedure", key=f"{key}_skip_on_day")
    with restart:
        _hours_input("Restart after the procedure end", f"{key}_restart_after_hours")
        forms.field_error(errors, "restart_after_hours")
    st.text_input("Instruction for the patient", key=f"{key}_instruction", max_chars=300)
    forms.field_error(errors, "instruction")
    st.text_input("Source (guideline, label or practice decision)", key=f"{key}_source")
    forms.field_error(errors, "source")


def _typed(key: str, drug: str | None = None) -> HoldRuleInput:
    state = st.session_state
    return HoldRuleInput(
        drug=drug if drug is not None else state.get(f"{key}_drug", ""),
        generic=state.get(f"{key}_generic", ""),
        brands=state.get(f"{key}_brands", ""),
        med_class=state.get(f"{key}_med_class"),
        stop_before_hours=state.get(f"{key}_stop_before_hours"),
        skip_on_day=bool(state.get(f"{key}_skip_on_day")),
        restart_after_hours=state.get(f"{key}_restart_after_hours"),
        needs_clearance=bool(state.get(f"{key}_needs_clearance")),
        instruction=state.get(f"{key}_instruction", ""),
        source=state.get(f"{key}_source", ""),
    )


def _values(rule) -> dict[str, object]:
    """A row's values as its inputs hold them."""
    return {
        "generic": rule.generic,
        "brands": "; ".join(rule.brands),
        "med_class": rule.med_class,
        "stop_before_hours": whole_hours(rule.stop_before),
        "skip_on_day": rule.skip_on_day,
        "restart_after_hours": whole_hours(rule.restart_after),
        "needs_clearance": rule.needs_clearance,
        "instruction": rule.instruction,
        "source": rule.source,
    }


def _note_reclassed(change: HoldChange | None) -> None:
    if change is not None:
        st.session_state[RECLASSED_KEY] = list(change.reclassed)


NEW_KEY = "admin_hold_new"
NEW_HOLD_KEYS: dict[str, object] = {
    f"{NEW_KEY}_{f}": (
        None
        if f in ("med_class", "stop_before_hours", "restart_after_hours")
        else False
        if f in ("skip_on_day", "needs_clearance")
        else ""
    )
    for f in FIELDS
}


def _new_hold_rule(user: Actor) -> None:
    errors = f"{NEW_KEY}_errors"
    _row_fields(NEW_KEY, errors, new=True)

    def add() -> None:
        _note_reclassed(
            forms.submit(
                lambda: admin.add_hold_rule(_typed(NEW_KEY), actor=user),
                errors_key=errors,
                success=messages.ADMIN_HOLD_ADDED,
                clear=NEW_HOLD_KEYS,
            )
        )

    common.button("Add drug", "admin_hold_add", add, primary=True)
    forms.other_errors(errors, list(FIELDS))


def _hold_editor(row: HoldRuleView, user: Actor) -> None:
    key = f"admin_hold_{row.drug.replace(' ', '_').replace(',', '')}"
    errors = f"{key}_errors"
    state = st.session_state
    # The version of the row this editor was opened on: a save checks nobody changed it since.
    seen = state.setdefault(f"{key}_seen", row.updated_at)
    # Seeded once, not passed as value=: "Discard changes" sets these keys itself.
    for name, value in {**_values(row.rule), "active": row.active}.items():
        state.setdefault(f"{key}_{name}", value)
    with st.container(border=True, key=key):
        forms.field_error(errors, "drug")
        _row_fields(key, errors, new=False)
        st.checkbox("In use by intake", key=f"{key}_active")
        st.caption(messages.ADMIN_HOLD_INACTIVE_HELP)

        def save() -> None:
            change = forms.submit(
                lambda: admin.update_hold_rule(
                    _typed(key, row.drug),
                    active=bool(state.get(f"{key}_active")),
                    expected_updated_at=seen,
                    actor=user,
                ),
                errors_key=errors,
                success=messages.ADMIN_HOLD_SAVED.format(drug=row.drug),
            )
            if change is not None:
                state[f"{key}_seen"] = change.at  # the next save checks against this one
            _note_reclassed(change)

        def reload() -> None:
            # Set, not dropped: a dropped key leaves the browser showing (and sending back)
            # what was typed. The row is read again, so someone else's change shows now.
            fresh = next((r for r in hold_rules() if r.drug == row.drug), row)
            for name, value in {**_values(fresh.rule), "active": fresh.active}.items():
                state[f"{key}_{name}"] = value
            state[f"{key}_seen"] = fresh.updated_at

        save_col, discard_col = st.columns(2)
        with save_col:
            common.button("Save drug", f"{key}_save", save, primary=True)
        with discard_col:
            common.act("Discard changes", f"{key}_discard", reload, errors=errors, success="")
        forms.other_errors(errors, list(FIELDS))
    _confirm(row, user, key)


def _confirm(row: HoldRuleView, user: Actor, key: str) -> None:
    """Who at the practice checked the row against its source; a clinical change clears it."""
    errors = f"{key}_confirm_errors"
    state = st.session_state
    with st.container(border=True, key=f"{key}_confirm"):
        if row.rule.confirmed_by:
            st.text(
                messages.HOLD_CONFIRMED_ON.format(
                    who=row.rule.confirmed_by, when=f"{row.rule.confirmed_on:%d %b %Y}"
                )
            )
        else:
            st.text(messages.HOLD_NOT_CONFIRMED)
        st.text_input("Confirmed by (name and role)", key=f"{key}_confirmed_by", max_chars=120)
        forms.field_error(errors, "confirmed_by")

        def confirm() -> None:
            at = forms.submit(
                lambda: admin.confirm_hold_rule(
                    row.drug,
                    state.get(f"{key}_confirmed_by", ""),
                    expected_updated_at=state.get(f"{key}_seen", row.updated_at),
                    actor=user,
                ),
                errors_key=errors,
                success=messages.HOLD_RULE_CONFIRMED.format(
                    drug=row.drug, who=state.get(f"{key}_confirmed_by", "")
                ),
                clear={f"{key}_confirmed_by": ""},
            )
            if at is not None:
                state[f"{key}_seen"] = at

        common.button("Confirm this row", f"{key}_confirm_save", confirm)
        forms.other_errors(errors, ["confirmed_by"])
