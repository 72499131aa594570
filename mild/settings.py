"""The practice's whole-number settings (db table `practice_setting`): what each means, what it
may be set to, its default and source. Admins change them on the Admin screen (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from mild import messages, preop
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
    )
}


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


def value_of(settings: dict[str, Setting], key: str) -> int:
    """A setting's value, its default when the table lacks the row."""
    found = settings.get(key)
    return found.value if found is not None else SPECS[key].default
