"""Opening a patient's case is audited: once per browser session per case per screen, on the
checklist, intake and follow-up screens; a read that cannot be recorded is not shown (AppTest)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent
from db.session import read_session
from mild import messages
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.followup import FollowUpKind
from mild.staff import Role
from services import reads
from services.common import Actor
from tests.builders import make_case, make_discharged_case, make_office, make_user
from tests.pages.conftest import (
    SQLITE_ONLY,
    checklist_page,
    followup_page,
    intake_page,
    open_tab,
)

pytestmark = SQLITE_ONLY

TZ = "America/New_York"


@pytest.fixture
def tab(db_url) -> Callable[..., AppTest]:
    """A new browser tab on a screen for a signed-in user."""
    return open_tab


@pytest.fixture
def office(db_url) -> int:
    return make_office("AA", TZ)


@pytest.fixture
def nurse(office) -> Actor:
    return make_user("nina", Role.NURSE, [office])


def views() -> list[tuple[str, int, int, str]]:
    """The case.viewed rows: who, which case, which office, which screen."""
    with read_session() as s:
        rows = s.execute(
            select(
                AuditEvent.actor_name,
                AuditEvent.entity_id,
                AuditEvent.office_id,
                AuditEvent.detail,
            )
            .where(AuditEvent.action == "case.viewed")
            .order_by(AuditEvent.id)
        ).all()
    return [(r[0], r[1], r[2], json.loads(r[3])["screen"]) for r in rows]


def todays_case(office: int) -> int:
    nine = at_local(TZ, local_today(TZ, dt.datetime.now(dt.UTC)), dt.time(9))
    return make_case(office, CaseStatus.SCHEDULED, nine)


def open_on_checklist(at: AppTest, office: int, case_id: int) -> AppTest:
    return at.selectbox(key=f"dayof_case_{office}").select(case_id).run()


def checklist_shown(at: AppTest) -> bool:
    return any(c.key == "dayof_step_checked_in" for c in at.container)


def test_opening_a_checklist_case_is_recorded_once_however_often_the_page_reruns(
    tab, office, nurse
):
    case_id = todays_case(office)
    at = open_on_checklist(tab(checklist_page, nurse), office, case_id)
    assert checklist_shown(at)
    at.button(key="dayof_reload").click().run()
    at.run()

    assert views() == [("nina", case_id, office, "checklist")]


def test_a_second_case_and_a_new_tab_are_each_recorded(tab, office, nurse):
    first, second = todays_case(office), todays_case(office)
    at = open_on_checklist(tab(checklist_page, nurse), office, first)
    open_on_checklist(at, office, second)
    open_on_checklist(at, office, first)  # back to the first: already recorded in this tab
    open_on_checklist(tab(checklist_page, nurse), office, first)  # a new browser session

    assert [v[1] for v in views()] == [first, second, first]


def test_opening_an_intake_case_is_recorded_once(tab, office):
    cora = make_user("cora", Role.COORDINATOR, [office])
    case_id = make_case(office, CaseStatus.INTAKE)
    at = tab(intake_page, cora)
    at.selectbox(key="intake_case").set_value(case_id).run()
    assert not at.error
    at.run()

    assert views() == [("cora", case_id, office, "intake")]


def test_opening_a_follow_up_is_recorded_once_against_its_case(tab, office, nurse):
    case_id, follow_ups = make_discharged_case(
        office, dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
    )
    at = tab(followup_page, nurse)
    at.selectbox(key="fu_open").select(follow_ups[FollowUpKind.NEXT_DAY_CALL]).run()
    assert any(c.key == "fu_record" for c in at.container)
    at.run()

    assert views() == [("nina", case_id, office, "follow-up")]


def test_choosing_nothing_records_nothing(tab, office, nurse):
    todays_case(office)
    tab(checklist_page, nurse)

    assert views() == []


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (
            OperationalError("INSERT", {}, Exception("disk I/O error")),
            messages.DATABASE_UNAVAILABLE,
        ),
        (RuntimeError("audit write failed"), messages.CASE_VIEW_NOT_RECORDED),
    ],
)
def test_a_checklist_case_whose_opening_cannot_be_recorded_is_not_shown(
    tab, office, nurse, monkeypatch, failure, message
):
    case_id = todays_case(office)

    def fail(*_args, **_kwargs):
        raise failure

    with monkeypatch.context() as patched:
        patched.setattr(reads, "record_case_view", fail)
        at = open_on_checklist(tab(checklist_page, nurse), office, case_id)

        assert not at.exception
        assert [e.value for e in at.error] == [message]
        assert not checklist_shown(at)

    at.run()  # the database is back: the next run shows the case, and records it
    assert checklist_shown(at)
    assert views() == [("nina", case_id, office, "checklist")]


def test_an_intake_case_whose_opening_cannot_be_recorded_is_not_shown(tab, office, monkeypatch):
    cora = make_user("cora", Role.COORDINATOR, [office])
    case_id = make_case(office, CaseStatus.INTAKE)
    monkeypatch.setattr(reads, "record_case_view", _raise_runtime_error)
    at = tab(intake_page, cora)
    at.selectbox(key="intake_case").set_value(case_id).run()

    assert [e.value for e in at.error] == [messages.CASE_VIEW_NOT_RECORDED]
    assert not [t for t in at.tabs if t.label == "Medications"]


def test_a_follow_up_whose_opening_cannot_be_recorded_is_not_shown(tab, office, nurse, monkeypatch):
    _case_id, follow_ups = make_discharged_case(
        office, dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
    )
    monkeypatch.setattr(reads, "record_case_view", _raise_runtime_error)
    at = tab(followup_page, nurse)
    at.selectbox(key="fu_open").select(follow_ups[FollowUpKind.NEXT_DAY_CALL]).run()

    assert [e.value for e in at.error] == [messages.CASE_VIEW_NOT_RECORDED]
    assert not any(c.key == "fu_record" for c in at.container)


def _raise_runtime_error(*_args, **_kwargs):
    raise RuntimeError("audit write failed")
