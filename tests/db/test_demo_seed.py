"""The synthetic demo: every status, a live today at every office, follow-ups due and overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import manage
from db import seed
from db.models import Case, FollowUp, Notification, Office, Patient, StaffUser
from db.queries.home import today_overview
from db.session import get_engine, read_session
from mild.cases import CaseStatus
from mild.days import local_today, to_local
from services.auth import hash_password, sign_in

NOW = dt.datetime(2026, 11, 24, 15, 55, tzinfo=dt.UTC)  # 10:55 in New York, 09:55 in Chicago


def _seed(**kwargs) -> seed.SeedSummary:
    return seed.seed_demo(get_engine(), now=NOW, hash_password=hash_password, **kwargs)


def test_the_demo_has_every_status_a_live_today_and_follow_ups_owed(db_url):
    summary = _seed(password="demo-pass-1")

    with read_session() as s:
        statuses = set(s.scalars(select(Case.status).distinct()))
        offices = s.scalars(select(Office.id)).all()
        cancelled = s.execute(
            select(Case.cancellation_reason, Case.cancelled_at, Case.scheduled_start).where(
                Case.status == CaseStatus.CANCELLED
            )
        ).all()
        oldest = s.scalar(select(func.min(Case.scheduled_start)))
        overdue = s.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.completed_at.is_(None), FollowUp.overdue_at <= NOW)
        )
        due = s.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(
                FollowUp.completed_at.is_(None), FollowUp.due_at <= NOW, FollowUp.overdue_at > NOW
            )
        )
    assert statuses == set(CaseStatus)
    assert summary.offices == len(offices) == 3
    assert len({c.cancellation_reason for c in cancelled}) >= 5
    assert any(c.scheduled_start - c.cancelled_at < dt.timedelta(hours=2) for c in cancelled)
    assert NOW - oldest >= dt.timedelta(days=365)
    assert due > 0 and overdue > 0
    live_today: set[CaseStatus] = set()
    for office_day in today_overview(offices, NOW):
        # One room, a case every 90 minutes: mid-morning each office has cases done, under way
        # and to come.
        assert len(set(office_day.counts)) >= 3
        assert CaseStatus.SCHEDULED in office_day.counts
        live_today |= set(office_day.counts)
        assert list(office_day.cases.scheduled_start) == sorted(office_day.cases.scheduled_start)
    assert live_today >= {
        CaseStatus.SCHEDULED,
        CaseStatus.CHECKED_IN,
        CaseStatus.IN_PROCEDURE,
        CaseStatus.RECOVERY,
        CaseStatus.DISCHARGED,
    }
    for account in seed.DEMO_ACCOUNTS:
        assert sign_in(account.username, "demo-pass-1").role == account.role


def test_the_demo_shows_an_open_escalation_at_every_office_and_the_provider_sees_one(db_url):
    _seed(password="demo-pass-1")

    with read_session() as s:
        open_ = s.execute(
            select(FollowUp.office_id, FollowUp.escalation_tier, Case.provider_id, FollowUp.id)
            .join(Case, Case.id == FollowUp.case_id)
            .where(FollowUp.escalated_at.is_not(None), FollowUp.escalation_resolved_at.is_(None))
        ).all()
        offices = set(s.scalars(select(Office.id)))
        provider = s.scalar(select(StaffUser.provider_id).where(StaffUser.username == "provider"))
        waiting = s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.follow_up_id.in_([row.id for row in open_]))
        )
    assert {row.office_id for row in open_} == offices
    assert "emergency" in {row.escalation_tier for row in open_}
    assert provider in {row.provider_id for row in open_}
    assert waiting >= 2 * len(open_)  # the provider and the on-call contact, each


def test_the_demo_is_the_same_every_time_for_the_same_seed_and_day(tmp_path):
    names = []
    for run in ("a", "b"):
        engine = get_engine(f"sqlite:///{tmp_path / run}.db")
        from db.migrate import upgrade

        upgrade(str(engine.url))
        seed.seed_demo(engine, offices=1, years=0.2, now=NOW, hash_password=lambda p: "x" * 20)
        with engine.connect() as conn:
            names.append(
                conn.execute(select(Patient.last_name).order_by(Patient.id)).scalars().all()
            )
    assert names[0] == names[1] and len(names[0]) > 20


def test_the_demo_is_seeded_only_into_an_empty_database(db_url):
    _seed(offices=1, years=0.1)
    with pytest.raises(seed.SeedError, match="already has data"):
        _seed(offices=1, years=0.1)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"offices": 0}, "--offices"), ({"years": 0}, "--years"), ({"password": "short"}, "8 char")],
)
def test_bad_seed_values_are_refused_before_anything_is_written(db_url, kwargs, message):
    with pytest.raises(seed.SeedError, match=message):
        _seed(**kwargs)
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(StaffUser)) == 0


def test_seed_if_empty_leaves_existing_data_alone_and_prints_the_logins(
    db_url, capsys, monkeypatch
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-1")
    assert manage.main(["seed", "--offices", "1", "--years", "0.1"]) == 0
    with read_session() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
    assert manage.main(["seed", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "already has data" in out
    assert all(f"  {a.username}" in out for a in seed.DEMO_ACCOUNTS)
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases


def test_seed_cli_rejects_words_where_numbers_belong(capsys):
    with pytest.raises(SystemExit) as exit_:
        manage.main(["seed", "--offices", "many"])
    assert exit_.value.code == 2
    assert "'many' is not a whole number" in capsys.readouterr().err


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC),  # 03:00 in New York: before hours
        dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC),  # mid-morning
        dt.datetime(2026, 11, 25, 3, 30, tzinfo=dt.UTC),  # 22:30 in New York: the day done
    ],
    ids=["night", "morning", "evening"],
)
def test_the_demo_is_realistic_whatever_hour_it_is_seeded(tmp_path, now):
    """Procedures only in office hours (07:00-17:00 office time); today's cases where the
    clock says (before hours all still scheduled, late in the evening all done); every past
    day finished; no event in the future; same-day cancellations not before 06:00."""
    engine = get_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    from db.migrate import upgrade

    upgrade(str(engine.url))
    seed.seed_demo(engine, offices=3, years=0.3, now=now, hash_password=lambda p: "x" * 20)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Case.scheduled_start,
                Case.status,
                Case.cancelled_at,
                Case.cancellation_reason,
                Case.discharged_at,
                Case.checked_in_at,
                Office.timezone,
            ).join(Office, Office.id == Case.office_id)
        ).all()
        calls = conn.execute(
            select(FollowUp.completed_at, Office.timezone)
            .join(Office, Office.id == FollowUp.office_id)
            .where(FollowUp.completed_at.is_not(None))
        ).all()
    live = {
        CaseStatus.CHECKED_IN,
        CaseStatus.IN_PROCEDURE,
        CaseStatus.RECOVERY,
    }
    today_statuses = set()
    for start, status, cancelled_at, reason, discharged_at, checked_in_at, tz in rows:
        if start is None:
            continue
        start = start.replace(tzinfo=dt.UTC)
        local = to_local(tz, start)
        assert dt.time(7) <= local.time() <= dt.time(17), local
        today = local_today(tz, now)
        if local.date() < today:
            assert status not in live | {CaseStatus.SCHEDULED}, (local, status)
        if local.date() == today:
            today_statuses.add(status)
        for moment in (discharged_at, checked_in_at):
            assert moment is None or moment.replace(tzinfo=dt.UTC) <= now
        if cancelled_at is not None and reason in seed.SAME_DAY_REASONS:
            assert to_local(tz, cancelled_at.replace(tzinfo=dt.UTC)).time() >= dt.time(6)
    if now.hour == 8:
        assert today_statuses == {CaseStatus.SCHEDULED}
    elif now.hour == 3:
        assert today_statuses == {CaseStatus.DISCHARGED}
    else:
        assert live <= today_statuses
    for completed, tz in calls:
        hour = to_local(tz, completed.replace(tzinfo=dt.UTC)).hour
        assert seed.OPEN_HOUR <= hour < seed.CLOSE_HOUR, hour
    # One room per office: the next patient goes in only after the last one came out.
    with engine.connect() as conn:
        room = conn.execute(
            select(Case.office_id, Case.patient_in_room_at, Case.patient_out_of_room_at)
            .where(Case.patient_in_room_at.is_not(None))
            .order_by(Case.office_id, Case.patient_in_room_at)
        ).all()
    for before, after in zip(room, room[1:], strict=False):
        same_day = after.patient_in_room_at - before.patient_in_room_at < dt.timedelta(hours=12)
        if before.office_id == after.office_id and same_day and before.patient_out_of_room_at:
            assert after.patient_in_room_at >= before.patient_out_of_room_at
