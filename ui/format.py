"""Display formatting: office-local times, status labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from mild.cases import CaseStatus
from mild.days import to_local


def local_time(tz_name: str, moment: dt.datetime | None) -> str:
    return "" if moment is None or pd.isna(moment) else to_local(tz_name, moment).strftime("%H:%M")


def status_label(status: CaseStatus | str) -> str:
    return CaseStatus(status).label


def zone_abbreviation(tz_name: str, moment: dt.datetime) -> str:
    """EST, CDT...: shown beside local times, since one user may work in several zones."""
    return to_local(tz_name, moment).strftime("%Z")
