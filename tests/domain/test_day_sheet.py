"""The day sheet (mild.day_sheet): the day's cases with what the paper needs, and one downtime
checklist per case with every step of the app's own checklist and its hard stops."""

from __future__ import annotations

import datetime as dt

from mild import messages
from mild.checklist_steps import STEPS
from mild.day_sheet import HeldDrugLine, SheetCase, day_sheet, downtime_checklist

NY = "America/New_York"
START = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)  # 07:00 EST


def case(**changes) -> SheetCase:
    base = {
        "code": "NTH-00001",
        "scheduled_start": START,
        "patient": "Lee, Ann",
        "date_of_birth": dt.date(1950, 1, 2),
        "mrn": "D0000001",
        "status": "Scheduled",
        "provider": "Dr. Ana Ames",
        "levels": "L4-L5",
        "side": "bilateral",
        "escort": "Sam Lee, son, 555-0100",
    }
    return SheetCase(**(base | changes))


def test_each_case_prints_time_patient_procedure_escort_allergies_held_drugs_and_readiness():
    doc = day_sheet(
        "North Office",
        NY,
        dt.date(2026, 12, 7),
        [
            case(
                allergies=("Latex allergy",),
                held=(
                    HeldDrugLine(
                        "apixaban", "stop 72 h (3 days) before", START - dt.timedelta(hours=72)
                    ),
                ),
                readiness="Escort arranged",
            ),
            case(code="NTH-00002", patient="Roe, Bo", escort=None, cancelled=True),
        ],
        START,
        "Cora",
    )
    text = doc.section("day").text
    assert "07:00 · Lee, Ann · born 02 Jan 1950 · MRN D0000001 · case NTH-00001" in text
    assert "MILD L4-L5 Bilateral · provider Dr. Ana Ames · status Scheduled" in text
    assert "Allergies: Latex allergy" in text
    assert "Held: apixaban, stop 72 h (3 days) before; last dose by Fri 04 Dec 07:00" in text
    assert "Before the day: Escort arranged" in text
    assert "Escort: NOT ARRANGED" in text and "case NTH-00002 · CANCELLED" in text
    # One downtime checklist per case going ahead, each on its own page.
    downtime = [s for s in doc.sections if s.key.startswith("downtime_")]
    assert [s.key for s in downtime] == ["downtime_NTH-00001"] and downtime[0].new_page
    assert "shred after use" in doc.footer and "by Cora" in doc.footer


def test_the_downtime_checklist_has_every_step_and_its_hard_stops():
    section = downtime_checklist(case(diabetic=True), NY)
    text = section.text
    for step in STEPS:
        assert f"[  ] {step.label}" in text, step.key
    assert (
        "Hard stop: not before Identity confirmed (name and date of birth); Consent signed; "
        "Fasting confirmed; Medication holds confirmed; Site marked by the physician who will "
        "operate; each held drug's last dose in time; fasting long enough"
    ) in text
    assert "antibiotic given within 60 minutes before the incision" in text
    assert messages.SHEET_DOWNTIME_HOW_TO in text
    not_diabetic = downtime_checklist(case(), NY).text
    assert "Point-of-care glucose" not in not_diabetic
