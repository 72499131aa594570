"""Today's two tables: every office's counts of the day, one row per office, and every office's
cases of the day in one list.

One table per kind, not a box per office: a box of eight metrics and a table for each of an
admin's 25 offices was 564 elements and most of a second in the browser on every visit; two
tables hold the same figures in the same time for 1 office or 25.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from db.queries.home import OfficeRow, OfficeToday
from mild import messages
from mild.cases import DAY_OF_STATUSES, PATHWAY, CaseStatus
from mild.days import local_today
from mild.launchpad import CountKind, count_opens
from mild.staff import Role, Screen
from ui import navigate
from ui.format import local_time, plain, status_label, zone_abbreviation
from ui.schedule import keyed_table

# The statuses counted, in the order of the day; cancelled last.
COUNTED = [s for s in PATHWAY if s in DAY_OF_STATUSES] + [CaseStatus.CANCELLED]
FOLLOW_UPS_DUE = "Follow-ups due"
FOLLOW_UPS_OVERDUE = "Follow-ups overdue"
COUNTS_TABLE = "home_counts_table"


def today_line(overview: Sequence[OfficeToday], now: dt.datetime) -> None:
    """The day shown, as the offices read it; offices already on another day (zones far apart)
    name theirs beside it."""
    days: dict[dt.date, set[str]] = {}
    for day in overview:
        tz = day.office.timezone
        days.setdefault(local_today(tz, now), set()).add(zone_abbreviation(tz, now))
    if len(days) == 1:
        (today,) = days
        st.markdown(f"**{today:%A} {today.day} {today:%B %Y}**")
        return
    st.markdown(
        " · ".join(
            f"**{d:%A} {d.day} {d:%B %Y}** ({', '.join(sorted(zones))})"
            for d, zones in sorted(days.items())
        )
    )


def _count_kind(column: str) -> CountKind:
    if column in (FOLLOW_UPS_DUE, FOLLOW_UPS_OVERDUE):
        return CountKind.FOLLOW_UP
    return CountKind.CANCELLED if column == CaseStatus.CANCELLED.label else CountKind.DAY


def office_counts(overview: Sequence[OfficeToday], role: Role, now: dt.datetime) -> None:
    """One row per office: today's cases by status, and the follow-ups owed. A count chosen
    opens the screen where its work is done, at its office (mild.launchpad)."""
    table = pd.DataFrame(
        [
            {
                "Office": f"{day.office.name} ({day.office.code})",
                **{s.label: day.counts.get(s, 0) for s in COUNTED},
                FOLLOW_UPS_DUE: day.follow_ups_due,
                FOLLOW_UPS_OVERDUE: day.follow_ups_overdue,
            }
            for day in overview
        ]
    )
    opens = {c: count_opens(role, _count_kind(c)) for c in table.columns if c != "Office"}
    count = st.column_config.NumberColumn
    with st.container(key="home_offices"):
        event = st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key=COUNTS_TABLE,
            on_select="rerun",
            selection_mode="single-cell",
            column_config={
                "Office": st.column_config.TextColumn("Office", pinned=True),
                **{s.label: count(s.label) for s in COUNTED},
                FOLLOW_UPS_DUE: count(FOLLOW_UPS_DUE, help=messages.HOME_FOLLOW_UPS_DUE_HELP),
                FOLLOW_UPS_OVERDUE: count(
                    FOLLOW_UPS_OVERDUE, help=messages.HOME_FOLLOW_UPS_OVERDUE_HELP
                ),
            },
        )
    st.caption(messages.HOME_COUNTS_OPEN)
    for row, column in event.selection.cells[:1]:
        screen = opens.get(column)
        if screen is not None:
            office = overview[row].office
            navigate.open_screen(screen, _opened_at(screen, office, now))


def _opened_at(screen: Screen, office: OfficeRow, now: dt.datetime) -> dict[str, object]:
    """The widget state that shows `office`'s work on `screen` (its office picker, today)."""
    if screen == Screen.CHECKLIST:
        return {"dayof_office": office}
    if screen == Screen.SCHEDULE:
        return {"sched_office": office.id, "sched_day": local_today(office.timezone, now)}
    return {"fu_office": office.id, "fu_kind": "all", "fu_open": None}


def todays_cases(overview: Sequence[OfficeToday], now: dt.datetime) -> None:
    """Every office's cases of the day in one table, office by office in start order; the
    offices with none named in one line below."""
    booked = [day for day in overview if not day.cases.empty]
    idle = [day.office.name for day in overview if day.cases.empty]
    zones = {zone_abbreviation(day.office.timezone, now) for day in booked}
    # One zone (the usual case): named once in the header; several: beside every time.
    one_zone = next(iter(zones)) if len(zones) == 1 else None
    if booked:
        keyed_table(
            "home_cases",
            _cases_of(booked, now, with_zone=not one_zone),
            column_config={
                "Start": f"Start ({one_zone})" if one_zone else "Start (office time)",
                "Planned": st.column_config.NumberColumn("Planned", format="%d min"),
            },
        )
    if idle:
        st.caption(plain(messages.NO_CASES_TODAY.format(office=", ".join(idle))))  # typed names


def _cases_of(days: Sequence[OfficeToday], now: dt.datetime, *, with_zone: bool) -> pd.DataFrame:
    # Columns gathered as lists: a DataFrame per office cost a millisecond each.
    columns: dict[str, list] = {c: [] for c in ("Office", "Start", "Case", "Patient")}
    columns |= {c: [] for c in ("Provider", "Status", "Planned")}
    for day in days:
        tz, cases = day.office.timezone, day.cases
        zone = f" {zone_abbreviation(tz, now)}" if with_zone else ""
        columns["Office"] += [day.office.code] * len(cases)
        columns["Start"] += [local_time(tz, t) + zone for t in cases.scheduled_start]
        columns["Case"] += list(cases.code)
        columns["Patient"] += list(cases.patient)
        columns["Provider"] += list(cases.provider)
        columns["Status"] += [status_label(s) for s in cases.status]
        columns["Planned"] += list(cases.planned_minutes)
    return pd.DataFrame(columns)
