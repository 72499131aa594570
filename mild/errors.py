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


class RuleViolations(RuleViolation):
    """Every refusal of one form at once, as (field, message) in the form's order, so each is
    shown beside its own field; as a RuleViolation it reads as the first of them."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(*problems[0])
        self.problems = tuple(problems)
