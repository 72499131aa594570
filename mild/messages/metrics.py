"""Messages of the office metrics screen and of the KPI targets it measures against (set on the
Admin screen)."""

# Office metrics screen
METRICS_PICK_OFFICES = "Pick at least one office to see its metrics."
METRICS_PICK_RANGE_END = "Pick the last day of the range as well."
METRICS_RANGE_BACKWARDS = "The last day is before the first day. Pick the range again."
# Too many points for a chart: what helps depends on the grouping (months are already the
# coarsest one).
METRICS_WEEKS_TOO_MANY = (
    "That range has {count} weeks; a chart shows at most {limit}. Pick a shorter range, "
    "or group by month."
)
METRICS_MONTHS_TOO_MANY = (
    "That range has {count} months; a chart shows at most {limit}. Pick a range of at most "
    "{limit} months."
)
METRICS_NO_CASES = "No cases in this range at the offices chosen."
METRICS_NO_CANCELLATIONS = "No same-day cancellations in this range."
METRICS_NO_OUTCOMES = "No follow-up scores yet for cases discharged in this range."

# How fresh the figures are (issue 4)
METRICS_AS_OF = (
    "Figures as of {time} {zone}. A change saved in the app shows when you next open or "
    "filter the screen; Refresh recomputes them now."
)

# Safety events, the comparison of offices, the charts
METRICS_NO_SAFETY_EVENTS = "No safety event recorded for these offices and days."
METRICS_COMPARISON_NOTE = (
    "Rates are totals over the range, not averages of weeks or months. A value with a target "
    "is green on target, amber near it, red off it (targets: Admin, KPI targets)."
)
METRICS_OFF_TARGET_SUMMARY = "Off target, by office:"
CHART_TARGET = "target"
CHART_AMBER_EDGE = "amber edge"
CHART_SO_FAR = "so far"
METRICS_TARGETS_GLANCE = "KPIs on, near and off target, by office"
METRICS_EVERY_SAFETY_EVENT = "Every event in the range"

# KPI targets (Admin screen), shown beside each metric
TARGET_TEXT = "target {target} {sign} (amber {edge} {amber})"
TARGET_UNKNOWN = "This KPI has no target."
TARGET_RANGE = "Enter a number from {low} to {high} ({unit})."
TARGET_AMBER_SIDE_HIGHER = "Higher is better here: the amber edge must be at or below the target."
TARGET_AMBER_SIDE_LOWER = "Lower is better here: the amber edge must be at or above the target."
TARGET_CHANGED_BY_SOMEONE_ELSE = (
    "Someone changed this target since your screen showed it: look at it again."
)
TARGET_SAVED = "Target saved: {label}."
TARGETS_HELP = (
    "Each office metric with a target shows green (on target), amber (near) or red (off "
    "target) beside its value, and the target as a line on its chart. The numbers are the "
    "practice's policy; every change is audited with before and after."
)
TARGET_BETTER = {"higher": "Higher is better.", "lower": "Lower is better."}
