"""Hostile input for the property tests: text, numbers and dates a form could be sent, and the
oracle every refusal must pass (its message is one of mild/messages.py's, or formatted from one).

Text mixes fixed payloads (SQL, script and image tags, markdown, RTL and combining marks,
emoji, NUL and other control characters, lone surrogates, 100,000-character strings) with
generated unicode, often wrapped in spaces so the documented trimming is exercised too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from collections.abc import Callable
from functools import cache
from typing import Any

from hypothesis import strategies as st

from mild import messages
from mild.errors import RuleViolation

HUGE = 100_000

SQL_PAYLOADS = (
    "'; DROP TABLE mild_case; --",
    "1 OR 1=1",
    "' OR '1'='1",
    "Robert'); DROP TABLE patient;--",
    "1; SELECT pg_sleep(5); --",
    "%",
    "_",
    "\\",
    '"',
    "' UNION SELECT password_hash FROM staff_user --",
)
MARKUP_PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="http://203.0.113.7/x.png" onerror="window.__xss=2">',
    "**x**",
    "[a](javascript:alert(1))",
    "![i](http://203.0.113.7/y.png)",
    ":red[x]",
    ":material/warning: x",
    "$x^2$",
    "# heading",
    "`code`",
    "<b>bold</b>",
    "&lt;script&gt;",
    "{{7*7}}",
    "${7*7}",
    "{0.__class__}",
    "{step}",
)
UNICODE_PAYLOADS = (
    "مرحبا بالعالم",
    "שלום",
    "\u202eevil\u202c",
    "e\u0301",
    "Z\u0351\u0352\u0353\u0354\u0355",
    "👍🏽",
    "👩\u200d👩\u200d👧",
    "\ufeffBOM",
    "zero\u200bwidth",
    "İstanbul",
    "Straße",
    "ﬁsh",
    "\u212aelvin",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u3000wide\u3000",
    "\xa0nbsp\xa0",
    "Ωmega",
    "O'Brien-Smith",
    "José Ñúñez",
    "李小龙",
)
CONTROL_PAYLOADS = (
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\x07bell",
    "\x1b[31mred",
    "line\r\nbreak",
    "tab\there",
    "\x7f",
    "\u2028sep",
    "\x1c\x1d\x1e",
)
SURROGATE_PAYLOADS = ("\ud800", "a\udfffb", "\udc80\udc80", "\ud83d")
HUGE_PAYLOADS = (
    "x" * HUGE,
    ("<script>alert(1)</script>" * (HUGE // 25 + 1))[:HUGE],
    "é" * HUGE,
    "👍" * HUGE,
    "x" * (HUGE - 1) + "\x00",
)
FIXED_TEXT: tuple[str, ...] = (
    ("", " ", "   \t\n ")
    + SQL_PAYLOADS
    + MARKUP_PAYLOADS
    + UNICODE_PAYLOADS
    + CONTROL_PAYLOADS
    + SURROGATE_PAYLOADS
    + HUGE_PAYLOADS
)

_padding = st.sampled_from(("", " ", "  ", "\t", "\n", "\xa0", "\u3000"))
_surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)


def _joined(*parts: str) -> str:
    return "".join(parts)


def hostile_text(plain: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Any text a text box could be sent. `plain` adds text the field should accept (a name,
    a phone number), so that stored values are checked as well as refusals."""
    mixed = st.builds(
        _joined,
        _padding,
        st.sampled_from(FIXED_TEXT[3 : -len(HUGE_PAYLOADS)]),
        st.text(max_size=8),
        _padding,
    )
    options = [
        st.sampled_from(FIXED_TEXT),
        st.text(max_size=40),  # every code point but surrogates: controls, NUL, RTL, emoji
        st.builds(_joined, st.text(max_size=5), _surrogates, st.text(max_size=5)),
        mixed,
        st.builds(
            lambda n, c: c * n,
            st.sampled_from((79, 80, 81, 119, 120, 121, 501, 2001)),
            st.sampled_from(("a", "é", "👍", " ")),
        ),
    ]
    if plain is not None:
        options.append(plain)
        options.append(st.builds(_joined, _padding, plain, _padding))
    return st.one_of(options)


def hostile_number(
    valid: st.SearchStrategy[Any] | None = None, *, none: bool = True
) -> st.SearchStrategy[Any]:
    """Anything a number box could be sent: in range (from `valid`), negative, huge, NaN,
    infinities, bools, numeric and non-numeric strings."""
    options = [
        st.integers(min_value=-(10**20), max_value=10**20),
        st.integers(min_value=-3, max_value=15),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from((math.nan, math.inf, -math.inf, -0.0, 0.5, 1e308, -1e-308)),
        st.booleans(),
        st.sampled_from(("3", "", " ", "abc", "1e3", "NaN", "inf", "٣", "1 OR 1=1", "<b>1</b>")),
    ]
    if none:
        options.append(st.none())
    if valid is not None:
        options.extend([valid, valid])
    return st.one_of(options)


def hostile_date(near: dt.date | None = None) -> st.SearchStrategy[dt.date | None]:
    """Any date (year 1 to 9999), None, and dates around `near` (today) where it matters."""
    options = [
        st.dates(),
        st.none(),
        st.sampled_from((dt.date.min, dt.date.max, dt.date(1900, 1, 1), dt.date(9999, 12, 30))),
    ]
    if near is not None:
        around = dt.timedelta(days=800)
        options.append(st.dates(min_value=near - around, max_value=near + around))
    return st.one_of(options)


# --- the oracle: a refusal's message is the module's own text -------------------------------


def _pattern(template: str) -> re.Pattern[str]:
    """A regex for a message template: literal text exactly, each {placeholder} anything."""
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*")
    return re.compile("".join(parts), re.DOTALL)


@cache
def message_patterns() -> tuple[re.Pattern[str], ...]:
    """Every user-facing string of mild/messages.py as a pattern."""
    return tuple(
        _pattern(value)
        for name, value in vars(messages).items()
        if name.isupper() and isinstance(value, str) and value
    )


def is_a_message(text: str) -> bool:
    return any(p.fullmatch(text) for p in message_patterns())


def check_refusal(refusal: RuleViolation) -> None:
    """A refusal names a field and carries one of the module's messages (possibly formatted)."""
    assert isinstance(refusal.field, str) and refusal.field, refusal
    assert isinstance(refusal.message, str) and refusal.message.strip(), refusal
    assert is_a_message(refusal.message), f"not a message from mild/messages.py: {refusal!r}"


# Service calls accepted and refused so far (the conftest reports them per test).
OUTCOMES = {"accepted": 0, "refused": 0}


def attempt(call: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, result) when the service accepted; (False, refusal) when it refused with a proper
    message. Any other exception propagates: that is the failure the property looks for."""
    try:
        result = call()
    except RuleViolation as refusal:
        check_refusal(refusal)
        OUTCOMES["refused"] += 1
        return False, refusal
    OUTCOMES["accepted"] += 1
    return True, result


def trimmed(text: str | None) -> str | None:
    """Free text as the rules document storing it: stripped, None when blank."""
    return (text or "").strip() or None


def collapsed(text: str | None) -> str:
    """Names as the rules document storing them: runs of whitespace become one space."""
    return " ".join((text or "").split())


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@st.composite
def mostly_valid(
    draw, valid: dict[str, st.SearchStrategy[Any]], hostile: dict[str, st.SearchStrategy[Any]]
) -> dict[str, Any]:
    """A form's fields: each drawn valid, then a few of them (often one, sometimes none or all)
    replaced by hostile values, so that both refusals and stored values are exercised."""
    values = {name: draw(strategy) for name, strategy in valid.items()}
    for name in draw(st.sets(st.sampled_from(sorted(hostile)), max_size=len(hostile))):
        values[name] = draw(hostile[name])
    return values
