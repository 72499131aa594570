"""The day sheet printed on both backends: the office's cases of its local day in the PDF's
text (extracted with pypdf), every print audited with the cases it showed, refused for a role
without the schedule or an office elsewhere; the command line writes the file."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import manage
from db.models import AuditEvent, Case
from db.session import read_session, transaction
from mild.days import at_local
from mild.errors import RuleViolation
from mild.intake import Condition
from mild.staff import Role
from services.documents import day_sheet
from tests.builders import add_condition, add_held_drug, make_case, make_office, make_user

NY = "America/New_York"
DAY = dt.date(2030, 3, 15)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def office_day(db_url):
    office = make_office("NTH", NY)
    first = make_case(office, start=at_local(NY, DAY, dt.time(7)), provider="Dr. Ana Ames")
    add_condition(first, Condition.LATEX_ALLERGY)
    add_held_drug(first, "apixaban")
    late = make_case(office, start=at_local(NY, DAY, dt.time(23, 30)))  # still the 15th locally
    make_case(office, start=at_local(NY, DAY + dt.timedelta(days=1), dt.time(0, 30)))  # the 16th
    with transaction() as s:
        s.get(Case, first).escort_name = "Sam Lee"
        codes = [s.get(Case, i).code for i in (first, late)]
    return office, codes


def test_the_day_sheet_prints_the_offices_local_day_and_is_audited(office_day):
    office, codes = office_day
    coordinator = make_user("cora", Role.COORDINATOR, [office])

    printed = day_sheet(office, DAY, actor=coordinator)

    text = pdf_text(printed.pdf)
    assert "Day sheet · Friday 15 March 2030" in text
    assert all(f"case {code}" in text for code in codes)
    assert text.count("Downtime checklist") == 2  # the case on the 16th is not on it
    assert "Allergies: Latex allergy" in text and "Held: apixaban" in text
    assert "Dr. Ana Ames" in text and "Escort: NOT ARRANGED" in text
    assert printed.filename == f"day-sheet-NTH-{DAY.isoformat()}.pdf"
    with read_session() as s:
        detail = json.loads(
            s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "document.printed"))
        )
    assert (detail["document"], detail["cases"]) == ("day_sheet", codes)


def test_the_day_sheet_is_refused_elsewhere_or_without_the_schedule(office_day):
    office, _ = office_day
    other = make_user("omar", Role.NURSE, [make_office("STH", NY)])
    with pytest.raises(RuleViolation):
        day_sheet(office, DAY, actor=other)
    with read_session() as s:
        assert (
            s.scalars(select(AuditEvent).where(AuditEvent.action == "document.printed")).all() == []
        )


def test_the_command_line_writes_the_day_sheet_and_never_overwrites_unasked(
    office_day, tmp_path, capsys
):
    out = tmp_path / "sheet.pdf"
    argv = ["day-sheet", "--office", "nth", "--date", DAY.isoformat(), "--out", str(out)]
    assert manage.main(argv) == 0
    assert "Day sheet · Friday 15 March 2030" in pdf_text(out.read_bytes())
    assert manage.main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert manage.main([*argv, "--force"]) == 0
