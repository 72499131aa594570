"""The FHIR export on the screens: a case's export is prepared (audited) and offered as a download
on the checklist and the follow-up case; the admin screen's tab exports an office's days as
NDJSON, refusing a missing office or a backwards range beside its field."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from db.session import read_session
from mild import messages
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.followup import FollowUpKind
from mild.staff import Role
from services.fhir_export import FHIR_EXPORTED
from tests.builders import make_case, make_discharged_case, make_user
from tests.pages.conftest import (
    SQLITE_ONLY,
    admin_page,
    checklist_page,
    errors,
    followup_page,
    open_tab,
)

pytestmark = SQLITE_ONLY
NY = "America/New_York"


def exports() -> list[tuple[str, int | None]]:
    with read_session() as s:
        return s.execute(
            select(AuditEvent.entity, AuditEvent.entity_id).where(
                AuditEvent.action == FHIR_EXPORTED
            )
        ).all()


def the_download(at):
    (download,) = at.get("download_button")
    return download


@pytest.fixture
def nina(office):
    return make_user("nina", Role.NURSE, [office])


def test_a_case_on_the_checklist_is_exported_on_request_and_offered_as_a_download(office, nina):
    nine = at_local(NY, local_today(NY, dt.datetime.now(dt.UTC)), dt.time(9))
    case_id = make_case(office, CaseStatus.SCHEDULED, nine)
    at = open_tab(checklist_page, nina)
    at = at.selectbox(key=f"dayof_case_{office}").select(case_id).run()
    assert not at.get("download_button")  # nothing exported until asked

    at.button(key=f"dayof_fhir_{case_id}_prepare").click().run()

    assert not at.exception and not errors(at)
    assert the_download(at).proto.label == messages.FHIR_CASE_DOWNLOAD
    assert exports() == [("case", case_id)]


def test_a_follow_up_case_is_exported_from_its_record(office, nina):
    case_id, ids = make_discharged_case(office, dt.datetime.now(dt.UTC) - dt.timedelta(hours=26))
    at = open_tab(followup_page, nina)
    at = at.selectbox(key="fu_open").select(ids[FollowUpKind.NEXT_DAY_CALL]).run()

    at.button(key=f"fu_fhir_{case_id}_prepare").click().run()

    assert not at.exception and not errors(at)
    assert the_download(at).proto.label == messages.FHIR_CASE_DOWNLOAD
    assert exports() == [("case", case_id)]


@pytest.fixture
def admin_tab(office, root):
    """The admin screen on its FHIR export tab, for an admin of the office."""
    admin = dataclasses.replace(root, office_ids=frozenset({office}))
    return open_tab(admin_page, admin, admin_tab="FHIR export")


def test_the_admin_exports_an_offices_days_as_ndjson(office, admin_tab):
    day = dt.date(2030, 3, 15)
    make_case(office, start=at_local(NY, day, dt.time(8)))
    at = admin_tab
    at.selectbox(key="admin_fhir_office").select(office)
    at.date_input(key="admin_fhir_first").set_value(day)
    at.date_input(key="admin_fhir_last").set_value(day)
    at = at.run()

    at.button(key="admin_fhir_prepare").click().run()

    assert not at.exception and not errors(at)
    download = the_download(at)
    assert download.proto.label == messages.FHIR_OFFICE_DOWNLOAD
    assert messages.FHIR_OFFICE_PREPARED.format(count=1) in [c.value for c in at.caption]
    assert exports() == [("office", office)]


def test_the_admin_tab_refuses_a_missing_office_and_a_backwards_range_beside_the_field(
    office, admin_tab
):
    at = admin_tab
    at.button(key="admin_fhir_prepare").click().run()
    assert errors(at) == [messages.FHIR_OFFICE_REQUIRED]

    at.selectbox(key="admin_fhir_office").select(office)
    at.date_input(key="admin_fhir_first").set_value(dt.date(2030, 3, 16))
    at.date_input(key="admin_fhir_last").set_value(dt.date(2030, 3, 15))
    at.button(key="admin_fhir_prepare").click().run()

    assert errors(at) == [messages.FHIR_RANGE_BACKWARDS]
    assert at.date_input(key="admin_fhir_first").value == dt.date(2030, 3, 16)  # kept
    assert not at.get("download_button") and exports() == []
