"""Office metrics computed by the database, on small constructed data with answers worked out by
hand, on SQLite and PostgreSQL. Every time is an office-local wall-clock time (`at`)."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from db.models import Case, FollowUp, Patient
from db.queries.metrics import office_metrics
from db.session import read_session, transaction
from mild.cases import CancelReason, CaseStatus, RequestChannel
from mild.days import at_local
from mild.followup import FollowUpKind
from mild.kpis import DateRange, Grain, whole_periods
from mild.preop import CallOutcome
from mild.safety import SafetyKind
from mild.scores import nprs_improved
from tests.builders import add_preop_call, add_safety_event, make_case, make_office

NY, CHI = "America/New_York", "America/Chicago"
MON_6, MON_13 = dt.date(2025, 1, 6), dt.date(2025, 1, 13)
TUE, WED, THU, FRI = (dt.date(2025, 1, d) for d in (7, 8, 9, 10))
TWO_WEEKS = whole_periods(MON_6, dt.date(2025, 1, 19), Grain.WEEK)
LATER = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)  # long after every case below


def at(day: dt.date, clock: str, tz: str = NY) -> dt.datetime:
    hour, minute = map(int, clock.split(":"))
    return at_local(tz, day, dt.time(hour, minute))


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def case(
    office: int, start: dt.datetime, status: CaseStatus = CaseStatus.DISCHARGED, **fields
) -> int:
    """A case booked at `start`, with the given columns set (times, baselines, ...)."""
    case_id = make_case(office, status, start)
    with transaction() as s:
        row = s.get(Case, case_id)
        for name, value in fields.items():
            setattr(row, name, value)
    return case_id


def done(office: int, start: dt.datetime, took: float = 50, **fields) -> int:
    """A case whose procedure started at `start` and lasted `took` minutes."""
    return case(
        office,
        start,
        procedure_started_at=start,
        procedure_ended_at=start + minutes(took),
        **fields,
    )


def follow_up(
    case_id: int,
    office: int,
    kind: FollowUpKind = FollowUpKind.NEXT_DAY_CALL,
    completed_at: dt.datetime | None = None,
    **fields,
) -> None:
    """A follow-up of `kind`; completed ones reached the patient unless told otherwise."""
    reached = fields.pop("reached", True if completed_at else None)
    with transaction() as s:
        s.add(
            FollowUp(
                case_id=case_id,
                office_id=office,
                kind=kind,
                due_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                overdue_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
                attempts=1,
                reached=reached,
                completed_at=completed_at,
                **fields,
            )
        )


def metrics(
    offices: list[int],
    date_range: DateRange = TWO_WEEKS,
    now: dt.datetime = LATER,
    scope: list[int] | None = None,
):
    return office_metrics(scope or offices, offices, date_range, now)


def period_rows(result, office: int) -> pd.DataFrame:
    rows = result.by_period[result.by_period.office_id == office]
    return rows.set_index("period")


def compared(result, office: int) -> dict:
    (row,) = result.comparison[result.comparison.office_id == office].to_dict("records")
    return row


def blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --- Throughput and office-local periods ---------------------------------------------------------


def test_completed_cases_are_counted_per_office_and_week_of_the_procedure_day(db_url):
    a, b = make_office("AA", NY), make_office("BB", CHI)
    done(a, at(TUE, "08:00"))
    done(a, at(TUE, "09:15"))
    done(a, at(dt.date(2025, 1, 14), "08:00"))
    case(a, at(TUE, "10:30"), CaseStatus.CANCELLED, cancelled_at=at(TUE, "06:00"))
    case(a, at(WED, "08:00"), CaseStatus.IN_PROCEDURE, procedure_started_at=at(WED, "08:05"))
    done(b, at(THU, "08:00", CHI))

    result = metrics([a, b])

    assert period_rows(result, a).completed.to_dict() == {MON_6: 2, MON_13: 1}
    # A week without a procedure shows 0, not a gap in the line.
    assert period_rows(result, b).completed.to_dict() == {MON_6: 1, MON_13: 0}
    assert (compared(result, a)["completed"], compared(result, b)["completed"]) == (3, 1)


def test_an_evening_case_belongs_to_the_office_local_day_week_and_month(db_url):
    a = make_office("AA", NY)
    # 19:30 in New York on Sunday 12 January and on Friday 31 January is already the next day
    # in UTC; in July (summer time, where SQLite's standard offset is an hour off) likewise.
    done(a, at(dt.date(2025, 1, 12), "19:30"))
    done(a, at(dt.date(2025, 1, 31), "19:30"))
    done(a, at(dt.date(2025, 7, 13), "19:30"))

    weeks = metrics([a], whole_periods(MON_6, dt.date(2025, 2, 2), Grain.WEEK))
    months = metrics([a], whole_periods(dt.date(2025, 1, 1), dt.date(2025, 7, 31), Grain.MONTH))
    july = metrics([a], whole_periods(dt.date(2025, 7, 7), dt.date(2025, 7, 20), Grain.WEEK))

    counts = period_rows(weeks, a).completed
    assert counts[MON_6] == 1 and counts[MON_13] == 0 and counts[dt.date(2025, 1, 27)] == 1
    monthly = period_rows(months, a).completed
    assert monthly[dt.date(2025, 1, 1)] == 2 and monthly[dt.date(2025, 2, 1)] == 0
    assert monthly[dt.date(2025, 7, 1)] == 1
    assert period_rows(july, a).completed.to_dict() == {
        dt.date(2025, 7, 7): 1,
        dt.date(2025, 7, 14): 0,
    }


def test_cases_outside_the_date_range_are_not_counted(db_url):
    a = make_office("AA", NY)
    done(a, at(dt.date(2025, 1, 5), "09:00"))  # the Sunday before
    done(a, at(dt.date(2025, 1, 20), "09:00"))  # the Monday after
    done(a, at(TUE, "09:00"))

    assert compared(metrics([a]), a)["completed"] == 1


def test_an_office_outside_the_users_scope_is_never_read(db_url):
    mine, other = make_office("AA", NY), make_office("BB", NY)
    done(mine, at(TUE, "09:00"))
    done(other, at(TUE, "09:00"))

    result = metrics([mine, other], scope=[mine])

    assert [o.code for o in result.offices] == ["AA"]
    assert set(result.by_period.office_id) == {mine}
    assert list(result.comparison.office) == ["AA"]


# --- Day quality ---------------------------------------------------------------------------------


def test_first_case_on_time_start_uses_the_first_case_not_cancelled_with_five_minutes_grace(
    db_url,
):
    a, b = make_office("AA", NY), make_office("BB", CHI)
    # Tuesday: the 07:30 case was cancelled that morning, so the 08:45 case is the first; its
    # patient was in the room at 08:50, exactly on the grace. A later case does not count.
    case(a, at(TUE, "07:30"), CaseStatus.CANCELLED, cancelled_at=at(TUE, "06:30"))
    case(a, at(TUE, "08:45"), anesthesia_started_at=at(TUE, "08:50"))
    case(a, at(TUE, "10:00"), anesthesia_started_at=at(TUE, "10:40"))
    # Wednesday: six minutes late. Thursday: early.
    case(a, at(WED, "07:30"), anesthesia_started_at=at(WED, "07:36"))
    case(a, at(THU, "07:30"), anesthesia_started_at=at(THU, "07:20"))
    # Friday is 'now' at 07:32: not started, grace not over yet, so not counted either way.
    case(a, at(FRI, "07:30"), CaseStatus.CHECKED_IN)
    # Another office's earlier case never becomes this office's first case; never started and
    # long past its grace, it counts against its own office.
    case(b, at(TUE, "06:00", CHI), CaseStatus.SCHEDULED)

    result = metrics([a, b], now=at(FRI, "07:32"))

    week = period_rows(result, a).loc[MON_6]
    assert (week.first_cases, week.on_time, week.on_time_pct) == (3, 2, 66.7)
    # Tuesday's first slot was cancelled: not hidden, counted beside the share.
    assert week.cancelled_first_slots == 1
    assert compared(result, a)["cancelled_first_slots"] == 1
    other = period_rows(result, b).loc[MON_6]
    assert (other.first_cases, other.on_time, other.on_time_pct) == (1, 0, 0.0)
    assert compared(result, a)["on_time_pct"] == 66.7
    # Once the grace has run out, the Friday case counts against the rate.
    later = period_rows(metrics([a], now=at(FRI, "07:36")), a).loc[MON_6]
    assert (later.first_cases, later.on_time) == (4, 2)


def test_first_case_on_time_start_counts_the_patient_in_room_time(db_url):
    a = make_office("AA", NY)
    # In the room at 07:33 (on time), anesthesia only at 07:50: the room time counts.
    case(
        a,
        at(TUE, "07:30"),
        patient_in_room_at=at(TUE, "07:33"),
        anesthesia_started_at=at(TUE, "07:50"),
    )
    # In the room at 07:40 (late), though anesthesia was charted early by mistake.
    case(
        a,
        at(WED, "07:30"),
        patient_in_room_at=at(WED, "07:40"),
        anesthesia_started_at=at(WED, "07:30"),
    )

    week = period_rows(metrics([a], now=at(FRI, "07:32")), a).loc[MON_6]

    assert (week.first_cases, week.on_time) == (2, 1)


def test_procedure_duration_mean_median_and_share_over_sixty_minutes(db_url):
    a, b = make_office("AA", NY), make_office("BB", NY)
    for clock, took in (("08:00", 30), ("09:00", 60), ("10:30", 61), ("12:00", 95)):
        done(a, at(TUE, clock), took)
    # Started but no end time: left out of every duration figure.
    case(a, at(WED, "08:00"), CaseStatus.IN_PROCEDURE, procedure_started_at=at(WED, "08:02"))
    for clock, took in (("08:00", 40), ("09:00", 70), ("10:30", 50)):
        done(b, at(TUE, clock), took)

    result = metrics([a, b])

    week = period_rows(result, a).loc[MON_6]
    assert (week.timed_cases, week.duration_total, week.over_long) == (4, 246, 2)
    assert (week.duration_mean, week.over_long_pct) == (61.5, 50.0)  # exactly 60 is not over
    row_a, row_b = compared(result, a), compared(result, b)
    assert (row_a["duration_mean"], row_a["duration_median"], row_a["over_long_pct"]) == (
        61.5,
        60.5,  # the mean of the two middle cases, 60 and 61
        50.0,
    )
    assert (row_b["duration_mean"], row_b["duration_median"], row_b["over_long_pct"]) == (
        53.3,
        50.0,
        33.3,
    )


def test_recovery_length_of_stay_leaves_out_a_patient_still_in_recovery(db_url):
    a = make_office("AA", NY)
    for clock, stay in (("08:00", 45), ("09:30", 75), ("11:00", 100)):
        start = at(TUE, clock)
        case(
            a, start, recovery_in_at=start + minutes(60), recovery_out_at=start + minutes(60 + stay)
        )
    case(a, at(WED, "08:00"), CaseStatus.RECOVERY, recovery_in_at=at(WED, "09:00"))

    result = metrics([a])

    week = period_rows(result, a).loc[MON_6]
    assert (week.recovery_cases, week.recovery_total, week.recovery_mean) == (3, 220, 73.3)
    assert compared(result, a)["recovery_median"] == 75.0


def test_same_day_cancellations_count_against_the_cases_booked_for_that_day(db_url):
    a = make_office("AA", NY)
    done(a, at(TUE, "08:00"))
    case(
        a,
        at(TUE, "09:15"),
        CaseStatus.CANCELLED,
        cancelled_at=at(TUE, "07:00"),
        cancellation_reason=CancelReason.NO_ESCORT,
    )
    case(
        a,
        at(TUE, "10:30"),
        CaseStatus.CANCELLED,
        cancelled_at=at(TUE, "09:00"),
        cancellation_reason=CancelReason.NOT_FASTING,
    )
    # Cancelled three days before: no longer booked for Tuesday, in neither count.
    case(
        a,
        at(TUE, "11:45"),
        CaseStatus.CANCELLED,
        cancelled_at=at(dt.date(2025, 1, 4), "12:00"),
        cancellation_reason=CancelReason.PATIENT_DECLINED,
    )
    done(a, at(dt.date(2025, 1, 14), "08:00"))
    case(
        a,
        at(dt.date(2025, 1, 14), "09:15"),
        CaseStatus.CANCELLED,
        cancelled_at=at(dt.date(2025, 1, 14), "08:40"),
        cancellation_reason=CancelReason.NO_ESCORT,
    )

    result = metrics([a])

    rows = period_rows(result, a)
    assert (rows.loc[MON_6].cancelled_same_day, rows.loc[MON_6].booked) == (2, 3)
    assert (rows.loc[MON_6].same_day_pct, rows.loc[MON_13].same_day_pct) == (66.7, 50.0)
    assert compared(result, a)["same_day_pct"] == 60.0
    reasons = dict(zip(result.reasons.reason, result.reasons.cancelled, strict=True))
    assert reasons == {CancelReason.NO_ESCORT: 2, CancelReason.NOT_FASTING: 1}


def test_pre_op_call_reach_and_same_day_cancellations_of_reached_and_not_reached_cases(db_url):
    a = make_office("AA", NY)
    the_day_before = dt.date(2025, 1, 6)
    reached_done = done(a, at(TUE, "08:00"))
    add_preop_call(reached_done, CallOutcome.NO_ANSWER, at(the_day_before, "10:00"))
    add_preop_call(reached_done, CallOutcome.REACHED, at(the_day_before, "15:00"))
    reached_cancelled = case(
        a,
        at(TUE, "09:15"),
        CaseStatus.CANCELLED,
        cancelled_at=at(TUE, "07:00"),
        cancellation_reason=CancelReason.NOT_FASTING,
    )
    add_preop_call(reached_cancelled, CallOutcome.REACHED, at(the_day_before, "11:00"))
    voicemail_cancelled = case(
        a,
        at(TUE, "10:30"),
        CaseStatus.CANCELLED,
        cancelled_at=at(TUE, "09:00"),
        cancellation_reason=CancelReason.NO_ESCORT,
    )
    add_preop_call(voicemail_cancelled, CallOutcome.VOICEMAIL, at(the_day_before, "12:00"))
    never_called = done(a, at(WED, "08:00"))
    # Reached only after the booked start: the call came too late to count.
    late = done(a, at(WED, "09:30"))
    add_preop_call(late, CallOutcome.REACHED, at(WED, "09:45"))
    # Cancelled days before: not booked for the day, in no count.
    gone = case(
        a, at(THU, "08:00"), CaseStatus.CANCELLED, cancelled_at=at(dt.date(2025, 1, 4), "9:00")
    )
    add_preop_call(gone, CallOutcome.REACHED, at(dt.date(2025, 1, 3), "9:00"))
    assert never_called

    week = period_rows(metrics([a]), a).loc[MON_6]

    assert (week.booked, week.booked_reached) == (5, 2)
    assert (week.cancelled_same_day, week.same_day_reached) == (2, 1)
    assert week.preop_reach_pct == 40.0
    assert week.same_day_reached_pct == 50.0  # 1 of the 2 reached
    assert week.same_day_unreached_pct == 33.3  # 1 of the 3 not reached
    row = compared(metrics([a]), a)
    assert (row["preop_reach_pct"], row["same_day_unreached_pct"]) == (40.0, 33.3)


def test_the_procedure_interval_pairs_consecutive_cases_of_one_office_and_day_only(db_url):
    a, b = make_office("AA", NY), make_office("BB", NY)
    # Tuesday at AA: ends 08:50, 10:00, 11:20, then starts 09:10, 10:30, 11:35: 20, 30, 15 min.
    done(a, at(TUE, "08:00"), 50)
    done(a, at(TUE, "09:10"), 50)
    done(a, at(TUE, "10:30"), 50)
    done(a, at(TUE, "11:35"), 40)
    # Wednesday: the first case has no end time, so the second has no interval.
    case(a, at(WED, "08:00"), CaseStatus.IN_PROCEDURE, procedure_started_at=at(WED, "08:00"))
    done(a, at(WED, "09:30"), 50)
    # BB's case falls between AA's on Tuesday but is another office: it pairs with nothing.
    done(b, at(TUE, "08:55"), 10)
    # Thursday's first case is not paired with Tuesday's last.
    done(a, at(THU, "08:00"), 50)

    result = metrics([a, b])

    week = period_rows(result, a).loc[MON_6]
    assert (week.interval_pairs, week.interval_total, week.interval_mean) == (3, 65, 21.7)
    assert compared(result, a)["interval_median"] == 20.0
    assert period_rows(result, b).loc[MON_6].interval_pairs == 0
    assert blank(compared(result, b)["interval_median"])


# --- After discharge ------------------------------------------------------------------------------


def test_next_day_call_counts_calls_reaching_the_patient_within_48_hours(db_url):
    a = make_office("AA", NY)
    out = at(TUE, "14:00")

    def discharged(when: dt.datetime = out) -> int:
        return case(a, when - minutes(240), discharged_at=when)

    follow_up(discharged(), a, completed_at=out + dt.timedelta(hours=20))
    follow_up(discharged(), a, completed_at=out + dt.timedelta(hours=48))  # exactly 48 h
    follow_up(discharged(), a, completed_at=out + dt.timedelta(hours=49))  # too late
    follow_up(discharged(), a, reached=False)  # tried, never reached
    discharged()  # no call at all
    now = at(dt.date(2025, 1, 19), "12:00")
    sunday = at(dt.date(2025, 1, 18), "16:00")  # 20 h before now
    discharged(sunday)  # not called yet, and may still be called in time: left out
    follow_up(discharged(sunday), a, completed_at=sunday + dt.timedelta(hours=17))

    result = metrics([a], now=now)

    rows = period_rows(result, a)
    assert (rows.loc[MON_6].call_known, rows.loc[MON_6].called_in_time) == (5, 2)
    assert (rows.loc[MON_13].discharged, rows.loc[MON_13].call_known) == (2, 1)
    assert (rows.loc[MON_6].call_pct, rows.loc[MON_13].call_pct) == (40.0, 100.0)
    assert compared(result, a)["call_pct"] == 50.0
    # Two days on, the uncalled Sunday case has had its 48 h and counts against the rate.
    assert compared(metrics([a], now=now + dt.timedelta(days=2)), a)["call_pct"] == round(
        300 / 7, 1
    )


def test_return_to_work_within_48_hours_among_working_patients_who_answered(db_url):
    a = make_office("AA", NY)
    out = at(TUE, "14:00")
    call = out + dt.timedelta(hours=22)

    def patient(works: bool) -> int:
        return case(a, out - minutes(240), discharged_at=out, works=works)

    for back_after in (1, 2, 3):
        follow_up(
            patient(True), a, completed_at=call, returned_to_work_on=TUE + dt.timedelta(back_after)
        )
    follow_up(patient(True), a, completed_at=call)  # not back yet
    follow_up(patient(True), a, reached=False)  # did not answer: left out
    follow_up(patient(False), a, completed_at=call, returned_to_work_on=WED)  # not working

    result = metrics([a])

    week = period_rows(result, a).loc[MON_6]
    assert (week.rtw_answered, week.rtw_returned, week.rtw_pct) == (4, 2, 50.0)
    assert compared(result, a)["rtw_pct"] == 50.0


def test_red_flags_and_escalations_per_100_cases_and_median_time_to_resolution(db_url):
    a = make_office("AA", NY)
    out = at(TUE, "14:00")
    cases = [case(a, out - minutes(240), discharged_at=out) for _ in range(4)]
    flagged = out + dt.timedelta(hours=20)
    follow_up(
        cases[0],
        a,
        completed_at=flagged,
        red_flags="fever,wound",
        escalated_at=flagged,
        escalation_resolved_at=flagged + dt.timedelta(hours=10),
    )
    follow_up(cases[1], a, completed_at=flagged)
    follow_up(
        cases[1],
        a,
        FollowUpKind.WEEKS_2,
        completed_at=flagged + dt.timedelta(days=13),
        red_flags="uncontrolled_pain",
        escalated_at=flagged + dt.timedelta(days=13),
        escalation_resolved_at=flagged + dt.timedelta(days=13, hours=4),
    )
    follow_up(cases[2], a, completed_at=flagged, red_flags="bowel_bladder", escalated_at=flagged)

    result = metrics([a])

    week = period_rows(result, a).loc[MON_6]
    assert (week.discharged, week.red_flags, week.escalations, week.resolved) == (4, 4, 3, 2)
    row = compared(result, a)
    assert (row["red_flags_per_100"], row["escalations_per_100"]) == (100.0, 75.0)
    assert (row["resolution_median"], row["open_escalations"]) == (7.0, 1)


def test_nprs_and_odi_improvement_at_each_visit_and_the_share_improved_among_all_due(db_url):
    a = make_office("AA", NY)
    out = at(TUE, "14:00")

    def patient(nprs: int | None, odi: float | None) -> int:
        return case(a, out - minutes(240), discharged_at=out, baseline_nprs=nprs, baseline_odi=odi)

    def visit(case_id: int, kind: FollowUpKind, nprs: int | None, odi: float | None) -> None:
        follow_up(case_id, a, kind, completed_at=LATER - dt.timedelta(days=1), nprs=nprs, odi=odi)

    first = patient(8, 50.0)
    visit(first, FollowUpKind.WEEKS_2, 6, 41.0)  # NPRS -2: improved; ODI -9: not
    visit(first, FollowUpKind.MONTHS_3, 7, 40.0)  # NPRS -1 (12.5%): not; ODI -10: improved
    second = patient(3, 16.4)
    visit(second, FollowUpKind.MONTHS_3, 2, 6.4)  # NPRS -1 is 33%: improved; ODI -10 (floats)
    third = patient(None, 30.0)
    visit(third, FollowUpKind.MONTHS_3, 5, 35.0)  # no NPRS baseline; ODI worse by 5
    fourth = patient(7, 40.0)
    follow_up(fourth, a, FollowUpKind.MONTHS_3)  # not done yet: left out

    result = metrics([a])

    by_kind = result.outcomes[result.outcomes.office_id == a].set_index("kind")
    three = by_kind.loc[FollowUpKind.MONTHS_3]
    # Four due at 3 months, one not reached (the fourth): the shares are of all four.
    assert (three.due, three.not_reached) == (4, 1)
    # Improvement reads upward: intake minus visit (+1 and +1 points).
    assert (three.nprs_n, three.nprs_mean_improvement, three.nprs_improved_pct) == (2, 1.0, 25.0)
    assert (three.odi_n, three.odi_mean_improvement, three.odi_improved_pct) == (3, 5.0, 50.0)
    two = by_kind.loc[FollowUpKind.WEEKS_2]
    assert (two.nprs_n, two.nprs_mean_improvement, two.nprs_improved_pct) == (1, 2.0, 100.0)
    assert (two.odi_n, two.odi_mean_improvement, two.odi_improved_pct) == (1, 9.0, 0.0)
    # The comparison table shows the 3-month visit.
    row = compared(result, a)
    assert (row["nprs_improved_pct"], row["odi_improved_pct"]) == (25.0, 50.0)


def test_the_databases_nprs_improvement_agrees_with_the_domain_rule_for_every_score_pair(db_url):
    a = make_office("AA", NY)
    out = at(TUE, "14:00")
    pairs = [(before, after) for before in range(11) for after in range(11)]
    with transaction() as s:
        for n, (before, after) in enumerate(pairs):
            patient = Patient(
                mrn=f"P{n:05d}",
                first_name="Pair",
                last_name=f"P{n}",
                date_of_birth=dt.date(1950, 1, 1),
                created_at=out,
            )
            s.add(patient)
            s.flush()
            row = Case(
                code=f"PAIR-{n:04d}",
                patient_id=patient.id,
                office_id=a,
                status=CaseStatus.FOLLOW_UP,
                request_channel=RequestChannel.PHONE,
                consult_requested_at=out - dt.timedelta(days=40),
                scheduled_start=out - minutes(240),
                discharged_at=out,
                baseline_nprs=before,
                updated_at=out,
            )
            s.add(row)
            s.flush()
            s.add(
                FollowUp(
                    case_id=row.id,
                    office_id=a,
                    kind=FollowUpKind.MONTHS_3,
                    due_at=out,
                    overdue_at=out,
                    reached=True,
                    completed_at=out + dt.timedelta(days=91),
                    nprs=after,
                )
            )

    result = metrics([a])

    three = result.outcomes.set_index("kind").loc[FollowUpKind.MONTHS_3]
    assert three.nprs_n == len(pairs)
    assert three.nprs_improved == sum(nprs_improved(b, n) for b, n in pairs)


# --- The funnel ----------------------------------------------------------------------------------


def test_the_funnel_counts_requests_in_the_range_at_every_stage_they_reached(db_url):
    a = make_office("AA", NY)
    asked = at(TUE, "10:00")
    out = asked + dt.timedelta(days=30)
    now = out + dt.timedelta(days=20)  # the next-day call and the 2-week visit are due by now

    def request(status: CaseStatus, asked_at: dt.datetime = asked, **fields) -> int:
        return case(a, out, status, consult_requested_at=asked_at, **fields)

    def treated(status: CaseStatus = CaseStatus.FOLLOW_UP) -> int:
        return request(
            status,
            intake_started_at=asked,
            booked_at=asked,
            procedure_ended_at=out,
            discharged_at=out,
        )

    def owed(case_id: int, kind: FollowUpKind, due: dt.datetime, done: bool) -> None:
        with transaction() as s:
            s.add(
                FollowUp(
                    case_id=case_id,
                    office_id=a,
                    kind=kind,
                    due_at=due,
                    overdue_at=due + dt.timedelta(days=1),
                    reached=True if done else None,
                    completed_at=due if done else None,
                )
            )

    request(CaseStatus.REQUESTED, scheduled_start=None)
    request(CaseStatus.INTAKE, scheduled_start=None, intake_started_at=asked)
    # Booked, then cancelled: it reached 'booked' and stops there.
    request(CaseStatus.CANCELLED, intake_started_at=asked, booked_at=asked)
    treated()  # done, but no follow-up done yet
    behind = treated()  # the call is done, the 2-week visit is due and not done
    owed(behind, FollowUpKind.NEXT_DAY_CALL, out + dt.timedelta(days=1), done=True)
    owed(behind, FollowUpKind.WEEKS_2, out + dt.timedelta(days=14), done=False)
    on_track = treated()  # the call and the visit done; the 3-month visit is not due yet
    owed(on_track, FollowUpKind.NEXT_DAY_CALL, out + dt.timedelta(days=1), done=True)
    owed(on_track, FollowUpKind.WEEKS_2, out + dt.timedelta(days=14), done=True)
    owed(on_track, FollowUpKind.MONTHS_3, out + dt.timedelta(days=91), done=False)
    treated(CaseStatus.CLOSED)
    request(CaseStatus.REQUESTED, at(dt.date(2024, 12, 20), "10:00"), scheduled_start=None)

    result = metrics([a], now=now)

    (row,) = result.funnel.to_dict("records")
    stages = {k: row[k] for k in ("requested", "intake", "booked", "done", "follow_up_complete")}
    assert stages == {
        "requested": 7,
        "intake": 6,
        "booked": 5,
        "done": 4,
        "follow_up_complete": 2,
    }


def test_an_office_without_cases_shows_zero_counts_and_blank_rates(db_url):
    a = make_office("AA", NY)

    result = metrics([a])

    row = compared(result, a)
    assert row["completed"] == 0 and row["open_escalations"] == 0
    for rate in ("on_time_pct", "duration_mean", "duration_median", "same_day_pct", "call_pct"):
        assert blank(row[rate]), rate
    assert list(result.funnel.requested) == [0]
    assert result.reasons.empty and result.outcomes.empty


@pytest.mark.parametrize("grain", list(Grain), ids=str)
def test_every_period_of_the_range_appears_once_per_office(db_url, grain):
    a, b = make_office("AA", NY), make_office("BB", CHI)
    chosen = whole_periods(dt.date(2025, 1, 1), dt.date(2025, 3, 15), grain)

    rows = metrics([a, b], chosen).by_period

    assert len(rows) == 2 * len(chosen.periods)
    assert list(rows[rows.office_id == a].period) == chosen.periods


# --- Edge cases that tell the definitions apart (issue 10) ----------------------------------------

JUN_29, JUL_1 = dt.date(2026, 6, 29), dt.date(2026, 7, 1)  # a Monday; the first of a month
SUMMER = whole_periods(dt.date(2026, 6, 1), dt.date(2026, 7, 31), Grain.MONTH)
SUMMER_LATER = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)


def python_local_day(moment: dt.datetime, tz: str) -> dt.date:
    """The office-local day computed apart, in Python with zoneinfo."""
    return moment.astimezone(ZoneInfo(tz)).date()


def test_an_event_between_midnight_and_one_in_summer_falls_on_its_own_local_day(db_url):
    """SQLite once shifted UTC by the standard offset: 00:20 EDT fell on the day (and month)
    before. Office-local days are now exact on both backends."""
    a = make_office("AA", NY)
    july_first = at(JUL_1, "00:20")
    assert python_local_day(july_first, NY) == JUL_1
    done(a, july_first)
    done(a, at(JUL_1, "00:50"))
    done(a, at(dt.date(2026, 6, 30), "23:50"))

    result = metrics([a], SUMMER, now=SUMMER_LATER)

    rows = period_rows(result, a)
    assert rows.completed.to_dict() == {dt.date(2026, 6, 1): 1, JUL_1: 2}
    # A late-night pair on one day does not pair with the evening before.
    assert rows.loc[JUL_1].interval_pairs == 1


def test_a_same_day_cancellation_just_after_midnight_in_summer_counts_on_its_day(db_url):
    a = make_office("AA", NY)
    case(
        a,
        at(JUL_1, "08:00"),
        CaseStatus.CANCELLED,
        cancelled_at=at(JUL_1, "00:20"),
        cancellation_reason=CancelReason.NOT_FASTING,
    )
    done(a, at(JUL_1, "09:00"))

    july = period_rows(metrics([a], SUMMER, now=SUMMER_LATER), a).loc[JUL_1]

    assert (july.cancelled_same_day, july.booked) == (1, 2)


@pytest.mark.parametrize(
    ("day", "clock"),
    [
        (dt.date(2026, 3, 8), "00:30"),  # the spring change: 23 hours, 02:00 -> 03:00
        (dt.date(2026, 3, 8), "03:30"),
        (dt.date(2026, 11, 1), "00:30"),  # the autumn change: 25 hours, 01:00 twice
        (dt.date(2026, 11, 1), "23:30"),
    ],
)
def test_cases_on_the_days_clocks_change_fall_on_the_day_python_computes(db_url, day, clock):
    a = make_office("AA", NY)
    start = at(day, clock)
    done(a, start)
    chosen = whole_periods(day, day, Grain.WEEK)

    rows = period_rows(metrics([a], chosen, now=SUMMER_LATER + dt.timedelta(days=90)), a)

    local = python_local_day(start, NY)
    assert rows.completed.to_dict() == {local - dt.timedelta(days=local.weekday()): 1}


def test_a_case_in_the_first_local_hour_of_the_range_is_kept(db_url):
    a = make_office("AA", NY)
    done(a, at(JUL_1, "00:05"))
    chosen = whole_periods(JUL_1, dt.date(2026, 7, 31), Grain.MONTH)

    assert period_rows(metrics([a], chosen, now=SUMMER_LATER), a).completed.sum() == 1


def test_turnover_is_out_of_room_to_the_next_patient_in_room(db_url):
    """AACD: previous patient out of room to next patient in room; the procedure-to-procedure
    interval (end to start) is a different, longer number."""
    a = make_office("AA", NY)
    first = at(TUE, "08:00")
    done(
        a,
        first,
        50,
        patient_in_room_at=first - minutes(10),
        patient_out_of_room_at=first + minutes(58),  # 08:58
    )
    second = at(TUE, "09:30")
    done(a, second, 40, patient_in_room_at=at(TUE, "09:10"))  # in 12 min after the first out
    # A case charted before "patient out of room" existed: its recovery arrival stands in.
    third = at(TUE, "11:00")
    done(a, third, 30, patient_in_room_at=at(TUE, "10:30"), recovery_in_at=at(TUE, "11:35"))
    done(a, at(TUE, "12:20"), 30, patient_in_room_at=at(TUE, "11:50"))

    result = metrics([a])

    week = period_rows(result, a).loc[MON_6]
    # Turnovers: 08:58 -> 09:10 (12); the second has no out time and no recovery: no pair;
    # 11:35 -> 11:50 (15).
    assert (week.turnover_pairs, week.turnover_total) == (2, 27)
    # Intervals: 08:50 -> 09:30 (40), 10:10 -> 11:00 (50), 11:30 -> 12:20 (50).
    assert (week.interval_pairs, week.interval_total) == (3, 140)
    assert compared(result, a)["turnover_median"] == 13.5


def test_same_day_cancellations_count_past_days_only(db_url):
    """Today's and later booked days are not yet decided: in neither count."""
    a = make_office("AA", NY)
    done(a, at(TUE, "08:00"))
    case(a, at(WED, "08:00"), CaseStatus.SCHEDULED)  # today: not in the denominator
    case(
        a,
        at(WED, "09:00"),
        CaseStatus.CANCELLED,
        cancelled_at=at(WED, "07:00"),
        cancellation_reason=CancelReason.NO_ESCORT,
    )
    case(a, at(THU, "08:00"), CaseStatus.SCHEDULED)  # to come

    result = metrics([a], now=at(WED, "10:00"))

    week = period_rows(result, a).loc[MON_6]
    assert (week.cancelled_same_day, week.booked, week.same_day_pct) == (0, 1, 0.0)
    assert result.reasons.empty


def test_a_cancelled_first_slot_is_reported_even_when_the_next_case_started_on_time(db_url):
    a = make_office("AA", NY)
    case(a, at(TUE, "07:30"), CaseStatus.CANCELLED, cancelled_at=at(TUE, "07:10"))
    case(a, at(TUE, "09:00"), patient_in_room_at=at(TUE, "08:58"))
    case(a, at(WED, "07:30"), patient_in_room_at=at(WED, "07:31"))
    # A first slot cancelled for a day still to come is not counted yet.
    case(a, at(FRI, "07:30"), CaseStatus.CANCELLED, cancelled_at=at(TUE, "12:00"))

    week = period_rows(metrics([a], now=at(THU, "12:00")), a).loc[MON_6]

    assert (week.first_cases, week.on_time, week.cancelled_first_slots) == (2, 2, 1)


def test_escalations_open_now_include_cases_discharged_before_the_range(db_url):
    a = make_office("AA", NY)
    before = at(dt.date(2024, 12, 2), "14:00")
    old = case(a, before - minutes(240), discharged_at=before)
    follow_up(old, a, completed_at=before + dt.timedelta(hours=20), escalated_at=before)
    out = at(TUE, "14:00")
    recent = case(a, out - minutes(240), discharged_at=out)
    follow_up(recent, a, completed_at=out + dt.timedelta(hours=20), escalated_at=out)
    resolved = case(a, out - minutes(300), discharged_at=out)
    follow_up(
        resolved,
        a,
        completed_at=out + dt.timedelta(hours=20),
        escalated_at=out,
        escalation_resolved_at=out + dt.timedelta(hours=3),
    )

    row = compared(metrics([a]), a)

    assert row["open_escalations"] == 2  # the old one too: it is open now
    assert row["escalations_per_100"] == 100.0  # two of the two discharged in the range


def test_safety_events_per_1000_admissions_and_hospital_visits_per_1000_discharges(db_url):
    """ASC-1 to ASC-4 over the cases checked in, placed by the procedure day; hospital visits
    within 7 days over the cases discharged, placed by the discharge day; each event listed."""
    a = make_office("AA", NY)
    out = at(TUE, "14:00")
    admitted = [
        case(a, at(TUE, "08:00"), checked_in_at=at(TUE, "07:30"), discharged_at=out)
        for _ in range(4)
    ]
    case(a, at(TUE, "09:00"), CaseStatus.CANCELLED, cancelled_at=at(TUE, "06:30"))
    add_safety_event(admitted[0], SafetyKind.FALL, at(TUE, "11:00"), "Slipped in recovery")
    add_safety_event(admitted[1], SafetyKind.WRONG_SIDE, at(TUE, "09:00"), "Marked left")
    add_safety_event(admitted[2], SafetyKind.ED_VISIT, out + dt.timedelta(days=3), "Headache")
    # A case of last year, outside the range: its event is not counted.
    old = case(
        a, at(dt.date(2024, 12, 3), "08:00"), checked_in_at=at(dt.date(2024, 12, 3), "07:30")
    )
    add_safety_event(old, SafetyKind.BURN, at(dt.date(2024, 12, 3), "09:00"))

    result = metrics([a])

    week = period_rows(result, a).loc[MON_6]
    assert (week.admitted, week.asc_events, week.asc_per_1000) == (4, 2, 500.0)
    assert (week.discharged, week.hospital_visits, week.hospital_visits_per_1000) == (4, 1, 250.0)
    row = compared(result, a)
    assert (row["asc_events"], row["asc_per_1000"], row["hospital_visits"]) == (2, 500.0, 1)
    assert list(result.safety.description) == ["Marked left", "Slipped in recovery", "Headache"]
    with read_session() as s:
        codes = {i: s.get(Case, i).code for i in admitted}
    assert list(result.safety.case_code) == [codes[admitted[i]] for i in (1, 0, 2)]
