"""Safety events, as the managers' measures count them (DOMAIN.md, "What managers measure"):

- CMS ASC Quality Reporting measures ASC-1 to ASC-4, for all patients (DOMAIN.md [rev]): a
  patient burn (ASC-1), a fall (ASC-2), a wrong site, side, patient, procedure or implant
  (ASC-3), a hospital transfer or admission before discharge (ASC-4). Recorded from the
  day-of checklist (procedure and recovery), between check-in and discharge.
- A hospital visit within 7 days of discharge (an emergency department visit or an admission):
  an internal measure (CMS's 7-day measure is for colonoscopy only), recorded from follow-up.

Pure rules: which kinds are recorded where, and when an event may have happened.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from mild import messages
from mild.cases import PATHWAY, CaseStatus
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.text import check_storable

CMS_SOURCE = (
    "CMS ASC Quality Reporting Program, measures ASC-1 to ASC-4 (patient burn; patient fall; "
    "wrong site, side, patient, procedure, implant; all-cause hospital transfer or admission), "
    "all patients (DOMAIN.md)"
)
INTERNAL_SOURCE = (
    "Practice measure (DOMAIN.md): hospital visit within 7 days of discharge; CMS's 7-day "
    "measure is for colonoscopy only"
)
AFTER_DISCHARGE_WINDOW = dt.timedelta(days=7)
# The checklist offers the report from check-in on (a fall in recovery told after discharge too).
REPORTED_ON_THE_CHECKLIST: frozenset[CaseStatus] = frozenset(
    PATHWAY[PATHWAY.index(CaseStatus.CHECKED_IN) :]
)
# The follow-ups inside the 7 days after discharge ask about hospital visits.
ASKED_AT_FOLLOW_UPS: frozenset[FollowUpKind] = frozenset(
    {FollowUpKind.NEXT_DAY_CALL, FollowUpKind.WEEKS_2}
)
DESCRIPTION_LIMIT = 2000


class SafetyKind(enum.StrEnum):
    BURN = "burn"
    FALL = "fall"
    WRONG_SITE = "wrong_site"
    WRONG_SIDE = "wrong_side"
    WRONG_PATIENT = "wrong_patient"
    WRONG_PROCEDURE = "wrong_procedure"
    WRONG_IMPLANT = "wrong_implant"
    TRANSFER = "transfer"
    ED_VISIT = "ed_visit"
    ADMISSION = "admission"

    @property
    def label(self) -> str:
        return KINDS[self].label

    @property
    def measure(self) -> str:
        return KINDS[self].measure

    @property
    def source(self) -> str:
        return KINDS[self].source


@dataclass(frozen=True)
class KindInfo:
    label: str
    measure: str  # the CMS measure it counts in, or the practice's own
    day_of: bool  # recorded between check-in and discharge; else within 7 days after

    @property
    def source(self) -> str:
        return CMS_SOURCE if self.day_of else INTERNAL_SOURCE


KINDS: dict[SafetyKind, KindInfo] = {
    SafetyKind.BURN: KindInfo("Patient burn", "ASC-1", True),
    SafetyKind.FALL: KindInfo("Patient fall", "ASC-2", True),
    SafetyKind.WRONG_SITE: KindInfo("Wrong site", "ASC-3", True),
    SafetyKind.WRONG_SIDE: KindInfo("Wrong side", "ASC-3", True),
    SafetyKind.WRONG_PATIENT: KindInfo("Wrong patient", "ASC-3", True),
    SafetyKind.WRONG_PROCEDURE: KindInfo("Wrong procedure", "ASC-3", True),
    SafetyKind.WRONG_IMPLANT: KindInfo("Wrong implant", "ASC-3", True),
    SafetyKind.TRANSFER: KindInfo("Hospital transfer or admission before discharge", "ASC-4", True),
    SafetyKind.ED_VISIT: KindInfo("Emergency department visit within 7 days", "7-day", False),
    SafetyKind.ADMISSION: KindInfo("Hospital admission within 7 days", "7-day", False),
}
DAY_OF_KINDS: tuple[SafetyKind, ...] = tuple(k for k, info in KINDS.items() if info.day_of)
AFTER_DISCHARGE_KINDS: tuple[SafetyKind, ...] = tuple(
    k for k, info in KINDS.items() if not info.day_of
)


def window(
    kind: SafetyKind,
    checked_in_at: dt.datetime | None,
    discharged_at: dt.datetime | None,
    now: dt.datetime,
) -> tuple[dt.datetime, dt.datetime]:
    """When an event of `kind` may have happened: a day-of event between check-in and
    discharge (or now, before discharge); a hospital visit from discharge to 7 days after (or
    now). Refused when the case has not reached that point."""
    if KINDS[kind].day_of:
        if checked_in_at is None:
            raise RuleViolation("kind", messages.SAFETY_NOT_CHECKED_IN)
        return checked_in_at, min(discharged_at or now, now)
    if discharged_at is None:
        raise RuleViolation("kind", messages.SAFETY_NOT_DISCHARGED)
    return discharged_at, min(discharged_at + AFTER_DISCHARGE_WINDOW, now)


@dataclass(frozen=True)
class SafetyReport:
    kind: SafetyKind
    occurred_at: dt.datetime
    description: str


def check_report(
    kind: object,
    occurred_at: dt.datetime | None,
    description: str | None,
    *,
    allowed: tuple[SafetyKind, ...],
    checked_in_at: dt.datetime | None,
    discharged_at: dt.datetime | None,
    now: dt.datetime,
    fmt,
) -> SafetyReport:
    """A safety event as kept, or RuleViolation naming the field: a kind recorded from this
    screen, a time inside its window (`fmt` shows a UTC moment in the office's time), and what
    happened."""
    if kind not in allowed:
        raise RuleViolation("kind", messages.SAFETY_KIND_REQUIRED)
    kind = SafetyKind(kind)
    if occurred_at is None or occurred_at.tzinfo is None:
        raise RuleViolation("occurred_at", messages.SAFETY_TIME_REQUIRED)
    occurred_at = occurred_at.astimezone(dt.UTC)
    earliest, latest = window(kind, checked_in_at, discharged_at, now)
    if occurred_at > now:
        raise RuleViolation("occurred_at", messages.SAFETY_TIME_IN_FUTURE)
    if not earliest <= occurred_at <= latest:
        raise RuleViolation(
            "occurred_at",
            messages.SAFETY_TIME_OUTSIDE.format(
                kind=kind.label, earliest=fmt(earliest), latest=fmt(latest)
            ),
        )
    text = (description or "").strip()
    if not text:
        raise RuleViolation("description", messages.SAFETY_DESCRIPTION_REQUIRED)
    if len(text) > DESCRIPTION_LIMIT:
        raise RuleViolation("description", messages.TEXT_TOO_LONG.format(limit=DESCRIPTION_LIMIT))
    return SafetyReport(kind, occurred_at, check_storable("description", text))
