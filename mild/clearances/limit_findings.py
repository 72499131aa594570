"""What the values on file and the practice's limits find (a warning or a block), dabigatran's
stop following kidney function, and the sentences the values add to a case's readiness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from mild import messages
from mild.clearances.checks import _shown, months_before
from mild.clearances.limits import (
    DEFAULT_LIMIT_TABLE,
    DEVICE_CHECK_LIMIT,
    MONTHS,
    Limit,
    LimitAction,
    LimitKey,
)
from mild.clearances.values import (
    CONDITION_VALUES,
    DABIGATRAN,
    DABIGATRAN_IMPAIRED_KIDNEY_STOP_HOURS,
    ClearanceKind,
    ClearanceValues,
)
from mild.intake import Condition
from mild.messages.words import counted


def _older_than(measured: dt.date, limit: Limit, on: dt.date) -> bool:
    return measured < months_before(on, int(limit.value))


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
