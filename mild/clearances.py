"""Comorbidity clearances with their values (issue 9): HbA1c, eGFR, STOP-Bang, the implanted
device, the cardiology clearance; the practice's limits that block or warn on them; dabigatran's
stop following kidney function; Medicare's study enrolment.

Pure rules on plain values. The limits are policy rows (db table `clinical_limit`) the practice
edits on the Admin screen; DEFAULT_LIMITS are what a new database starts with, each with its
source beside it.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation
from mild.intake import Condition, check_text
from mild.messages.words import counted
from mild.problems import Problems, collect, refuse
from mild.text import check_source


class ClearanceKind(enum.StrEnum):
    HBA1C = "hba1c"
    EGFR = "egfr"
    STOP_BANG = "stop_bang"
    DEVICE = "device"
    CARDIOLOGY = "cardiology"


# The conditions whose clearance is a set of values (not a bare "on file" tick).
CONDITION_VALUES: dict[Condition, ClearanceKind] = {
    Condition.HEART_DISEASE: ClearanceKind.CARDIOLOGY,
    Condition.IMPLANTED_DEVICE: ClearanceKind.DEVICE,
    Condition.DIABETES: ClearanceKind.HBA1C,
    Condition.SLEEP_APNEA: ClearanceKind.STOP_BANG,
    Condition.KIDNEY_DISEASE: ClearanceKind.EGFR,
}

DABIGATRAN = "dabigatran"
# ASRA 2018 (Narouze et al., Reg Anesth Pain Med 2018;43:225-262), high-risk procedures:
# dabigatran 4-5 days, 6 days with impaired kidney function (DOMAIN.md, hold table).
DABIGATRAN_IMPAIRED_KIDNEY_STOP_HOURS = 144


def is_dabigatran(drug: str | None) -> bool:
    return " ".join((drug or "").lower().split()) == DABIGATRAN


# --- the values -------------------------------------------------------------------------------


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DeviceType(enum.StrEnum):
    PACEMAKER = "pacemaker"
    ICD = "icd"
    CRT_P = "crt_p"
    CRT_D = "crt_d"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DEVICE_LABELS[self]


DEVICE_LABELS: dict[DeviceType, str] = {
    DeviceType.PACEMAKER: "Pacemaker",
    DeviceType.ICD: "Implantable cardioverter-defibrillator (ICD)",
    DeviceType.CRT_P: "Cardiac resynchronization pacemaker (CRT-P)",
    DeviceType.CRT_D: "Cardiac resynchronization defibrillator (CRT-D)",
    DeviceType.OTHER: "Other implanted device",
}


@dataclass(frozen=True)
class Hba1c:
    percent: float
    measured_on: dt.date


@dataclass(frozen=True)
class Egfr:
    value: float  # mL/min/1.73 m2
    measured_on: dt.date


# The four STOP questions, then B and A; N and G come from the neck measured and the sex.
STOP_ITEMS = ("snoring", "tired", "observed_apnea", "high_blood_pressure")
BANG_ITEMS = ("bmi_over_35", "age_over_50")
STOP_BANG_ITEMS = (*STOP_ITEMS, *BANG_ITEMS)
STOP_BANG_LABELS = {
    "snoring": "Snores loudly",
    "tired": "Often tired, fatigued or sleepy in the daytime",
    "observed_apnea": "Someone observed stopped breathing or choking in sleep",
    "high_blood_pressure": "High blood pressure (treated or not)",
    "bmi_over_35": "BMI over 35",
    "age_over_50": "Older than 50",
}


@dataclass(frozen=True)
class StopBangAnswers:
    """The questionnaire's answers: six yes/no items, the neck measured, the sex."""

    snoring: bool
    tired: bool
    observed_apnea: bool
    high_blood_pressure: bool
    bmi_over_35: bool
    age_over_50: bool
    neck_cm: float
    sex: Sex

    @property
    def yes(self) -> tuple[str, ...]:
        return tuple(item for item in STOP_BANG_ITEMS if getattr(self, item))


@dataclass(frozen=True)
class DeviceValues:
    """ASA practice advisory 2020 (CIEDs): what the team needs to know before the day."""

    device_type: DeviceType
    manufacturer: str
    indication: str
    pacing_dependent: bool
    last_interrogated_on: dt.date
    plan: str


@dataclass(frozen=True)
class CardiologyClearance:
    cleared_by: str  # the cardiologist
    cleared_on: dt.date


ClearanceValue = Hba1c | Egfr | StopBangAnswers | DeviceValues | CardiologyClearance


@dataclass(frozen=True)
class ClearanceValues:
    """The values on file for one case (None: not recorded, or not complete)."""

    hba1c: Hba1c | None = None
    egfr: Egfr | None = None
    stop_bang: StopBangAnswers | None = None
    device: DeviceValues | None = None
    cardiology: CardiologyClearance | None = None

    def of(self, kind: ClearanceKind) -> ClearanceValue | None:
        return getattr(self, kind.value)


# --- STOP-Bang ----------------------------------------------------------------------------------

# Chung et al., Chest 2016;149:631-638 (STOP-Bang): the N item is a neck over 40 cm; the
# alternative high-risk rule uses 43 cm for men and 41 cm for women (17 and 16 inches).
STOP_BANG_NECK_CM = 40.0
ALTERNATIVE_NECK_CM: dict[Sex, float] = {Sex.MALE: 43.0, Sex.FEMALE: 41.0}
ALTERNATIVE_BMI = 35.0


class StopBangBand(enum.StrEnum):
    LOW = "low"
    INTERMEDIATE = "intermediate"
    HIGH = "high"


@dataclass(frozen=True)
class StopBang:
    score: int
    band: StopBangBand
    high_by_alternative_rule: bool  # the score alone gave a lower band


def stop_bang(answers: StopBangAnswers) -> StopBang:
    """STOP-Bang score (0-8) and band: 0-2 low, 3-4 intermediate, 5-8 high; also high with 2+
    of the four STOP answers plus male sex, BMI over 35 or a neck over 43 cm (men) / 41 cm
    (women)."""
    neck_over_40 = answers.neck_cm > STOP_BANG_NECK_CM
    male = answers.sex == Sex.MALE
    score = len(answers.yes) + neck_over_40 + male
    band = (
        StopBangBand.LOW
        if score <= 2
        else StopBangBand.INTERMEDIATE
        if score <= 4
        else StopBangBand.HIGH
    )
    stop = sum(getattr(answers, item) for item in STOP_ITEMS)
    thick_neck = answers.neck_cm > ALTERNATIVE_NECK_CM[answers.sex]
    alternative = stop >= 2 and (male or answers.bmi_over_35 or thick_neck)
    if alternative and band != StopBangBand.HIGH:
        return StopBang(score, StopBangBand.HIGH, True)
    return StopBang(score, band, False)


# --- checking what was typed --------------------------------------------------------------------

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


# --- the practice's limits ----------------------------------------------------------------------


class LimitAction(enum.StrEnum):
    # Intake values: the case cannot be confirmed for its day. The day-of glucose: anesthesia
    # does not start (mild.dayof_checks).
    BLOCK = "block"
    WARN = "warn"  # shown on intake or beside the step; the clinicians decide

    @property
    def label(self) -> str:
        return {"block": "Block", "warn": "Warn"}[self.value]


class LimitKey(enum.StrEnum):
    HBA1C_MAX = "hba1c_max"
    HBA1C_MAX_AGE = "hba1c_max_age"
    EGFR_DABIGATRAN = "egfr_dabigatran_below"
    EGFR_CONTRAST = "egfr_contrast_below"
    EGFR_MAX_AGE = "egfr_max_age"
    PACEMAKER_CHECK_MAX_AGE = "pacemaker_check_max_age"
    ICD_CHECK_MAX_AGE = "icd_check_max_age"
    CRT_CHECK_MAX_AGE = "crt_check_max_age"
    CARDIOLOGY_MAX_AGE = "cardiology_max_age"
    GLUCOSE_LOW = "glucose_low"
    GLUCOSE_HIGH = "glucose_high"


@dataclass(frozen=True)
class Limit:
    key: LimitKey
    value: float
    unit: str
    action: LimitAction
    source: str

    @property
    def label(self) -> str:
        return LIMIT_LABELS[self.key]


LIMIT_LABELS: dict[LimitKey, str] = {
    LimitKey.HBA1C_MAX: "HbA1c above which elective surgery is usually postponed",
    LimitKey.HBA1C_MAX_AGE: "Oldest HbA1c accepted",
    LimitKey.EGFR_DABIGATRAN: "eGFR below which dabigatran is stopped 6 days before",
    LimitKey.EGFR_CONTRAST: "eGFR below which iodinated contrast needs a plan",
    LimitKey.EGFR_MAX_AGE: "Oldest eGFR accepted",
    LimitKey.PACEMAKER_CHECK_MAX_AGE: "Oldest pacemaker interrogation accepted",
    LimitKey.ICD_CHECK_MAX_AGE: "Oldest ICD (or CRT-D) interrogation accepted",
    LimitKey.CRT_CHECK_MAX_AGE: "Oldest CRT device interrogation accepted",
    LimitKey.CARDIOLOGY_MAX_AGE: "Oldest cardiology clearance accepted",
    LimitKey.GLUCOSE_LOW: "Point-of-care glucose below which anesthesia does not start (block) "
    "or a warning is shown",
    LimitKey.GLUCOSE_HIGH: "Point-of-care glucose above which anesthesia does not start "
    "(block) or a warning is shown",
}
MONTHS = "months"
PERCENT = "%"
EGFR_UNIT = "mL/min/1.73 m2"
MG_DL = "mg/dL"
# What a practice may set each limit to: outside is a typing error.
LIMIT_BOUNDS: dict[str, tuple[float, float]] = {
    PERCENT: HBA1C_RANGE,
    EGFR_UNIT: (5.0, 120.0),
    MONTHS: (1.0, 60.0),
    MG_DL: (40.0, 600.0),
}

CROSSLEY = (
    "HRS/ASA expert consensus on the perioperative management of CIEDs (Crossley et al., "
    "Heart Rhythm 2011;8:1114-1154), referenced by the ASA practice advisory 2020 "
    "(Anesthesiology 2020;132:225-252)"
)
PRACTICE = "practice policy (no published number)"
DEFAULT_LIMITS: tuple[Limit, ...] = (
    Limit(
        LimitKey.HBA1C_MAX,
        8.0,
        PERCENT,
        LimitAction.WARN,
        "ADA Standards of Care in Diabetes 2024, section 16 (Diabetes Care in the Hospital): "
        "A1C goal for elective surgery < 8% whenever possible",
    ),
    Limit(
        LimitKey.HBA1C_MAX_AGE,
        3,
        MONTHS,
        LimitAction.WARN,
        "CPOC guideline for perioperative care of people with diabetes (UK Centre for "
        "Perioperative Care, 2021): HbA1c from the previous 3 months at referral",
    ),
    Limit(
        LimitKey.EGFR_DABIGATRAN,
        50,
        EGFR_UNIT,
        LimitAction.WARN,
        "ASRA 2018 (Narouze et al., Reg Anesth Pain Med 2018;43:225-262): dabigatran 6 days "
        "with impaired kidney function, creatinine clearance < 50 mL/min; eGFR stands in for it",
    ),
    Limit(
        LimitKey.EGFR_CONTRAST,
        30,
        EGFR_UNIT,
        LimitAction.WARN,
        "ACR-NKF consensus on iodinated contrast in kidney disease (Davenport et al., "
        "Radiology 2020;294:660-668): prophylaxis indicated below eGFR 30",
    ),
    Limit(LimitKey.EGFR_MAX_AGE, 3, MONTHS, LimitAction.WARN, PRACTICE),
    Limit(
        LimitKey.PACEMAKER_CHECK_MAX_AGE,
        12,
        MONTHS,
        LimitAction.WARN,
        f"{CROSSLEY}: pacemaker interrogated within 12 months",
    ),
    Limit(
        LimitKey.ICD_CHECK_MAX_AGE,
        6,
        MONTHS,
        LimitAction.WARN,
        f"{CROSSLEY}: ICD interrogated within 6 months",
    ),
    Limit(
        LimitKey.CRT_CHECK_MAX_AGE,
        3,
        MONTHS,
        LimitAction.WARN,
        f"{CROSSLEY}: CRT device within 3-6 months; the stricter end is the default",
    ),
    Limit(LimitKey.CARDIOLOGY_MAX_AGE, 6, MONTHS, LimitAction.WARN, PRACTICE),
    # DOMAIN.md: "glucose limit for proceeding (policy)" (SAMBA, Anesth Analg 2024).
    Limit(
        LimitKey.GLUCOSE_LOW,
        70,
        MG_DL,
        LimitAction.BLOCK,
        "ADA Standards of Care in Diabetes 2024, section 6 (Glycemic Goals and Hypoglycemia): "
        "level 1 hypoglycemia < 70 mg/dL; treat and re-check before proceeding",
    ),
    Limit(LimitKey.GLUCOSE_HIGH, 250, MG_DL, LimitAction.BLOCK, PRACTICE),
)
DEFAULT_LIMIT_TABLE: dict[LimitKey, Limit] = {limit.key: limit for limit in DEFAULT_LIMITS}

DEVICE_CHECK_LIMIT: dict[DeviceType, LimitKey | None] = {
    DeviceType.PACEMAKER: LimitKey.PACEMAKER_CHECK_MAX_AGE,
    DeviceType.ICD: LimitKey.ICD_CHECK_MAX_AGE,
    DeviceType.CRT_P: LimitKey.CRT_CHECK_MAX_AGE,
    DeviceType.CRT_D: LimitKey.CRT_CHECK_MAX_AGE,
    DeviceType.OTHER: None,  # no published interval (a loop recorder, a stimulator)
}


def check_limit(key: object, value: object, action: object, source: str | None) -> Limit:
    """A practice's edit of one limit: a known key, a value inside its unit's bounds, block or
    warn, and a source (a citation, or "practice policy (no published number)")."""
    if key not in tuple(LimitKey):
        raise RuleViolation("key", messages.LIMIT_UNKNOWN)
    unit = DEFAULT_LIMIT_TABLE[LimitKey(key)].unit
    low, high = LIMIT_BOUNDS[unit]
    if not _number(value) or not low <= value <= high:
        raise RuleViolation(
            "value", messages.LIMIT_RANGE.format(low=_shown(low), high=_shown(high), unit=unit)
        )
    if unit == MONTHS and value != int(value):
        raise RuleViolation("value", messages.LIMIT_WHOLE_MONTHS)
    if action not in tuple(LimitAction):
        raise RuleViolation("action", messages.LIMIT_ACTION_REQUIRED)
    return Limit(LimitKey(key), float(value), unit, LimitAction(action), check_source(source))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def _older_than(measured: dt.date, limit: Limit, on: dt.date) -> bool:
    return measured < months_before(on, int(limit.value))


# --- what the values and limits find ------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A value over (or under) a practice limit, or too old: a warning, or a block."""

    key: LimitKey
    action: LimitAction
    text: str


def _day(day: dt.date) -> str:
    return f"{day:%d %b %Y}"


def findings(
    values: ClearanceValues,
    conditions: Collection[Condition],
    limits: Mapping[LimitKey, Limit],
    *,
    on: dt.date,
    on_dabigatran: bool = False,
) -> list[Finding]:
    """What the practice's limits say about the values on file for the flagged `conditions`,
    on the day `on` (the procedure day once booked, else today). Values a flagged condition
    does not ask for (eGFR: kidney disease or dabigatran) are not judged."""
    table = {**DEFAULT_LIMIT_TABLE, **limits}
    found: list[Finding] = []

    def add(key: LimitKey, message: str, **fields) -> None:
        limit = table[key]
        age = counted(int(limit.value), "month") if limit.unit == MONTHS else ""
        text = message.format(limit=_shown(limit.value), unit=limit.unit, age=age, **fields)
        found.append(Finding(key, limit.action, text))

    hba1c, egfr, device, cardiology = values.hba1c, values.egfr, values.device, values.cardiology
    if Condition.DIABETES in conditions and hba1c is not None:
        if hba1c.percent > table[LimitKey.HBA1C_MAX].value:
            add(LimitKey.HBA1C_MAX, messages.LIMIT_HBA1C_HIGH, value=_shown(hba1c.percent))
        if _older_than(hba1c.measured_on, table[LimitKey.HBA1C_MAX_AGE], on):
            add(LimitKey.HBA1C_MAX_AGE, messages.LIMIT_HBA1C_OLD, day=_day(hba1c.measured_on))
    if (Condition.KIDNEY_DISEASE in conditions or on_dabigatran) and egfr is not None:
        if egfr.value < table[LimitKey.EGFR_CONTRAST].value:
            add(LimitKey.EGFR_CONTRAST, messages.LIMIT_EGFR_CONTRAST, value=_shown(egfr.value))
        if on_dabigatran and egfr.value < table[LimitKey.EGFR_DABIGATRAN].value:
            add(
                LimitKey.EGFR_DABIGATRAN,
                messages.LIMIT_EGFR_DABIGATRAN,
                value=_shown(egfr.value),
                days=DABIGATRAN_IMPAIRED_KIDNEY_STOP_HOURS // 24,
            )
        if _older_than(egfr.measured_on, table[LimitKey.EGFR_MAX_AGE], on):
            add(LimitKey.EGFR_MAX_AGE, messages.LIMIT_EGFR_OLD, day=_day(egfr.measured_on))
    if Condition.IMPLANTED_DEVICE in conditions and device is not None:
        key = DEVICE_CHECK_LIMIT[device.device_type]
        if key is not None and _older_than(device.last_interrogated_on, table[key], on):
            add(
                key,
                messages.LIMIT_DEVICE_OLD,
                device=device.device_type.label,
                day=_day(device.last_interrogated_on),
            )
    heart = Condition.HEART_DISEASE in conditions and cardiology is not None
    if heart and _older_than(cardiology.cleared_on, table[LimitKey.CARDIOLOGY_MAX_AGE], on):
        add(
            LimitKey.CARDIOLOGY_MAX_AGE,
            messages.LIMIT_CARDIOLOGY_OLD,
            day=_day(cardiology.cleared_on),
        )
    return found


def dabigatran_stop_hours(
    egfr: float | None, limit: Limit | None, table_hours: int | None
) -> int | None:
    """Dabigatran's stop before the procedure: 6 days when the eGFR is below the practice's
    limit, else what the hold table says (never shorter than the table)."""
    threshold = (limit or DEFAULT_LIMIT_TABLE[LimitKey.EGFR_DABIGATRAN]).value
    if egfr is not None and egfr < threshold:
        return max(table_hours or 0, DABIGATRAN_IMPAIRED_KIDNEY_STOP_HOURS)
    return table_hours


# --- readiness sentences ------------------------------------------------------------------------


def values_on_file(condition: Condition, values: ClearanceValues) -> bool | None:
    """For a condition whose clearance is a set of values: are they all on file? None for a
    condition cleared by a bare "on file" tick."""
    kind = CONDITION_VALUES.get(condition)
    return None if kind is None else values.of(kind) is not None


def dabigatran_egfr_item(
    conditions: Collection[Condition], values: ClearanceValues, on_dabigatran: bool
) -> str | None:
    """Dabigatran's stop depends on kidney function: without kidney disease flagged (which asks
    for it anyway) the eGFR is still needed."""
    if on_dabigatran and Condition.KIDNEY_DISEASE not in conditions and values.egfr is None:
        return messages.READY_CLEARANCE.format(
            clearance=VALUE_NEEDS[ClearanceKind.EGFR], condition=DABIGATRAN
        )
    return None


# What each value set is called in a readiness sentence (mild.intake.CONDITION_NEEDS too).
VALUE_NEEDS: dict[ClearanceKind, str] = {
    ClearanceKind.CARDIOLOGY: "Cardiology clearance: who cleared it and when",
    ClearanceKind.DEVICE: (
        "Device type, manufacturer, indication, pacing dependence, last interrogation and plan"
    ),
    ClearanceKind.HBA1C: "HbA1c value and date",
    ClearanceKind.STOP_BANG: "STOP-Bang answers",
    ClearanceKind.EGFR: "eGFR value and date",
}
