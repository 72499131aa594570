"""The day-of checklist as data: phases, and one row per step with its source and its hard
stops (`requires=`). A new step is a row here; the rules that read it are in mild/checklist.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mild.cases import CaseStatus
from mild.fasting import SOURCE as FASTING_SOURCE


class Phase(enum.StrEnum):
    ARRIVAL = "arrival"
    SIGN_IN = "sign_in"
    TIME_OUT = "time_out"
    PROCEDURE = "procedure"
    RECOVERY = "recovery"
    DISCHARGE = "discharge"


PHASE_LABELS: dict[Phase, str] = {
    Phase.ARRIVAL: "Arrival",
    Phase.SIGN_IN: "Sign in (before anesthesia)",
    Phase.TIME_OUT: "Time-out (before incision)",
    Phase.PROCEDURE: "Procedure",
    Phase.RECOVERY: "Recovery room",
    Phase.DISCHARGE: "Discharge",
}


class DayCheck(enum.StrEnum):
    """A check against the case's facts that a step runs before it may be ticked (beside its
    `requires`): each names its problems in full (mild.dayof_checks)."""

    HOLDS = "holds"  # each held drug reviewed, its last dose reported and in time
    FASTING = "fasting"  # the last clear liquid and food far enough back (ASA)
    GLUCOSE = "glucose"  # a diabetic's point-of-care glucose recorded, inside the limits
    ANTIBIOTIC = "antibiotic"  # prophylaxis given within 60 minutes before the incision


class ValueKind(enum.StrEnum):
    NONE = "none"
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    phase: Phase
    value_kind: ValueKind = ValueKind.NONE
    choices: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    diabetic_only: bool = False
    xray_only: bool = False
    moves_case_to: CaseStatus | None = None
    source: str = ""
    timed: bool = False  # the time of the event is kept (and may be corrected, with a reason)
    repeatable: bool = False  # ticked again without an un-tick (a re-score); the latest counts
    own_form: bool = False  # recorded through its own service (score items, escort, antibiotic)
    checks: tuple[DayCheck, ...] = ()  # refused while one of these finds a problem
    escort_step: bool = False  # does not apply once the physician exempted the patient
    by_booked_physician: bool = False  # the value names the case's physician (site marking)


# Sources (DOMAIN.md, "Day of: the checklist").
WHO = "WHO Surgical Safety Checklist (2009)"
UP_VERIFY = "Joint Commission UP.01.01.01 (pre-procedure verification)"
UP_MARK = (
    "Joint Commission UP.01.02.01: marked by the physician who will operate; for the spine the "
    "general region on the skin, the exact level confirmed by imaging during the procedure"
)
UP_TIME_OUT = "Joint Commission UP.01.03.01 (time-out)"
NPSG = "Joint Commission NPSG.01.01.01 (two identifiers, never the room)"
FASTING = FASTING_SOURCE  # ASA 2017/2023 (mild.fasting)
HOLDS = "DOMAIN.md hold table (Narouze et al., Reg Anesth Pain Med 2018;43:225-262)"
ESCORT = "42 CFR 416.52(c)(3); AANA: a responsible adult escort"
PRACTICE = "DOMAIN.md (practice policy)"

DISCHARGE_SCORE_PASS = 9  # modified Aldrete or modified PADSS, each 0-10 (policy)
# The practice's page: "60 minutes or less" (DOMAIN.md, The procedure).
PLANNED_PROCEDURE_MINUTES = 60

# The time-out items, each confirmed on its own before the time-out itself (WHO 2009; UP.01.03.01).
TIME_OUT_ITEMS: tuple[str, ...] = (
    "team_introduced",
    "patient_confirmed",
    "procedure_confirmed",
    "level_side_confirmed",
    "imaging_displayed",
    "antibiotic_prophylaxis",
    "critical_events_reviewed",
)

STEPS: tuple[Step, ...] = (
    # 1. Arrival
    Step(
        "checked_in",
        "Checked in",
        Phase.ARRIVAL,
        moves_case_to=CaseStatus.CHECKED_IN,
        source=PRACTICE,
        timed=True,
    ),
    Step(
        "identity_confirmed",
        "Identity confirmed (name and date of birth)",
        Phase.ARRIVAL,
        source=NPSG,
    ),
    Step("consent_signed", "Consent signed", Phase.ARRIVAL, source=UP_VERIFY),
    # The last clear liquid and food as the patient reports them (its own form); asked again
    # when the story changes, the latest counts. Anesthesia start checks the intervals.
    Step(
        "fasting_confirmed",
        "Fasting confirmed",
        Phase.ARRIVAL,
        ValueKind.TEXT,
        source=FASTING,
        own_form=True,
        repeatable=True,
    ),
    Step(
        "holds_confirmed",
        "Medication holds confirmed",
        Phase.ARRIVAL,
        source=HOLDS,
        checks=(DayCheck.HOLDS,),
    ),
    Step(
        "glucose_checked",
        "Point-of-care glucose (mg/dL)",
        Phase.ARRIVAL,
        ValueKind.NUMBER,
        diabetic_only=True,
        source=f"{PRACTICE}; limits for proceeding: mild.clearances (policy rows)",
        repeatable=True,  # re-checked after treating a low or high reading; the latest counts
    ),
    Step("vitals_recorded", "Vitals recorded", Phase.ARRIVAL, source=WHO),
    Step("iv_placed", "IV placed", Phase.ARRIVAL, source=PRACTICE),
    Step(
        "escort_on_file",
        "Escort's name and phone on file",
        Phase.ARRIVAL,
        source=ESCORT,
        escort_step=True,
    ),
    # 2. Site marked by the physician who will operate: the value is the physician's name.
    Step(
        "site_marked",
        "Site marked by the physician who will operate",
        Phase.ARRIVAL,
        ValueKind.TEXT,
        source=UP_MARK,
        by_booked_physician=True,
    ),
    # 3-4. Patient in room (the start of the case for on-time starts), then sign in.
    Step("patient_in_room", "Patient in room", Phase.SIGN_IN, source=PRACTICE, timed=True),
    Step(
        "pre_anesthesia_check",
        "Allergies, airway and aspiration risk reviewed",
        Phase.SIGN_IN,
        source=WHO,
    ),
    Step("pulse_oximeter_on", "Pulse oximeter on and working", Phase.SIGN_IN, source=WHO),
    Step(
        "anesthesia_type",
        "Anesthesia type",
        Phase.SIGN_IN,
        ValueKind.CHOICE,
        choices=("General", "MAC (moderate sedation)", "Local"),
        source=PRACTICE,
    ),
    Step(
        "anesthesia_start",
        "Anesthesia start",
        Phase.SIGN_IN,
        requires=(
            "identity_confirmed",
            "consent_signed",
            "fasting_confirmed",
            "holds_confirmed",
            "site_marked",
        ),
        source=f"{WHO}; {UP_VERIFY}; {FASTING}; DOMAIN.md hard stop and glucose limit (policy)",
        timed=True,
        checks=(DayCheck.HOLDS, DayCheck.FASTING, DayCheck.GLUCOSE),
    ),
    # 5. Time-out (before incision): each item confirmed, then the time-out itself.
    Step(
        "imaging_modality",
        "Imaging modality",
        Phase.TIME_OUT,
        ValueKind.CHOICE,
        choices=("X-ray / fluoroscopy", "CT", "Ultrasound"),
        source="CMS NCD 150.13; DOMAIN.md",
    ),
    Step("team_introduced", "Team introduced by name and role", Phase.TIME_OUT, source=WHO),
    Step(
        "patient_confirmed",
        "Patient confirmed (name and date of birth)",
        Phase.TIME_OUT,
        source=UP_TIME_OUT,
    ),
    Step("procedure_confirmed", "Procedure confirmed", Phase.TIME_OUT, source=UP_TIME_OUT),
    Step(
        "level_side_confirmed",
        "Level and side confirmed against the booking",
        Phase.TIME_OUT,
        ValueKind.TEXT,
        source=f"{UP_TIME_OUT}; {UP_MARK}",
    ),
    Step("imaging_displayed", "Essential imaging displayed", Phase.TIME_OUT, source=WHO),
    Step(
        "antibiotic_prophylaxis",
        "Antibiotic prophylaxis within 60 minutes (or not used)",
        Phase.TIME_OUT,
        ValueKind.TEXT,
        source=WHO,
        own_form=True,
        repeatable=True,  # given again when the incision is more than 60 minutes later
    ),
    Step(
        "critical_events_reviewed",
        "Anticipated critical events reviewed and concerns named",
        Phase.TIME_OUT,
        source=WHO,
    ),
    Step(
        "time_out",
        "Time-out done (every item above confirmed)",
        Phase.TIME_OUT,
        requires=TIME_OUT_ITEMS,
        source=f"{WHO}; {UP_TIME_OUT}",
    ),
    # 6. Procedure
    Step(
        "procedure_start",
        "Procedure start (incision)",
        Phase.PROCEDURE,
        # After anesthesia start (which carries its own hard stops: identity, consent,
        # fasting, holds, site marking), so none of them can be skipped by never ticking it;
        # the holds are checked again at the incision, and the antibiotic's 60 minutes run to it.
        requires=("anesthesia_start", "consent_signed", "holds_confirmed", "time_out"),
        moves_case_to=CaseStatus.IN_PROCEDURE,
        source=f"{UP_TIME_OUT}; {WHO} (antibiotic within 60 minutes); DOMAIN.md hard stop",
        timed=True,
        checks=(DayCheck.HOLDS, DayCheck.ANTIBIOTIC),
    ),
    Step("levels_treated", "Levels treated", Phase.PROCEDURE, ValueKind.TEXT, source=PRACTICE),
    Step(
        "procedure_end",
        "Procedure end",
        Phase.PROCEDURE,
        requires=("procedure_start",),
        source=PRACTICE,
        timed=True,
    ),
    Step(
        "fluoroscopy_recorded",
        "Fluoroscopy time and dose",
        Phase.PROCEDURE,
        ValueKind.TEXT,
        xray_only=True,
        source="CMS NCD 150.13; DOMAIN.md",
    ),
    Step(
        "sign_out",
        "Sign out: procedure recorded, counts correct, equipment problems and concerns for "
        "recovery named",
        Phase.PROCEDURE,
        source=WHO,
    ),
    Step("anesthesia_end", "Anesthesia end", Phase.PROCEDURE, source=PRACTICE, timed=True),
    Step(
        "patient_out_of_room", "Patient out of room", Phase.PROCEDURE, source=PRACTICE, timed=True
    ),
    # 7. Recovery
    Step(
        "recovery_in",
        "Recovery room in",
        Phase.RECOVERY,
        requires=("procedure_end",),
        moves_case_to=CaseStatus.RECOVERY,
        source=PRACTICE,
        timed=True,
    ),
    Step(
        "discharge_score",
        "Discharge score (modified Aldrete or modified PADSS, 0-10)",
        Phase.RECOVERY,
        ValueKind.NUMBER,
        source="Aldrete 1995; Chung 1995 (modified PADSS); pass mark 9 (policy)",
        repeatable=True,
        own_form=True,
    ),
    Step(
        "recovery_out",
        "Recovery room out",
        Phase.RECOVERY,
        requires=("recovery_in",),
        source=PRACTICE,
        timed=True,
    ),
    # 8. Discharge
    Step(
        "escort_confirmed",
        "Escort confirmed in person (name, relationship, phone)",
        Phase.DISCHARGE,
        ValueKind.TEXT,
        source=ESCORT,
        own_form=True,
        escort_step=True,
    ),
    Step(
        "instructions_given",
        "Written discharge instructions given",
        Phase.DISCHARGE,
        ValueKind.TEXT,
        source="ASA; DOMAIN.md",
        own_form=True,  # records the version of the PDF printed for this patient
    ),
    Step(
        "restart_dates_given",
        "Restart dates for held medications given",
        Phase.DISCHARGE,
        source=HOLDS,
    ),
    Step(
        "discharged",
        "Discharged",
        Phase.DISCHARGE,
        requires=("escort_confirmed", "discharge_score"),
        moves_case_to=CaseStatus.DISCHARGED,
        source=f"{ESCORT}; DOMAIN.md hard stop",
        timed=True,
    ),
)

STEP_BY_KEY: dict[str, Step] = {s.key: s for s in STEPS}

# The checklist steps each check reads (mild.dayof_checks); the holds check also reads the
# drugs and their reported last doses, which live outside the checklist.
CHECK_INPUTS: dict[DayCheck, frozenset[str]] = {
    DayCheck.HOLDS: frozenset({"holds_confirmed"}),
    DayCheck.FASTING: frozenset({"fasting_confirmed"}),
    DayCheck.GLUCOSE: frozenset({"glucose_checked"}),
    DayCheck.ANTIBIOTIC: frozenset({"antibiotic_prophylaxis"}),
}
TIMED_STEPS: tuple[str, ...] = tuple(s.key for s in STEPS if s.timed)
