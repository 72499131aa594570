"""Shared widgets of the admin screen's tabs: buttons, tables, times, loading a tab's read.

Every write goes through services.staff / services.admin via ui.forms (refusals beside their
field, what the admin typed kept). Names people typed (offices, display names, instructions)
are shown in tables or with st.text, never as markdown. Widget keys start with `admin_`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from db.queries.admin import practice_timezone
from mild.admin import (
    timezone_names,
)
from mild.days import to_local
from mild.staff import Role
from services import sessions
from services.common import now_utc
from ui import forms
from ui.format import zone_abbreviation
from ui.safe import show_failure

ROLES = list(Role)


button = forms.button  # one button for every tab (ui.forms)


def act(label: str, key: str, action: Callable[[], object], *, errors: str, success: str) -> None:
    """A button that runs one service call, its refusal kept under `errors`."""
    button(label, key, lambda: forms.submit(action, errors_key=errors, success=success))


def when(tz: str, moment: dt.datetime | None) -> str:
    """A moment in the practice's zone, short enough for a table cell (the zone is named in the
    column header or the caption)."""
    return "" if moment is None else f"{to_local(tz, moment):%d %b %Y %H:%M}"


def changed(rows, tz: str, zone: str) -> dict[str, list[str]]:
    """The last-change columns of a policy table: when (in the practice's zone, named in the
    heading) and by whom; blank for a row as installed."""
    return {
        f"Changed ({zone})": [when(tz, r.updated_at) if r.updated_by else "" for r in rows],
        "By": [r.updated_by or "" for r in rows],
    }


def active_since(now: dt.datetime) -> dt.datetime:
    """Sessions idle past the timeout are locked, not over (ui.lock); locked past the lock's
    lifetime they are over (they end at their next request)."""
    rules = sessions.policy()
    return now - rules.idle - rules.lock


def table(key: str, frame: pd.DataFrame) -> None:
    """A full-width table in a container named `key` (tests and styles find it by that)."""
    with st.container(key=key):
        st.dataframe(frame, hide_index=True, width="stretch")


def load(read: Callable[[], object]) -> object | None:
    """A read for one tab; on failure the reason is shown and None returned."""
    try:
        return read()
    except Exception as exc:
        show_failure(exc)
        return None


def office_picker(offices: dict, key: str, errors: str) -> None:
    """Pick one of `offices` (id -> a row with code and name), none at first; the refusal
    about the office below it."""
    st.selectbox(
        "Office",
        list(offices),
        index=None,
        format_func=lambda i: f"{offices[i].code} · {offices[i].name}",
        key=key,
        placeholder="Pick the office",
    )
    forms.field_error(errors, "office")


def timezone_picker(label: str, key: str, current: str | None) -> str | None:
    names = list(timezone_names())
    if current and current not in names:
        names.insert(0, current)  # an older name the picker no longer lists: keep it choosable
    return st.selectbox(
        label,
        names,
        index=names.index(current) if current in names else None,
        key=key,
        placeholder="Type to search, e.g. Chicago",
    )


def policy_editor(
    k: str,
    updated_at: dt.datetime,
    initial: dict[str, object],
    inputs: Callable[[str], None],
    save: Callable[[dict[str, object], dt.datetime], dt.datetime],
    *,
    label: str,
    success: str,
    fields: tuple[str, ...],
) -> None:
    """The editor of one practice policy row (a clinical limit, a KPI target): its inputs seeded
    once from `initial` (so a refusal keeps what was typed), a save that passes the change the
    editor was opened on (`updated_at`: someone else's change since is refused), the refusal
    beside its field."""
    errors = f"{k}_errors"
    state = st.session_state
    seen = state.setdefault(f"{k}_seen", updated_at)
    for name, value in initial.items():
        state.setdefault(f"{k}_{name}", value)
    with st.container(border=True, key=k):
        inputs(errors)

        def on_save() -> None:
            typed = {name: state.get(f"{k}_{name}") for name in initial}
            at = forms.submit(lambda: save(typed, seen), errors_key=errors, success=success)
            if at is not None:
                state[f"{k}_seen"] = at

        button(label, f"{k}_save", on_save, primary=True)
        forms.other_errors(errors, fields)


def policy_tab(
    name: str,
    read: Callable[[], list],
    help_text: str,
    frame: Callable[[list, str, str], pd.DataFrame],
    pick: tuple[str, Callable[[object], object], Callable[[object], str]],
    editor: Callable[[object], None],
) -> None:
    """A practice policy table's tab (clinical limits, KPI targets): its rows in the practice's
    time, then the row picked (`pick`: the label, each row's key and how it reads) in its
    editor. Widget keys: `admin_{name}s_table`, `admin_{name}_pick`."""
    loaded = load(lambda: (read(), practice_timezone()))
    if loaded is None:
        return
    rows, tz = loaded
    st.caption(help_text)
    table(f"admin_{name}s_table", frame(rows, tz, zone_abbreviation(tz, now_utc())))
    if not rows:
        return
    label, key_of, reads_as = pick
    by_key = {key_of(r): r for r in rows}
    key = st.selectbox(
        label,
        list(by_key),
        format_func=lambda k: reads_as(by_key[k]),
        key=f"admin_{name}_pick",
    )
    if key is not None:
        editor(by_key[key])
