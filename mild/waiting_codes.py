"""Waiting-room codes: what the waiting-room display shows instead of the staff's case codes.

A letter and three digits ("K482"), drawn at random (`secrets`) when the patient checks in, kept
while the patient is on site and cleared at discharge (or a cancellation after check-in). An
office never issues the same code twice on one day (office-local), so a code on the screen
means one patient that day; case codes are sequential and would tell a patient how busy the
practice is and whose turn comes next.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation

# No I or O: across a room they read as 1 and 0.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = 3
CAPACITY = len(LETTERS) * 10**DIGITS  # codes an office can issue in a day
WAITING_CODE = re.compile(rf"[{LETTERS}][0-9]{{{DIGITS}}}")
# From check-in to discharge the patient (or whoever waits for them) watches the display.
ON_SITE: frozenset[CaseStatus] = frozenset(
    {CaseStatus.CHECKED_IN, CaseStatus.IN_PROCEDURE, CaseStatus.RECOVERY}
)
# Random draws before falling back to choosing among the codes still free.
_DRAWS = 50


def holds_waiting_code(status: CaseStatus | str) -> bool:
    """Whether a case in `status` carries a waiting-room code (the patient is on site)."""
    return CaseStatus(status) in ON_SITE


def random_code() -> str:
    """One code drawn with `secrets` (unpredictable, unlike `random`)."""
    return secrets.choice(LETTERS) + f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def new_waiting_code(taken: Collection[str], draw: Callable[[], str] = random_code) -> str:
    """A code not in `taken` (the codes the office issued today). Refused once every code of
    the day is used, which an office checking in fewer than 24,000 patients never meets."""
    taken = set(taken)
    for _ in range(_DRAWS):
        code = draw()
        if code not in taken:
            return code
    free = sorted(
        {f"{letter}{n:0{DIGITS}d}" for letter in LETTERS for n in range(10**DIGITS)} - taken
    )
    if not free:
        raise RuleViolation("waiting_code", messages.WAITING_CODES_USED_UP)
    return secrets.choice(free)
