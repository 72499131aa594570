"""Wording shared by every screen: a count and its noun agree."""

from __future__ import annotations

from mild.messages.words import counted


def test_a_count_agrees_with_its_noun():
    assert counted(1, "minute") == "1 minute"
    assert counted(15, "minute") == "15 minutes"
    assert counted(0, "minute") == "0 minutes"
    assert counted(1.0, "hour") == "1 hour"
    assert counted(1.5, "hour") == "1.5 hours"
    assert counted(1, "working day") == "1 working day"
    assert counted(3, "working day") == "3 working days"
    assert counted(2500, "row") == "2,500 rows"  # as a reader writes a thousand
