"""Discharge to the published standard (issue 9): scores with their descriptors, scale and
version; re-scoring without un-ticking; a failing score never shown as done; the escort a
responsible adult (never a taxi or rideshare driver alone) or the physician's exemption; the
restart of each held drug from the procedure end."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import STEP_BY_KEY, Entry, check_tick, progress, step_views
from mild.discharge import (
    DISCHARGE_COMPONENTS,
    RELATIONSHIP_CHOICES,
    RIDESHARE,
    DischargeScale,
    check_discharge,
    check_escort_exemption,
    discharge_review,
    discharge_score_detail,
    escort_confirmation,
    is_hired_driver,
    relationship_choice,
    restart_plan,
)
from mild.errors import RuleViolation

S = CaseStatus
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
ALDRETE_9 = {
    "activity": 2,
    "breathing": 2,
    "circulation": 2,
    "consciousness": 2,
    "oxygen_saturation": 1,
}


def refusal(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


# Scores


def test_every_score_item_shows_what_2_1_and_0_points_mean() -> None:
    for scale, items in DISCHARGE_COMPONENTS.items():
        for item in items:
            assert all(item.descriptors), (scale, item.key)
            assert len(set(item.descriptors)) == 3
    activity = DISCHARGE_COMPONENTS[DischargeScale.ALDRETE][0]
    assert activity.describe(2) == "moves four extremities on command or voluntarily"
    assert activity.describe(1) == "moves two extremities"
    assert activity.describe(0) == "moves no extremity"


def test_a_score_keeps_its_scale_version_and_items() -> None:
    detail = discharge_score_detail(DischargeScale.ALDRETE, ALDRETE_9)
    assert detail == {
        "scale": "aldrete",
        "version": DischargeScale.ALDRETE.version,
        "items": ALDRETE_9,
        "total": 9,
        "pass_mark": 9,
        "passes": True,
    }
    assert "1995" in DischargeScale.ALDRETE.version
    assert "Chung" in DischargeScale.PADSS.version
    assert DischargeScale.PADSS.label == "Modified PADSS (home readiness)"


def test_rescoring_needs_no_untick_and_the_latest_score_counts() -> None:
    assert check_tick("discharge_score", S.RECOVERY, {"discharge_score": "7"}).repeatable
    entries = [
        Entry("recovery_in", T0, "Nina"),
        Entry("discharge_score", T0 + dt.timedelta(minutes=30), "Nina", value="7"),
        Entry("discharge_score", T0 + dt.timedelta(minutes=60), "Omar", value="9"),
    ]
    shown = {
        v.step.key: v for vs in step_views(entries, S.RECOVERY, diabetic=False).values() for v in vs
    }
    score = shown["discharge_score"]
    assert score.done.value == "9" and score.complete and score.may_tick
    assert len(score.history) == 2  # both scores kept with their times


def test_a_failing_score_is_shown_as_failing_never_as_done() -> None:
    entries = [Entry("discharge_score", T0, "Nina", value="8")]
    shown = {
        v.step.key: v for vs in step_views(entries, S.RECOVERY, diabetic=False).values() for v in vs
    }
    assert shown["discharge_score"].failing and not shown["discharge_score"].complete
    assert shown["discharge_score"].may_tick  # score again
    assert progress({"discharge_score": "8"}, diabetic=False, xray=True)[0] == 0
    assert progress({"discharge_score": "9"}, diabetic=False, xray=True)[0] == 1


# The escort


def test_a_taxi_or_rideshare_driver_alone_is_refused_with_the_reason() -> None:
    assert RIDESHARE in RELATIONSHIP_CHOICES
    err = refusal(escort_confirmation, "Sam Driver", RIDESHARE, "555-010-0199")
    assert (err.field, err.message) == ("escort_relationship", messages.ESCORT_HIRED_DRIVER)
    assert "42 CFR 416.52(c)(3)" in err.message
    for typed in ("Uber driver", "lyft", "taxi", "Ride-share", "the cab company", "RIDESHARE"):
        err = refusal(escort_confirmation, "Sam Driver", typed, "555-010-0199")
        assert err.message == messages.ESCORT_HIRED_DRIVER, typed
    err = refusal(escort_confirmation, "Uber", "friend", "555-010-0199")
    assert err.field == "escort_name"


def test_a_responsible_adult_is_accepted_whatever_letters_their_name_holds() -> None:
    assert not is_hired_driver("Jacob Cabrera") and not is_hired_driver("Scabbard")
    value = escort_confirmation("Jacob Cabrera", "Son", "555-010-0199")
    assert value == "Jacob Cabrera, Son, 555-010-0199"


def test_other_as_a_relationship_needs_the_words() -> None:
    err = refusal(escort_confirmation, "Ann Lee", "Other", "555-010-0199")
    assert (err.field, err.message) == (
        "escort_relationship",
        messages.ESCORT_RELATIONSHIP_REQUIRED,
    )


def test_the_physicians_exemption_records_who_and_why() -> None:
    assert check_escort_exemption(" Dr. Ames ", " Lives next door, walks home ") == (
        "Dr. Ames",
        "Lives next door, walks home",
    )
    err = refusal(check_escort_exemption, "", "reason")
    assert (err.field, err.message) == ("physician", messages.EXEMPTION_PHYSICIAN_REQUIRED)
    err = refusal(check_escort_exemption, "Dr. Ames", "  ")
    assert (err.field, err.message) == ("reason", messages.EXEMPTION_REASON_REQUIRED)


def test_a_physicians_exemption_satisfies_the_discharge_hard_stop() -> None:
    done = {"discharge_score": "10"}
    err = refusal(check_tick, "discharged", S.RECOVERY, done)
    assert STEP_BY_KEY["escort_confirmed"].label in err.message
    assert check_tick("discharged", S.RECOVERY, done, escort_exempt=True).key == "discharged"
    review = discharge_review(done, diabetic=False, escort_exempt=True)
    assert review.hard_stops == ()
    # The escort steps do not apply to an exempted patient, so they are not "left open".
    assert "escort_confirmed" not in review.open_keys
    assert "escort_on_file" not in review.open_keys
    check_discharge(done, diabetic=False, open_confirmed=review.open_keys, escort_exempt=True)


def test_a_failing_score_still_blocks_an_exempted_patient() -> None:
    err = refusal(
        check_tick, "discharged", S.RECOVERY, {"discharge_score": "8"}, escort_exempt=True
    )
    assert (
        err.message == '"Discharged" cannot be ticked yet. Missing: Discharge score of 9 or more.'
    )


# Restart of held drugs


def test_each_held_drug_restarts_from_the_procedure_end_or_as_its_instruction_says() -> None:
    end = T0 + dt.timedelta(minutes=50)
    plan = restart_plan(
        [
            ("apixaban", dt.timedelta(hours=24), ""),
            ("empagliflozin", None, "Restart when eating and drinking normally."),
        ],
        end,
    )
    assert plan[0].at == end + dt.timedelta(hours=24)
    assert (plan[1].at, plan[1].instruction) == (
        None,
        "Restart when eating and drinking normally.",
    )
    assert restart_plan([("apixaban", dt.timedelta(hours=24), "")], None)[0].at is None


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("spouse", ("Spouse or partner", "")),
        (" Husband ", ("Spouse or partner", "")),
        ("daughter", ("Daughter", "")),
        ("Spouse or partner", ("Spouse or partner", "")),
        ("neighbor", ("Neighbour", "")),
        ("aunt", ("Other", "aunt")),
        ("", (None, "")),
        (None, (None, "")),
    ],
)
def test_the_relationship_written_at_intake_is_offered_as_its_list_entry(written, shown):
    """Intake takes the relationship as free text; the discharge form offers a list
    (RELATIONSHIP_CHOICES). The common words land on their entry; anything else is "Other"
    with the words kept, never lost."""
    assert relationship_choice(written) == shown
