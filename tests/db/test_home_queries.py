"""Read queries for the home page: today per office in its own time zone, scoped, grouped."""

from __future__ import annotations

import datetime as dt

from db.queries.home import today_overview
from mild.cases import CaseStatus
from tests.builders import make_case, make_follow_up, make_office

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def test_today_counts_cases_by_status_in_each_offices_own_day(db_url):
    ny = make_office("NY", "America/New_York")
    la = make_office("LA", "America/Los_Angeles")
    # 04:30 UTC on the 24th is 23:30 on the 23rd in New York and 20:30 in Los Angeles.
    late_yesterday = dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)
    make_case(ny, CaseStatus.SCHEDULED, start=dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC))
    make_case(ny, CaseStatus.RECOVERY, start=dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC))
    make_case(ny, CaseStatus.CANCELLED, start=dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC))
    make_case(ny, CaseStatus.SCHEDULED, start=late_yesterday)
    make_case(la, CaseStatus.SCHEDULED, start=late_yesterday)
    make_case(la, CaseStatus.CHECKED_IN, start=dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC))

    by_code = {d.office.code: d for d in today_overview([ny, la], NOW)}

    assert by_code["NY"].counts == {
        CaseStatus.SCHEDULED: 1,
        CaseStatus.RECOVERY: 1,
        CaseStatus.CANCELLED: 1,
    }
    assert by_code["LA"].counts == {CaseStatus.CHECKED_IN: 1}
    # The list shows the day's work in schedule order; cancelled cases are only counted.
    assert list(by_code["NY"].cases.status) == [CaseStatus.RECOVERY, CaseStatus.SCHEDULED]


def test_today_shows_only_the_offices_asked_for(db_url):
    mine, other = make_office("MY"), make_office("OT")
    make_case(other, CaseStatus.SCHEDULED, start=NOW)
    overview = today_overview([mine], NOW)
    assert [d.office.code for d in overview] == ["MY"]
    assert overview[0].cases.empty and overview[0].counts == {}


def test_follow_ups_are_counted_as_due_or_overdue(db_url):
    office = make_office()
    case_id = make_case(office, CaseStatus.DISCHARGED)
    make_follow_up(case_id, office)  # due two hours ago, overdue in 22 hours
    now = dt.datetime.now(dt.UTC)
    (today,) = today_overview([office], now)
    assert (today.follow_ups_due, today.follow_ups_overdue) == (1, 0)
    (tomorrow,) = today_overview([office], now + dt.timedelta(days=1))
    assert (tomorrow.follow_ups_due, tomorrow.follow_ups_overdue) == (0, 1)
