"""Display formatting: office-local times, status labels, typed text made inert."""

from __future__ import annotations

import datetime as dt
import re

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


# Markdown would format these characters in typed text (names, allergy details): every ASCII
# punctuation mark is escaped.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit still turns a URL, an e-mail address or "www." in the text into a link, escaped or
# not: an invisible word joiner after "://"'s colon, after "@" and inside "www." stops it.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=@)|(?<=w)(?=ww\.)")


def plain(text: object) -> str:
    """Typed text made safe to show where Streamlit renders Markdown (one line, escaped, no
    link made of it)."""
    text = _AUTOLINK.sub("\u2060", " ".join(str(text).split()))
    return _MARKDOWN.sub(r"\\\1", text)


def local_moment(tz_name: str, moment: dt.datetime | None) -> str:
    """A moment in the office's zone with its day: "Tue 10 Mar 2026 09:00 EDT"; "" for None."""
    return "" if moment is None else f"{to_local(tz_name, moment):%a %d %b %Y %H:%M %Z}"
