"""The medication holds at the bedside: each held drug with its required stop, the latest
allowed last dose and the last dose the patient reported, and the check that refuses "holds
confirmed" and anesthesia start while one is missing or too recent (mild.medications)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from mild.days import local_day_bounds, local_today
from mild.event_times import moment_text
from mild.hold_rules import from_hours
from mild.medications import HeldDrug, hold_problems


def held_drug(med: Any) -> HeldDrug:
    """A case's drug (a row or a read with the case_medication fields) for the hold check."""
    return HeldDrug(
        drug=med.drug,
        stop_before=from_hours(med.stop_before_hours),
        skip_on_day=bool(med.skip_on_day),
        last_dose_taken_at=med.last_dose_taken_at,
        needs_review=bool(med.needs_review),
    )


def is_held(med: Any) -> bool:
    """Listed on the holds step: a drug stopped before the day, or one still under review."""
    return bool(med.needs_review) or med.stop_before_hours is not None or bool(med.skip_on_day)


def procedure_day_start(
    timezone: str, scheduled_start: dt.datetime | None, at: dt.datetime
) -> dt.datetime:
    """Midnight at the office on the procedure day (the booked day; today when unbooked)."""
    return local_day_bounds(timezone, local_today(timezone, scheduled_start or at))[0]


def day_of_hold_problems(
    meds: Iterable[Any], *, at: dt.datetime, timezone: str, scheduled_start: dt.datetime | None
) -> list[str]:
    """Why the holds cannot be confirmed, or anesthesia start, at `at`: each drug under review,
    without a reported last dose, or with a last dose later than its hold allows."""
    return hold_problems(
        (held_drug(m) for m in meds),
        at,
        procedure_day_start(timezone, scheduled_start, at),
        functools.partial(moment_text, timezone),
    )
