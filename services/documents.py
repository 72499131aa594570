"""Printed documents: a patient's discharge instructions and an office's day sheet as PDFs,
each print audited.

The PDF is built from a fresh read of the case, then recorded (`document.printed`, with the
template version and the SHA-256 of the bytes) in a transaction of its own; if the record cannot
be written (the session ended, the database away), the PDF is not handed out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from db.queries.day_sheet import sheet_cases
from db.queries.documents import discharge_record
from db.queries.home import offices
from db.session import transaction
from mild import day_sheet as sheet
from mild import discharge_instructions as instructions
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Screen, may_open
from services.common import Actor, audit, now_utc
from services.discharge_pdf import render

DOCUMENT_PRINTED = "document.printed"
DISCHARGE_INSTRUCTIONS = "discharge_instructions"


@dataclass(frozen=True)
class PrintedDocument:
    """One print: the bytes, what the checklist records as its version ("2026-12.1 #1234": the
    template and the print's audit row), a file name without patient data, when, and notes for
    the nurse (e.g. no office phone on file)."""

    pdf: bytes
    version: str
    filename: str
    printed_at: dt.datetime
    warnings: tuple[str, ...] = ()


def _filename(case_code: str) -> str:
    return f"discharge-instructions-{re.sub(r'[^A-Za-z0-9-]', '', case_code) or 'case'}.pdf"


def discharge_instructions(case_id: int, *, actor: Actor) -> PrintedDocument:
    """The discharge instructions of a case at the actor's offices, printed now and audited.
    A case elsewhere (or none) is "not found"; a role without the checklist is refused."""
    if not may_open(actor.role, Screen.CHECKLIST):
        raise RuleViolation("case", messages.NOT_ALLOWED_HERE)
    record = discharge_record(case_id, actor.office_ids)
    if record is None:
        raise RuleViolation("case", messages.CASE_NOT_FOUND)
    printed_at = now_utc()
    pdf = render(instructions.discharge_instructions(record.facts, printed_at))
    with transaction() as session:
        event = audit(
            session,
            actor,
            DOCUMENT_PRINTED,
            "case",
            record.case_id,
            office_id=record.office_id,
            detail={
                "document": DISCHARGE_INSTRUCTIONS,
                "template_version": instructions.VERSION,
                "sha256": hashlib.sha256(pdf).hexdigest(),
            },
            at=printed_at,
        )
        session.flush()
        audit_id = event.id
    phone = (record.facts.office_phone or "").strip()
    warnings = () if phone else (messages.INSTRUCTIONS_NO_OFFICE_PHONE,)
    return PrintedDocument(
        pdf=pdf,
        version=instructions.printed_version(audit_id),
        filename=_filename(record.facts.case_code),
        printed_at=printed_at,
        warnings=warnings,
    )


DAY_SHEET = "day_sheet"


def day_sheet(office_id: int, day: dt.date, *, actor: Actor) -> PrintedDocument:
    """The day sheet of an office at the actor's offices (the day's cases and one downtime
    checklist per case), printed now and audited with the cases it shows. Refused for a role
    without the schedule or an office elsewhere."""
    if not may_open(actor.role, Screen.SCHEDULE):
        raise RuleViolation("office", messages.NOT_ALLOWED_HERE)
    office = next(iter(offices([office_id] if office_id in actor.office_ids else [])), None)
    if office is None:
        raise RuleViolation("office", messages.OFFICE_NOT_FOUND)
    cases = sheet_cases(office, day, scope=actor.office_ids)
    printed_at = now_utc()
    document = sheet.day_sheet(
        office.name, office.timezone, day, cases, printed_at, actor.display_name
    )
    pdf = render(document)
    with transaction() as session:
        audit(
            session,
            actor,
            DOCUMENT_PRINTED,
            "office",
            office.id,
            office_id=office.id,
            detail={
                "document": DAY_SHEET,
                "day": day.isoformat(),
                "cases": [c.code for c in cases],
                "template_version": sheet.VERSION,
                "sha256": hashlib.sha256(pdf).hexdigest(),
            },
            at=printed_at,
        )
    return PrintedDocument(
        pdf=pdf,
        version=sheet.VERSION,
        filename=f"day-sheet-{office.code}-{day.isoformat()}.pdf",
        printed_at=printed_at,
    )
