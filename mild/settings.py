"""The practice's whole-number settings (db table `practice_setting`): what each means, what it
may be set to, its default and source. Admins change them on the Admin screen (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mild import board_alerts, messages, preop
from mild.errors import RuleViolation
from mild.messages.words import counted
from mild.text import check_source


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    noun: str  # what the value counts, one of them: "working day", "minute"
    low: int
    high: int
    default: int
    source: str

    @property
    def unit(self) -> str:
        """The unit as a range names it: "working days"."""
        return f"{self.noun}s"

    def amount(self, value: int) -> str:
        """A value with its unit, agreeing: "1 working day", "3 working days"."""
        return counted(value, self.noun)


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            preop.PREOP_DAYS_KEY,
            "Pre-op call worklist reaches ahead",
            "working day",
            preop.PREOP_DAYS_LOW,
            preop.PREOP_DAYS_HIGH,
            preop.PREOP_DAYS_DEFAULT,
            preop.PREOP_DAYS_SOURCE,
        ),
        SettingSpec(
            preop.ARRIVAL_KEY,
            "Patients arrive before their start",
            "minute",
            preop.ARRIVAL_LOW,
            preop.ARRIVAL_HIGH,
            preop.ARRIVAL_DEFAULT,
            preop.ARRIVAL_SOURCE,
        ),
        # The board's alert thresholds (mild.board_alerts), amber then red for each alert.
        *(
            SettingSpec(t.key, t.label, "minute", t.low, t.high, t.default, t.source)
            for t in board_alerts.THRESHOLD_SETTINGS
        ),
    )
}
# Settings that must stay in order (lower, higher): an alert's amber before its red.
ORDERED: tuple[tuple[str, str], ...] = tuple(
    (amber.key, red.key) for amber, red in board_alerts.ORDERED_THRESHOLDS
)


@dataclass(frozen=True)
class Setting:
    key: str
    value: int
    source: str

    @property
    def spec(self) -> SettingSpec:
        return SPECS[self.key]


def check_setting(key: object, value: object, source: str | None) -> Setting:
    """An admin's edit: a known setting, a whole number inside its range, and a source."""
    if key not in SPECS:
        raise RuleViolation("key", messages.SETTING_UNKNOWN)
    spec = SPECS[str(key)]
    whole = isinstance(value, int | float) and not isinstance(value, bool) and value == int(value)
    if not whole or not spec.low <= int(value) <= spec.high:
        raise RuleViolation(
            "value",
            messages.SETTING_VALUE_RANGE.format(low=spec.low, high=spec.high, unit=spec.unit),
        )
    return Setting(str(key), int(value), check_source(source))


def check_order(setting: Setting, current: Mapping[str, int]) -> None:
    """A setting that must stay below (or above) another, against that one as it stands:
    an alert's amber threshold below its red one."""
    for lower, higher in ORDERED:
        if setting.key == lower and setting.value >= current[higher]:
            other = SPECS[higher]
            raise RuleViolation(
                "value",
                messages.SETTING_BELOW.format(label=other.label, value=current[higher]),
            )
        if setting.key == higher and setting.value <= current[lower]:
            other = SPECS[lower]
            raise RuleViolation(
                "value",
                messages.SETTING_ABOVE.format(label=other.label, value=current[lower]),
            )


def value_of(settings: dict[str, Setting], key: str) -> int:
    """A setting's value, its default when the table lacks the row."""
    found = settings.get(key)
    return found.value if found is not None else SPECS[key].default
