"""The comorbidity clearances and their values (issue 9): which condition asks for which set of
values, and the values themselves (HbA1c, eGFR, STOP-Bang answers, the implanted device, the
cardiology clearance) as plain frozen records."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from mild.intake import Condition


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
