"""The day sheet of one office and day, for paper: the day's cases (time, patient, procedure,
provider, escort, allergies, held drugs, readiness), then one blank downtime checklist per case
with every step by phase and its hard stops, for a network or power outage (issue 11).

Pure: plain facts in, the document out (rendered by services.discharge_pdf). The checklist is
the app's own (mild.checklist_steps), so paper and screen never disagree; each step's source is
cited at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mild import messages
from mild.checklist_steps import PHASE_LABELS, STEP_BY_KEY, STEPS, DayCheck, Phase
from mild.days import to_local
from mild.discharge_instructions import DischargeInstructions, Line, Section

VERSION = "day-sheet-2026-12.1"
CHECK_WORDS = {
    DayCheck.HOLDS: "each held drug's last dose in time",
    DayCheck.FASTING: "fasting long enough (clear liquids 2 h, light meal 6 h, fatty meal 8 h)",
    DayCheck.GLUCOSE: "a diabetic's glucose inside the practice's limits",
    DayCheck.ANTIBIOTIC: "antibiotic given within 60 minutes before the incision",
}


@dataclass(frozen=True)
class HeldDrugLine:
    drug: str
    stop: str  # "stop 72 h (3 days) before"
    last_dose_by: dt.datetime | None


@dataclass(frozen=True)
class SheetCase:
    """One case of the day as the sheet prints it."""

    code: str
    scheduled_start: dt.datetime
    patient: str
    date_of_birth: dt.date
    mrn: str
    status: str
    provider: str | None = None
    levels: str | None = None
    side: str | None = None
    escort: str | None = None  # "Ann Lee, daughter, 555-0100"; None: not arranged
    allergies: tuple[str, ...] = ()
    held: tuple[HeldDrugLine, ...] = ()
    readiness: str = ""
    cancelled: bool = False
    diabetic: bool = False


def _when(timezone: str, moment: dt.datetime) -> str:
    return f"{to_local(timezone, moment):%H:%M}"


def _case_lines(case: SheetCase, timezone: str) -> tuple[Line, ...]:
    procedure = " ".join(p for p in (case.levels, (case.side or "").capitalize()) if p)
    lines = [
        Line(
            f"{_when(timezone, case.scheduled_start)} · {case.patient} · born "
            f"{case.date_of_birth:%d %b %Y} · MRN {case.mrn} · case {case.code}"
            + (" · CANCELLED" if case.cancelled else ""),
            emphasis=True,
        ),
        Line(
            messages.SHEET_PROCEDURE.format(
                procedure=procedure or messages.SHEET_NOT_RECORDED,
                provider=case.provider or messages.SHEET_NOT_RECORDED,
                status=case.status,
            )
        ),
        Line(messages.SHEET_ESCORT.format(escort=case.escort or messages.SHEET_NOT_ARRANGED)),
        Line(
            messages.SHEET_ALLERGIES.format(
                allergies="; ".join(case.allergies) or messages.SHEET_NONE_RECORDED
            ),
            emphasis=bool(case.allergies),
        ),
    ]
    for drug in case.held:
        text = messages.SHEET_HELD.format(drug=drug.drug, stop=drug.stop)
        if drug.last_dose_by:
            by = f"{to_local(timezone, drug.last_dose_by):%a %d %b %H:%M}"
            text += messages.SHEET_HELD_BY.format(by=by)
        lines.append(Line(text))
    if not case.held:
        lines.append(Line(messages.SHEET_NO_HELD))
    if case.readiness:
        lines.append(Line(messages.SHEET_READINESS.format(readiness=case.readiness)))
    return tuple(lines)


def _hard_stop(key: str) -> str:
    step = STEP_BY_KEY[key]
    needs = [STEP_BY_KEY[r].label for r in step.requires]
    needs += [CHECK_WORDS[c] for c in step.checks]
    return messages.SHEET_HARD_STOP.format(needs="; ".join(needs)) if needs else ""


def downtime_checklist(case: SheetCase, timezone: str) -> Section:
    """Every step of the checklist by phase, to tick by hand with the time and initials; the
    hard stops written under their step."""
    lines: list[Line] = [Line(messages.SHEET_DOWNTIME_HOW_TO)]
    for phase in Phase:
        lines.append(Line(PHASE_LABELS[phase], emphasis=True))
        for step in (s for s in STEPS if s.phase == phase):
            if step.diabetic_only and not case.diabetic:
                continue
            lines.append(Line(f"[  ] {step.label}   time ______   initials ______", step.source))
            if stop := _hard_stop(step.key):
                lines.append(Line(f"      {stop}", step.source))
    return Section(
        f"downtime_{case.code}",
        messages.SHEET_DOWNTIME_TITLE.format(
            code=case.code, patient=case.patient, time=_when(timezone, case.scheduled_start)
        ),
        tuple(lines),
        new_page=True,
    )


def day_sheet(
    office_name: str,
    timezone: str,
    day: dt.date,
    cases: Sequence[SheetCase],
    printed_at: dt.datetime,
    printed_by: str,
) -> DischargeInstructions:
    """The document: the day's list, then one downtime checklist per case not cancelled."""
    listed = tuple(sorted(cases, key=lambda c: (c.scheduled_start, c.code)))
    day_lines: list[Line] = []
    for case in listed:
        day_lines.extend(_case_lines(case, timezone))
        day_lines.append(Line(""))
    sections = [
        Section(
            "day",
            messages.SHEET_DAY_TITLE.format(count=len(listed)),
            tuple(day_lines) or (Line(messages.SHEET_NO_CASES),),
        )
    ]
    sections += [downtime_checklist(c, timezone) for c in listed if not c.cancelled]
    printed = to_local(timezone, printed_at)
    return DischargeInstructions(
        version=VERSION,
        title=messages.SHEET_TITLE.format(day=f"{day:%A %d %B %Y}"),
        office_name=office_name,
        sections=tuple(sections),
        footer=messages.SHEET_FOOTER.format(
            when=f"{printed:%d %b %Y %H:%M %Z}", who=printed_by, version=VERSION
        ),
        printed_at=printed_at,
    )
