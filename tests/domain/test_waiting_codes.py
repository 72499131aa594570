"""Waiting-room codes as rules: a letter and three digits, drawn with `secrets`, never one the
office issued that day, carried only while the patient is on site."""

from __future__ import annotations

import itertools

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.waiting_codes import (
    CAPACITY,
    LETTERS,
    WAITING_CODE,
    holds_waiting_code,
    new_waiting_code,
    random_code,
)


def test_a_waiting_code_is_a_letter_and_three_digits_without_i_or_o():
    drawn = {random_code() for _ in range(2000)}
    assert all(WAITING_CODE.fullmatch(code) for code in drawn)
    assert not {code[0] for code in drawn} & {"I", "O"}
    assert len(drawn) > 1900  # random, not a sequence
    assert CAPACITY == 24_000 and "I" not in LETTERS and "O" not in LETTERS


def test_a_code_the_office_issued_today_is_never_issued_again():
    draws = iter(["K482", "K482", "P117"])
    assert new_waiting_code({"K482"}, lambda: next(draws)) == "P117"


def test_when_the_draws_keep_finding_used_codes_a_free_one_is_chosen_from_those_left():
    every = {f"{letter}{n:03d}" for letter in LETTERS for n in range(1000)}
    taken = every - {"Z999"}
    assert new_waiting_code(taken, itertools.repeat("A000").__next__) == "Z999"


def test_an_office_that_used_every_code_of_the_day_is_told_so():
    every = {f"{letter}{n:03d}" for letter in LETTERS for n in range(1000)}
    with pytest.raises(RuleViolation) as refused:
        new_waiting_code(every, itertools.repeat("A000").__next__)
    assert refused.value.message == messages.WAITING_CODES_USED_UP


@pytest.mark.parametrize(
    ("status", "on_site"),
    [
        (CaseStatus.SCHEDULED, False),
        (CaseStatus.CHECKED_IN, True),
        (CaseStatus.IN_PROCEDURE, True),
        (CaseStatus.RECOVERY, True),
        (CaseStatus.DISCHARGED, False),
        (CaseStatus.FOLLOW_UP, False),
        (CaseStatus.CANCELLED, False),
    ],
)
def test_a_patient_carries_a_code_from_check_in_until_discharge(status, on_site):
    assert holds_waiting_code(status) is on_site
