"""KPI targets (mild.targets): green on target, amber inside the band, red beyond, for KPIs
where higher is better and where lower is; a practice's edit checked; the words a manager
reads."""

from __future__ import annotations

import math

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.targets import DEFAULT_TARGET_TABLE, SPECS, Rag, check_target, rag

ON_TIME = DEFAULT_TARGET_TABLE["on_time_pct"]  # higher is better: 90, amber down to 80
SAME_DAY = DEFAULT_TARGET_TABLE["same_day_pct"]  # lower is better: 5, amber up to 10


def test_every_kpi_with_a_target_has_a_default_and_its_source():
    assert set(DEFAULT_TARGET_TABLE) == set(SPECS)
    policy = {k for k, t in DEFAULT_TARGET_TABLE.items() if t.source.startswith("practice policy")}
    # The one with a number of its own: the practice's page says "60 minutes or less".
    assert set(DEFAULT_TARGET_TABLE) - policy == {"duration_mean"}
    assert "60 minutes or less" in DEFAULT_TARGET_TABLE["duration_mean"].source


@pytest.mark.parametrize(
    ("value", "expected"),
    [(95.0, Rag.GREEN), (90.0, Rag.GREEN), (89.9, Rag.AMBER), (80.0, Rag.AMBER), (79.9, Rag.RED)],
)
def test_higher_is_better_reads_green_at_the_target_amber_to_its_edge_then_red(value, expected):
    assert rag(value, ON_TIME) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, Rag.GREEN), (5.0, Rag.GREEN), (5.1, Rag.AMBER), (10.0, Rag.AMBER), (10.1, Rag.RED)],
)
def test_lower_is_better_reads_green_at_the_target_amber_to_its_edge_then_red(value, expected):
    assert rag(value, SAME_DAY) == expected


def test_no_value_or_no_target_has_no_colour():
    assert rag(None, ON_TIME) is None
    assert rag(math.nan, ON_TIME) is None
    assert rag(50.0, None) is None


def test_the_target_reads_in_words_with_its_band():
    assert ON_TIME.text() == "target 90% or more (amber down to 80%)"
    assert (
        DEFAULT_TARGET_TABLE["turnover_mean"].text() == "target 20 min or less (amber up to 30 min)"
    )


def test_a_practices_edit_is_checked():
    assert check_target("on_time_pct", 85.0, 75.0, " policy ").source == "policy"
    err = _refused("on_time_pct", 85.0, 95.0, "policy")
    assert (err.field, err.message) == ("amber", messages.TARGET_AMBER_SIDE_HIGHER)
    err = _refused("same_day_pct", 5.0, 2.0, "policy")
    assert (err.field, err.message) == ("amber", messages.TARGET_AMBER_SIDE_LOWER)
    assert _refused("on_time_pct", 120.0, 80.0, "policy").field == "target"
    assert _refused("on_time_pct", True, 80.0, "policy").field == "target"
    assert _refused("completed", 1.0, 1.0, "policy").field == "key"
    assert _refused("on_time_pct", 90.0, 80.0, "  ").field == "source"


def _refused(*args) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        check_target(*args)
    return caught.value
