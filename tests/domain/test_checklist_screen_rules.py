"""Rules behind the day-of screen: discharge scores from their items, the escort met in person,
steps that do not apply, procedure duration, and each step as the nurse sees it."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import (
    STEPS,
    DayCheck,
    Entry,
    Phase,
    case_progress,
    check_applies,
    get_step,
    imaging_is_xray,
    in_working_order,
    next_step,
    not_applicable_reason,
    step_views,
)
from mild.discharge import (
    DISCHARGE_COMPONENTS,
    discharge_ready,
    discharge_score_note,
    discharge_score_total,
    escort_confirmation,
)
from mild.discharge import DischargeScale as Scale
from mild.errors import RuleViolation
from mild.event_times import procedure_duration

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
ALDRETE_ITEMS = ["activity", "breathing", "circulation", "consciousness", "oxygen_saturation"]
PADSS_ITEMS = ["vital_signs", "walking", "nausea_vomiting", "pain", "bleeding"]


def refusal(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


def scored(items: list[str], *points: int | None) -> dict[str, int | None]:
    return dict(zip(items, points, strict=True))


# Discharge scores


def test_the_two_scales_have_the_five_items_each_of_domain_md() -> None:
    assert [c.label for c in DISCHARGE_COMPONENTS[Scale.ALDRETE]] == [
        "Activity",
        "Breathing",
        "Circulation",
        "Consciousness",
        "Oxygen saturation",
    ]
    assert [c.label for c in DISCHARGE_COMPONENTS[Scale.PADSS]] == [
        "Vital signs",
        "Walking",
        "Nausea and vomiting",
        "Pain",
        "Bleeding at the site",
    ]
    assert [c.key for c in DISCHARGE_COMPONENTS[Scale.ALDRETE]] == ALDRETE_ITEMS
    assert [c.key for c in DISCHARGE_COMPONENTS[Scale.PADSS]] == PADSS_ITEMS


def test_the_discharge_score_is_the_sum_of_its_items_and_ready_at_nine() -> None:
    assert discharge_score_total(Scale.ALDRETE, scored(ALDRETE_ITEMS, 2, 2, 2, 2, 2)) == 10
    assert discharge_score_total(Scale.ALDRETE, scored(ALDRETE_ITEMS, 2, 2, 2, 2, 1)) == 9
    assert discharge_score_total(Scale.PADSS, scored(PADSS_ITEMS, 2, 2, 2, 1, 1)) == 8
    assert discharge_score_total(Scale.PADSS, scored(PADSS_ITEMS, 0, 0, 0, 0, 0)) == 0
    assert discharge_ready(9) and discharge_ready(10)
    assert not discharge_ready(8)


def test_every_item_must_be_scored_and_the_refusal_names_the_first_missing_one() -> None:
    err = refusal(discharge_score_total, Scale.ALDRETE, scored(ALDRETE_ITEMS, 2, 2, None, 2, 2))
    assert err.field == "circulation"
    assert err.message == "Score Circulation (0, 1 or 2)."

    err = refusal(discharge_score_total, Scale.PADSS, {"vital_signs": 2})
    assert err.field == "walking"
    assert err.message == messages.DISCHARGE_COMPONENT_REQUIRED.format(component="Walking")


@pytest.mark.parametrize("bad", [3, -1, True, 1.5])
def test_an_item_is_scored_0_1_or_2_only(bad) -> None:
    err = refusal(discharge_score_total, Scale.PADSS, scored(PADSS_ITEMS, 2, 2, 2, 2, bad))
    assert err.field == "bleeding"
    assert err.message == "Bleeding at the site is scored 0, 1 or 2."


def test_a_score_needs_its_scale_and_only_that_scales_items() -> None:
    err = refusal(discharge_score_total, None, scored(ALDRETE_ITEMS, 2, 2, 2, 2, 2))
    assert (err.field, err.message) == ("scale", messages.DISCHARGE_SCALE_REQUIRED)

    mixed = scored(ALDRETE_ITEMS, 2, 2, 2, 2, 2) | {"pain": 2}
    err = refusal(discharge_score_total, Scale.ALDRETE, mixed)
    assert err.field == "scale"
    assert err.message == "There is no discharge score item 'pain' on this scale."


def test_the_note_keeps_each_item_beside_the_stored_total() -> None:
    note = discharge_score_note(Scale.PADSS, scored(PADSS_ITEMS, 2, 2, 1, 2, 2))
    assert note == (
        "Modified PADSS (home readiness): Vital signs 2, Walking 2, Nausea and vomiting 1, Pain 2, "
        "Bleeding at the site 2"
    )


# Escort confirmed in person


def test_escort_confirmed_stores_name_relationship_and_phone() -> None:
    value = escort_confirmation(" Ann Lee ", "daughter", " (555) 010-0199 ")
    assert value == "Ann Lee, daughter, (555) 010-0199"


@pytest.mark.parametrize(
    ("name", "relationship", "phone", "field", "message"),
    [
        ("", "son", "5550100199", "escort_name", messages.ESCORT_NAME_REQUIRED),
        (
            "Ann Lee",
            "  ",
            "5550100199",
            "escort_relationship",
            messages.ESCORT_RELATIONSHIP_REQUIRED,
        ),
        ("Ann Lee", "son", None, "escort_phone", messages.ESCORT_PHONE_REQUIRED),
        (
            "Ann Lee",
            "son",
            "555-01",
            "escort_phone",
            "The escort's phone number needs at least 7 digits.",
        ),
        ("A" * 121, "son", "5550100199", "escort_name", "At most 120 characters."),
    ],
)
def test_each_of_the_three_escort_details_is_required(name, relationship, phone, field, message):
    err = refusal(escort_confirmation, name, relationship, phone)
    assert (err.field, err.message) == (field, message)


# Steps that do not apply


def test_glucose_applies_only_to_diabetics_and_fluoroscopy_only_to_x_ray() -> None:
    glucose, fluoro = get_step("glucose_checked"), get_step("fluoroscopy_recorded")
    assert not_applicable_reason(glucose, diabetic=False, xray=True) == "not diabetic"
    assert not_applicable_reason(glucose, diabetic=True, xray=True) is None
    assert not_applicable_reason(fluoro, diabetic=True, xray=False) == "imaging is ultrasound"
    assert not_applicable_reason(fluoro, diabetic=False, xray=True) is None
    # Until a modality is recorded the case counts as X-ray, the usual guidance for MILD.
    assert imaging_is_xray(None) and imaging_is_xray("X-ray / fluoroscopy")
    assert not imaging_is_xray("Ultrasound")


def test_ticking_a_step_that_does_not_apply_is_refused_saying_why() -> None:
    err = refusal(check_applies, get_step("glucose_checked"), diabetic=False, xray=True)
    assert err.field == "glucose_checked"
    assert err.message == (
        '"Point-of-care glucose (mg/dL)" does not apply to this patient (not diabetic).'
    )
    check_applies(get_step("vitals_recorded"), diabetic=False, xray=False)


def test_progress_follows_the_recorded_imaging_modality() -> None:
    assert case_progress({}, diabetic=False) == (0, 37)  # X-ray until told otherwise
    assert case_progress({"imaging_modality": "Ultrasound"}, diabetic=False) == (1, 36)
    assert case_progress({"imaging_modality": "Ultrasound"}, diabetic=True) == (1, 37)


# Procedure duration against 60 minutes


def test_duration_runs_from_procedure_start_and_is_over_past_sixty_minutes() -> None:
    assert procedure_duration(None, None, T0) is None

    running = procedure_duration(T0, None, T0 + dt.timedelta(minutes=42, seconds=59))
    assert (running.minutes, running.running, running.over) == (42, True, False)

    on_the_mark = procedure_duration(T0, T0 + dt.timedelta(minutes=60), T0 + dt.timedelta(hours=5))
    assert (on_the_mark.minutes, on_the_mark.running, on_the_mark.over) == (60, False, False)

    over = procedure_duration(T0, T0 + dt.timedelta(minutes=61), T0 + dt.timedelta(hours=5))
    assert (over.minutes, over.running, over.over) == (61, False, True)

    still_running_long = procedure_duration(T0, None, T0 + dt.timedelta(minutes=75))
    assert (still_running_long.minutes, still_running_long.over) == (75, True)


# Each step as the nurse sees it


def entry(step: str, minute: int, by: str = "Nina", **kw) -> Entry:
    return Entry(step, T0 + dt.timedelta(minutes=minute), by, **kw)


def by_key(views) -> dict:
    return {v.step.key: v for phase in views.values() for v in phase}


def test_a_step_shows_who_ticked_it_when_and_its_value() -> None:
    entries = [
        entry("checked_in", 0),
        entry("anesthesia_type", 5, by="Omar", value="General"),
    ]
    views = step_views(entries, CaseStatus.CHECKED_IN, diabetic=False)

    assert list(views) == list(Phase)
    shown = by_key(views)
    assert shown["anesthesia_type"].done == entries[1]
    assert (shown["anesthesia_type"].done.by, shown["anesthesia_type"].done.value) == (
        "Omar",
        "General",
    )
    assert shown["consent_signed"].done is None
    assert shown["consent_signed"].may_tick


def test_an_untick_leaves_the_step_open_with_both_rows_in_its_history() -> None:
    entries = [
        entry("consent_signed", 1),
        entry("consent_signed", 4, by="Omar", undone=True, reason="Wrong form"),
    ]
    view = by_key(step_views(entries, CaseStatus.CHECKED_IN, diabetic=False))["consent_signed"]
    assert view.done is None and view.may_tick and not view.may_untick
    assert view.history == tuple(entries)


def test_steps_that_do_not_apply_are_shown_as_such_and_cannot_be_ticked() -> None:
    entries = [entry("imaging_modality", 3, value="Ultrasound")]
    shown = by_key(step_views(entries, CaseStatus.CHECKED_IN, diabetic=False))
    assert shown["glucose_checked"].not_applicable == "not diabetic"
    assert shown["fluoroscopy_recorded"].not_applicable == "imaging is ultrasound"
    assert not shown["glucose_checked"].may_tick
    assert not shown["fluoroscopy_recorded"].may_tick

    diabetic_xray = by_key(step_views([], CaseStatus.CHECKED_IN, diabetic=True))
    assert diabetic_xray["glucose_checked"].not_applicable is None
    assert diabetic_xray["fluoroscopy_recorded"].not_applicable is None


def test_a_blocked_step_lists_what_is_missing_before_anyone_presses_it() -> None:
    entries = [entry("identity_confirmed", 1), entry("consent_signed", 2)]
    shown = by_key(step_views(entries, CaseStatus.CHECKED_IN, diabetic=False))
    assert shown["anesthesia_start"].missing == (
        "Fasting confirmed",
        "Medication holds confirmed",
        "Site marked by the physician who will operate",
    )
    assert shown["vitals_recorded"].missing == ()


def test_status_steps_cannot_be_unticked_and_a_discharged_case_is_read_only() -> None:
    entries = [entry("checked_in", 0), entry("vitals_recorded", 1)]
    shown = by_key(step_views(entries, CaseStatus.CHECKED_IN, diabetic=False))
    assert not shown["checked_in"].may_untick
    assert shown["vitals_recorded"].may_untick

    closed = by_key(step_views(entries, CaseStatus.DISCHARGED, diabetic=False))
    assert not any(v.may_tick or v.may_untick for v in closed.values())
    assert closed["vitals_recorded"].done == entries[1]


# The next step: the one primary button, and each phase's open steps first


ARRIVED = ["checked_in", "identity_confirmed", "consent_signed"]
EARLIER_THAN_RECOVERY = {Phase.ARRIVAL, Phase.SIGN_IN, Phase.TIME_OUT, Phase.PROCEDURE}


def arrived(*more: str) -> list[Entry]:
    return [entry(step, n) for n, step in enumerate([*ARRIVED, *more])]


def test_the_next_step_of_a_new_case_is_check_in() -> None:
    assert next_step(step_views([], CaseStatus.SCHEDULED, diabetic=False)) == "checked_in"


def test_the_next_step_is_the_first_open_one_in_checklist_order() -> None:
    views = step_views(arrived(), CaseStatus.CHECKED_IN, diabetic=False)
    assert next_step(views) == "fasting_confirmed"

    views = step_views(arrived("fasting_confirmed"), CaseStatus.CHECKED_IN, diabetic=False)
    assert next_step(views) == "holds_confirmed"


def test_a_step_the_rules_would_refuse_is_never_the_next_step() -> None:
    # A held drug with no last dose reported: the holds cannot be confirmed yet.
    problems = {DayCheck.HOLDS: ["apixaban: last dose not reported"]}
    views = step_views(
        arrived("fasting_confirmed"), CaseStatus.CHECKED_IN, diabetic=False, problems=problems
    )
    assert by_key(views)["holds_confirmed"].missing
    assert next_step(views) == "vitals_recorded"  # glucose does not apply to her


def test_a_step_that_does_not_apply_is_never_the_next_step() -> None:
    views = step_views(
        arrived("fasting_confirmed", "holds_confirmed"), CaseStatus.CHECKED_IN, diabetic=False
    )
    assert next_step(views) == "vitals_recorded"
    diabetic = step_views(
        arrived("fasting_confirmed", "holds_confirmed"), CaseStatus.CHECKED_IN, diabetic=True
    )
    assert next_step(diabetic) == "glucose_checked"


def test_a_failing_discharge_score_is_open_and_can_be_the_next_step() -> None:
    done = [step.key for step in STEPS if step.phase in EARLIER_THAN_RECOVERY]
    entries = [entry(key, n) for n, key in enumerate(done)]
    entries += [entry("recovery_in", 90), entry("discharge_score", 95, value="7")]
    views = step_views(entries, CaseStatus.RECOVERY, diabetic=True)
    assert next_step(views) == "discharge_score"


def test_a_discharged_case_has_no_next_step() -> None:
    assert next_step(step_views(arrived(), CaseStatus.DISCHARGED, diabetic=False)) is None


def test_a_phase_lists_its_open_steps_first_then_the_done_then_those_that_do_not_apply() -> None:
    entries = [entry("checked_in", 0), entry("consent_signed", 1), entry("vitals_recorded", 2)]
    arrival = step_views(entries, CaseStatus.CHECKED_IN, diabetic=False)[Phase.ARRIVAL]
    assert [v.step.key for v in in_working_order(arrival)] == [
        "identity_confirmed",
        "fasting_confirmed",
        "holds_confirmed",
        "iv_placed",
        "escort_on_file",
        "site_marked",
        "checked_in",
        "consent_signed",
        "vitals_recorded",
        "glucose_checked",
    ]
