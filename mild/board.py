"""The live status board: stages, their colours, time in stage, and the waiting-room view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mild.cases import CaseStatus
from mild.schedule import present

# The board's columns, in the order a patient moves through the day; cancelled is listed apart.
BOARD_STAGES: tuple[CaseStatus, ...] = (
    CaseStatus.SCHEDULED,
    CaseStatus.CHECKED_IN,
    CaseStatus.IN_PROCEDURE,
    CaseStatus.RECOVERY,
    CaseStatus.DISCHARGED,
)

# Where every status sits on the board: a booking not yet confirmed waits with the scheduled
# cases, and a case already handed to follow-up has left the building like a discharged one.
STAGE_OF: dict[CaseStatus, CaseStatus] = {
    CaseStatus.REQUESTED: CaseStatus.SCHEDULED,
    CaseStatus.INTAKE: CaseStatus.SCHEDULED,
    CaseStatus.SCHEDULED: CaseStatus.SCHEDULED,
    CaseStatus.CHECKED_IN: CaseStatus.CHECKED_IN,
    CaseStatus.IN_PROCEDURE: CaseStatus.IN_PROCEDURE,
    CaseStatus.RECOVERY: CaseStatus.RECOVERY,
    CaseStatus.DISCHARGED: CaseStatus.DISCHARGED,
    CaseStatus.FOLLOW_UP: CaseStatus.DISCHARGED,
    CaseStatus.CLOSED: CaseStatus.DISCHARGED,
    CaseStatus.CANCELLED: CaseStatus.CANCELLED,
}


@dataclass(frozen=True)
class StageColour:
    """A stage's colour: a Streamlit badge colour name, and a cell background with its text
    colour (dark on pale, readable on a wall screen and in print)."""

    badge: str
    background: str
    text: str

    @property
    def css(self) -> str:
        return f"background-color: {self.background}; color: {self.text}"


STAGE_COLOURS: dict[CaseStatus, StageColour] = {
    CaseStatus.SCHEDULED: StageColour("yellow", "#FEF3C7", "#713F12"),
    CaseStatus.CHECKED_IN: StageColour("blue", "#DBEAFE", "#1E3A8A"),
    CaseStatus.IN_PROCEDURE: StageColour("orange", "#FFEDD5", "#7C2D12"),
    CaseStatus.RECOVERY: StageColour("violet", "#EDE9FE", "#4C1D95"),
    CaseStatus.DISCHARGED: StageColour("green", "#DCFCE7", "#14532D"),
    CaseStatus.CANCELLED: StageColour("gray", "#E5E7EB", "#1F2937"),
}
ESCALATION_BADGE = "red"

# The case field stamped when a case enters each stage; a scheduled case has no clock running.
STAGE_SINCE: dict[CaseStatus, str] = {
    CaseStatus.CHECKED_IN: "checked_in_at",
    CaseStatus.IN_PROCEDURE: "procedure_started_at",
    CaseStatus.RECOVERY: "recovery_in_at",
    CaseStatus.DISCHARGED: "discharged_at",
    CaseStatus.CANCELLED: "cancelled_at",
}

# All a waiting-room screen may show: no names, no dates of birth, no providers, no flags, no
# case codes (sequential: they would tell who came when), only the waiting-room code.
PUBLIC_COLUMNS: tuple[str, ...] = ("office_id", "waiting_code", "stage")
# The stages a waiting-room display lists: those of a patient on site, who has a waiting code.
PUBLIC_STAGES: tuple[CaseStatus, ...] = (
    CaseStatus.CHECKED_IN,
    CaseStatus.IN_PROCEDURE,
    CaseStatus.RECOVERY,
)


def board_stage(status: CaseStatus | str) -> CaseStatus:
    """The board column a case in `status` appears in."""
    return STAGE_OF[CaseStatus(status)]


def stage_colour(status: CaseStatus | str) -> StageColour:
    return STAGE_COLOURS[board_stage(status)]


def minutes_in_stage(
    status: CaseStatus | str, times: Mapping[str, Any], now: dt.datetime
) -> int | None:
    """Whole minutes since the case entered its current stage, while the patient is on site
    (PUBLIC_STAGES); None when no clock runs: not arrived yet, or gone (a discharged patient's
    hours since leaving are nobody's wait)."""
    stage = board_stage(status)
    if stage not in PUBLIC_STAGES:
        return None
    field = STAGE_SINCE.get(stage)
    since = times.get(field) if field else None
    if not present(since):
        return None
    return max(0, int((now - pd.Timestamp(since).to_pydatetime()).total_seconds() // 60))


def format_minutes(minutes: int | None) -> str:
    """'45 min', '1 h 05 min', or '' when there is no time to show."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def public_view(rows: pd.DataFrame) -> pd.DataFrame:
    """The waiting-room rows: office, waiting-room code and stage label, nothing else, whatever
    came in; a row without a waiting-room code (a patient not on site) is left out.

    `rows` has a `waiting_code` and either a `stage` label or a `status` to take it from.
    """
    stage = (
        rows["stage"]
        if "stage" in rows
        else pd.Series([board_stage(s).label for s in rows["status"]], index=rows.index)
    )
    coded = rows["waiting_code"].notna() & (rows["waiting_code"] != "")
    return pd.DataFrame(
        {"office_id": rows["office_id"], "waiting_code": rows["waiting_code"], "stage": stage}
    )[coded].reset_index(drop=True)[list(PUBLIC_COLUMNS)]
