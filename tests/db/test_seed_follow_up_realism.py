"""The demo's follow-ups are worked as a clinic works them: done within their window, or closed
as not reached after three calls; so the open worklist is the work in hand, not a backlog that
grows with the years seeded."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Engine, func, select

from db import seed
from db.migrate import upgrade
from db.models import Case, FollowUp
from db.session import get_engine, read_session
from mild.followup import MIN_ATTEMPTS_TO_CLOSE_UNREACHED, FollowUpKind

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
# The longest a follow-up stays open past its overdue moment: the third call a little over two
# days after it fell due, then up to two days to close it (a next-day call falls overdue a day
# after it is due).
LONGEST_PAST_OVERDUE = dt.timedelta(days=4)
LATER_VISITS = set(FollowUpKind) - {FollowUpKind.NEXT_DAY_CALL}


def _seed(engine: Engine, years: float) -> None:
    seed.seed_demo(engine, offices=1, years=years, now=NOW, hash_password=lambda p: "x" * 20)


def _open_due(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(
            select(FollowUp.kind, FollowUp.overdue_at, FollowUp.attempts).where(
                FollowUp.completed_at.is_(None), FollowUp.due_at <= NOW
            )
        ).all()


def test_no_follow_up_lingers_open_and_the_unreached_are_closed_after_three_calls(db_url):
    _seed(get_engine(), years=1.2)

    open_due = _open_due(get_engine())
    with read_session() as s:
        unreached = s.execute(
            select(
                FollowUp.attempts, FollowUp.completed_at, FollowUp.overdue_at, FollowUp.notes
            ).where(FollowUp.reached.is_(False))
        ).all()
        latest = [
            s.scalar(select(func.max(FollowUp.completed_at))),
            s.scalar(select(func.max(FollowUp.escalation_resolved_at))),
            s.scalar(select(func.max(Case.closed_at))),
        ]

    # A mature clinic's work in hand (next-day calls are done within a day: often none open).
    assert {k for k, _, _ in open_due} >= LATER_VISITS
    assert all(NOW - overdue <= LONGEST_PAST_OVERDUE for _, overdue, _ in open_due)
    assert all(attempts <= MIN_ATTEMPTS_TO_CLOSE_UNREACHED for _, _, attempts in open_due)
    assert unreached
    for attempts, closed, overdue, notes in unreached:
        assert attempts == MIN_ATTEMPTS_TO_CLOSE_UNREACHED
        assert closed >= overdue
        assert notes == "Not reached after three attempts"
    assert all(moment is not None and moment <= NOW for moment in latest)


def test_the_open_worklist_is_the_same_after_one_and_a_half_or_four_years_of_history(tmp_path):
    found = {}
    for years in (1.5, 4):
        url = f"sqlite:///{tmp_path / f'years{years}.db'}"
        upgrade(url)
        _seed(get_engine(url), years=years)
        found[years] = Counter(kind for kind, _, _ in _open_due(get_engine(url)))

    # Each office's days are drawn day by day, so the last year comes out the same at both
    # lengths, and with it the work in hand: history adds nothing to the worklist.
    assert set(found[4]) >= LATER_VISITS
    assert found[1.5] == found[4]
