"""Widgets of the audit screen: the filters, the table of rows, the CSV export.

Everything in the trail may hold what someone typed (a note, a username tried at sign-in), so
rows are shown only in a dataframe (plain cells, never markdown) and written to the CSV with
spreadsheet formulas defused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.audit import UNASSIGNED, AuditFilter, AuditOffice, AuditPage
from mild import messages
from mild.audit import (
    ACTION_GROUPS,
    EXPORT_ROWS,
    SHOWN_ROWS,
    action_label,
    check_case_code,
    check_group,
    check_range,
    default_range,
    detail_text,
    spreadsheet_safe,
)
from mild.days import local_today, to_local
from mild.errors import RuleViolation
from mild.staff import Role
from services import reads
from services.common import Actor
from ui import forms
from ui.safe import recorded

OPENED_KEY = "audit_opened_by"  # the user whose opening of the screen is already recorded
EXPORT_KEY = "audit_export"  # the CSV prepared for the filters it was made with
EXPORT_ERRORS = "audit_export_errors"
ALL = None


def practice_zone(offices: Sequence[AuditOffice], user: Actor) -> str:
    """The zone of the user's first office (as the other screens): the days of rows without an
    office, and of the date picker's today."""
    own = [o for o in offices if o.id in user.office_ids and o.active]
    first = own or list(offices)
    return first[0].timezone if first else "UTC"


def record_opening(user: Actor) -> bool:
    """Record once per browser session that this user opened the trail. If that cannot be
    recorded the trail is not shown (it names cases and holds what staff typed)."""
    if st.session_state.get(OPENED_KEY) == user.id:
        return True
    if not recorded(lambda: reads.record_audit_view(user), messages.AUDIT_VIEW_NOT_RECORDED):
        return False
    st.session_state[OPENED_KEY] = user.id
    return True


# --- filters ----------------------------------------------------------------------------------


def _office_options(offices: Sequence[AuditOffice], user: Actor) -> dict[int | None, str]:
    admin = user.role == Role.ADMIN
    options: dict[int | None, str] = {ALL: "All offices" if admin else "My offices"}
    for o in offices:
        options[o.id] = f"{o.code} · {o.name}" + ("" if o.active else " (closed)")
    if admin:
        options[UNASSIGNED] = "No office (sign-ins, accounts)"
    return options


def filters(
    user: Actor,
    offices: Sequence[AuditOffice],
    people: pd.DataFrame,
    zone: str,
    now: dt.datetime,
) -> AuditFilter | None:
    """The filters, two rows of them (readable on a tablet); None, with the reason beside its
    field, until they make a query."""
    start, end = default_range(local_today(zone, now))
    when, where = st.columns(2)
    dates = when.date_input(
        "Days", value=(start, end), key="audit_dates", format="YYYY-MM-DD", max_value=end
    )
    office_labels = _office_options(offices, user)
    # Each "everything" choice is None, so a box emptied with its clear button means the same
    # and says so in its placeholder.
    office_id = where.selectbox(
        "Office",
        list(office_labels),
        format_func=office_labels.get,
        key="audit_office",
        placeholder=office_labels[ALL],
    )
    who, what, case = st.columns(3)
    names = dict(zip(people.username, people.display_name, strict=True))
    actor_name = who.selectbox(
        "User",
        [ALL, *names],
        format_func=lambda u: "Anyone" if u is ALL else f"{names[u]} ({u})",
        key="audit_user",
        placeholder="Anyone",
    )
    groups = {g.key: g.label for g in ACTION_GROUPS}
    group_key = what.selectbox(
        "Actions",
        [ALL, *groups],
        format_func=lambda k: "All actions" if k is ALL else groups[k],
        key="audit_action",
        placeholder="All actions",
    )
    typed_code = case.text_input(
        "Case code", key="audit_case", placeholder="e.g. AA-00012", max_chars=16
    )

    ready = True
    if not isinstance(dates, tuple | list) or len(dates) != 2:
        when.info(messages.AUDIT_PICK_RANGE_END, icon=":material/date_range:")
        ready = False
    else:
        try:
            start, end = check_range(dates[0], dates[1])
        except RuleViolation as refusal:
            when.error(refusal.message, icon=":material/error:")
            ready = False
    try:
        code = check_case_code(typed_code)
    except RuleViolation as refusal:
        case.error(refusal.message, icon=":material/error:")
        ready = False
    if not ready:
        return None
    return AuditFilter(
        start=start,
        end=end,
        zone=zone,
        office_id=office_id,
        actor_name=actor_name,
        group=check_group(group_key),
        case_code=code,
    )


# --- rows -------------------------------------------------------------------------------------


def _local(rows: pd.DataFrame, zone: str) -> list[dt.datetime]:
    """Each row's moment at its office (rows without an office: the practice's zone)."""
    return [
        to_local(tz if isinstance(tz, str) and tz else zone, at)
        for at, tz in zip(rows["at"], rows["timezone"], strict=True)
    ]


def display_zone(rows: pd.DataFrame, f: AuditFilter) -> str:
    """One zone for the whole table, so times read in order down the column: the office's
    when one office is chosen, else the practice's."""
    if f.office_id not in (ALL, UNASSIGNED) and not rows.empty:
        return str(rows["timezone"].iloc[0])
    return f.zone


def _who(rows: pd.DataFrame) -> list[str]:
    return [
        f"{display} ({name})" if isinstance(display, str) and display else name
        for name, display in zip(rows.actor_name, rows.actor_display, strict=True)
    ]


def _text(values) -> list[str]:
    return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]


def readable(rows: pd.DataFrame, zone: str) -> pd.DataFrame:
    """The rows as the screen shows them: time in `zone` with its abbreviation, who, what,
    which case, the detail in words, then the office and the action's code."""
    return pd.DataFrame(
        {
            "time": [f"{to_local(zone, at):%Y-%m-%d %H:%M:%S %Z}" for at in rows["at"]],
            "who": _who(rows),
            "action": [action_label(a) for a in rows.action],
            "case": _text(rows.case_code),
            "detail": [detail_text(d) for d in _text(rows.detail)],
            "office": _text(rows.office_code),
            "code": list(rows.action),
        }
    )


def csv_text(rows: pd.DataFrame, zone: str) -> str:
    """Every column a reviewer needs, the detail as stored (JSON); formulas defused."""
    moments = _local(rows, zone)
    frame = pd.DataFrame(
        {
            "time_utc": [at.astimezone(dt.UTC).isoformat() for at in rows["at"]],
            "time_local": [m.strftime("%Y-%m-%d %H:%M:%S") for m in moments],
            "zone": [m.strftime("%Z") for m in moments],
            "username": list(rows.actor_name),
            "name": _text(rows.actor_display),
            "action": list(rows.action),
            "action_label": [action_label(a) for a in rows.action],
            "entity": list(rows.entity),
            "entity_id": [
                "" if pd.isna(i) else str(int(i)) for i in rows.entity_id.astype("float")
            ],
            "case_code": _text(rows.case_code),
            "office": _text(rows.office_code),
            "detail": _text(rows.detail),
        }
    )
    return frame.map(spreadsheet_safe).to_csv(index=False)


def results(page: AuditPage, f: AuditFilter, user: Actor) -> None:
    """How many rows matched, the newest of them, and the export of all of them."""
    if not page.case_found:
        st.info(messages.AUDIT_CASE_UNKNOWN.format(code=f.case_code))
        return
    if page.matched == 0:
        st.info(messages.AUDIT_NOTHING_MATCHES)
        return
    shown = len(page.rows)
    count, export_slot = st.columns([3, 2], vertical_alignment="center")
    if page.matched > shown:
        count.caption(
            messages.AUDIT_SHOWING_NEWEST.format(matched=page.matched, shown=shown, cap=EXPORT_ROWS)
        )
    else:
        count.caption(messages.AUDIT_MATCHED.format(matched=page.matched))
    with export_slot:
        export(f, page.matched, user)
    zone = display_zone(page.rows, f)
    st.dataframe(
        readable(page.rows, zone),
        hide_index=True,
        width="stretch",
        # A long match gets a tall box to scroll in; a few rows no empty grid below them.
        height=560 if len(page.rows) > 14 else "auto",
        key="audit_table",
        # Sized so that time, who, action and case fit a tablet held upright (768 px); the
        # rest is a swipe away. Office and code come last: the case code names its office.
        column_config={
            "time": st.column_config.TextColumn("Time", width=168),
            "who": st.column_config.TextColumn("Who", width=160),
            "action": st.column_config.TextColumn("Action", width=175),
            "case": st.column_config.TextColumn("Case", width=96),
            "detail": st.column_config.TextColumn("Detail", width=280),
            "office": st.column_config.TextColumn("Office", width=64),
            "code": st.column_config.TextColumn("Action code", width=175),
        },
    )
    st.caption(messages.AUDIT_TIMES_NOTE.format(zone=zone, practice=f.zone, shown=SHOWN_ROWS))


# --- export -------------------------------------------------------------------------------------


def _prepare(f: AuditFilter, user: Actor) -> None:
    done = forms.submit(lambda: reads.export_audit(user, f), errors_key=EXPORT_ERRORS)
    if done is not None:
        rows, _matched = done
        st.session_state[EXPORT_KEY] = (f, csv_text(rows, f.zone).encode("utf-8"), len(rows))


def export(f: AuditFilter, matched: int, user: Actor) -> None:
    """Two steps, so that only a CSV someone asked for is made and recorded: prepare (the
    export's audit row is written then), then download. New filters drop a prepared CSV."""
    prepared = st.session_state.get(EXPORT_KEY)
    if prepared is not None and prepared[0] == f:
        _, data, rows = prepared
        st.download_button(
            messages.AUDIT_DOWNLOAD.format(rows=rows),
            data=data,
            file_name=f"audit-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv",
            mime="text/csv",
            key="audit_download",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )
        return
    st.session_state.pop(EXPORT_KEY, None)
    st.button(
        messages.AUDIT_PREPARE.format(rows=min(matched, EXPORT_ROWS)),
        key="audit_prepare",
        on_click=_prepare,
        args=(f, user),
        icon=":material/table_view:",
        width="stretch",
    )
    forms.other_errors(EXPORT_ERRORS, [])
    if matched > EXPORT_ROWS:
        st.caption(messages.AUDIT_EXPORT_CAPPED.format(cap=EXPORT_ROWS))
