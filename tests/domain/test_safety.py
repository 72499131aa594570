"""Safety events (mild.safety): CMS ASC-1 to ASC-4 between check-in and discharge, hospital
visits within 7 days after; each kind with its measure."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.safety import (
    AFTER_DISCHARGE_KINDS,
    DAY_OF_KINDS,
    KINDS,
    SafetyKind,
    check_report,
)

IN = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
OUT = IN + dt.timedelta(hours=4)
H = dt.timedelta(hours=1)


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%d %b %H:%M")


def report(kind, at, text="Slipped on the way to the bathroom", *, allowed=DAY_OF_KINDS, **kw):
    base = {"checked_in_at": IN, "discharged_at": OUT, "now": OUT + 30 * H, "fmt": fmt}
    return check_report(kind, at, text, allowed=allowed, **(base | kw))


def refusal(*args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        report(*args, **kwargs)
    return caught.value


def test_the_cms_measures_are_asc_1_burn_asc_2_fall_asc_3_wrong_asc_4_transfer():
    assert {k: KINDS[k].measure for k in DAY_OF_KINDS} == {
        SafetyKind.BURN: "ASC-1",
        SafetyKind.FALL: "ASC-2",
        SafetyKind.WRONG_SITE: "ASC-3",
        SafetyKind.WRONG_SIDE: "ASC-3",
        SafetyKind.WRONG_PATIENT: "ASC-3",
        SafetyKind.WRONG_PROCEDURE: "ASC-3",
        SafetyKind.WRONG_IMPLANT: "ASC-3",
        SafetyKind.TRANSFER: "ASC-4",
    }
    assert AFTER_DISCHARGE_KINDS == (SafetyKind.ED_VISIT, SafetyKind.ADMISSION)
    assert all("ASC-1 to ASC-4" in k.source for k in DAY_OF_KINDS)
    assert all("colonoscopy only" in k.source for k in AFTER_DISCHARGE_KINDS)


def test_a_day_of_event_happens_between_check_in_and_discharge():
    assert report(SafetyKind.FALL, IN + H).occurred_at == IN + H
    err = refusal(SafetyKind.FALL, OUT + H)
    assert (err.field, err.message) == (
        "occurred_at",
        messages.SAFETY_TIME_OUTSIDE.format(kind="Patient fall", earliest=fmt(IN), latest=fmt(OUT)),
    )
    assert refusal(SafetyKind.BURN, IN - H).field == "occurred_at"
    # Not yet discharged: up to now.
    assert report(SafetyKind.BURN, IN + H, discharged_at=None, now=IN + 2 * H)
    before = refusal(SafetyKind.BURN, IN, checked_in_at=None)
    assert before.message == messages.SAFETY_NOT_CHECKED_IN


def test_a_hospital_visit_counts_within_7_days_of_discharge_only():
    after = {"allowed": AFTER_DISCHARGE_KINDS, "now": OUT + dt.timedelta(days=30)}
    assert report(SafetyKind.ED_VISIT, OUT + dt.timedelta(days=6), **after)
    assert report(SafetyKind.ADMISSION, OUT + dt.timedelta(days=7), **after)
    err = refusal(SafetyKind.ADMISSION, OUT + dt.timedelta(days=7, minutes=1), **after)
    assert err.field == "occurred_at"
    not_out = refusal(SafetyKind.ED_VISIT, IN + H, discharged_at=None, **after)
    assert not_out.message == messages.SAFETY_NOT_DISCHARGED


def test_each_screen_records_only_its_own_kinds_and_every_field_is_checked():
    assert refusal(SafetyKind.ED_VISIT, OUT + H).field == "kind"  # not from the checklist
    assert refusal(None, IN + H).field == "kind"
    assert refusal(SafetyKind.FALL, None).field == "occurred_at"
    assert refusal(SafetyKind.FALL, dt.datetime(2026, 3, 2, 13, 0)).field == "occurred_at"
    assert refusal(SafetyKind.FALL, IN + H, "   ").message == messages.SAFETY_DESCRIPTION_REQUIRED
    assert refusal(SafetyKind.FALL, IN + H, "x" * 2001).field == "description"
    future = refusal(SafetyKind.FALL, IN + H, now=IN + 0.5 * H, discharged_at=None)
    assert future.message == messages.SAFETY_TIME_IN_FUTURE
