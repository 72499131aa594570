"""The app server's write path as a process of its own, for the crash test to kill.

    DATABASE_URL=... python -m tests.support.crash_writer USERNAME CASE_ID:FROM:TO [...]

Signs in as USERNAME (password on standard input, like manage.py create-user), then ticks the
day-of checklist of every case in a thread of its own, as the checklist screen of several
tablets would: steps BURST[FROM:TO] in order, through services.checklist. One line per event on
standard output, each flushed at once:

    READY                              signed in, about to write
    START <case> <step>                a service call begins
    ACK <case> <step> <version>        the service call returned: its transaction is committed
    REFUSED <case> <step> <message>    the service refused (never expected by the crash test)
    DONE                               every thread finished

An ACK is printed only after the call returns, so every ACK the parent reads stands for a
commit the user would have seen confirmed on screen.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from mild.discharge import DischargeScale
from mild.errors import RuleViolation
from services import checklist
from services.auth import sign_in
from services.common import Actor
from tests.builders import give_instructions, record_fast

# A non-diabetic patient under ultrasound (so no glucose, no fluoroscopy step): every step of
# the day in the order a nurse ticks them, ending with the discharge that books the follow-ups.
# (step key, value); the fast, antibiotic, score, escort and discharge go through their own
# services.
BURST: tuple[tuple[str, str | None], ...] = (
    ("checked_in", None),
    ("identity_confirmed", None),
    ("consent_signed", None),
    ("fasting_confirmed", None),
    ("holds_confirmed", None),
    ("vitals_recorded", None),
    ("iv_placed", None),
    ("escort_on_file", None),
    ("site_marked", "Dr. Ames"),
    ("patient_in_room", None),
    ("pre_anesthesia_check", None),
    ("pulse_oximeter_on", None),
    ("anesthesia_type", "MAC (moderate sedation)"),
    ("anesthesia_start", None),
    ("imaging_modality", "Ultrasound"),
    ("team_introduced", None),
    ("patient_confirmed", None),
    ("procedure_confirmed", None),
    ("level_side_confirmed", "L4-L5 bilateral"),
    ("imaging_displayed", None),
    ("antibiotic_prophylaxis", None),
    ("critical_events_reviewed", None),
    ("time_out", None),
    ("procedure_start", None),
    ("levels_treated", "L4-L5"),
    ("procedure_end", None),
    ("sign_out", None),
    ("anesthesia_end", None),
    ("patient_out_of_room", None),
    ("recovery_in", None),
    ("discharge_score", "10"),
    ("recovery_out", None),
    ("escort_confirmed", None),
    ("instructions_given", None),
    ("restart_dates_given", None),
    ("discharged", None),
)
STEP_KEYS: tuple[str, ...] = tuple(key for key, _ in BURST)

_print_lock = threading.Lock()


def emit(*parts: object) -> None:
    with _print_lock:
        sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
        sys.stdout.flush()


def tick(case_id: int, step: str, value: str | None, actor: Actor) -> int:
    """One tick as the checklist screen makes it; returns the case's new version."""
    if step == "antibiotic_prophylaxis":
        return checklist.record_antibiotic(case_id, False, actor=actor)
    if step == "fasting_confirmed":
        return record_fast(case_id, actor)
    if step == "discharge_score":
        items = dict.fromkeys(
            ("activity", "breathing", "circulation", "consciousness", "oxygen_saturation"), 2
        )
        return checklist.record_discharge_score(case_id, DischargeScale.ALDRETE, items, actor=actor)
    if step == "escort_confirmed":
        return checklist.confirm_escort(case_id, "Sam Escort", "son", "555-0142", actor=actor)
    if step == "instructions_given":
        return give_instructions(case_id, actor)
    if step == "discharged":
        return checklist.discharge_patient(case_id, actor=actor)
    return checklist.complete_step(case_id, step, actor=actor, value=value)


def work_through(case_id: int, first: int, stop: int, actor: Actor) -> Callable[[], None]:
    def run() -> None:
        for step, value in BURST[first:stop]:
            emit("START", case_id, step)
            try:
                version = tick(case_id, step, value, actor)
            except RuleViolation as refusal:
                emit("REFUSED", case_id, step, refusal.message.replace("\n", " "))
                return
            emit("ACK", case_id, step, version)

    return run


def main(argv: list[str]) -> int:
    username, *plans = argv
    actor = sign_in(username, sys.stdin.readline().rstrip("\n"))
    threads = []
    for plan in plans:
        case_id, first, stop = (int(part) for part in plan.split(":"))
        threads.append(threading.Thread(target=work_through(case_id, first, stop, actor)))
    emit("READY")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emit("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
