"""Two nurses on one case (issue 12): a tick from a screen older than the case goes through when
what changed since is another step, and is refused ("changed by someone else") when it is the
same step or an input of a hard stop; on both backends, racing threads included."""

from __future__ import annotations

import threading

from db.queries.checklist import case_detail
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Role
from services.checklist import complete_step, undo_step
from services.common import now_utc
from services.medications import record_last_dose
from tests.builders import (
    add_held_drug,
    confirm_time_out_items,
    make_case,
    make_user,
    make_ward,
    refusal,
)

TRIALS = 10


def drawn(case_id: int, office: int) -> tuple[int, int]:
    """What a screen opened now shows: the case's version and its newest change."""
    case = case_detail(case_id, [office])
    return case.version, case.last_change


def tick_from(screen: tuple[int, int], case_id: int, step: str, nurse) -> str:
    version, last_change = screen
    try:
        complete_step(case_id, step, actor=nurse, expected_version=version, seen_change=last_change)
    except RuleViolation as refused:
        return refused.message
    return "ok"


def race(case_id: int, screen: tuple[int, int], presses: list[tuple[object, str]]) -> list[str]:
    """Each (nurse, step) pressed from the same screen at the same moment: the outcomes."""
    start = threading.Barrier(len(presses))
    outcomes: list[str] = []

    def press(nurse, step: str) -> None:
        start.wait()
        outcomes.append(tick_from(screen, case_id, step, nurse))

    threads = [threading.Thread(target=press, args=p) for p in presses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_nurses_ticking_different_steps_at_the_same_moment_both_go_through(db_url):
    office, nina, _ = make_ward("AA")
    omar = make_user("omar", Role.NURSE, [office])
    for trial in range(TRIALS):
        case_id = make_case(office)
        screen = drawn(case_id, office)

        outcomes = race(case_id, screen, [(nina, "vitals_recorded"), (omar, "iv_placed")])

        assert outcomes == ["ok", "ok"], trial
        steps = {e.step for e in case_detail(case_id, [office]).entries}
        assert steps == {"vitals_recorded", "iv_placed"}


def test_the_same_step_pressed_on_two_stale_screens_is_stored_once(db_url):
    office, nina, case_id = make_ward("AA")
    omar = make_user("omar", Role.NURSE, [office])
    screen = drawn(case_id, office)

    assert tick_from(screen, case_id, "iv_placed", omar) == "ok"
    assert tick_from(screen, case_id, "iv_placed", nina) == messages.CHANGED_BY_SOMEONE_ELSE
    assert [e.step for e in case_detail(case_id, [office]).entries] == ["iv_placed"]


def test_a_hard_stop_is_refused_when_one_of_its_inputs_changed_since_the_screen(db_url):
    office, nina, case_id = make_ward("AA")
    omar = make_user("omar", Role.NURSE, [office])
    confirm_time_out_items(case_id, nina)
    screen = drawn(case_id, office)
    # A colleague takes an item back and confirms it again: the time-out's input changed.
    undo_step(case_id, "team_introduced", "New anesthetist joined", actor=omar)
    complete_step(case_id, "team_introduced", actor=omar)

    assert tick_from(screen, case_id, "time_out", nina) == messages.CHANGED_BY_SOMEONE_ELSE

    fresh = drawn(case_id, office)
    complete_step(case_id, "iv_placed", actor=omar)  # not an input of the time-out
    assert tick_from(fresh, case_id, "time_out", nina) == "ok"


def test_a_change_outside_the_checklist_refuses_a_stale_tick_of_any_step(db_url):
    office, nina, case_id = make_ward("AA")
    omar = make_user("omar", Role.NURSE, [office])
    drug = add_held_drug(case_id, "apixaban")
    confirm_time_out_items(case_id, nina)
    screen = drawn(case_id, office)
    # A coordinator charts the patient's last dose of a held drug (the holds check reads it).
    record_last_dose(drug, now_utc(), via="day_of", actor=omar)

    assert tick_from(screen, case_id, "time_out", nina) == messages.CHANGED_BY_SOMEONE_ELSE
    assert tick_from(screen, case_id, "vitals_recorded", nina) == messages.CHANGED_BY_SOMEONE_ELSE
    assert tick_from(drawn(case_id, office), case_id, "vitals_recorded", nina) == "ok"


def test_a_screen_that_does_not_say_what_it_saw_is_refused_on_any_change(db_url):
    office, nina, case_id = make_ward("AA")
    omar = make_user("omar", Role.NURSE, [office])
    complete_step(case_id, "vitals_recorded", actor=omar)

    assert refusal(complete_step, case_id, "iv_placed", actor=nina, expected_version=1) == (
        "version",
        messages.CHANGED_BY_SOMEONE_ELSE,
    )
