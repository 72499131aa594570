"""Safety events on the screens (AppTest): a fall reported from the checklist and listed with
who recorded it; a hospital visit from the next-day call; a refusal beside its field keeping
what was typed; the manager's Safety tab listing each event with its case."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from db.models import Case
from db.session import transaction
from mild import messages
from mild.days import to_local
from mild.safety import SafetyKind
from mild.staff import Role
from services.common import now_utc
from tests.builders import (
    PASSWORD,
    add_safety_event,
    make_discharged_case,
    make_user,
    make_ward,
)
from tests.pages.conftest import SQLITE_ONLY, followup_page, open_tab
from tests.pages.test_checklist import TZ, open_case, screen, tick_all
from tests.pages.test_followup import open_follow_up
from tests.pages.test_metrics import open_metrics
from tests.pages.test_metrics import open_tab as metrics_tab

pytestmark = SQLITE_ONLY


@pytest.fixture
def ward(db_url):
    return make_ward("AA", TZ)


def errors_in(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def fill(at: AppTest, where: str, case_id: int, kind, at_time: dt.datetime, text: str) -> AppTest:
    key = f"safety_{where}_{{}}_{case_id}".format
    if kind is not None:
        at.selectbox(key=key("kind")).set_value(kind)
    local = to_local(TZ, at_time)
    at.date_input(key=key("day")).set_value(local.date())
    at.time_input(key=key("time")).set_value(local.time().replace(second=0, microsecond=0))
    at.text_area(key=key("description")).input(text)
    return at.button(key=key("record")).click().run()


def test_a_fall_is_reported_from_the_checklist_and_listed_with_who(ward):
    office, nurse, case_id = ward
    tick_all(case_id, nurse, ["checked_in"])
    with transaction() as s:
        s.get(Case, case_id).checked_in_at = now_utc() - dt.timedelta(hours=2)
    at = open_case(screen(nurse), office, case_id)
    fell = now_utc() - dt.timedelta(minutes=30)

    at = fill(at, "checklist", case_id, None, fell, "Slipped getting off the table")
    assert errors_in(at) == [messages.SAFETY_KIND_REQUIRED]
    assert at.text_area(key=f"safety_checklist_description_{case_id}").value == (
        "Slipped getting off the table"
    )

    at = fill(at, "checklist", case_id, SafetyKind.FALL, fell, "Slipped getting off the table")

    assert not at.exception and errors_in(at) == []
    assert "Patient fall** (ASC-2)" in " ".join(m.value for m in at.markdown)
    assert "Slipped getting off the table" in [t.value for t in at.text]
    assert any(c.value.endswith("by Nina") for c in at.caption)


def test_a_hospital_visit_is_recorded_from_the_next_day_call(db_url):
    office, nurse, _ = make_ward("AA", TZ)
    case_id, ids = make_discharged_case(office, now_utc() - dt.timedelta(hours=26))
    at = open_tab(followup_page, nurse)
    at.session_state[f"safety_follow-up_open_{case_id}"] = True  # the nurse opens the form
    at = open_follow_up(at, ids["next_day_call"])
    visit = now_utc() - dt.timedelta(hours=2)

    at = fill(at, "follow-up", case_id, SafetyKind.ED_VISIT, visit, "ED for a headache")

    assert not at.exception and errors_in(at) == []
    assert "Emergency department visit within 7 days** (7-day)" in " ".join(
        m.value for m in at.markdown
    )


def test_the_safety_tab_lists_each_event_with_its_case(db_url, app):
    office, _nurse, case_id = make_ward("AA", TZ)
    make_user("mona", Role.MANAGER, [office])
    with transaction() as s:
        case = s.get(Case, case_id)
        case.checked_in_at = case.scheduled_start - dt.timedelta(minutes=30)
        code = case.code
    add_safety_event(case_id, SafetyKind.BURN, case.scheduled_start, "Warming pad burn")
    at = metrics_tab(open_metrics(app, "mona", PASSWORD), "Safety")

    assert not at.exception
    events = [d.value for d in at.dataframe if "description" in d.value.columns]
    assert events and list(events[0].case_code) == [code]
    assert list(events[0].event) == ["Patient burn"]
