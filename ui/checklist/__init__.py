"""Widgets of the day-of checklist, by section: the day's cases (day), the open case's header
(header), the steps by phase with history and time corrections (steps), the held drugs (holds),
the fast and glucose (arrival), the time-out items with a value (time_out), recovery and
discharge (discharge).

Every widget key starts with `dayof_` and carries the case id (ui/checklist/common.py).
"""

from ui.checklist.common import (
    errors_key,
    escort_key,
    event_reason_key,
    event_time_key,
    last_dose_key,
    moment,
    phase_key,
    reason_key,
    score_key,
    value_key,
)
from ui.checklist.day import case_label, choose_case, choose_office, day_table, show_flash
from ui.checklist.header import case_header, details_key
from ui.checklist.steps import phases
from ui.format import plain

__all__ = [
    "case_header",
    "case_label",
    "choose_case",
    "choose_office",
    "day_table",
    "details_key",
    "errors_key",
    "escort_key",
    "event_reason_key",
    "event_time_key",
    "last_dose_key",
    "moment",
    "phase_key",
    "phases",
    "plain",
    "reason_key",
    "score_key",
    "show_flash",
    "value_key",
]
