"""US units at the desk, metric in the record: height typed and shown in feet and inches,
weight in pounds; the case keeps centimetres and kilograms (BMI, limits, FHIR read those).

The factors are exact by definition (international yard and pound, 1959): 1 in = 2.54 cm and
1 lb = 0.45359237 kg. Rounding, stated once:
- stored: height in cm to 0.01 (exact for any whole or half inch), weight in kg to 0.001 (a
  gram: a weight typed to a tenth of a pound comes back as typed);
- shown: height to the nearest half inch, weight to the nearest tenth of a pound (halves up).
"""

from __future__ import annotations

import math

CM_PER_INCH = 2.54
KG_PER_POUND = 0.45359237
INCHES_PER_FOOT = 12


def _half_up(value: float, step: float) -> float:
    """`value` to the nearest multiple of `step`, halves up (not Python's round-half-even)."""
    return math.floor(value / step + 0.5) * step


def cm_from_feet_inches(feet: float | None, inches: float | None) -> float | None:
    """Height as stored (cm, to 0.01) from feet and inches as typed; a blank part counts as 0,
    both blank is no height. Out-of-range heights are for the rules (mild.intake.bmi) to refuse."""
    if feet is None and inches is None:
        return None
    total = (feet or 0) * INCHES_PER_FOOT + (inches or 0)
    return round(total * CM_PER_INCH, 2)


def feet_inches_from_cm(cm: float) -> tuple[int, float]:
    """A stored height as (feet, inches), inches to the nearest half: 170.18 cm is (5, 7.0)."""
    inches = _half_up(cm / CM_PER_INCH, 0.5)
    feet = int(inches // INCHES_PER_FOOT)
    return feet, inches - feet * INCHES_PER_FOOT


def kg_from_pounds(pounds: float | None) -> float | None:
    """Weight as stored (kg, to 0.001) from pounds as typed; blank is no weight."""
    if pounds is None:
        return None
    return round(pounds * KG_PER_POUND, 3)


def pounds_from_kg(kg: float) -> float:
    """A stored weight in pounds, to the nearest tenth: 81.647 kg is 180.0 lb."""
    return round(_half_up(kg / KG_PER_POUND, 0.1), 1)


def height_text(cm: float) -> str:
    """A stored height as staff read it: "5 ft 7 in", "5 ft 7.5 in"."""
    feet, inches = feet_inches_from_cm(cm)
    return f"{feet} ft {inches:g} in"


def weight_text(kg: float) -> str:
    """A stored weight as staff read it: "180 lb", "180.4 lb"."""
    return f"{pounds_from_kg(kg):g} lb"
