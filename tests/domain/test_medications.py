"""The medication hold table, one row per drug (DOMAIN.md, revised 2026-12): matching generic
and brand names, the latest allowed last dose for the booked start, the reported last dose
against the hold on the day, restart per drug, and the table as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.medications import (
    ANTITHROMBOTIC,
    DEFAULT_HOLD_TABLE,
    DEFAULT_RULES,
    HOURS,
    NO_RELEVANCE,
    HeldDrug,
    HoldRule,
    MedClass,
    check_last_dose,
    check_last_dose_window,
    classify,
    hold_problems,
    hold_table_csv,
    last_dose_by,
    last_dose_passed,
    late_holds,
    matching_rules,
    medication_hold,
    needs_patient_instruction,
    no_relevance_rule,
    restart_at,
    restart_text,
    stop_text,
)

# Friday 13 March 2026, 09:00 in New York (EDT from 8 March): 13:00 UTC.
START = dt.datetime(2026, 3, 13, 13, 0, tzinfo=dt.UTC)
DAY_START = dt.datetime(2026, 3, 13, 4, 0, tzinfo=dt.UTC)  # local midnight


def hours(n: float) -> dt.timedelta:
    return n * HOURS


def fmt(moment: dt.datetime) -> str:
    return f"{moment:%a %d %b %H:%M}"


# --- the table: one row per drug, every row of DOMAIN.md ------------------------------------


# DOMAIN.md's table, one row per drug: (row, stop before h, restart after h, clearance).
DOMAIN_TABLE = [
    ("warfarin", 120, 6, True),
    ("acenocoumarol", 72, 24, True),
    ("apixaban", 72, 24, True),
    ("rivaroxaban", 72, 24, True),
    ("edoxaban", 72, 24, True),
    ("dabigatran", 120, 24, True),
    ("heparin, intravenous", 6, 2, True),
    ("heparin, subcutaneous", 24, 6, True),
    ("enoxaparin, prophylactic dose", 12, 24, True),
    ("enoxaparin, therapeutic dose", 24, 24, True),
    ("dalteparin", 24, 24, True),
    ("fondaparinux", None, None, True),
    ("clopidogrel", 168, 24, True),
    ("prasugrel", 240, 24, True),
    ("ticagrelor", 120, 24, True),
    ("cilostazol", 48, 24, True),
    ("dipyridamole", 48, 24, True),
    ("aspirin, primary prevention", 144, 24, False),
    ("aspirin, secondary prevention", None, 24, True),
    ("diclofenac", 24, 24, False),
    ("ketorolac", 24, 24, False),
    ("ibuprofen", 24, 24, False),
    ("etodolac", 48, 24, False),
    ("indomethacin", 48, 24, False),
    ("naproxen", 96, 24, False),
    ("meloxicam", 96, 24, False),
    ("nabumetone", 144, 24, False),
    ("oxaprozin", 240, 24, False),
    ("piroxicam", 240, 24, False),
    ("garlic", 168, None, False),
    ("ginkgo", 36, None, False),
    ("canagliflozin", 72, None, False),
    ("dapagliflozin", 72, None, False),
    ("empagliflozin", 72, None, False),
    ("ertugliflozin", 96, None, False),
]


@pytest.mark.parametrize("drug,stop,restart,clearance", DOMAIN_TABLE)
def test_every_row_of_the_domain_hold_table_is_in_the_defaults_with_its_own_times(
    drug, stop, restart, clearance
):
    rule = DEFAULT_HOLD_TABLE[drug]
    assert rule.stop_before == (None if stop is None else hours(stop))
    assert rule.restart_after == (None if restart is None else hours(restart))
    assert rule.needs_clearance is clearance
    assert rule.source  # every clinical row names its source


def test_clopidogrel_prasugrel_and_ticagrelor_are_three_rows_never_one_range():
    stops = {
        d: DEFAULT_HOLD_TABLE[d].stop_before for d in ("clopidogrel", "prasugrel", "ticagrelor")
    }
    assert stops == {"clopidogrel": hours(168), "prasugrel": hours(240), "ticagrelor": hours(120)}


def test_every_row_has_a_unique_name_and_a_class_and_anticoagulants_need_clearance():
    assert len({r.drug for r in DEFAULT_RULES}) == len(DEFAULT_RULES)
    for rule in DEFAULT_RULES:
        assert rule.med_class != MedClass.UNKNOWN
        assert rule.source, rule.drug  # every row, held or not, says where it comes from
        if rule.med_class in ANTITHROMBOTIC - {MedClass.ASPIRIN}:
            assert rule.needs_clearance, rule.drug


@pytest.mark.parametrize(
    "brand,row",
    [
        ("Eliquis", "apixaban"),
        ("Xarelto", "rivaroxaban"),
        ("Savaysa", "edoxaban"),
        ("Pradaxa", "dabigatran"),
        ("Coumadin", "warfarin"),
        ("Jantoven", "warfarin"),
        ("Plavix", "clopidogrel"),
        ("Effient", "prasugrel"),
        ("Brilinta", "ticagrelor"),
        ("Pletal", "cilostazol"),
        ("Fragmin", "dalteparin"),
        ("Ozempic", "semaglutide, weekly injection"),
        ("Wegovy", "semaglutide, weekly injection"),
        ("Rybelsus", "semaglutide, daily tablet"),
        ("Victoza", "liraglutide"),
        ("Saxenda", "liraglutide"),
        ("Trulicity", "dulaglutide"),
        ("Mounjaro", "tirzepatide"),
        ("Zepbound", "tirzepatide"),
        ("Jardiance", "empagliflozin"),
        ("Farxiga", "dapagliflozin"),
        ("Invokana", "canagliflozin"),
        ("Steglatro", "ertugliflozin"),
    ],
)
def test_intake_matches_brand_names_to_their_row(brand, row):
    assert classify(brand).drug == row


def test_drug_names_match_whatever_the_case_spacing_or_dose_that_follows():
    assert classify("  ELIQUIS  ").drug == "apixaban"
    assert classify("eliquis 5 mg twice daily").drug == "apixaban"
    assert classify("Fish   Oil").med_class == MedClass.SUPPLEMENT
    # The longest known name wins: "insulin glargine", not plain "insulin".
    assert classify("Insulin Glargine 20 units").drug == "insulin glargine"
    # A known name inside a longer word is not a match.
    assert classify("apixabanol").med_class == MedClass.UNKNOWN


def test_an_unknown_drug_needs_review_instead_of_a_guess():
    advice = medication_hold("Zorblaxine 10 mg", START)
    assert advice.needs_review and advice.med_class == MedClass.UNKNOWN
    assert advice.last_dose_by is None
    assert advice.rule.instruction == messages.DRUG_NEEDS_REVIEW


@pytest.mark.parametrize(
    "name,rows",
    [
        ("aspirin 81 mg", ["aspirin, primary prevention", "aspirin, secondary prevention"]),
        ("Lovenox 40 mg", ["enoxaparin, prophylactic dose", "enoxaparin, therapeutic dose"]),
        ("heparin", ["heparin, intravenous", "heparin, subcutaneous"]),
    ],
)
def test_a_name_that_means_two_rows_goes_to_review_naming_both(name, rows):
    advice = medication_hold(name, START)
    assert advice.needs_review
    assert list(advice.candidates) == rows
    assert " or ".join(rows) in advice.rule.instruction
    # Named with its use, the row is found at once.
    assert classify(rows[0]).drug == rows[0]


def test_a_drug_placed_as_having_no_relevance_has_nothing_to_stop():
    rule = no_relevance_rule("zorblaxine")
    assert rule.med_class == MedClass.OTHER and rule.stop_before is None
    assert NO_RELEVANCE not in DEFAULT_HOLD_TABLE


def test_the_practice_can_replace_the_hold_table():
    table = {
        "apixaban": HoldRule("apixaban", "apixaban", MedClass.DOAC, hours(48), hours(12), True)
    }
    advice = medication_hold("Apixaban 2.5 mg", START, table)
    assert advice.last_dose_by == START - hours(48)
    # A drug missing from the practice's table is not looked up in the defaults.
    assert medication_hold("warfarin", START, table).needs_review
    assert matching_rules("Eliquis", table) == []  # the practice's row named no brand


# --- dates: the latest allowed last dose, restart ---------------------------------------------


def test_the_latest_allowed_last_dose_is_the_stop_before_the_scheduled_start():
    # Apixaban 72 h before Friday 09:00 EDT: no dose after Tuesday 09:00.
    assert medication_hold("Eliquis", START).last_dose_by == dt.datetime(
        2026, 3, 10, 13, 0, tzinfo=dt.UTC
    )
    assert medication_hold("heparin, intravenous", START).last_dose_by == START - hours(6)


def test_the_last_dose_follows_the_booked_start_and_rebooking_recomputes_it():
    later = START + dt.timedelta(days=4)
    assert last_dose_by(hours(72), later) == later - hours(72)
    assert medication_hold("apixaban", None).last_dose_by is None  # not booked: no time yet


def test_a_booking_too_soon_for_a_hold_names_the_drug_and_its_past_last_dose():
    now = START - dt.timedelta(days=2)
    holds = [("apixaban", hours(72)), ("clopidogrel", hours(168)), ("lisinopril", None)]
    assert late_holds(holds, START, now) == [
        ("apixaban", START - hours(72)),
        ("clopidogrel", START - hours(168)),
    ]
    assert late_holds(holds, START + dt.timedelta(days=10), now) == []
    assert last_dose_passed(now - hours(1), now)
    assert not last_dose_passed(now, now) and not last_dose_passed(None, now)


def test_restart_is_per_drug_counted_from_the_procedure_end():
    end = dt.datetime(2026, 3, 13, 14, 0, tzinfo=dt.UTC)
    assert restart_at(DEFAULT_HOLD_TABLE["warfarin"].restart_after, end) == end + hours(6)
    assert restart_at(DEFAULT_HOLD_TABLE["heparin, intravenous"].restart_after, end) == end + hours(
        2
    )
    assert restart_at(DEFAULT_HOLD_TABLE["apixaban"].restart_after, end) == end + hours(24)
    sglt2 = DEFAULT_HOLD_TABLE["empagliflozin"]
    assert restart_at(sglt2.restart_after, end) is None
    assert "eating and drinking normally" in restart_text(sglt2.restart_after, sglt2.instruction)


def test_restart_across_the_spring_clock_change_is_24_real_hours():
    end = dt.datetime(2026, 3, 7, 19, 0, tzinfo=dt.UTC)  # Sat 14:00 EST; clocks go on Sunday
    assert restart_at(hours(24), end) == dt.datetime(2026, 3, 8, 19, 0, tzinfo=dt.UTC)  # 15:00 EDT


# --- GLP-1, SGLT2 and the diabetes morning rule ------------------------------------------------


def test_glp1_agonists_are_continued_by_default_with_a_risk_screen():
    for drug in ("Ozempic", "Mounjaro", "Trulicity", "Victoza", "Rybelsus"):
        rule = classify(drug)
        assert rule.med_class == MedClass.GLP1_AGONIST
        assert rule.stop_before is None and not rule.skip_on_day, drug
        assert "Continue by default" in rule.instruction


def test_sglt2_inhibitors_stop_three_days_ahead_and_ertugliflozin_four():
    assert classify("Jardiance").stop_before == hours(72)
    assert classify("Steglatro").stop_before == hours(96)


def test_no_oral_diabetes_drug_on_the_morning_of_the_procedure():
    metformin = classify("metformin")
    assert metformin.skip_on_day and metformin.stop_before is None
    assert stop_text(metformin.stop_before, metformin.skip_on_day) == messages.NO_DOSE_ON_THE_DAY
    insulin = classify("insulin")
    assert not insulin.timed_hold and "policy" in insulin.instruction


def test_every_class_but_no_relevance_and_unknown_gives_the_patient_something_to_do():
    told = {c for c in MedClass if needs_patient_instruction(c)}
    assert told == set(MedClass) - {MedClass.OTHER, MedClass.UNKNOWN}


# --- the reported last dose on the day ---------------------------------------------------------


def test_a_last_dose_later_than_the_hold_allows_names_the_drug_the_dose_and_the_stop():
    taken = START - hours(48)  # apixaban needs 72 h
    problems = hold_problems(
        [HeldDrug("apixaban", hours(72), last_dose_taken_at=taken)], START, DAY_START, fmt
    )
    assert problems == [
        messages.HOLD_LAST_DOSE_TOO_RECENT.format(
            drug="apixaban",
            taken=fmt(taken),
            stop=stop_text(hours(72), False),
            allowed=fmt(START - hours(72)),
        )
    ]


def test_a_last_dose_old_enough_keeps_the_hold():
    drug = HeldDrug("apixaban", hours(72), last_dose_taken_at=START - hours(73))
    assert hold_problems([drug], START, DAY_START, fmt) == []


def test_the_hold_is_checked_at_the_moment_of_anesthesia_not_the_booked_start():
    drug = HeldDrug("ibuprofen", hours(24), last_dose_taken_at=START - hours(23))
    assert hold_problems([drug], START, DAY_START, fmt)  # 23 h at the booked start
    assert hold_problems([drug], START + hours(2), DAY_START, fmt) == []  # a late start: 25 h


def test_a_held_drug_with_no_reported_last_dose_or_still_under_review_is_a_problem():
    problems = hold_problems(
        [HeldDrug("clopidogrel", hours(168)), HeldDrug("zorblaxine", None, needs_review=True)],
        START,
        DAY_START,
        fmt,
    )
    assert problems == [
        messages.HOLD_LAST_DOSE_NOT_REPORTED.format(drug="clopidogrel"),
        messages.HOLD_STILL_UNDER_REVIEW.format(drug="zorblaxine"),
    ]


def test_an_oral_diabetes_drug_taken_on_the_procedure_morning_breaks_the_hold():
    metformin = HeldDrug(
        "metformin", None, skip_on_day=True, last_dose_taken_at=DAY_START + hours(2)
    )
    assert hold_problems([metformin], START, DAY_START, fmt)
    evening = HeldDrug("metformin", None, skip_on_day=True, last_dose_taken_at=DAY_START - hours(3))
    assert hold_problems([evening], START, DAY_START, fmt) == []


def test_a_drug_without_a_hold_needs_no_reported_last_dose():
    assert hold_problems([HeldDrug("lisinopril", None)], START, DAY_START, fmt) == []


def test_a_reported_last_dose_is_a_past_moment_with_its_zone():
    now = START
    assert check_last_dose(START - hours(80), now, "pre_op_call") == START - hours(80)
    for bad, message in (
        (None, messages.LAST_DOSE_REQUIRED),
        (dt.datetime(2026, 3, 10, 8, 0), messages.LAST_DOSE_REQUIRED),  # no zone
        (now + hours(1), messages.LAST_DOSE_IN_FUTURE),
        (now - dt.timedelta(days=400), messages.LAST_DOSE_TOO_OLD),
    ):
        with pytest.raises(RuleViolation) as refused:
            check_last_dose(bad, now, "day_of")
        assert refused.value.message == message


def test_last_doses_are_recorded_until_anesthesia_starts():
    for status in (CaseStatus.INTAKE, CaseStatus.SCHEDULED, CaseStatus.CHECKED_IN):
        check_last_dose_window(status)
    with pytest.raises(RuleViolation):
        check_last_dose_window(CaseStatus.IN_PROCEDURE)


# --- the table on paper ------------------------------------------------------------------------


def test_the_hold_table_csv_has_one_row_per_drug_with_brands_hours_clearance_and_source():
    rows = list(csv.DictReader(io.StringIO(hold_table_csv(DEFAULT_RULES))))
    assert len(rows) == len(DEFAULT_RULES)
    apixaban = next(r for r in rows if r["drug"] == "apixaban")
    assert apixaban["brand_names"] == "Eliquis"
    assert apixaban["stop_before_hours"] == "72"
    assert apixaban["restart_after_hours"] == "24"
    assert apixaban["prescriber_clearance"] == "yes"
    assert "Reg Anesth Pain Med 2018" in apixaban["source"]
    assert apixaban["confirmed_by"] == "" and apixaban["confirmed_on"] == ""


def test_aggrenox_contains_aspirin_so_its_stop_is_agreed_with_the_prescriber():
    from mild.medications import check_agreed_stop, needs_agreed_stop

    rule = classify("Aggrenox 25/200 mg")
    assert (rule.drug, rule.stop_before, rule.needs_clearance) == (
        "aspirin and dipyridamole",
        None,
        True,
    )
    assert needs_agreed_stop(rule.med_class, None, False)
    assert needs_agreed_stop(classify("fondaparinux").med_class, None, False)
    assert not needs_agreed_stop(MedClass.GLP1_AGONIST, None, False)  # continued by default
    assert check_agreed_stop(168) == 168 and check_agreed_stop(0) == 0
    with pytest.raises(RuleViolation):
        check_agreed_stop(None)
