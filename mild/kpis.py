"""What managers measure: each KPI's definition as data, the policy thresholds, and the periods
a chart is grouped by. Pure: the database computes the numbers (db/queries/metrics.py).

Every definition says what is counted (numerator), out of what (denominator), what is left out,
and which date places a case in a week or month. The text is built from the policy, so the
definition a manager reads always matches the threshold the query used.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.scores import NPRS_IMPORTANT_FRACTION, NPRS_IMPORTANT_POINTS, ODI_IMPORTANT_POINTS


class Grain(enum.StrEnum):
    """How a chart groups days: Monday-to-Sunday weeks or calendar months (office-local)."""

    WEEK = "week"
    MONTH = "month"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class KpiPolicy:
    """Thresholds the practice may change (DOMAIN.md marks them policy). Defaults as agreed."""

    on_time_grace_minutes: int = 5
    long_procedure_minutes: int = 60
    next_day_call_hours: int = 48
    return_to_work_days: int = 2
    per_cases: int = 100
    nprs_points: int = NPRS_IMPORTANT_POINTS
    nprs_percent: int = round(NPRS_IMPORTANT_FRACTION * 100)
    odi_points: float = ODI_IMPORTANT_POINTS
    # The visit whose outcome shares the office comparison table shows.
    comparison_visit: FollowUpKind = FollowUpKind.MONTHS_3
    # A chart line has at most this many points: weekly up to about 16 months, monthly 5 years.
    max_periods: int = 70


DEFAULT_POLICY = KpiPolicy()


@dataclass(frozen=True)
class Kpi:
    """One measure as a manager reads it next to its chart or column."""

    key: str
    name: str
    numerator: str
    denominator: str
    excluded: str
    dated_by: str  # which date places a case in a period, and in the date range
    unit: str


# The funnel's stages, in order: (column, label). A case counts at every stage it has reached.
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("requested", "Consult requested"),
    ("intake", "Intake started"),
    ("booked", "Booked"),
    ("done", "Procedure done"),
    ("follow_up_complete", "Follow-up complete so far"),
)

PROCEDURE_DAY = "the procedure day (scheduled start, office-local)"
DISCHARGE_DAY = "the discharge day (office-local)"


def kpi_definitions(policy: KpiPolicy = DEFAULT_POLICY) -> dict[str, Kpi]:
    """Every KPI on the metrics screen, keyed by the name its columns and charts use."""
    p = policy
    long = p.long_procedure_minutes
    kpis = (
        Kpi(
            "completed",
            "Completed cases",
            "Cases whose procedure end time is recorded.",
            "None: a count per office and period.",
            "Cancelled cases and cases not yet ended.",
            PROCEDURE_DAY,
            "cases",
        ),
        Kpi(
            "funnel",
            "Funnel: consult request to follow-up complete",
            "Cases that have reached each stage by now: intake started, booked, procedure "
            "done (end time recorded), follow-up complete so far (at least one follow-up done, "
            "a call made before it fell due included, and none that has fallen due still "
            "open; a closed case has done them all).",
            "Consult requests made in the date range.",
            "Nothing: a cancelled case counts at the stages it reached; a case with a "
            "follow-up overdue or not yet due at all stops at 'procedure done'.",
            "the day the consult was requested (office-local)",
            "cases",
        ),
        Kpi(
            "first_case_on_time",
            "First-case on-time start",
            f"First cases whose patient was in the room by the scheduled start + "
            f"{p.on_time_grace_minutes} min grace. 'In the room' is the patient-in-room time "
            "on the checklist (the time it happened, as corrected by the nurse); cases charted "
            "before that step existed count their anesthesia start instead.",
            "First cases: the earliest-scheduled case of each office-day that went ahead (not "
            "cancelled); two booked for the same minute: the lower case number.",
            "Cancelled cases: the next case is then the first, and the cancelled first slot is "
            "counted beside the share ('First slots cancelled'). A first case whose patient is "
            "not yet in the room and whose grace has not yet run out is left out until then.",
            PROCEDURE_DAY,
            "%",
        ),
        Kpi(
            "duration",
            "Procedure duration",
            "Minutes from procedure start to procedure end: the mean, and the median (the "
            "middle case, or the mean of the two middle cases).",
            "Cases with both a procedure start and end time.",
            "Cases without an end time (not finished, or not recorded).",
            PROCEDURE_DAY,
            "min",
        ),
        Kpi(
            "over_60",
            f"Procedures over {long} minutes",
            f"Cases whose procedure lasted more than {long} minutes (exactly {long} is not over).",
            "Cases with both a procedure start and end time.",
            "Cases without an end time.",
            PROCEDURE_DAY,
            "%",
        ),
        Kpi(
            "recovery_stay",
            "Recovery-room stay",
            "Minutes from recovery in to recovery out (mean and median).",
            "Cases with both a recovery-in and a recovery-out time.",
            "Cases still in recovery, or whose recovery times were not recorded.",
            PROCEDURE_DAY,
            "min",
        ),
        Kpi(
            "cancelled_first_slots",
            "First slots cancelled",
            "Office-days whose earliest-booked case (the first slot) was cancelled, whenever "
            "the cancellation was made: the room may have stood idle at the start of the day.",
            "None: a count per office and period, shown beside the on-time share.",
            "Days still to come.",
            PROCEDURE_DAY,
            "days",
        ),
        Kpi(
            "same_day_cancellation",
            "Same-day cancellations",
            "Cases cancelled on their booked day (office-local), by reason.",
            "Cases booked for that day: every case scheduled on it, less those cancelled on "
            "an earlier day. Past days only.",
            "Today and days still to come (their cancellations are not all known yet); cases "
            "cancelled before their booked day (they were no longer booked for it).",
            PROCEDURE_DAY,
            "%",
        ),
        Kpi(
            "preop_call",
            "Pre-op call reach",
            "Cases booked for the day whose patient a pre-op call reached before the booked "
            "start (mild.preop: the scripted call 1 to N working days ahead).",
            "Cases booked for that day, as for same-day cancellations. Past days only.",
            "Today and days still to come; calls that did not reach the patient (voicemail, "
            "no answer, wrong number, call back).",
            PROCEDURE_DAY,
            "%",
        ),
        Kpi(
            "same_day_by_call",
            "Same-day cancellations, reached or not",
            "Same-day cancellations among the cases a pre-op call reached, and among those it "
            "did not: whether the call is doing its work.",
            "Cases booked for the day that the call reached (or did not reach).",
            "As for same-day cancellations.",
            PROCEDURE_DAY,
            "%",
        ),
        Kpi(
            "turnover",
            "Turnover",
            "Minutes from the previous patient out of the room to the next patient in the "
            "room (AACD glossary), cases in order of patient in room (mean and median). "
            "'Out of the room' is the patient-out-of-room time, else the recovery-room "
            "arrival; 'in the room' as for on-time starts. Negative when two rooms overlap.",
            "Pairs of consecutive cases at the same office on the same day (the practice runs "
            "one procedure room per office).",
            "The first case of a day; pairs where either time is missing; cases at different "
            "offices or on different days never pair.",
            PROCEDURE_DAY,
            "min",
        ),
        Kpi(
            "interval",
            "Procedure-to-procedure interval",
            "Minutes from the previous case's procedure end to the next case's procedure "
            "start, cases in order of procedure start (mean and median). Not the turnover: it "
            "includes getting the patient out, the room ready, the next patient in and "
            "anesthetised.",
            "Pairs of consecutive cases at the same office on the same day.",
            "The first case of a day; pairs where the previous case has no end time.",
            PROCEDURE_DAY,
            "min",
        ),
        Kpi(
            "next_day_call",
            f"Next-day call within {p.next_day_call_hours} h",
            f"Discharged cases whose next-day call reached the patient no more than "
            f"{p.next_day_call_hours} hours after the discharge time (to the minute).",
            f"Discharged cases whose result is known: reached within {p.next_day_call_hours} h, "
            f"or discharged more than {p.next_day_call_hours} h ago. A case not reached by then "
            "counts against the rate.",
            f"Cases discharged less than {p.next_day_call_hours} h ago and not reached yet "
            "(they may still be called in time).",
            DISCHARGE_DAY,
            "%",
        ),
        Kpi(
            "return_to_work",
            f"Back at work by day {p.return_to_work_days} after discharge",
            f"Patients back at work on or before the discharge day + {p.return_to_work_days} "
            "calendar days (office-local), as told on the next-day call: the call records the "
            "day of return, not the hour, so this is not an exact "
            f"{p.return_to_work_days * 24} hours.",
            "Working patients (marked as working at intake) whose next-day call reached them.",
            "Patients not working; calls that did not reach the patient. A return after the "
            "call is not asked, so it counts as not returned.",
            DISCHARGE_DAY,
            "%",
        ),
        Kpi(
            "red_flags",
            f"Red flags per {p.per_cases} cases",
            "Red flags reported on any follow-up of the cases (each flag counted: two flags on "
            f"one call count two), x {p.per_cases}.",
            "Discharged cases.",
            "Nothing beyond cases not discharged.",
            DISCHARGE_DAY,
            f"per {p.per_cases}",
        ),
        Kpi(
            "escalations",
            f"Escalations per {p.per_cases} cases",
            f"Follow-ups escalated to the provider, x {p.per_cases}.",
            "Discharged cases.",
            "Nothing beyond cases not discharged.",
            DISCHARGE_DAY,
            f"per {p.per_cases}",
        ),
        Kpi(
            "resolution",
            "Time to resolve an escalation",
            "Hours from escalation to its resolution (median). Beside it, the escalations "
            "open now: escalated and not resolved at this moment, whatever the discharge day "
            "(not limited to the date range).",
            "Resolved escalations of the cases discharged in the range.",
            "Escalations not yet resolved (counted as open now).",
            DISCHARGE_DAY,
            "h",
        ),
        Kpi(
            "safety_events",
            "Safety events (CMS ASC-1 to ASC-4) per 1,000 admissions",
            "Patient burns (ASC-1), falls (ASC-2), wrong site, side, patient, procedure or "
            "implant (ASC-3), hospital transfers or admissions before discharge (ASC-4), as "
            "recorded on the checklist, each event counted, x 1,000.",
            "Admissions: cases checked in on their procedure day (all patients, not only "
            "Medicare).",
            "Cases never checked in (cancelled or not yet come).",
            PROCEDURE_DAY,
            "per 1,000",
        ),
        Kpi(
            "hospital_visits",
            "Hospital visits within 7 days per 1,000 discharges",
            "Emergency department visits and hospital admissions within 7 days of discharge, "
            "as recorded from follow-up, each counted, x 1,000. A practice measure: CMS's "
            "7-day measure is for colonoscopy only.",
            "Discharged cases.",
            "Visits more than 7 days after discharge (the form refuses them).",
            DISCHARGE_DAY,
            "per 1,000",
        ),
        Kpi(
            "nprs",
            "Pain (NPRS) change from baseline",
            f"Per visit: the mean change (NPRS at intake - NPRS at the visit; a drop in pain "
            f"is an improvement, plotted upward) among patients scored; the share improved: "
            f"a drop of {p.nprs_points} points or more, or of {p.nprs_percent}% or more.",
            "The share improved is taken over every follow-up of that visit due by now (or done "
            "early), reached or not: a patient not reached counts as not improved, and the "
            "number not reached is shown beside it.",
            "Follow-ups not yet due. The mean leaves out patients not reached, without a "
            "score, or without an intake score.",
            DISCHARGE_DAY,
            "points",
        ),
        Kpi(
            "odi",
            "Disability (ODI) change from baseline",
            f"Per visit: the mean change (ODI at intake - ODI at the visit; less disability is "
            f"an improvement, plotted upward) among patients scored; the share improved: a "
            f"drop of {p.odi_points:g} points or more (the MILD trials' threshold).",
            "The share improved is taken over every visit due by now (or done early), reached "
            "or not: a patient not reached counts as not improved.",
            "Visits not yet due; the next-day call (it asks no ODI). The mean leaves out "
            "patients not reached, without a score, or without an intake score.",
            DISCHARGE_DAY,
            "points",
        ),
    )
    return {k.key: k for k in kpis}


# --- Periods -----------------------------------------------------------------------------------


def period_start(day: dt.date, grain: Grain) -> dt.date:
    """The Monday of the day's week, or the first of its month."""
    if grain == Grain.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_end(day: dt.date, grain: Grain) -> dt.date:
    """The Sunday of the day's week, or the last day of its month."""
    if grain == Grain.WEEK:
        return period_start(day, grain) + dt.timedelta(days=6)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def periods(start: dt.date, end: dt.date, grain: Grain) -> list[dt.date]:
    """The first day of every period from the one holding `start` to the one holding `end`."""
    found, day = [], period_start(start, grain)
    while day <= end:
        found.append(day)
        day = period_end(day, grain) + dt.timedelta(days=1)
    return found


@dataclass(frozen=True)
class DateRange:
    """Whole periods, office-local days, both ends included."""

    start: dt.date
    end: dt.date
    grain: Grain

    @property
    def periods(self) -> list[dt.date]:
        return periods(self.start, self.end, self.grain)


# A range with too many points, by grouping: weeks may be grouped by month, months only
# shortened.
RANGE_TOO_LONG = {
    Grain.WEEK: messages.METRICS_WEEKS_TOO_MANY,
    Grain.MONTH: messages.METRICS_MONTHS_TOO_MANY,
}


def whole_periods(
    start: dt.date, end: dt.date, grain: Grain, policy: KpiPolicy = DEFAULT_POLICY
) -> DateRange:
    """The range widened to whole weeks or months, so no period on a chart is cut short.

    Refused when the last day is before the first, or when a line would have more points than
    a chart keeps readable.
    """
    if end < start:
        raise RuleViolation("range", messages.METRICS_RANGE_BACKWARDS)
    chosen = DateRange(period_start(start, grain), period_end(end, grain), grain)
    count = len(chosen.periods)
    if count > policy.max_periods:
        too_many = RANGE_TOO_LONG[grain]
        raise RuleViolation("range", too_many.format(count=count, limit=policy.max_periods))
    return chosen


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first of the month eleven months back to today."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1), today


# --- Ratios ------------------------------------------------------------------------------------


def percent(numerator: float, denominator: float) -> float | None:
    """numerator / denominator as a percentage (one decimal); None when there is nothing to
    divide by, so an empty office shows a blank rather than 0%."""
    if not denominator:
        return None
    return round(100 * numerator / denominator, 1)


def per_cases(count: float, cases: float, policy: KpiPolicy = DEFAULT_POLICY) -> float | None:
    """A count per 100 (policy.per_cases) cases, one decimal; None without cases."""
    if not cases:
        return None
    return round(policy.per_cases * count / cases, 1)


def per_thousand(count: float, cases: float) -> float | None:
    """A count per 1,000 cases (the safety events), one decimal; None without cases."""
    if not cases:
        return None
    return round(1000 * count / cases, 1)


def mean(total: float | None, count: float) -> float | None:
    """total / count, one decimal; None when nothing was counted."""
    if not count or total is None:
        return None
    return round(total / count, 1)
