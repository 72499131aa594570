"""The written discharge instructions: what they tell the patient, each clinical line with its
source, restart times from the procedure end in the office's time, the escort or the physician's
exemption, the next contact, and typed text made printable."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from mild import discharge_instructions as di
from mild.discharge_instructions import (
    DischargeFacts,
    DrugFacts,
    EscortFacts,
    ExemptionFacts,
    clean_field,
    discharge_instructions,
    printable_text,
    printed_version,
)
from mild.followup import RedFlag
from mild.medications import restart_instruction

NY = "America/New_York"
H = dt.timedelta(hours=1)
# Saturday 7 March 2026, 20:00 EST; US summer time starts at 02:00 on Sunday 8 March.
END_BEFORE_DST = dt.datetime(2026, 3, 8, 1, 0, tzinfo=dt.UTC)
PRINTED = dt.datetime(2026, 3, 8, 1, 30, tzinfo=dt.UTC)  # 20:30 EST, before discharge
APIXABAN = DrugFacts(
    "apixaban", "Eliquis 5 mg", stop_before=72 * H, restart_after=24 * H, source="ASRA 2018"
)
METFORMIN = DrugFacts(
    "metformin",
    skip_on_day=True,
    instruction="No dose on the morning of the procedure. Restart when eating and drinking "
    "normally.",
    source="SAMBA 2024",
)
STATIN = DrugFacts("atorvastatin")  # no hold: nothing to restart


def facts(**changes) -> DischargeFacts:
    base = DischargeFacts(
        case_code="NTH-00042",
        patient_name="Maria Lopez",
        date_of_birth=dt.date(1948, 5, 17),
        office_name="North Office",
        office_phone="555-010-0100",
        timezone=NY,
        provider="Dr. Ames",
        levels_treated="L4-L5",
        procedure_started_at=END_BEFORE_DST - 40 * dt.timedelta(minutes=1),
        procedure_ended_at=END_BEFORE_DST,
        escort=EscortFacts("Ann Lee", "daughter", "555-010-0199", confirmed=True),
        drugs=(APIXABAN, METFORMIN, STATIN),
    )
    return dataclasses.replace(base, **changes)


def text_of(key: str, **changes) -> str:
    return discharge_instructions(facts(**changes), PRINTED).section(key).text


# --- the 24 h rules, what is normal, the red flags ------------------------------------------------


def test_for_24_hours_the_patient_may_not_drive_drink_alcohol_or_make_important_decisions():
    doc = discharge_instructions(facts(), PRINTED)
    rules = doc.section("24h")
    assert "24 hours" in rules.title
    assert rules.text == ("Do not drive.\nDo not drink alcohol.\nDo not make important decisions.")
    assert {line.source for line in rules.lines} == {di.ASA_24H}


def test_some_pain_swelling_and_bruising_at_the_incisions_is_described_as_normal():
    normal = discharge_instructions(facts(), PRINTED).section("normal")
    assert "Some pain, swelling and bruising at the incisions is normal." in normal.text
    assert {line.source for line in normal.lines} == {di.PRACTICE_PAGE}


def test_instructions_tell_the_patient_to_call_at_once_with_a_red_flag():
    flags = discharge_instructions(facts(), PRINTED).section("red_flags")
    first = flags.lines[0]
    assert first.text == "Call us at once, do not wait for our call, if you have any of these:"
    assert first.emphasis
    assert flags.lines[-1].text == "North Office: 555-010-0100"


def test_every_red_flag_the_next_day_call_checks_is_printed_signs_of_a_hematoma_first():
    assert set(di.RED_FLAG_WORDING) == set(RedFlag)
    text = text_of("red_flags")
    for wording in di.RED_FLAG_WORDING.values():
        assert f"- {wording.text}" in text
    assert "38 °C / 100.4 °F" in text
    assert "groin or saddle" in text
    assert "bowel or bladder" in text
    assert "worse when you sit or stand up" in text
    listed = discharge_instructions(facts(), PRINTED).section("red_flags").lines[1:4]
    assert {line.source for line in listed} == {di.SPINAL_HEMATOMA}


def test_every_clinical_line_names_its_source():
    doc = discharge_instructions(facts(), PRINTED)
    for key in ("24h", "normal", "red_flags", "medications"):
        clinical = [ln for ln in doc.section(key).lines if ln.text.startswith(("Do ", "- "))]
        assert all(ln.source for ln in clinical), key
    assert di.ESCORT_RULE in doc.sources
    assert "ASRA 2018" in doc.sources and "SAMBA 2024" in doc.sources


def test_without_an_office_phone_a_blank_is_printed_for_the_nurse_to_fill_in():
    text = text_of("red_flags", office_phone="  ")
    assert di.PHONE_BLANK in text
    assert di.PHONE_BLANK in text_of("next_contact", office_phone=None)


# --- patient and procedure ------------------------------------------------------------------------


def test_the_patient_is_named_with_the_date_of_birth_and_the_procedure_with_levels_date_provider():
    text = text_of("patient")
    assert "Patient: Maria Lopez, born May 17, 1948." in text
    assert (
        "Procedure: MILD (minimally invasive lumbar decompression), levels treated: L4-L5, "
        "on Saturday, March 7, 2026, by Dr. Ames." in text
    )


def test_levels_are_left_out_until_they_are_recorded():
    text = text_of("patient", levels_treated=None, procedure_started_at=None)
    assert "levels" not in text
    assert "Procedure: MILD (minimally invasive lumbar decompression), by Dr. Ames." in text


# --- escort ---------------------------------------------------------------------------------------


def test_the_escort_is_printed_with_relationship_and_phone_and_the_rule():
    text = text_of("escort")
    assert "Your escort: Ann Lee (daughter), phone 555-010-0199." in text
    assert "A taxi or rideshare driver alone is not an escort." in text


def test_exemption_printed_instead_of_escort():
    text = text_of(
        "escort",
        escort=EscortFacts("Ann Lee", "daughter", "555-010-0199", confirmed=False),
        exemption=ExemptionFacts("Dr. Ames", "lives next door, walks home with staff"),
    )
    assert "Ann Lee" not in text
    assert "exempted you" in text and "Dr. Ames" in text
    assert "lives next door, walks home with staff" in text


def test_an_escort_met_in_person_is_printed_even_after_an_exemption():
    text = text_of("escort", exemption=ExemptionFacts("Dr. Ames", "no escort expected"))
    assert "Your escort: Ann Lee" in text
    assert "exempted" not in text


def test_without_an_escort_or_exemption_the_document_says_so_and_states_the_rule():
    text = text_of("escort", escort=None)
    assert di.ESCORT_NOT_RECORDED in text
    assert di.ESCORT_REQUIRED in text


# --- restarting held drugs ------------------------------------------------------------------------


def test_restart_times_from_procedure_end_across_a_dst_change():
    text = text_of("medications")
    # 20:00 EST + 24 real hours = 21:00 EDT the next day (the clocks went forward meanwhile).
    assert (
        "Times are counted from the end of your procedure, Saturday, March 7, 2026 at 8:00 PM EST."
        in text
    )
    assert (
        "Apixaban (Eliquis 5 mg): you may take it again from Sunday, March 8, 2026 at 9:00 PM EDT."
        in text
    )


def test_restart_time_is_shown_in_the_office_time_zone():
    text = text_of("medications", timezone="America/Los_Angeles")
    assert "Sunday, March 8, 2026 at 6:00 PM PDT" in text


def test_a_drug_without_a_timed_restart_gets_the_hold_tables_restart_sentence():
    assert "Metformin: restart when eating and drinking normally." in text_of("medications")


def test_only_the_restart_sentence_of_a_hold_table_instruction_is_printed():
    assert restart_instruction("Risk of ketoacidosis. Restart when eating normally.") == (
        "Restart when eating normally."
    )
    assert restart_instruction("INR normal on the day.") == ""


def test_a_held_drug_without_restart_time_or_sentence_says_ask_us():
    garlic = DrugFacts("garlic", stop_before=168 * H)
    assert "Garlic: ask us before you take it again." in text_of("medications", drugs=(garlic,))


def test_only_drugs_with_a_hold_are_listed():
    text = text_of("medications")
    assert "Atorvastatin" not in text
    assert "Apixaban" in text and "Metformin" in text


def test_before_the_procedure_end_is_charted_the_restart_is_given_in_hours_after_it():
    text = text_of("medications", procedure_ended_at=None)
    assert (
        "Apixaban (Eliquis 5 mg): you may take it again 24 hours after your procedure ended."
        in text
    )
    assert "counted from" not in text


def test_a_restart_one_hour_after_the_procedure_reads_one_hour():
    heparin = DrugFacts("heparin", stop_before=6 * H, restart_after=1 * H)
    text = text_of("medications", drugs=(heparin,), procedure_ended_at=None)
    assert "Heparin: you may take it again 1 hour after your procedure ended." in text


def test_no_held_drug_says_none_was_stopped():
    assert text_of("medications", drugs=(STATIN,)) == di.NOTHING_HELD


def test_the_name_the_patient_gave_is_not_repeated_when_it_is_the_drug():
    text = text_of("medications", drugs=(dataclasses.replace(APIXABAN, name_given=" APIXABAN "),))
    assert "Apixaban: you may take it again" in text


# --- next contact ---------------------------------------------------------------------------------


def test_the_next_contact_is_the_booked_next_day_call():
    due = dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC)
    text = text_of("next_contact", next_day_call_due=due, next_day_call_overdue=due + 24 * H)
    assert (
        "A nurse from North Office will call you between Monday, March 9, 2026 at 10:00 AM EDT "
        "and Tuesday, March 10, 2026 at 10:00 AM EDT." in text
    )
    assert "Questions before then: call North Office at 555-010-0100." in text


def test_before_discharge_the_next_day_call_is_counted_from_the_print():
    text = text_of("next_contact")
    # Printed 20:30 EST: due 24 h later (21:30 EDT after the change), overdue 24 h after that.
    assert "between Sunday, March 8, 2026 at 9:30 PM EDT and Monday, March 9, 2026" in text


def test_after_discharge_without_a_booked_call_it_is_counted_from_the_discharge():
    discharged = dt.datetime(2026, 3, 10, 18, 0, tzinfo=dt.UTC)
    text = text_of("next_contact", discharged_at=discharged)
    assert "between Wednesday, March 11, 2026 at 2:00 PM EDT" in text


# --- the document as a whole ----------------------------------------------------------------------


def test_the_footer_names_the_template_version_the_print_time_and_the_case():
    doc = discharge_instructions(facts(), PRINTED)
    assert doc.version == di.VERSION
    assert doc.footer == (
        f"Template {di.VERSION}. Printed Saturday, March 7, 2026 at 8:30 PM EST. Case NTH-00042."
    )


def test_the_version_recorded_on_the_checklist_is_the_template_and_the_prints_audit_row():
    assert printed_version(1234) == f"{di.VERSION} #1234"


def test_the_print_time_must_be_timezone_aware():
    with pytest.raises(ValueError):
        discharge_instructions(facts(), dt.datetime(2026, 3, 8, 1, 30))


# --- typed text made printable --------------------------------------------------------------------


def test_control_and_direction_override_characters_are_dropped_from_typed_text():
    assert clean_field("Ann\x00 \u202eLee\u200b\r\n  Smith\x07") == "Ann Lee Smith"


def test_long_typed_text_is_cut_with_an_ellipsis():
    cut = clean_field("x" * 5000)
    assert len(cut) == di.FIELD_LIMIT and cut.endswith("…")


def test_stacked_combining_marks_are_limited():
    assert clean_field("x" + "\u0301\u0302\u0303\u0304" * 50 + "oe") == "x\u0301\u0302oe"


def test_a_character_the_font_lacks_is_replaced_and_reported():
    latin = set("Zoë Li ")
    shown, replaced = printable_text("Zoë 李", lambda ch: ch in latin)
    assert shown == "Zoë \ufffd" and replaced


def test_a_character_the_font_lacks_becomes_its_letters_where_the_font_has_them():
    shown, replaced = printable_text("ǅ", lambda ch: ch in "DZžz\u030c")
    assert shown == "Dž" and not replaced
    shown, replaced = printable_text("ǅ", lambda ch: ch in "Dz")
    assert shown == "Dz" and not replaced


def test_hostile_names_fill_in_without_failing():
    for name in ("", "\x00", "\ud800", "مريم", "李小龍", "👩‍⚕️" * 300, "<script>", "**x**"):
        doc = discharge_instructions(facts(patient_name=name, provider=name), PRINTED)
        assert doc.section("patient").lines[0].text.startswith("Patient: ")
