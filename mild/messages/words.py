"""Numbers as a user reads them: a count and its noun agree ("1 minute", "15 minutes").

A template says "after {idle}", given counted(n, "minute"), where "after {minutes} minutes"
read "after 1 minutes" (issue 13)."""

from __future__ import annotations


def counted(n: float, noun: str) -> str:
    """`n` with `noun`, plural unless `n` is one: "1 working day", "3 working days", "1.5 hours".
    Every unit the app counts takes an -s in the plural."""
    shown = f"{n:g}" if isinstance(n, float) else f"{n:,}"  # 1,000 as a reader writes it
    return f"{shown} {noun}" if n == 1 else f"{shown} {noun}s"
