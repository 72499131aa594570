"""Free text as a database can keep it.

PostgreSQL refuses the NUL character in text, and neither database can store a lone UTF-16
surrogate (it has no UTF-8 encoding). Every rule that accepts typed text refuses both with a
message beside the field, rather than letting the database fail the save.
"""

from __future__ import annotations

import re

from mild import messages
from mild.errors import RuleViolation

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """True when `text` holds a character no database here can store."""
    return _UNSTORABLE.search(text) is not None


def check_storable(field: str, text: str) -> str:
    """`text` unchanged, or RuleViolation(field) when it holds NUL or a lone surrogate."""
    if unstorable(text):
        raise RuleViolation(field, messages.TEXT_NOT_STORABLE)
    return text
