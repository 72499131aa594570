"""The practice's settings (mild.settings), for the screens that follow them and the Admin
screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import PracticeSetting
from db.queries.policy import policy_rows, policy_table
from db.session import read_session
from mild.settings import SPECS, Setting, value_of


def _setting(row: PracticeSetting) -> Setting | None:
    if row.key not in SPECS:
        return None
    return Setting(row.key, row.value, row.source)


def setting_table(session: Session) -> dict[str, Setting]:
    return policy_table(session, PracticeSetting, _setting, lambda s: s.key)


def setting_value(key: str) -> int:
    """One setting as it stands (its default when the row is missing)."""
    return current_settings()[key]


def current_settings() -> dict[str, int]:
    """Every setting as it stands, by key (defaults where a row is missing): one read."""
    with read_session() as s:
        table = setting_table(s)
    return {key: value_of(table, key) for key in SPECS}


@dataclass(frozen=True)
class SettingView:
    setting: Setting
    updated_at: dt.datetime
    updated_by: str | None  # username; None for the default as installed


def setting_rows() -> list[SettingView]:
    """Every setting for the Admin screen, in the order mild.settings lists them."""
    found = policy_rows(PracticeSetting, _setting, lambda s: s.key)
    return [SettingView(*found[key]) for key in SPECS if key in found]
