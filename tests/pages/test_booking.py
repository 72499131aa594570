"""Booking beside the provider's day, on the intake screen and the schedule's reschedule: the
day's cases (time, code, status) and free windows drawn, a free slot taken with one tap and
booked without a clash, "Next free slot" setting the day and start, and saying so when there
is none within the days it looks at."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import Case
from db.session import read_session
from mild import messages
from mild.availability import SEARCH_DAYS
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.staff import Role
from tests.builders import (
    make_booked_case,
    make_provider,
    make_unbooked_case,
    make_user,
)
from tests.pages.conftest import (
    SQLITE_ONLY,
    container,
    errors,
    intake_page,
    open_tab,
    schedule_page,
    successes,
)

pytestmark = SQLITE_ONLY
TZ = "America/New_York"


def monday() -> dt.date:
    """A Monday at least a week ahead: every slot on it lies ahead."""
    day = local_today(TZ, dt.datetime.now(dt.UTC)) + dt.timedelta(days=7)
    return day + dt.timedelta(days=-day.weekday() % 7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, day, dt.time(hour, minute))


def zone(day: dt.date) -> str:
    """The office zone's abbreviation on the day (EST or EDT)."""
    return f"{at(day, 12).astimezone(ZoneInfo(TZ)):%Z}"


def start_of(case_id: int) -> dt.datetime | None:
    with read_session() as s:
        return s.scalar(select(Case.scheduled_start).where(Case.id == case_id))


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


@pytest.fixture
def ames(office) -> int:
    return make_provider(office)


@pytest.fixture
def cora(office, ames):
    return make_user("cora", Role.COORDINATOR, [office])


# --- on the intake screen ---------------------------------------------------------------------


def booking_of(cora, case_id: int, provider: int, day: dt.date | None) -> AppTest:
    """The intake screen on the case, its booking form given the provider and the day."""
    at_ = open_tab(intake_page, cora)
    at_ = at_.selectbox(key="intake_case").set_value(case_id).run()
    b = f"intake_book_{case_id}"
    at_.selectbox(key=f"{b}_provider").set_value(provider)
    if day is not None:
        at_.date_input(key=f"{b}_day").set_value(day)
    return at_.run()


def day_view(at_: AppTest, key: str) -> str:
    """The provider's day as drawn: its Markdown text as it reads (escapes dropped)."""
    box = container(at_, f"{key}_day_view")
    assert box is not None, f"no day view {key}"
    return re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in box.markdown))


def slots(at_: AppTest, key: str) -> list[str]:
    found = [p for p in at_.pills if p.key == f"{key}_free"]
    return found[0].options if found else []


def test_the_providers_day_is_drawn_with_its_cases_and_free_windows(office, ames, cora):
    day = monday()
    first = make_booked_case(office, ames, at(day, 9))
    second = make_booked_case(office, ames, at(day, 13), status=CaseStatus.INTAKE)
    cancelled = make_booked_case(office, ames, at(day, 11), status=CaseStatus.CANCELLED)
    make_booked_case(office, make_provider(office, "Dr. Baker"), at(day, 8))  # another provider
    case_id = make_unbooked_case(office)

    at_ = booking_of(cora, case_id, ames, day)

    drawn = day_view(at_, f"intake_book_{case_id}")
    assert f"Dr. Ames's day at AA Office (AA): {day:%a %d %b %Y}" in drawn
    rows = [line for line in drawn.splitlines() if line.startswith("| ")][1:]
    assert rows == [
        "| 07:00–08:40 | :green-badge[Free · 1 h 40 min] |   |",
        f"| 09:00–10:00 | {code_of(first)} | :yellow-badge[Scheduled] |",
        "| 10:30–12:40 | :green-badge[Free · 2 h 10 min] |   |",
        f"| 13:00–14:00 | {code_of(second)} | :yellow-badge[Intake] |",
        "| 14:30–17:00 | :green-badge[Free · 2 h 30 min] |   |",
    ]
    assert code_of(cancelled) not in drawn
    hours = [c.value for c in container(at_, f"intake_book_{case_id}_day_view").caption]
    assert (
        messages.DAY_VIEW_HOURS.format(
            opens="07:00", closes="17:00", zone=zone(day), days="Monday to Friday", turnover=20
        )
        in hours
    )
    # Each start whose 60 minutes and turnover fit before the next case or closing.
    assert slots(at_, f"intake_book_{case_id}") == [
        *("07:00", "07:15", "07:30"),
        *("10:30", "10:45", "11:00", "11:15", "11:30"),
        *("14:30", "14:45", "15:00", "15:15", "15:30", "15:45", "16:00"),
    ]


def test_a_free_slot_tapped_sets_the_start_and_books_without_a_clash(office, ames, cora):
    day = monday()
    make_booked_case(office, ames, at(day, 9))
    case_id = make_unbooked_case(office)
    b = f"intake_book_{case_id}"
    at_ = booking_of(cora, case_id, ames, day)

    at_.pills(key=f"{b}_free").set_value(dt.time(10, 30)).run()
    assert at_.time_input(key=f"{b}_start").value == dt.time(10, 30)
    assert messages.FREE_SLOT_TAKEN.format(time="10:30") in slots(at_, b)  # marked as taken
    at_.button(key=f"{b}_submit").click().run()

    assert not at_.exception and errors(at_) == []
    assert messages.CASE_BOOKED in successes(at_)
    assert start_of(case_id) == at(day, 10, 30)
    assert f"| 10:30–11:30 | **{code_of(case_id)} (this case)** |" in day_view(at_, b)


def test_next_free_slot_sets_the_day_and_start_to_the_first_free_slot_ahead(office, ames, cora):
    day = monday()
    # Monday: 07:00-11:00 and 11:20-15:20; from 15:40 only 80 minutes are left.
    make_booked_case(office, ames, at(day, 7), minutes=240)
    make_booked_case(office, ames, at(day, 11, 20), minutes=240)
    case_id = make_unbooked_case(office)
    b = f"intake_book_{case_id}"
    at_ = booking_of(cora, case_id, ames, day)
    at_.number_input(key=f"{b}_minutes").set_value(90).run()
    assert [i.value for i in at_.info] == [messages.FREE_SLOTS_NONE.format(minutes=90)]

    at_.button(key=f"{b}_next").click().run()

    tuesday = day + dt.timedelta(days=1)
    assert at_.date_input(key=f"{b}_day").value == tuesday
    assert at_.time_input(key=f"{b}_start").value == dt.time(7)
    assert messages.NEXT_FREE_FOUND.format(
        when=f"{tuesday:%a %d %b %Y} 07:00 {zone(tuesday)}", action="“Book”"
    ) in [i.value for i in at_.info]
    at_.button(key=f"{b}_submit").click().run()
    assert errors(at_) == [] and start_of(case_id) == at(tuesday, 7)


def test_next_free_slot_says_so_when_the_search_days_hold_none(office, ames, cora):
    day = monday()
    for n in range(SEARCH_DAYS):  # every day 11:00-15:00: no four hours free anywhere
        make_booked_case(office, ames, at(day + dt.timedelta(days=n), 11), minutes=240)
    case_id = make_unbooked_case(office)
    b = f"intake_book_{case_id}"
    at_ = booking_of(cora, case_id, ames, day)
    at_.number_input(key=f"{b}_minutes").set_value(240).run()

    at_.button(key=f"{b}_next").click().run()

    assert messages.NEXT_FREE_NONE.format(
        minutes=240, provider="Dr. Ames", days=SEARCH_DAYS, day=f"{day:%a %d %b %Y}"
    ) in [w.value for w in at_.warning]
    assert at_.date_input(key=f"{b}_day").value == day  # nothing changed
    assert start_of(case_id) is None


def test_a_day_that_is_not_a_procedure_day_offers_no_slot(office, ames, cora):
    saturday = monday() + dt.timedelta(days=5)
    case_id = make_unbooked_case(office)
    at_ = booking_of(cora, case_id, ames, saturday)
    assert messages.DAY_VIEW_CLOSED.format(day=f"{saturday:%A %d %b %Y}") in [
        i.value for i in at_.info
    ]
    assert slots(at_, f"intake_book_{case_id}") == []


def test_the_day_waits_for_a_provider_and_a_day_and_next_free_slot_for_a_provider(
    office, ames, cora
):
    case_id = make_unbooked_case(office)
    at_ = open_tab(intake_page, cora).selectbox(key="intake_case").set_value(case_id).run()
    b = f"intake_book_{case_id}"
    hint = lambda: [c.value for c in container(at_, f"{b}_day_view").caption]  # noqa: E731
    assert hint() == [messages.DAY_VIEW_CHOOSE_PROVIDER]
    assert at_.button(key=f"{b}_next").disabled

    at_.selectbox(key=f"{b}_provider").set_value(ames).run()

    button = messages.NEXT_FREE_BUTTON.format(minutes=60)
    assert hint() == [messages.DAY_VIEW_CHOOSE_DAY.format(button=f"“{button}”")]
    assert not at_.button(key=f"{b}_next").disabled


# --- on the schedule, rescheduling -------------------------------------------------------------


def reschedule_of(cora, day: dt.date, case_id: int) -> AppTest:
    at_ = open_tab(schedule_page, cora)
    at_ = at_.date_input(key="sched_day").set_value(day).run()
    return at_.selectbox(key="sched_case").set_value(case_id).run()


def test_rescheduling_draws_the_providers_day_and_a_tapped_slot_moves_the_case(office, ames, cora):
    day = monday()
    moving = make_booked_case(office, ames, at(day, 8))
    other = make_booked_case(office, ames, at(day, 10))
    at_ = reschedule_of(cora, day, moving)

    drawn = day_view(at_, "sched_new")
    assert f"| 08:00–09:00 | **{code_of(moving)} (this case)** |" in drawn
    assert f"| 10:00–11:00 | {code_of(other)} |" in drawn
    offered = slots(at_, "sched_new")
    assert messages.FREE_SLOT_TAKEN.format(time="08:00") in offered  # its own, free to it
    assert not {"09:00", "09:45", "10:00", "11:00"} & set(offered)  # the turnover around 10:00

    at_.pills(key="sched_new_free").set_value(dt.time(13)).run()
    assert at_.time_input(key="sched_new_start").value == dt.time(13)
    at_.button(key="sched_reschedule").click().run()

    assert not at_.exception and errors(at_) == []
    assert start_of(moving) == at(day, 13)


def test_rescheduling_finds_the_next_free_slot_from_the_new_day_chosen(office, ames, cora):
    day = monday()
    moving = make_booked_case(office, ames, at(day + dt.timedelta(days=1), 9))
    make_booked_case(office, ames, at(day, 7), minutes=240)  # to 11:00
    make_booked_case(office, ames, at(day, 11, 30), minutes=240)  # to 15:30
    at_ = reschedule_of(cora, day + dt.timedelta(days=1), moving)
    at_.date_input(key="sched_new_day").set_value(day).run()

    at_.button(key="sched_new_next").click().run()

    # 15:30 + 20 min turnover, on the quarter hour.
    assert at_.date_input(key="sched_new_day").value == day
    assert at_.time_input(key="sched_new_start").value == dt.time(16)
    at_.button(key="sched_reschedule").click().run()
    assert errors(at_) == [] and start_of(moving) == at(day, 16)
