"""The practice's limits on the clearance values: policy rows (db table `clinical_limit`) that
block or warn, edited on the Admin screen. DEFAULT_LIMITS are what a new database starts with,
each with its source beside it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mild import messages
from mild.clearances.checks import HBA1C_RANGE, _number, _shown
from mild.clearances.values import DeviceType
from mild.errors import RuleViolation
from mild.text import check_source


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
