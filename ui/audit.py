"""Widgets of the audit screen: the filters, the table of rows (each in its office's time,
what happened in words), a named case's story, the CSV export.

Everything in the trail may hold what someone typed (a note, a username tried at sign-in), so
rows are shown in a dataframe (plain cells, never markdown), a story's sentences with every
character Markdown would read escaped (ui.format.plain), and the CSV with spreadsheet
formulas defused.
"""

from __future__ import annotations

import datetime as dt
import re
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
    spreadsheet_safe,
)
from mild.audit_words import Event, Names, event, sentence, tell, what, when, who
from mild.case_codes import TYPED_MAX
from mild.days import local_today
from mild.errors import RuleViolation
from mild.messages.words import counted
from mild.staff import Role
from services import reads
from services.common import Actor
from ui import forms
from ui.format import plain
from ui.safe import recorded

OPENED_KEY = "audit_opened_by"  # the user whose opening of the screen is already recorded
EXPORT_KEY = "audit_export"  # the CSV prepared for the filters it was made with
EXPORT_ERRORS = "audit_export_errors"
ALL = None


def practice_zone(offices: Sequence[AuditOffice], user: Actor) -> str:
    """The viewer's zone, as db.queries.admin.viewer_timezone gives it: their first active
    office's (by id), else the practice's (the first active office's; an admin at no office),
    else UTC. Rows without an office are told in it, their days cut at its midnights, and the
    date picker's today is its today."""
    active = sorted((o for o in offices if o.active), key=lambda o: o.id)
    own = [o for o in active if o.id in user.office_ids]
    return (own or active)[0].timezone if active else "UTC"


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
        "Case code",
        key="audit_case",
        placeholder="e.g. AA-12",
        max_chars=TYPED_MAX,
        help="Any case, any zero padding, with or without the dash. A named case shows its "
        "whole history, whatever the days.",
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


# Columns are read as plain lists (.tolist()): iterating a pandas string column value by
# value costs more than the words themselves on a 50,000-row export.


def _zones(rows: pd.DataFrame, zone: str) -> list[str]:
    """Each row's zone: its office's; rows without an office, the viewer's."""
    return [tz if isinstance(tz, str) and tz else zone for tz in rows["timezone"].tolist()]


def _local(rows: pd.DataFrame, zone: str, fmt: str) -> list[str]:
    """Each row's moment in its zone, formatted; converted a zone at a time (an export has
    50,000 rows)."""
    zones = pd.Series(_zones(rows, zone), index=rows.index, dtype=object)
    moments = pd.to_datetime(rows["at"], utc=True)
    out = pd.Series("", index=rows.index, dtype=object)
    for z in zones.unique():
        chosen = zones == z
        out[chosen] = moments[chosen].dt.tz_convert(z).dt.strftime(fmt)
    return out.tolist()


def _events(rows: pd.DataFrame, zone: str) -> list[Event]:
    columns = (rows[c].tolist() for c in ("action", "detail", "entity", "entity_id"))
    return [
        event(action, detail, entity, entity_id, tz)
        for action, detail, entity, entity_id, tz in zip(*columns, _zones(rows, zone), strict=True)
    ]


def _who(rows: pd.DataFrame) -> list[str]:
    """An account as "Nina Nurse (nina)"; the app's own workers and names typed at a failed
    sign-in as the story names them ("The notifier", "“bob”")."""
    return [
        f"{display} ({name})" if isinstance(display, str) and display else who(name, None)
        for name, display in zip(rows.actor_name.tolist(), rows.actor_display.tolist(), strict=True)
    ]


def _text(values) -> list[str]:
    values = values.tolist() if hasattr(values, "tolist") else values
    return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]


def readable(rows: pd.DataFrame, zone: str, names: Names) -> pd.DataFrame:
    """The rows as the screen shows them: each time in its office's zone (rows without one
    in `zone`) with the abbreviation, who, what happened in words, which case, the office,
    then the kind of action and its code."""
    return pd.DataFrame(
        {
            "time": _local(rows, zone, "%Y-%m-%d %H:%M:%S %Z"),
            "who": _who(rows),
            "what": [what(e, names) for e in _events(rows, zone)],
            "case": _text(rows.case_code),
            "office": _text(rows.office_code),
            "action": [action_label(a) for a in rows.action.tolist()],
            "code": rows.action.tolist(),
        }
    )


def story(rows: pd.DataFrame, zone: str, names: Names, today: dt.date) -> list[str]:
    """A case's history as sentences, in the rows' order: "Mon 2 Mar 09:14 EST — Nina Nurse
    ticked “Checked in”."."""
    return [
        sentence(when(at, e.zone, today), who(name, display), tell(e, names))
        for at, name, display, e in zip(
            rows["at"],
            rows.actor_name,
            _text(rows.actor_display),
            _events(rows, zone),
            strict=True,
        )
    ]


def csv_text(page: AuditPage, zone: str) -> str:
    """Every column a reviewer needs: the time in UTC and in the row's zone, what happened in
    words and the detail as stored (JSON); formulas defused."""
    rows = page.rows
    utc = pd.to_datetime(rows["at"], utc=True)
    frame = pd.DataFrame(
        {
            "time_utc": utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00").tolist(),
            "time_local": _local(rows, zone, "%Y-%m-%d %H:%M:%S"),
            "zone": _local(rows, zone, "%Z"),
            "username": rows.actor_name.tolist(),
            "name": _text(rows.actor_display),
            "action": rows.action.tolist(),
            "action_label": [action_label(a) for a in rows.action.tolist()],
            "what": [what(e, page.names) for e in _events(rows, zone)],
            "entity": rows.entity.tolist(),
            "entity_id": [
                "" if pd.isna(i) else str(int(i)) for i in rows.entity_id.astype("float")
            ],
            "case_code": _text(rows.case_code),
            "office": _text(rows.office_code),
            "detail": _text(rows.detail),
        }
    )
    # The columns that can hold what someone typed (a username tried at sign-in, a note);
    # the others are the app's own codes, numbers and times.
    typed = ["username", "name", "what", "case_code", "office", "detail"]
    frame[typed] = frame[typed].map(spreadsheet_safe)
    return frame.to_csv(index=False)


def _table(page: AuditPage, f: AuditFilter) -> None:
    st.dataframe(
        readable(page.rows, f.zone, page.names),
        hide_index=True,
        width="stretch",
        # A long match gets a tall box to scroll in; a few rows no empty grid below them.
        height=560 if len(page.rows) > 14 else "auto",
        key="audit_table",
        # Sized so that time, who and the start of what happened fit a tablet held upright
        # (768 px); the rest is a swipe away. The case code names its office.
        column_config={
            "time": st.column_config.TextColumn("Time", width=176),
            "who": st.column_config.TextColumn("Who", width=150),
            "what": st.column_config.TextColumn("What happened", width=420),
            "case": st.column_config.TextColumn("Case", width=96),
            "office": st.column_config.TextColumn("Office", width=64),
            "action": st.column_config.TextColumn("Kind of action", width=175),
            "code": st.column_config.TextColumn("Action code", width=175),
        },
    )


def _times_note(f: AuditFilter) -> str:
    if f.zone == "UTC":
        return messages.AUDIT_TIMES_EACH_UTC.format(shown=SHOWN_ROWS)
    return messages.AUDIT_TIMES_EACH.format(zone=f.zone, shown=SHOWN_ROWS)


def _case_story(page: AuditPage, f: AuditFilter) -> None:
    """A named case: its history as sentences, oldest first, the table folded below."""
    if page.matched > len(page.rows):
        st.caption(messages.AUDIT_CASE_STORY_CAPPED.format(shown=len(page.rows), cap=EXPORT_ROWS))
    today = local_today(f.zone, dt.datetime.now(dt.UTC))
    # Typed notes are in the sentences: each is escaped, never read as Markdown.
    lines = story(page.rows, f.zone, page.names, today)
    with st.container(key="audit_story"):
        st.markdown("\n".join(f"- {plain(line)}" for line in lines))
    with st.expander(messages.AUDIT_STORY_TABLE):
        _table(page, f)


def results(page: AuditPage, f: AuditFilter, user: Actor) -> None:
    """How many rows matched, the newest of them (a named case: its story), and the export of
    all of them."""
    if not page.case_found:
        if page.ambiguous:
            text = messages.AUDIT_CASE_AMBIGUOUS.format(
                typed=f.case_code, codes=", ".join(page.ambiguous)
            )
        else:
            text = messages.AUDIT_CASE_UNKNOWN.format(code=f.case_code)
        st.info(text)
        return
    if page.matched == 0:
        st.info(messages.AUDIT_NOTHING_MATCHES)
        return
    shown = len(page.rows)
    count, export_slot = st.columns([3, 2], vertical_alignment="center")
    if page.oldest_first:
        narrowed = f.actor_name is not None or f.group is not None
        told = messages.AUDIT_CASE_STORY_NARROWED if narrowed else messages.AUDIT_CASE_STORY
        count.info(
            told.format(code=page.case_code, events=counted(page.matched, "event")),
            icon=":material/history:",
        )
    elif page.matched > shown:
        count.caption(
            messages.AUDIT_SHOWING_NEWEST.format(matched=page.matched, shown=shown, cap=EXPORT_ROWS)
        )
    else:
        count.caption(messages.AUDIT_MATCHED.format(rows=counted(page.matched, "row")))
    with export_slot:
        export(f, page.matched, user, page.case_code)
    if page.oldest_first:
        _case_story(page, f)
    else:
        _table(page, f)
    st.caption(_times_note(f))


# --- export -------------------------------------------------------------------------------------


def _prepare(f: AuditFilter, user: Actor) -> None:
    done = forms.submit(lambda: reads.export_audit(user, f), errors_key=EXPORT_ERRORS)
    if done is not None:
        rows = len(done.rows)
        st.session_state[EXPORT_KEY] = (f, csv_text(done, f.zone).encode("utf-8"), rows)


def _file_name(f: AuditFilter, case_code: str | None) -> str:
    if case_code:
        return f"audit-{re.sub(r'[^A-Za-z0-9-]', '', case_code)}.csv"
    return f"audit-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv"


def export(f: AuditFilter, matched: int, user: Actor, case_code: str | None = None) -> None:
    """Two steps, so that only a CSV someone asked for is made and recorded: prepare (the
    export's audit row is written then), then download. New filters drop a prepared CSV."""
    prepared = st.session_state.get(EXPORT_KEY)
    if prepared is not None and prepared[0] == f:
        _, data, rows = prepared
        st.download_button(
            messages.AUDIT_DOWNLOAD.format(rows=counted(rows, "row")),
            data=data,
            file_name=_file_name(f, case_code),
            mime="text/csv",
            key="audit_download",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )
        return
    st.session_state.pop(EXPORT_KEY, None)
    st.button(
        messages.AUDIT_PREPARE.format(rows=counted(min(matched, EXPORT_ROWS), "row")),
        key="audit_prepare",
        on_click=_prepare,
        args=(f, user),
        icon=":material/table_view:",
        width="stretch",
    )
    forms.other_errors(EXPORT_ERRORS, [])
    if matched > EXPORT_ROWS:
        st.caption(messages.AUDIT_EXPORT_CAPPED.format(cap=EXPORT_ROWS))
