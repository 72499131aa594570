"""Case codes: how one is made (the office's code, a dash, the case number padded to five
digits: NYC-00007) and how a code typed by a person is read back, whatever its case, dash or
zero padding ("nyc-7", "NYC-00007" and "nyc00007" all name NYC-00007)."""

from __future__ import annotations

import re

from mild import messages
from mild.errors import RuleViolation

CODE_LENGTH = 16  # mild_case.code
NUMBER_DIGITS = 5
TYPED_MAX = 24  # a code typed with spaces or extra zeros is still a short string
# The office part of a code: an office code is 2 to 12 letters or digits (mild.admin), and
# case_code() shortens a long one to fit a long number (down to one character).
PREFIX_LENGTHS = range(1, 13)
_SPLIT = re.compile(r"^([A-Z0-9]+)[\s-]+([0-9]+)$")  # "NYC-7", "NYC - 0007"
_JOINED = re.compile(r"^[A-Z0-9]*[0-9]$")  # "NYC7", "NYC00007"


def case_code(office_code: str, number: int) -> str:
    """The code a case is given: its office's code (shortened when needed to fit the 16
    characters of the column), a dash and its number padded to five digits."""
    digits = f"{number:0{NUMBER_DIGITS}d}"
    return f"{office_code[: CODE_LENGTH - len(digits) - 1]}-{digits}"


def read_case_code(text: str | None) -> str | None:
    """A typed case code as the filter keeps it: trimmed and upper-cased; None when blank.
    Refused when it cannot be one (anything but an office code and a number)."""
    typed = (text or "").strip().upper()
    if not typed:
        return None
    if len(typed) > TYPED_MAX or not case_code_candidates(typed):
        raise RuleViolation("case_code", messages.AUDIT_CASE_CODE_FORMAT)
    return typed


def case_code_candidates(text: str) -> tuple[str, ...]:
    """Every stored code a typed one may mean, most likely first. With a dash (or a space)
    the office part is what comes before it; without one, where the letters end and the
    number begins is ambiguous when an office code ends in a digit ("A100007": A1-00007 or
    A10-00007), so each split an office code allows is a candidate."""
    typed = text.strip().upper()
    if split := _SPLIT.match(typed):
        prefix, digits = split.groups()
        return (case_code(prefix, int(digits)),) if len(prefix) in PREFIX_LENGTHS else ()
    if not _JOINED.match(typed):
        return ()
    found: list[str] = []
    for cut in range(len(typed) - 1, 0, -1):
        prefix, digits = typed[:cut], typed[cut:]
        if not digits.isdigit():
            break
        code = case_code(prefix, int(digits))
        if len(prefix) in PREFIX_LENGTHS and code not in found:
            found.append(code)
    # The office part most often ends in a letter: that split first.
    return tuple(sorted(found, key=lambda c: not c.split("-")[0][-1].isalpha()))
