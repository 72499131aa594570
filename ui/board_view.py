"""One office of the status board as one Markdown element: its stage counts as coloured badges,
its cases as a table (the stage a coloured badge), its cancellations, and its open escalations
(red past the tier's time limit).

One element per office, not a row of seven badges, two captions and a table or two each: 25
offices were 330 elements and about a second in the browser on every refresh. A Markdown table
also needs no data grid built in the browser. Every typed text (names, red flags, office names)
goes through `plain`, so it shows as text and never as formatting or a link; the app draws no raw
HTML (tests/test_architecture.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from db.queries.board import OfficeBoard
from mild import messages
from mild.board import BOARD_STAGES, ESCALATION_BADGE, STAGE_COLOURS, format_minutes
from mild.cases import CaseStatus
from mild.escalations import Tier
from ui.format import local_time, plain, zone_abbreviation

Rows = tuple[list[str], list[tuple[str, ...]]]
CASE_HEADER = ["Start", "Case", "Patient", "Provider", "Stage", "In stage", "Escalation"]
PUBLIC_HEADER = ["Case", "Stage"]
ESCALATION_HEADER = ["Case", "Tier", "Follow-up", "Red flags", "Since", "Past limit", "Notified"]
PAST_LIMIT_COLOUR = "red"
_STAGE_BY_LABEL = {s.label: s for s in (*BOARD_STAGES, CaseStatus.CANCELLED)}


def office_markdown(view: OfficeBoard, now: dt.datetime) -> str:
    """One office: its stage counts on one line, then its cases, its cancellations, and (staff
    only) its open escalations."""
    office = view.office
    counts = Counter(view.cases.stage)
    badges = [badge(f"{s.label}: {counts[s.label]}", STAGE_COLOURS[s].badge) for s in BOARD_STAGES]
    late = [bool(x) for x in view.escalations.past_limit]
    if late:
        flag = f"Escalated to provider ({len(late)})"
        badges.append(badge(flag, ESCALATION_BADGE, icon=":material/flag:"))
        if any(late):
            alarm = messages.BOARD_PAST_LIMIT.format(n=sum(late))
            badges.append(badge(alarm, PAST_LIMIT_COLOUR, icon=":material/alarm:"))
    name = plain(f"{office.name} ({office.code})")
    parts = [f"**{name}** &nbsp; " + " ".join(badges)]
    if view.cases.empty:
        parts.append(_note(messages.NO_CASES_TODAY.format(office=office.name)))
    else:
        header, rows = board_rows(view.cases, office.timezone, public=view.public)
        zone = zone_abbreviation(office.timezone, now)
        header = [f"Start ({zone})" if h == "Start" else h for h in header]
        stage = header.index("Stage")
        cells = [
            [_stage_badge(v) if n == stage else plain(_text(v)) for n, v in enumerate(row)]
            for row in rows
        ]
        parts.append(_table(header, cells))
    codes = ", ".join(view.cancelled.code)
    cancelled = f"{CaseStatus.CANCELLED.label} ({len(view.cancelled)}): {codes}"
    parts.append(_note(cancelled if codes else messages.BOARD_NO_CANCELLED))
    if late:
        header, rows = escalation_rows(view.escalations, office.timezone)
        cells = [
            [
                f":{PAST_LIMIT_COLOUR}[**{plain(_text(v))}**]" if past and v else plain(_text(v))
                for v in row
            ]
            for row, past in zip(rows, late, strict=True)
        ]
        parts.append(_table(header, cells))
    return "\n\n".join(parts)


def board_rows(cases: pd.DataFrame, tz_name: str, *, public: bool) -> Rows:
    """The header and rows a screen shows of the day's cases. In waiting-room mode only the
    case code and the stage leave this function, whatever columns came in."""
    if public:
        return PUBLIC_HEADER, list(zip(cases.code, cases.stage, strict=True))
    return CASE_HEADER, list(
        zip(
            [local_time(tz_name, t) for t in cases.scheduled_start],
            cases.code,
            cases.patient,
            cases.provider,
            cases.stage,
            [format_minutes(None if pd.isna(m) else int(m)) for m in cases.in_stage_minutes],
            cases.escalation,
            strict=True,
        )
    )


def escalation_rows(escalations: pd.DataFrame, tz_name: str) -> Rows:
    """Open escalations, the most urgent tier first, the tier in words."""
    return ESCALATION_HEADER, list(
        zip(
            escalations.code,
            [Tier(t).label for t in escalations.tier],
            escalations.kind,
            escalations.red_flags,
            [
                "" if pd.isna(t) else f"{t.tz_convert(tz_name):%a %d %b %H:%M %Z}"
                for t in pd.to_datetime(escalations.escalated_at, utc=True)
            ],
            ["Yes" if late else "" for late in escalations.past_limit],
            escalations.notified,
            strict=True,
        )
    )


def badge(text: str, colour: str, *, icon: str = "") -> str:
    return f":{colour}-badge[{icon}{' ' if icon else ''}{plain(text)}]"


def _stage_badge(label: object) -> str:
    stage = _STAGE_BY_LABEL.get(str(label))
    return badge(str(label), STAGE_COLOURS[stage].badge) if stage else plain(label)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = [_line([plain(h) for h in header]), _line(["---"] * len(header))]
    lines += [_line(row) for row in rows]
    return "\n".join(lines)


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cell or " " for cell in cells) + " |"


def _note(text: str) -> str:
    return f":small[:gray[{plain(text)}]]"


def _text(value: object) -> str:
    missing = value is None or (isinstance(value, float) and pd.isna(value))
    return "" if missing else str(value)
