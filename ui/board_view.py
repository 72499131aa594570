"""One office of the status board as one Markdown element: its stage counts and alerts as
coloured badges, its cases as a table (the stage a coloured badge; a case past an alert's
threshold amber or red, with the alert in words and an icon), its cancellations, and its open
escalations (red past the tier's time limit). The waiting-room display's office is one element
too: its waiting-room codes by stage, in large type.

One element per office, not a row of seven badges, two captions and a table or two each: 25
offices were 330 elements and about a second in the browser on every refresh. A Markdown table
also needs no data grid built in the browser. Every typed text (names, red flags, office names)
goes through `plain`, so it shows as text and never as formatting or a link; no raw HTML is drawn
here (only ui/style.py's constant style sheet, tests/test_architecture.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from db.queries.board import OfficeBoard
from mild import messages
from mild.board import (
    BOARD_STAGES,
    ESCALATION_BADGE,
    PUBLIC_STAGES,
    STAGE_COLOURS,
    format_minutes,
)
from mild.board_alerts import AlertKind, AlertLevel, BoardAlert, alert_counts
from mild.cases import CaseStatus
from mild.escalations import Tier
from mild.waiting_codes import WAITING_CODE
from ui.format import local_time, plain, zone_abbreviation

Rows = tuple[list[str], list[tuple[str, ...]]]
CASE_HEADER = [
    "Start",
    "Case",
    "Waiting code",
    "Patient",
    "Provider",
    "Stage",
    "In stage",
    "Escalation",
]
PUBLIC_HEADER = ["Waiting code", "Stage"]
ESCALATION_HEADER = ["Case", "Tier", "Follow-up", "Red flags", "Since", "Past limit", "Notified"]
PAST_LIMIT_COLOUR = "red"
_STAGE_BY_LABEL = {s.label: s for s in (*BOARD_STAGES, CaseStatus.CANCELLED)}
# An alert is never colour alone: its level is a word and an icon of its own shape too.
ALERT_COLOURS = {AlertLevel.AMBER: "orange", AlertLevel.RED: "red"}
ALERT_ICONS = {AlertLevel.AMBER: ":material/warning:", AlertLevel.RED: ":material/error:"}
ALERT_LEVEL_TEXTS = {
    AlertLevel.AMBER: messages.BOARD_ALERT_AMBER,
    AlertLevel.RED: messages.BOARD_ALERT_RED,
}
ALERT_TEXTS = {
    AlertKind.LATE_START: messages.BOARD_ALERT_LATE_START,
    AlertKind.LONG_PROCEDURE: messages.BOARD_ALERT_LONG_PROCEDURE,
    AlertKind.LONG_RECOVERY: messages.BOARD_ALERT_LONG_RECOVERY,
}
# The waiting-room display: each stage with an icon beside its word, the codes in large type
# (KaTeX's \Huge inside a heading: about 110 px, readable across a room; no HTML or CSS).
DISPLAY_ICONS = {
    CaseStatus.CHECKED_IN: ":material/how_to_reg:",
    CaseStatus.IN_PROCEDURE: ":material/medical_services:",
    CaseStatus.RECOVERY: ":material/airline_seat_recline_normal:",
}


def office_markdown(view: OfficeBoard, now: dt.datetime) -> str:
    """One office: its stage counts and alerts on one line, then its cases, its cancellations
    and its open escalations (a waiting-room display's office: display_markdown)."""
    if view.public:
        return display_markdown(view)
    office = view.office
    counts = Counter(view.cases.stage)
    badges = [badge(f"{s.label}: {counts[s.label]}", STAGE_COLOURS[s].badge) for s in BOARD_STAGES]
    alerts = office_alerts(view)
    if shown := _alerts_badge(alerts):
        badges.append(shown)
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
        parts.append(_table(header, _case_cells(header, rows, alerts)))
    codes = ", ".join(view.cancelled.code)
    cancelled = f"{CaseStatus.CANCELLED.label} ({len(view.cancelled)}): {codes}"
    parts.append(_note(cancelled if codes else messages.BOARD_NO_CANCELLED))
    if late:  # the last part: ui.style keeps its first column, the case code, on one line
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


def office_alerts(view: OfficeBoard) -> list[BoardAlert | None]:
    """Each case's alert (None for a case with none), in the order of its cases."""
    return [a if isinstance(a, BoardAlert) else None for a in view.cases.get("alert", [])]


def overview_markdown(boards: list[OfficeBoard]) -> str:
    """Every office in one table, a row each: its cases by stage, its alerts (red ones said) and
    its open escalations (past the limit said), in colour and in words."""
    # Cancellations are in each office's fold: eight columns fit a 768 px tablet, nine did not.
    header = ["Office", *[s.label for s in BOARD_STAGES], "Alerts", "Escalated"]
    rows = []
    for view in boards:
        counts = Counter(view.cases.stage)
        n, red = alert_counts(office_alerts(view))
        late = [bool(x) for x in view.escalations.past_limit]
        alerts = ""
        if n:
            level = AlertLevel.RED if red else AlertLevel.AMBER
            text = messages.BOARD_OVERVIEW_ALERTS_RED.format(n=n, red=red) if red else str(n)
            alerts = f":{ALERT_COLOURS[level]}[**{ALERT_ICONS[level]} {plain(text)}**]"
        escalated = ""
        if late:
            past = sum(late)
            text = messages.BOARD_OVERVIEW_PAST_LIMIT.format(n=len(late), past=past)
            shown = plain(text if past else str(len(late)))
            escalated = f":{PAST_LIMIT_COLOUR}[**:material/alarm: {shown}**]" if past else shown
        rows.append(
            [
                f"**{plain(view.office.code)}**",  # the name is on its fold: fits 768 px
                *[str(counts[s.label]) for s in BOARD_STAGES],
                alerts or "0",
                escalated or "0",
            ]
        )
    return _table(header, rows)


def fold_label(view: OfficeBoard) -> str:
    """An office's fold on the overview: its name and code, the same whatever its state."""
    return plain(f"{view.office.name} ({view.office.code})")


def board_rows(cases: pd.DataFrame, tz_name: str, *, public: bool) -> Rows:
    """The header and rows a screen shows of the day's cases. In waiting-room mode only the
    waiting-room code and the stage leave this function, whatever columns came in."""
    if public:
        return PUBLIC_HEADER, list(zip(cases.waiting_code, cases.stage, strict=True))
    return CASE_HEADER, list(
        zip(
            [local_time(tz_name, t) for t in cases.scheduled_start],
            cases.code,
            cases.waiting_code,
            cases.patient,
            cases.provider,
            cases.stage,
            [format_minutes(None if pd.isna(m) else int(m)) for m in cases.in_stage_minutes],
            cases.escalation,
            strict=True,
        )
    )


def alert_text(alert: BoardAlert) -> str:
    """An alert in words: its level, what it is, its minutes ("Amber: late start, 12 min")."""
    what = ALERT_TEXTS[alert.kind].format(minutes=alert.minutes)
    return ALERT_LEVEL_TEXTS[alert.level].format(what=what)


def display_markdown(view: OfficeBoard) -> str:
    """The waiting-room display of one office: its name, then each stage that has patients,
    with their waiting-room codes in large type (never a case code or a name: the rows hold
    none, db.queries.board)."""
    parts = [f"## {plain(view.office.name)}"]
    for stage in PUBLIC_STAGES:
        codes = [
            c
            for c, s in zip(view.cases.waiting_code, view.cases.stage, strict=True)
            if s == stage.label
        ]
        if not codes:
            continue
        colour = STAGE_COLOURS[stage].badge
        parts.append(f"### :{colour}[{DISPLAY_ICONS[stage]} {plain(stage.label)}]")
        parts.append("# " + " &emsp; ".join(_large(code) for code in codes))
    if len(parts) == 1:
        parts.append(f"### {plain(messages.DISPLAY_NOBODY)}")
    parts.append(f"#### {plain(messages.DISPLAY_HOW_TO_READ)}")
    return "\n\n".join(parts)


def _large(code: object) -> str:
    # Only a well-formed code goes into the LaTeX; anything else is shown as plain text.
    text = str(code)
    return rf"$\Huge\textsf{{{text}}}$" if WAITING_CODE.fullmatch(text) else plain(text)


def _alerts_badge(alerts: list[BoardAlert | None]) -> str:
    """The office's alert count for its header ("Alerts: 3 (1 red)"), or "" with none."""
    n, red = alert_counts(alerts)
    if not n:
        return ""
    level = AlertLevel.RED if red else AlertLevel.AMBER
    text = (
        messages.BOARD_ALERTS_RED.format(n=n, red=red) if red else messages.BOARD_ALERTS.format(n=n)
    )
    return badge(text, ALERT_COLOURS[level], icon=ALERT_ICONS[level])


def _case_cells(
    header: list[str], rows: list[tuple[str, ...]], alerts: list[BoardAlert | None]
) -> list[list[str]]:
    """The cells of the cases table: the stage a badge; a case with an alert shows its code in
    the alert's colour and, after its time in stage, the alert in that colour with its icon (in
    that cell, not a column of its own: the table still fits a 768 px tablet)."""
    stage, case, timer = header.index("Stage"), header.index("Case"), header.index("In stage")
    cells = []
    for row, alert in zip(rows, alerts, strict=True):
        line = [plain(_text(v)) for v in row]
        line[stage] = _stage_badge(row[stage])
        if alert is not None:
            colour = ALERT_COLOURS[alert.level]
            line[case] = f":{colour}[**{line[case]}**]"
            # Coloured bold text, not a badge: a badge never wraps, and would widen the table.
            shown = f":{colour}[**{ALERT_ICONS[alert.level]} {plain(alert_text(alert))}**]"
            line[timer] = f"{line[timer]} {shown}".strip()
        cells.append(line)
    return cells


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
