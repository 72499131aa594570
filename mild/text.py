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


SOURCE_LIMIT = 500


def check_source(source: str | None) -> str:
    """The source of a practice policy row (guideline, label, or the practice's decision):
    required, trimmed, at most 500 characters, storable."""
    text = (source or "").strip()
    if not text:
        raise RuleViolation("source", messages.LIMIT_SOURCE_REQUIRED)
    if len(text) > SOURCE_LIMIT:
        raise RuleViolation("source", messages.TEXT_TOO_LONG.format(limit=SOURCE_LIMIT))
    return check_storable("source", text)
