"""KPI targets on both backends: seeded by migration 0009 with their source, changed by an
admin only (audited with before and after, a stale screen refused), read by the metrics with
each office's value coloured against them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from db.queries.metrics import office_metrics
from db.queries.targets import target_rows
from db.session import read_session
from mild import messages
from mild.errors import RuleViolation
from mild.kpis import Grain, whole_periods
from mild.staff import Role
from mild.targets import DEFAULT_TARGETS, Rag, rag
from services.targets import update_kpi_target
from tests.builders import make_office, make_user

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def admin(db_url):
    return make_user("root", Role.ADMIN, [])


def test_the_migration_seeds_every_target_with_its_source(db_url):
    assert [r.target for r in target_rows()] == list(DEFAULT_TARGETS)
    assert all(r.updated_by is None for r in target_rows())


def test_an_admin_changes_a_target_audited_with_before_and_after(admin):
    [shown] = [r for r in target_rows() if r.target.key == "on_time_pct"]

    update_kpi_target(
        "on_time_pct",
        target=85.0,
        amber=70.0,
        source="Board decision, March",
        expected_updated_at=shown.updated_at,
        actor=admin,
    )

    [now] = [r for r in target_rows() if r.target.key == "on_time_pct"]
    assert (now.target.target, now.target.amber, now.updated_by) == (85.0, 70.0, "root")
    with read_session() as s:
        detail = json.loads(
            s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "kpi_target.changed"))
        )
    assert detail["before"]["target"] == 90.0 and detail["after"]["target"] == 85.0
    # A screen that showed the old row is refused, not overwriting the change.
    with pytest.raises(RuleViolation) as stale:
        update_kpi_target(
            "on_time_pct",
            target=95.0,
            amber=90.0,
            source="x",
            expected_updated_at=shown.updated_at,
            actor=admin,
        )
    assert stale.value.message == messages.TARGET_CHANGED_BY_SOMEONE_ELSE


def test_only_an_admin_may_change_a_target(db_url):
    manager = make_user("mona", Role.MANAGER, [make_office("AA")])
    with pytest.raises(RuleViolation):
        update_kpi_target(
            "on_time_pct",
            target=80.0,
            amber=70.0,
            source="x",
            expected_updated_at=None,
            actor=manager,
        )
    assert [r.target for r in target_rows()] == list(DEFAULT_TARGETS)


def test_the_metrics_read_the_practices_targets_and_a_change_recolours_a_value(admin):
    office = make_office("AA")
    chosen = whole_periods(dt.date(2026, 11, 1), TODAY, Grain.MONTH)
    now = dt.datetime(2026, 12, 6, 18, tzinfo=dt.UTC)

    before = office_metrics([office], [office], chosen, now).targets["same_day_pct"]
    assert rag(7.0, before) == Rag.AMBER
    update_kpi_target(
        "same_day_pct",
        target=8.0,
        amber=12.0,
        source="Winter",
        expected_updated_at=None,
        actor=admin,
    )
    after = office_metrics([office], [office], chosen, now).targets["same_day_pct"]
    assert rag(7.0, after) == Rag.GREEN
