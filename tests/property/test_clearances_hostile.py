"""Comorbidity values under hostile input (the rules every clearance service asks first): each
value is refused with a message from mild/messages.py or accepted inside its range; nothing else
raises."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from mild.clearances import (
    EGFR_RANGE,
    HBA1C_RANGE,
    NCT_RE,
    NECK_RANGE,
    check_device,
    check_egfr,
    check_hba1c,
    check_medicare,
    check_stop_bang,
)
from tests.property.hostile import attempt, hostile_date, hostile_number, hostile_text

TODAY = dt.date.today()


@given(hostile_number(), hostile_date(TODAY))
def test_hba1c_and_egfr_refuse_or_keep_values_in_range(number, day) -> None:
    for check, (low, high) in ((check_hba1c, HBA1C_RANGE), (check_egfr, EGFR_RANGE)):
        accepted, result = attempt(lambda c=check: c(number, day, TODAY))
        if accepted:
            value = result.percent if check is check_hba1c else result.value
            assert low - 0.5 <= value <= high + 0.5 and result.measured_on <= TODAY


@given(hostile_number(), st.sampled_from(["male", "female", "", None, "M", 1]))
def test_stop_bang_refuses_or_keeps_a_neck_in_range(neck, sex) -> None:
    accepted, result = attempt(lambda: check_stop_bang({"snoring": True}, neck, sex))
    if accepted:
        assert NECK_RANGE[0] - 0.05 <= result.neck_cm <= NECK_RANGE[1] + 0.05


@given(hostile_text(), hostile_text(), hostile_text(), hostile_date(TODAY))
def test_a_device_refuses_or_keeps_hostile_text(maker, indication, plan, day) -> None:
    accepted, result = attempt(
        lambda: check_device(
            device_type="pacemaker",
            manufacturer=maker,
            indication=indication,
            pacing_dependent=True,
            last_interrogated_on=day,
            plan=plan,
            today=TODAY,
        )
    )
    if accepted:
        assert result.manufacturer == maker.strip() and result.plan == plan.strip()


@given(st.sampled_from([True, False, None]), st.booleans(), hostile_text())
def test_medicare_refuses_or_keeps_only_a_well_formed_nct_number(medicare, enrolled, nct) -> None:
    accepted, result = attempt(lambda: check_medicare(medicare, enrolled, nct))
    if accepted and result[2] is not None:
        assert NCT_RE.fullmatch(result[2])
