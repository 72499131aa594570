"""Refusals in domain words; pages turn them into a message beside the field."""

from __future__ import annotations


class RuleViolation(Exception):
    """An action the rules refuse: `field` names the input at fault, `message` is for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"RuleViolation({self.field!r}, {self.message!r})"
