"""Checking what was typed for a clearance: each value inside its plausible range, measured on a
day neither in the future nor too old, every required field given; Medicare's study enrolment
with its NCT number. Each check refuses every problem of its form at once."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

from mild import messages
from mild.clearances.values import (
    STOP_BANG_ITEMS,
    CardiologyClearance,
    DeviceType,
    DeviceValues,
    Egfr,
    Hba1c,
    Sex,
    StopBangAnswers,
)
from mild.errors import RuleViolation
from mild.intake import check_text
from mild.problems import Problems, collect, refuse

HBA1C_RANGE = (3.0, 20.0)  # percent (NGSP): outside is a typing error, not a patient
EGFR_RANGE = (1.0, 200.0)  # mL/min/1.73 m2
NECK_RANGE = (20.0, 80.0)  # cm
# Practice policy (no published number): a value older than this is no clearance for this
# procedure; the limits (clinical_limit) judge how recent each value must be.
MAX_VALUE_AGE_YEARS = 5
NCT_RE = re.compile(r"^NCT\d{8}$")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _in_range(value: object, bounds: tuple[float, float], field: str, message: str) -> float:
    low, high = bounds
    if not _number(value) or not low <= value <= high:
        raise RuleViolation(field, message.format(low=_shown(low), high=_shown(high)))
    return float(value)


def _shown(value: float) -> str:
    return f"{value:g}"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def check_measured_on(day: object, today: dt.date, field: str) -> dt.date:
    """A date a value was measured or a check done: given, not in the future, not older than
    MAX_VALUE_AGE_YEARS."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise RuleViolation(field, messages.CLEARANCE_DATE_REQUIRED)
    if day > today:
        raise RuleViolation(field, messages.CLEARANCE_DATE_FUTURE)
    if day < months_before(today, 12 * MAX_VALUE_AGE_YEARS):
        raise RuleViolation(
            field, messages.CLEARANCE_DATE_TOO_OLD.format(years=MAX_VALUE_AGE_YEARS)
        )
    return day


def check_hba1c(percent: object, measured_on: object, today: dt.date) -> Hba1c:
    """HbA1c (%) and the day measured; both problems at once."""
    problems: Problems = []
    value = collect(
        problems, _in_range, percent, HBA1C_RANGE, "hba1c_percent", messages.HBA1C_RANGE
    )
    day = collect(problems, check_measured_on, measured_on, today, "hba1c_measured_on")
    refuse(problems)
    return Hba1c(round(value, 1), day)


def check_egfr(value: object, measured_on: object, today: dt.date) -> Egfr:
    """eGFR and the day measured; both problems at once."""
    problems: Problems = []
    egfr = collect(problems, _in_range, value, EGFR_RANGE, "egfr_value", messages.EGFR_RANGE)
    day = collect(problems, check_measured_on, measured_on, today, "egfr_measured_on")
    refuse(problems)
    # Kept to one decimal: rounding to a whole number would lift 49.6 to 50, over the limit.
    return Egfr(round(egfr, 1), day)


def check_stop_bang(answers: Mapping[str, object], neck_cm: object, sex: object) -> StopBangAnswers:
    """Six yes/no answers (unticked is no), the neck in cm and the sex, all required; every
    problem at once."""
    problems: Problems = []
    neck = collect(problems, _in_range, neck_cm, NECK_RANGE, "neck_cm", messages.NECK_RANGE)
    if sex not in tuple(Sex):
        problems.append(("sex", messages.SEX_REQUIRED))
    if set(answers) - set(STOP_BANG_ITEMS):
        problems.append(("stop_bang", messages.STOP_BANG_UNKNOWN_ITEM))
    refuse(problems)
    return StopBangAnswers(
        **{item: bool(answers.get(item)) for item in STOP_BANG_ITEMS},
        neck_cm=round(neck, 1),
        sex=Sex(sex),
    )


def _required_text(
    problems: Problems, value: str | None, field: str, limit: int, message: str
) -> str | None:
    """Typed text that must be given: its problem (too long, not storable, missing) collected."""
    known = len(problems)
    text = collect(problems, check_text, value, field, limit)
    if text is None and len(problems) == known:
        problems.append((field, message))
    return text


def check_device(
    *,
    device_type: object,
    manufacturer: str | None,
    indication: str | None,
    pacing_dependent: object,
    last_interrogated_on: object,
    plan: str | None,
    today: dt.date,
) -> DeviceValues:
    """Every field of the device is required (ASA advisory 2020): type, manufacturer,
    indication, pacing-dependent or not, last interrogation, plan for the day; every problem
    of the form at once."""
    problems: Problems = []
    if device_type not in tuple(DeviceType):
        problems.append(("device_type", messages.DEVICE_TYPE_REQUIRED))
    required = messages.DEVICE_FIELD_REQUIRED
    maker = _required_text(problems, manufacturer, "manufacturer", 80, required)
    why = _required_text(problems, indication, "indication", 200, required)
    if not isinstance(pacing_dependent, bool):
        problems.append(("pacing_dependent", messages.PACING_DEPENDENT_REQUIRED))
    checked = collect(
        problems, check_measured_on, last_interrogated_on, today, "last_interrogated_on"
    )
    plan_ = _required_text(problems, plan, "plan", 2000, required)
    refuse(problems)
    return DeviceValues(DeviceType(device_type), maker, why, pacing_dependent, checked, plan_)


def check_cardiology(cleared_by: str | None, cleared_on: object, today: dt.date):
    """Who cleared the patient and when; both problems at once."""
    problems: Problems = []
    who = _required_text(problems, cleared_by, "cleared_by", 120, messages.CARDIOLOGIST_REQUIRED)
    day = collect(problems, check_measured_on, cleared_on, today, "cleared_on")
    refuse(problems)
    return CardiologyClearance(who, day)


def check_medicare(
    medicare: object, enrolled: object, nct: str | None
) -> tuple[bool | None, bool | None, str | None]:
    """Coverage (Medicare or not, or not yet known), and for Medicare the enrolment in a
    CMS-approved study with its NCT number (NCD 150.13). Not Medicare: nothing else kept.
    The NCT number's form and its enrolment are refused together."""
    number = (nct or "").strip().upper().replace(" ", "") or None
    if medicare is None or medicare is False:
        if enrolled or number:
            raise RuleViolation("medicare", messages.MEDICARE_STUDY_ONLY_FOR_MEDICARE)
        return (None if medicare is None else False), None, None
    if medicare is not True:
        raise RuleViolation("medicare", messages.MEDICARE_REQUIRED)
    problems = []
    if number is not None and not NCT_RE.fullmatch(number):
        problems.append(("study_nct", messages.NCT_FORMAT))
    if number is not None and not enrolled:
        problems.append(("study_enrolled", messages.NCT_WITHOUT_ENROLMENT))
    refuse(problems)
    return True, bool(enrolled), number


def medicare_study_missing(medicare: bool | None, enrolled: bool | None, nct: str | None) -> bool:
    """A Medicare case needs enrolment in an approved study and its NCT number."""
    return medicare is True and not (enrolled and nct and NCT_RE.fullmatch(nct))
