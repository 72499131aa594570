"""Every problem of a form at once: each field's check runs even when another field failed, and
the refusal names them all (RuleViolations), so each shows beside its own field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mild.errors import RuleViolation, RuleViolations

T = TypeVar("T")
Problems = list[tuple[str, str]]


def collect(problems: Problems, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one check; its refusal (or every refusal of a RuleViolations) joins `problems`, and
    the value is None. Otherwise the check's value."""
    try:
        return check(*args, **kwargs)
    except RuleViolation as refusal:
        problems.extend(getattr(refusal, "problems", ((refusal.field, refusal.message),)))
        return None


def refuse(problems: Problems) -> None:
    """Raise every problem of the form at once, in the form's order; nothing when none."""
    if problems:
        raise RuleViolations(list(problems))
