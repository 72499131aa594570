"""What the hold table means for one patient's drugs: matching a typed name (generic or brand)
to its row, the latest allowed last dose for the booked start, the reported last dose against
the hold on the day, the restart after the procedure, and the table as CSV.

Times are durations: a stop of 72 h before a procedure booked for Friday 08:00 means the last
dose no later than Tuesday 08:00. Restart is per drug, counted from the procedure end.
The table itself: mild/hold_rules.py (its shape) and mild/hold_defaults.py (its rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.errors import RuleViolation
from mild.hold_defaults import DEFAULT_HOLD_TABLE, DEFAULT_RULES
from mild.hold_rules import (
    ANTITHROMBOTIC,
    CLASS_LABELS,
    HOURS,
    HoldRule,
    MedClass,
    from_hours,
    normalize_drug,
    whole_hours,
)
from mild.intake import check_drug_name, check_text
from mild.problems import Problems, collect

__all__ = [
    "ANTITHROMBOTIC",
    "CLASS_LABELS",
    "DEFAULT_HOLD_TABLE",
    "DEFAULT_RULES",
    "HOURS",
    "HoldRule",
    "MedClass",
    "from_hours",
    "normalize_drug",
    "whole_hours",
]


def matching_rules(name: str, table: Mapping[str, HoldRule]) -> list[HoldRule]:
    """The rows a typed name means: the whole text or its start ("Eliquis 5 mg") equal to a
    row's name, generic or brand; where several match, only those with the longest name
    ("insulin glargine" before "insulin"). Two rows left means the name alone cannot tell
    which (aspirin for primary or secondary prevention): someone must pick."""
    key = normalize_drug(name)
    best: dict[str, int] = {}
    for rule in table.values():
        for known in rule.names:
            if key == known or key.startswith(known + " ") or key.startswith(known + ","):
                best[rule.drug] = max(best.get(rule.drug, 0), len(known))
    if not best:
        return []
    longest = max(best.values())
    return sorted((table[d] for d, n in best.items() if n == longest), key=lambda r: r.drug)


def unknown_rule(name: str, candidates: Iterable[HoldRule] = ()) -> HoldRule:
    """What intake records for a drug the table cannot place: needs review, never a guess."""
    candidates = list(candidates)
    options = [r.drug for r in candidates]
    instruction = (
        messages.DRUG_AMBIGUOUS.format(options=" or ".join(options))
        if options
        else messages.DRUG_NEEDS_REVIEW
    )
    generics = {r.generic for r in candidates}
    # "aspirin 81 mg" that could be either aspirin row: the drug is aspirin, the rest its dose.
    key = generics.pop() if len(generics) == 1 else normalize_drug(name)
    return HoldRule(
        key, key, MedClass.UNKNOWN, None, None, False, instruction=instruction, source=""
    )


def classify(name: str, table: Mapping[str, HoldRule] = DEFAULT_HOLD_TABLE) -> HoldRule:
    """The one row a typed name (generic or brand, any case or spacing, dose after it) means;
    an unknown or ambiguous name comes back as UNKNOWN (needs review)."""
    found = matching_rules(name, table)
    if len(found) == 1:
        return found[0]
    return unknown_rule(name, found)


@dataclass(frozen=True)
class HoldAdvice:
    """One drug for one booked case: what the rule says and the latest allowed last dose."""

    rule: HoldRule
    needs_review: bool
    candidates: tuple[str, ...]  # rows to pick from when the name was ambiguous
    last_dose_by: dt.datetime | None

    @property
    def drug(self) -> str:
        return self.rule.drug

    @property
    def med_class(self) -> MedClass:
        return self.rule.med_class


def medication_hold(
    name: str,
    scheduled_start: dt.datetime | None,
    table: Mapping[str, HoldRule] = DEFAULT_HOLD_TABLE,
) -> HoldAdvice:
    """What to tell the patient about one drug for a procedure at `scheduled_start`."""
    found = matching_rules(name, table)
    rule = found[0] if len(found) == 1 else unknown_rule(name, found)
    return HoldAdvice(
        rule=rule,
        needs_review=rule.med_class == MedClass.UNKNOWN,
        candidates=tuple(r.drug for r in found) if len(found) > 1 else (),
        last_dose_by=last_dose_by(rule.stop_before, scheduled_start),
    )


def last_dose_by(
    stop_before: dt.timedelta | None, scheduled_start: dt.datetime | None
) -> dt.datetime | None:
    """The latest moment the patient may take the last dose: `stop_before` ahead of the
    scheduled start. None without a timed stop or before the case is booked; re-booking
    recomputes it."""
    if stop_before is None or scheduled_start is None:
        return None
    return scheduled_start - stop_before


def last_dose_passed(last_dose: dt.datetime | None, now: dt.datetime) -> bool:
    """True when the latest allowed last dose is already behind `now`: a patient not yet told
    cannot keep the hold as set (a short-notice booking, or a call that came too late)."""
    return last_dose is not None and last_dose < now


def late_holds(
    holds: Iterable[tuple[str, dt.timedelta | None]], scheduled_start: dt.datetime, now: dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """The drugs (name, stop before) whose latest last dose for `scheduled_start` is already
    past at `now`, with that moment: what a booking for that time must warn about."""
    late = []
    for drug, stop_before in holds:
        last = last_dose_by(stop_before, scheduled_start)
        if last is not None and last_dose_passed(last, now):
            late.append((drug, last))
    return late


def restart_at(
    restart_after: dt.timedelta | None, procedure_end: dt.datetime | None
) -> dt.datetime | None:
    """When the patient may take the drug again: `restart_after` from the procedure end (None
    without a timed restart: the instruction says when, e.g. when eating normally)."""
    if restart_after is None or procedure_end is None:
        return None
    return procedure_end + restart_after


# Classes with nothing for the patient to stop or adjust (an unknown drug is reviewed first).
NO_PATIENT_INSTRUCTION: frozenset[MedClass] = frozenset({MedClass.OTHER, MedClass.UNKNOWN})


def needs_patient_instruction(med_class: MedClass) -> bool:
    """True when the patient must be told to stop or adjust the drug before the day (a hold,
    a dose adjustment, a GLP-1 decision, or a supplement to stop)."""
    return med_class not in NO_PATIENT_INSTRUCTION


# --- a stop left to the prescriber -------------------------------------------------------------

AGREED_STOP_MAX_HOURS = 720


def needs_agreed_stop(
    med_class: MedClass, stop_before_hours: int | None, skip_on_day: bool
) -> bool:
    """An anticoagulant or antiplatelet whose row gives no timed stop (aspirin for secondary
    prevention, fondaparinux: "shared decision with the prescriber", ASRA 2018): the clearance
    records the stop agreed, so the hold can be told and checked like any other."""
    return med_class in ANTITHROMBOTIC and stop_before_hours is None and not skip_on_day


def check_agreed_stop(hours: object) -> int:
    """The stop agreed with the prescriber: whole hours, 0 (continue the drug) to 720."""
    whole = isinstance(hours, int | float) and not isinstance(hours, bool)
    if not whole or not 0 <= hours <= AGREED_STOP_MAX_HOURS or hours != int(hours):
        raise RuleViolation(
            "agreed_stop_hours", messages.AGREED_STOP_RANGE.format(max=AGREED_STOP_MAX_HOURS)
        )
    return int(hours)


# --- placing a drug the table cannot --------------------------------------------------------

NO_RELEVANCE = "no_relevance"  # the choice "no bleeding or fasting relevance"


def no_relevance_rule(drug: str) -> HoldRule:
    """What a drug placed as having no bleeding or fasting relevance follows: nothing to stop."""
    return HoldRule(drug, drug, MedClass.OTHER, None, None, False, source="")


# --- the reported last dose -------------------------------------------------------------------

# The last dose is asked at the pre-op call and again on the day, until anesthesia starts.
LAST_DOSE_OPEN: frozenset[CaseStatus] = frozenset(
    {CaseStatus.INTAKE, CaseStatus.SCHEDULED, CaseStatus.CHECKED_IN}
)
REPORTED_VIA: tuple[str, ...] = ("pre_op_call", "day_of", "intake")
LAST_DOSE_LOOKBACK = dt.timedelta(days=366)


def check_last_dose_window(status: CaseStatus) -> None:
    if status not in LAST_DOSE_OPEN:
        raise RuleViolation(
            "last_dose", messages.LAST_DOSE_WINDOW_CLOSED.format(status=status.label.lower())
        )


def check_review_window(status: CaseStatus) -> None:
    """A drug under review may be placed from intake until anesthesia starts: one found on the
    day (a new brand name at check-in) must not leave the holds step blocked for good."""
    if status not in LAST_DOSE_OPEN:
        raise RuleViolation(
            "review", messages.DRUG_REVIEW_WINDOW_CLOSED.format(status=status.label.lower())
        )


def check_last_dose(taken_at: dt.datetime | None, now: dt.datetime, via: str) -> dt.datetime:
    """A reported last dose as stored: a moment (timezone-aware), not in the future, within the
    last year; `via` one of REPORTED_VIA."""
    if via not in REPORTED_VIA:
        raise RuleViolation("via", messages.LAST_DOSE_REQUIRED)
    if taken_at is None or taken_at.tzinfo is None:
        raise RuleViolation("last_dose", messages.LAST_DOSE_REQUIRED)
    if taken_at > now:
        raise RuleViolation("last_dose", messages.LAST_DOSE_IN_FUTURE)
    if taken_at < now - LAST_DOSE_LOOKBACK:
        raise RuleViolation("last_dose", messages.LAST_DOSE_TOO_OLD)
    return taken_at.astimezone(dt.UTC)


# --- the day of: the reported last dose against the hold --------------------------------------


@dataclass(frozen=True)
class HeldDrug:
    """A drug on the case as the day-of check sees it.

    `stop_before`/`skip_on_day`: the hold in force; `last_dose_taken_at`: as the patient
    reported it (UTC), None while nobody asked; `needs_review`: the drug is still unplaced.
    """

    drug: str
    stop_before: dt.timedelta | None
    skip_on_day: bool = False
    last_dose_taken_at: dt.datetime | None = None
    needs_review: bool = False

    @property
    def timed_hold(self) -> bool:
        return self.stop_before is not None or self.skip_on_day


def earliest_allowed(drug: HeldDrug, at: dt.datetime, day_start: dt.datetime) -> dt.datetime:
    """The last dose must be before this moment for the hold to be kept at `at`: `stop_before`
    ahead of it, and for a drug skipped on the day, before the local day began."""
    limits = [day_start] if drug.skip_on_day else []
    if drug.stop_before is not None:
        limits.append(at - drug.stop_before)
    return min(limits)


def last_dose_too_recent(drug: HeldDrug, at: dt.datetime, day_start: dt.datetime) -> bool:
    """True when the reported last dose is later than the hold allows at `at`."""
    if not drug.timed_hold or drug.last_dose_taken_at is None:
        return False
    return drug.last_dose_taken_at > earliest_allowed(drug, at, day_start)


def hold_problems(
    drugs: Iterable[HeldDrug], at: dt.datetime, day_start: dt.datetime, fmt_time
) -> list[str]:
    """Why the holds cannot be confirmed (or anesthesia start) at `at`: a drug still under
    review, a held drug with no reported last dose, or a last dose later than its hold allows
    (naming the drug, the last dose and the required stop). `fmt_time` shows a UTC moment in
    the office's time. Empty when every hold is kept."""
    problems = []
    for d in drugs:
        if d.needs_review:
            problems.append(messages.HOLD_STILL_UNDER_REVIEW.format(drug=d.drug))
        elif d.timed_hold and d.last_dose_taken_at is None:
            problems.append(messages.HOLD_LAST_DOSE_NOT_REPORTED.format(drug=d.drug))
        elif last_dose_too_recent(d, at, day_start):
            problems.append(
                messages.HOLD_LAST_DOSE_TOO_RECENT.format(
                    drug=d.drug,
                    taken=fmt_time(d.last_dose_taken_at),
                    stop=stop_text(d.stop_before, d.skip_on_day),
                    allowed=fmt_time(earliest_allowed(d, at, day_start)),
                )
            )
    return problems


def hours_text(delta: dt.timedelta | None) -> str:
    """A duration as staff read it: "72 h (3 days)", "36 h", "6 h"; "" for None."""
    if delta is None:
        return ""
    hours = delta / HOURS
    shown = f"{hours:g} h"
    if hours >= 48 and hours % 24 == 0:
        shown += f" ({int(hours // 24)} days)"
    return shown


def stop_text(stop_before: dt.timedelta | None, skip_on_day: bool) -> str:
    """The required stop in words: "stop 72 h (3 days) before", "no dose on the day"."""
    parts = []
    if stop_before is not None:
        parts.append(messages.STOP_BEFORE.format(duration=hours_text(stop_before)))
    if skip_on_day:
        parts.append(messages.NO_DOSE_ON_THE_DAY)
    return "; ".join(parts) or messages.NO_TIMED_STOP


_RESTART_SENTENCE = re.compile(r"[^.]*\brestart\b[^.]*\.?", re.IGNORECASE)


def restart_instruction(instruction: str) -> str:
    """The hold table's sentence about restarting ("Restart when eating and drinking
    normally."), without the rest of the row's staff notes; "" when it has none."""
    found = [m.group(0).strip() for m in _RESTART_SENTENCE.finditer(instruction or "")]
    return " ".join(s for s in found if s)


def restart_text(restart_after: dt.timedelta | None, instruction: str = "") -> str:
    """When to take the drug again, in words: "restart 24 h after the procedure" or the row's
    own restart sentence (when eating normally); "" when the row says nothing."""
    if restart_after is not None:
        return messages.RESTART_AFTER.format(duration=hours_text(restart_after))
    return restart_instruction(instruction)


# --- the table on paper -----------------------------------------------------------------------

CSV_COLUMNS = (
    "drug",
    "generic",
    "brand_names",
    "class",
    "stop_before_hours",
    "no_dose_on_the_day",
    "restart_after_hours",
    "prescriber_clearance",
    "instruction",
    "source",
    "confirmed_by",
    "confirmed_on",
)


def _hours(delta: dt.timedelta | None) -> str:
    return "" if delta is None else f"{delta / HOURS:g}"


def hold_table_csv(rules: Iterable[HoldRule]) -> str:
    """The hold table as CSV, one row per drug, for a practice to review it on paper."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in sorted(rules, key=lambda r: (r.med_class.label, r.drug)):
        writer.writerow(
            (
                r.drug,
                r.generic,
                "; ".join(r.brands),
                r.med_class.label,
                _hours(r.stop_before),
                "yes" if r.skip_on_day else "no",
                _hours(r.restart_after),
                "yes" if r.needs_clearance else "no",
                r.instruction,
                r.source,
                r.confirmed_by or "",
                r.confirmed_on.isoformat() if r.confirmed_on else "",
            )
        )
    return out.getvalue()


# --- the medication form: one row of the intake table, one save --------------------------------

CLEARANCE_LOOKBACK = dt.timedelta(days=366)
CLEARANCE_NOON = dt.time(12, 0)  # a clearance dated an earlier day: that day, mid-day office time


@dataclass(frozen=True)
class MedicationEntry:
    """One medication as its form gives it: a new drug's name (a listed drug keeps its own),
    the dose, the last dose as the patient reports it (office-local day and time), the
    prescriber's clearance (who, the day they agreed, and the stop agreed where the table
    leaves it to them), and whether the hold has now been told to the patient."""

    drug: str = ""
    dose: str = ""
    last_dose_day: dt.date | None = None
    last_dose_time: dt.time | None = None
    prescriber: str = ""
    cleared_on: dt.date | None = None
    agreed_stop_hours: float | None = None
    told: bool = False

    @property
    def clearing(self) -> bool:
        """Something of the clearance was typed."""
        return bool(self.prescriber.strip()) or self.cleared_on is not None


@dataclass(frozen=True)
class CheckedEntry:
    """A medication entry as stored: None where nothing was given."""

    drug: str | None
    dose: str | None
    last_dose_at: dt.datetime | None
    prescriber: str | None
    cleared_at: dt.datetime | None
    told: bool


@dataclass(frozen=True)
class ListedDrug:
    """What the form's checks need of the drug once the hold table has classed it."""

    drug: str
    needs_clearance: bool
    cleared: bool
    agreed_stop: bool  # the stop is the prescriber's to agree (needs_agreed_stop)
    timed_hold: bool


def clearance_moment(cleared_on: dt.date, tz: str, now: dt.datetime) -> dt.datetime:
    """When a clearance agreed on `cleared_on` is dated: now when that is today at the office,
    else mid-day office time of that day (the day is what staff read)."""
    if cleared_on == local_today(tz, now):
        return now
    return at_local(tz, cleared_on, CLEARANCE_NOON)


def check_cleared_on(cleared_on: dt.date | None, tz: str, now: dt.datetime) -> dt.datetime:
    """The day the prescriber agreed: given, not after today at the office, within a year."""
    if cleared_on is None:
        raise RuleViolation("cleared_on", messages.CLEARED_ON_REQUIRED)
    today = local_today(tz, now)
    if cleared_on > today:
        raise RuleViolation("cleared_on", messages.CLEARED_ON_IN_FUTURE)
    if cleared_on < today - CLEARANCE_LOOKBACK:
        raise RuleViolation("cleared_on", messages.CLEARED_ON_TOO_OLD)
    return clearance_moment(cleared_on, tz, now)


def entry_problems(
    entry: MedicationEntry, *, new: bool, tz: str, now: dt.datetime
) -> tuple[CheckedEntry, Problems]:
    """The entry as stored and every problem the form alone shows, in the form's order: a new
    drug's name, the dose, the last dose (day and time together, not in the future, within a
    year), the clearance (prescriber and day together). What the drug itself allows (a
    clearance it needs, a hold it has) is `drug_problems`' to say once it is classed."""
    problems: Problems = []
    drug = collect(problems, check_drug_name, entry.drug) if new else None
    dose = collect(problems, check_text, entry.dose, "dose", 120)
    taken = None
    day, time = entry.last_dose_day, entry.last_dose_time
    if day is not None or time is not None:
        if day is None or time is None:
            problems.append(("last_dose", messages.LAST_DOSE_REQUIRED))
        else:
            taken = collect(problems, check_last_dose, at_local(tz, day, time), now, "intake")
    prescriber = cleared_at = None
    if entry.clearing:
        prescriber = collect(problems, check_text, entry.prescriber, "prescriber", 120)
        if prescriber is None and not any(f == "prescriber" for f, _ in problems):
            problems.append(("prescriber", messages.PRESCRIBER_REQUIRED))
        cleared_at = collect(problems, check_cleared_on, entry.cleared_on, tz, now)
    return CheckedEntry(drug, dose, taken, prescriber, cleared_at, entry.told), problems


def drug_problems(entry: MedicationEntry, drug: ListedDrug) -> tuple[int | None, Problems]:
    """What the classed drug allows of the entry: a clearance only where the table asks for
    one (once), with the stop agreed where the prescriber sets it; a last dose only for a
    drug that is held. Returns the agreed stop in hours (None when not asked) and problems."""
    problems: Problems = []
    agreed = None
    if entry.clearing:
        if not drug.needs_clearance:
            problems.append(("prescriber", messages.CLEARANCE_NOT_NEEDED.format(drug=drug.drug)))
        elif drug.cleared:
            problems.append(
                ("prescriber", messages.CLEARANCE_ALREADY_RECORDED.format(drug=drug.drug))
            )
        elif drug.agreed_stop:
            agreed = collect(problems, check_agreed_stop, entry.agreed_stop_hours)
    has_last_dose = entry.last_dose_day is not None or entry.last_dose_time is not None
    if has_last_dose and not drug.timed_hold and not (drug.agreed_stop and agreed is not None):
        problems.append(("last_dose", messages.LAST_DOSE_NOT_HELD.format(drug=drug.drug)))
    return agreed, problems
