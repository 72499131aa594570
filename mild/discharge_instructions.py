"""The written discharge instructions a patient takes home: what they say, as data, each clinical
line with its source beside it, and the pure function that fills them in for one case.

Source of the content: ../shared/DOMAIN.md (revised 2026-12), "Day of: the checklist", item 8
Discharge, and "Follow-up" for the red flags. The software states only what those sources say;
it adds no treatment advice of its own. A change of wording is a new VERSION: the checklist's
"instructions given" tick records which version (and which print) the patient was handed.

Times are computed in UTC and printed in the office's time zone. Restart times are durations
from the procedure end (mild.medications.restart_at), so 24 h across a DST change stays 24 real
hours. Typed text (names, the escort, the exemption's reason) is made printable here
(`clean_field`) and against the font's characters when rendered (`printable_text`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from mild.days import to_local
from mild.followup import RedFlag, follow_up_schedule
from mild.hold_rules import HOURS
from mild.medications import restart_at, restart_instruction
from mild.messages.words import counted

VERSION = "2026-12.1"
TITLE = "Discharge instructions after your MILD procedure"
PROCEDURE_NAME = "MILD (minimally invasive lumbar decompression)"

# --- sources -------------------------------------------------------------------------------------

ASA_24H = "ASA: for 24 hours after anesthesia or sedation (DOMAIN.md 2026-12, Day of, item 8)"
PRACTICE_PAGE = "The practice's MILD page, after the procedure (shared/seed/000_6c9e57cd871225bb)"
SPINAL_HEMATOMA = (
    "Spinal hematoma develops over minutes to hours: call at once (DOMAIN.md 2026-12, Day of, "
    "item 8; Follow-up, red flags)"
)
RED_FLAGS_SOURCE = "Red flags that escalate at once (DOMAIN.md 2026-12, Follow-up)"
ESCORT_RULE = "AANA; 42 CFR 416.52(c)(3): a responsible adult escort (DOMAIN.md, Day of, item 8)"
NEXT_DAY_CALL_SOURCE = (
    "Next-day call 24-48 h after discharge (Daniels, Am J Surg 2016; DOMAIN.md, Follow-up)"
)
HOLD_TABLE = "The practice's medication hold table"


# --- what the document is made of ----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One sentence of the document; `source` is where a clinical line comes from ("" for a
    fact from the case record); `emphasis` prints it in bold."""

    text: str
    source: str = ""
    emphasis: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: tuple[Line, ...]
    new_page: bool = False  # printed from the top of a page (a day sheet's downtime checklist)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class DischargeInstructions:
    """The filled-in document, ready to render: sections of lines, and a footer."""

    version: str
    title: str
    office_name: str
    sections: tuple[Section, ...]
    footer: str
    printed_at: dt.datetime

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def text(self) -> str:
        return "\n".join(f"{s.title}\n{s.text}" for s in self.sections)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source the lines cite, once each, in order of first use."""
        return tuple(dict.fromkeys(ln.source for s in self.sections for ln in s.lines if ln.source))


# --- the fixed content ---------------------------------------------------------------------------

TWENTY_FOUR_HOUR_RULES: tuple[Line, ...] = (
    Line("Do not drive.", ASA_24H),
    Line("Do not drink alcohol.", ASA_24H),
    Line("Do not make important decisions.", ASA_24H),
)

NORMAL_AFTER_EFFECTS: tuple[Line, ...] = (
    Line("Some pain, swelling and bruising at the incisions is normal.", PRACTICE_PAGE),
    Line(
        "Take your medication as prescribed, get plenty of rest, and do not rush back into "
        "activity.",
        PRACTICE_PAGE,
    ),
    Line("Most people return to work within 24-48 hours, but it may take longer.", PRACTICE_PAGE),
)

CALL_AT_ONCE = "Call us at once, do not wait for our call, if you have any of these:"

# The red flags the next-day call asks about (mild.followup.RedFlag), in the patient's words:
# the same list, so what the patient was told to watch for is what the nurse checks. Printed in
# this order: the signs of a spinal hematoma first.
RED_FLAG_WORDING: dict[RedFlag, Line] = {
    RedFlag.WEAKNESS_NUMBNESS: Line(
        "New or worse weakness or numbness in your legs", SPINAL_HEMATOMA
    ),
    RedFlag.SADDLE_NUMBNESS: Line(
        "Numbness in the groin or saddle area (where you sit on a saddle)", SPINAL_HEMATOMA
    ),
    RedFlag.BOWEL_BLADDER: Line("New problems with your bowel or bladder", SPINAL_HEMATOMA),
    RedFlag.FEVER: Line("Fever of 38 °C / 100.4 °F or higher", RED_FLAGS_SOURCE),
    RedFlag.WOUND: Line("Redness, warmth or drainage at an incision", RED_FLAGS_SOURCE),
    RedFlag.POSITIONAL_HEADACHE: Line(
        "A headache that is worse when you sit or stand up", RED_FLAGS_SOURCE
    ),
    RedFlag.UNCONTROLLED_PAIN: Line("Pain that your medicine does not control", RED_FLAGS_SOURCE),
    RedFlag.CHEST_PAIN_BREATHING: Line("Chest pain or shortness of breath", RED_FLAGS_SOURCE),
}

ESCORT_REQUIRED = (
    "A responsible adult must take you home. A taxi or rideshare driver alone is not an escort."
)
ESCORT_LINE = "Your escort: {name} ({relationship}), phone {phone}."
ESCORT_NOT_RECORDED = "Your escort: not recorded yet."
ESCORT_EXEMPT = "No escort needed: the attending physician, {by}, exempted you. Reason: {reason}"

RESTART_AT_LINE = "{drug}: you may take it again from {when}."
RESTART_AFTER_END_LINE = "{drug}: you may take it again {after} after your procedure ended."
RESTART_BY_INSTRUCTION_LINE = "{drug}: {instruction}"
RESTART_ASK_US = "{drug}: ask us before you take it again."
RESTART_COUNTED_FROM = "Times are counted from the end of your procedure, {when}."
NOTHING_HELD = "None of your medicines was stopped for this procedure."

NEXT_CALL_LINE = "A nurse from {office} will call you between {due} and {overdue}."
QUESTIONS_LINE = "Questions before then: call {office} at {phone}."
PHONE_LINE = "{office}: {phone}"
# No phone on file for the office: a blank the nurse writes the number on (and the screen warns).
PHONE_BLANK = "____________________ (the nurse writes the office's number here)"

FOOTER = "Template {version}. Printed {when}. Case {code}."
SOURCES_TITLE = "Sources of these instructions"
REPLACED_NOTE = (
    "Characters shown as \ufffd could not be printed in this font: check the names against the "
    "patient's record."
)

# Typed text longer than this is cut (with an ellipsis): a name never runs over a page.
FIELD_LIMIT = 160
# Combining marks kept after one base character ("Zalgo" text stacks hundreds).
COMBINING_LIMIT = 2
REPLACEMENT = "\ufffd"  # shown where the font has no character; a note says so


# --- the facts of one case -----------------------------------------------------------------------


@dataclass(frozen=True)
class DrugFacts:
    """One drug on the case as the hold table set it: its stop (`stop_before`, `skip_on_day`),
    its restart from the procedure end, and the row's instruction and source."""

    drug: str
    name_given: str | None = None
    stop_before: dt.timedelta | None = None
    skip_on_day: bool = False
    restart_after: dt.timedelta | None = None
    instruction: str = ""
    source: str = ""

    @property
    def held(self) -> bool:
        """The patient stopped it before the day (a timed stop or no dose that morning)."""
        return self.stop_before is not None or self.skip_on_day


@dataclass(frozen=True)
class EscortFacts:
    name: str
    relationship: str
    phone: str
    confirmed: bool = False  # met in person on the day (the checklist tick), not only arranged


@dataclass(frozen=True)
class ExemptionFacts:
    by: str
    reason: str


@dataclass(frozen=True)
class DischargeFacts:
    """What the instructions are filled in from: plain values read from one case."""

    case_code: str
    patient_name: str
    date_of_birth: dt.date
    office_name: str
    office_phone: str | None
    timezone: str
    provider: str | None = None
    levels_treated: str | None = None
    scheduled_start: dt.datetime | None = None
    procedure_started_at: dt.datetime | None = None
    procedure_ended_at: dt.datetime | None = None
    discharged_at: dt.datetime | None = None
    escort: EscortFacts | None = None
    exemption: ExemptionFacts | None = None
    drugs: tuple[DrugFacts, ...] = ()
    next_day_call_due: dt.datetime | None = None
    next_day_call_overdue: dt.datetime | None = None


# --- typed text made printable -------------------------------------------------------------------

# Control, format (bidi overrides, zero-width), private-use, surrogate and unassigned characters.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})


def clean_field(text: str | None, limit: int = FIELD_LIMIT) -> str:
    """Typed text as one printable line: NFC, whitespace collapsed, control and format
    characters dropped, at most COMBINING_LIMIT marks on a letter, cut to `limit` with "…"."""
    if not text:
        return ""
    out: list[str] = []
    marks = 0
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if ch.isspace() or category in ("Zl", "Zp"):
            ch, category = " ", "Zs"
        if category in _DROPPED_CATEGORIES:
            continue
        if category.startswith("M"):
            marks += 1
            if marks > COMBINING_LIMIT or not out:
                continue
        else:
            marks = 0
        out.append(ch)
    cleaned = " ".join("".join(out).split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def printable_text(text: str, has_glyph: Callable[[str], bool]) -> tuple[str, bool]:
    """`text` with every character the font cannot show replaced: by its decomposed letters
    where the font has those ("ǅ" -> "Dž"), else by REPLACEMENT. Returns the text and whether
    anything was replaced by REPLACEMENT (the document then says so)."""
    out: list[str] = []
    replaced = False
    for ch in text:
        if ch == "\n" or has_glyph(ch):
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        # Recomposed first ("Dž"); else the letters without the marks the font lacks.
        for candidate in (
            unicodedata.normalize("NFC", decomposed),
            "".join(
                p
                for p in decomposed
                if not (unicodedata.category(p).startswith("M") and not has_glyph(p))
            ),
        ):
            if candidate and all(has_glyph(p) for p in candidate):
                out.append(candidate)
                break
        else:
            out.append(REPLACEMENT)
            replaced = True
    return "".join(out), replaced


# --- dates and times as a patient reads them ------------------------------------------------------


def patient_date(day: dt.date) -> str:
    """A day as a patient reads it: Sunday, March 8, 2026."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def patient_time(moment: dt.datetime, timezone: str) -> str:
    """A moment in the office's time zone: Sunday, March 8, 2026 at 9:00 PM EDT."""
    local = to_local(timezone, moment)
    clock = f"{local:%I:%M %p}".lstrip("0")
    return f"{patient_date(local.date())} at {clock} {local:%Z}"


def _birth_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _hours(delta: dt.timedelta) -> str:
    return counted(delta / HOURS, "hour")


# --- filling in the document --------------------------------------------------------------------


def _patient_section(f: DischargeFacts) -> Section:
    start = f.procedure_started_at or f.scheduled_start
    procedure = PROCEDURE_NAME
    if levels := clean_field(f.levels_treated):
        procedure += f", levels treated: {levels}"
    if start is not None:
        procedure += f", on {patient_date(to_local(f.timezone, start).date())}"
    if provider := clean_field(f.provider):
        procedure += f", by {provider}"
    return Section(
        "patient",
        "Patient and procedure",
        (
            Line(f"Patient: {clean_field(f.patient_name)}, born {_birth_date(f.date_of_birth)}."),
            Line(f"Procedure: {procedure}."),
            Line(f"Office: {clean_field(f.office_name)}."),
        ),
    )


def _escort_section(f: DischargeFacts) -> Section:
    """The escort met in person; else the physician's exemption; else the escort arranged at
    intake; else "not recorded yet". The rule itself is printed in every case but the exemption."""
    escort, exemption = f.escort, f.exemption
    if exemption is not None and not (escort is not None and escort.confirmed):
        lines = (
            Line(
                ESCORT_EXEMPT.format(
                    by=clean_field(exemption.by), reason=clean_field(exemption.reason, 300)
                ),
                ESCORT_RULE,
            ),
        )
    elif escort is not None:
        lines = (
            Line(
                ESCORT_LINE.format(
                    name=clean_field(escort.name),
                    relationship=clean_field(escort.relationship),
                    phone=clean_field(escort.phone),
                )
            ),
            Line(ESCORT_REQUIRED, ESCORT_RULE),
        )
    else:
        lines = (Line(ESCORT_NOT_RECORDED), Line(ESCORT_REQUIRED, ESCORT_RULE))
    return Section("escort", "Going home", lines)


def _office_phone(f: DischargeFacts) -> str:
    return clean_field(f.office_phone, 40) or PHONE_BLANK


def _red_flag_section(f: DischargeFacts) -> Section:
    lines = [Line(CALL_AT_ONCE, SPINAL_HEMATOMA, emphasis=True)]
    lines += [Line(f"- {wording.text}", wording.source) for wording in RED_FLAG_WORDING.values()]
    lines.append(
        Line(
            PHONE_LINE.format(office=clean_field(f.office_name), phone=_office_phone(f)),
            emphasis=True,
        )
    )
    return Section("red_flags", "When to call us at once", tuple(lines))


def _drug_name(d: DrugFacts) -> str:
    drug = clean_field(d.drug, 80)
    drug = drug[:1].upper() + drug[1:]
    given = clean_field(d.name_given, 80)
    if given and " ".join(given.lower().split()) != " ".join(d.drug.lower().split()):
        return f"{drug} ({given})"
    return drug


def restart_line(d: DrugFacts, procedure_end: dt.datetime | None, timezone: str) -> Line:
    """When the patient may take one held drug again: a date and time from the procedure end;
    before the end is charted, the hours after it; without a timed restart, the hold table's
    restart sentence (e.g. when eating and drinking normally), or "ask us"."""
    name, source = _drug_name(d), clean_field(d.source, 300) or HOLD_TABLE
    if d.restart_after is not None:
        when = restart_at(d.restart_after, procedure_end)
        if when is not None:
            text = RESTART_AT_LINE.format(drug=name, when=patient_time(when, timezone))
        else:
            text = RESTART_AFTER_END_LINE.format(drug=name, after=_hours(d.restart_after))
        return Line(text, source)
    if sentence := restart_instruction(clean_field(d.instruction, 300)):
        sentence = sentence[:1].lower() + sentence[1:]
        return Line(RESTART_BY_INSTRUCTION_LINE.format(drug=name, instruction=sentence), source)
    return Line(RESTART_ASK_US.format(drug=name), source)


def _medication_section(f: DischargeFacts) -> Section:
    held = [d for d in f.drugs if d.held]
    if not held:
        return Section("medications", "Restarting your medicines", (Line(NOTHING_HELD),))
    lines = [restart_line(d, f.procedure_ended_at, f.timezone) for d in held]
    if f.procedure_ended_at is not None and any(d.restart_after is not None for d in held):
        lines.insert(
            0,
            Line(RESTART_COUNTED_FROM.format(when=patient_time(f.procedure_ended_at, f.timezone))),
        )
    return Section("medications", "Restarting your medicines", tuple(lines))


def next_day_call(f: DischargeFacts, printed_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """When the next-day call is due and overdue: the booked follow-up; before it is booked
    (printed before discharge), the schedule counted from the discharge, or from the print."""
    if f.next_day_call_due is not None and f.next_day_call_overdue is not None:
        return f.next_day_call_due, f.next_day_call_overdue
    first = follow_up_schedule(f.discharged_at or printed_at)[0]
    return first.due_at, first.overdue_at


def _next_contact_section(f: DischargeFacts, printed_at: dt.datetime) -> Section:
    due, overdue = next_day_call(f, printed_at)
    office = clean_field(f.office_name)
    return Section(
        "next_contact",
        "Our next contact",
        (
            Line(
                NEXT_CALL_LINE.format(
                    office=office,
                    due=patient_time(due, f.timezone),
                    overdue=patient_time(overdue, f.timezone),
                ),
                NEXT_DAY_CALL_SOURCE,
            ),
            Line(QUESTIONS_LINE.format(office=office, phone=_office_phone(f))),
        ),
    )


def discharge_instructions(f: DischargeFacts, printed_at: dt.datetime) -> DischargeInstructions:
    """The written instructions for one case, printed at `printed_at` (aware)."""
    if printed_at.tzinfo is None:
        raise ValueError("printed_at must be timezone-aware")
    return DischargeInstructions(
        version=VERSION,
        title=TITLE,
        office_name=clean_field(f.office_name),
        sections=(
            _patient_section(f),
            _escort_section(f),
            Section("24h", "For 24 hours after your procedure", TWENTY_FOUR_HOUR_RULES),
            Section("normal", "What is normal", NORMAL_AFTER_EFFECTS),
            _red_flag_section(f),
            _medication_section(f),
            _next_contact_section(f, printed_at),
        ),
        footer=FOOTER.format(
            version=VERSION,
            when=patient_time(printed_at, f.timezone),
            code=clean_field(f.case_code, 20),
        ),
        printed_at=printed_at,
    )


_PRINTED_VERSION = re.compile(r"^(?P<template>[0-9.-]+) #(?P<audit_id>[0-9]{1,12})$")


def parse_printed_version(text: str | None) -> tuple[str, int] | None:
    """("2026-12.1", 1234) from "2026-12.1 #1234"; None for anything else."""
    found = _PRINTED_VERSION.match((text or "").strip())
    return (found["template"], int(found["audit_id"])) if found else None


def printed_version(audit_id: int) -> str:
    """What the checklist's "instructions given" tick records: the template version and the
    print's audit row, e.g. "2026-12.1 #1234"."""
    return f"{VERSION} #{audit_id}"
