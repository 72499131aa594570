"""The follow-up worklist's order by urgency, how a missed try went, and the day of a visit
(issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.followup import (
    AttemptOutcome,
    FollowUpKind,
    FollowUpState,
    Urgency,
    attempt_outcomes,
    check_attempt_outcome,
    check_visit_date,
    urgency,
)

CALL = FollowUpKind.NEXT_DAY_CALL
VISITS = [k for k in FollowUpKind if k != CALL]
TODAY = dt.date(2026, 12, 6)
DISCHARGED = dt.date(2026, 11, 20)


@pytest.mark.parametrize("kind", list(FollowUpKind))
@pytest.mark.parametrize("state", [FollowUpState.DUE, FollowUpState.OVERDUE])
def test_a_case_with_an_open_escalation_comes_first_whatever_its_follow_up(kind, state):
    assert urgency(kind, state, escalated=True) == Urgency.ESCALATED


@pytest.mark.parametrize("state", [FollowUpState.DUE, FollowUpState.OVERDUE])
def test_next_day_calls_come_before_any_visit_even_a_weeks_overdue_one(state):
    call = urgency(CALL, state, escalated=False)
    overdue_visit = urgency(FollowUpKind.MONTHS_12, FollowUpState.OVERDUE, escalated=False)
    assert call == Urgency.CALL and call < overdue_visit


@pytest.mark.parametrize("kind", VISITS)
def test_an_overdue_visit_comes_before_a_visit_still_in_its_window(kind):
    overdue = urgency(kind, FollowUpState.OVERDUE, escalated=False)
    due = urgency(kind, FollowUpState.DUE, escalated=False)
    assert (overdue, due) == (Urgency.VISIT_OVERDUE, Urgency.VISIT_DUE)


def test_every_urgency_has_a_label_in_its_order():
    assert [u.label for u in sorted(Urgency)] == [
        "Escalated",
        "Next-day call",
        "Visit overdue",
        "Visit due",
    ]


def test_an_attempt_must_say_how_it_went():
    for nothing in (None, ""):
        with pytest.raises(RuleViolation) as refused:
            check_attempt_outcome(CALL, nothing)
        assert (refused.value.field, refused.value.message) == (
            "outcome",
            messages.FU_ATTEMPT_OUTCOME_REQUIRED,
        )


def test_an_unknown_attempt_outcome_is_refused():
    with pytest.raises(RuleViolation) as refused:
        check_attempt_outcome(CALL, "abducted_by_aliens")
    assert refused.value.message == messages.FU_ATTEMPT_OUTCOME_REQUIRED


def test_a_call_cannot_be_missed_in_person_but_a_visit_can():
    assert AttemptOutcome.DID_NOT_ATTEND not in attempt_outcomes(CALL)
    with pytest.raises(RuleViolation) as refused:
        check_attempt_outcome(CALL, AttemptOutcome.DID_NOT_ATTEND)
    assert refused.value.message == messages.FU_CALL_NOT_ATTENDED
    for kind in VISITS:
        assert check_attempt_outcome(kind, "did_not_attend") == AttemptOutcome.DID_NOT_ATTEND


@pytest.mark.parametrize("outcome", [o for o in AttemptOutcome if o.value != "did_not_attend"])
def test_every_call_outcome_is_accepted_for_a_call_and_a_visit(outcome):
    assert check_attempt_outcome(CALL, outcome.value) == outcome
    assert check_attempt_outcome(FollowUpKind.WEEKS_2, outcome) == outcome


def test_a_visit_dated_from_discharge_to_today_is_accepted():
    for day in (DISCHARGED, TODAY - dt.timedelta(days=3), TODAY):
        assert check_visit_date(day, discharged_on=DISCHARGED, today=TODAY) == day


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (None, messages.FU_VISIT_DATE_REQUIRED),
        (TODAY + dt.timedelta(days=1), messages.FU_VISIT_DATE_IN_FUTURE),
        (
            DISCHARGED - dt.timedelta(days=1),
            messages.FU_VISIT_DATE_BEFORE_DISCHARGE.format(day="2026-11-20"),
        ),
        (dt.datetime(2026, 12, 1, 9, 0), messages.FU_VISIT_DATE_REQUIRED),  # a moment, not a day
    ],
    ids=["missing", "tomorrow", "before-discharge", "a-datetime"],
)
def test_a_visit_date_in_the_future_before_discharge_or_missing_is_refused(day, message):
    with pytest.raises(RuleViolation) as refused:
        check_visit_date(day, discharged_on=DISCHARGED, today=TODAY)
    assert (refused.value.field, refused.value.message) == ("visited_on", message)
