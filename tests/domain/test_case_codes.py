"""Case codes: made from the office's code and the case's number, and read back however a
person types them (any case, with or without the dash, zero padding optional)."""

from __future__ import annotations

import pytest

from mild import messages
from mild.case_codes import case_code, case_code_candidates, read_case_code
from mild.errors import RuleViolation


def test_a_case_code_is_the_office_code_a_dash_and_the_number_padded_to_five_digits():
    assert case_code("NYC", 7) == "NYC-00007"
    assert case_code("NYC", 123456) == "NYC-123456"


def test_a_long_office_code_is_shortened_so_the_code_fits_its_sixteen_characters():
    assert case_code("LONGOFFICE12", 7) == "LONGOFFICE-00007"
    assert len(case_code("LONGOFFICE12", 1234567)) == 16


@pytest.mark.parametrize(
    "typed", ["nyc-7", "NYC-00007", "nyc00007", "  Nyc-007 ", "nyc 7", "NYC7", "nyc-0000007"]
)
def test_a_typed_code_is_read_whatever_its_case_dash_or_zero_padding(typed):
    assert case_code_candidates(typed)[0] == "NYC-00007"


def test_with_a_dash_the_office_part_is_what_comes_before_it():
    assert case_code_candidates("a1-7") == ("A1-00007",)


def test_without_a_dash_each_split_an_office_code_allows_is_a_candidate_letters_first():
    # An office code may end in a digit: "AB100007" is AB-100007 or AB1-00007 or AB10-0007...
    found = case_code_candidates("ab100007")
    assert found[0] == "AB-100007"
    assert {"AB1-00007", "AB10-00007", "AB100-00007"} <= set(found)
    assert len(found) == len(set(found))


def test_a_code_typed_as_stored_is_its_own_first_candidate():
    assert case_code_candidates("LONGOFFICE-00007")[0] == "LONGOFFICE-00007"
    assert case_code_candidates("longoffice12-7")[0] == "LONGOFFICE-00007"


def test_a_blank_code_is_no_filter_and_a_typed_one_is_kept_trimmed_in_upper_case():
    assert read_case_code("   ") is None
    assert read_case_code(None) is None
    assert read_case_code(" nyc-7 ") == "NYC-7"


@pytest.mark.parametrize(
    "typed",
    [
        "7",  # no office part
        "-7",
        "ABCDEFGHIJKLM-7",  # an office code has twelve characters at most
        "NYC-",  # no number
        "NYC-7X",
        "'; DROP TABLE audit_event; --",
        "NYC-" + "0" * 30 + "7",
    ],
)
def test_text_that_cannot_be_a_case_code_is_refused(typed):
    with pytest.raises(RuleViolation) as refusal:
        read_case_code(typed)
    assert refusal.value.message == messages.AUDIT_CASE_CODE_FORMAT
