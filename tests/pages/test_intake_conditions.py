"""The intake screen's comorbidity values: HbA1c, STOP-Bang, the implanted device and Medicare
entered through their forms, the computed STOP-Bang band, warnings over a practice limit, and
every refusal shown beside its field with what was typed kept. The admin's clinical-limits tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, Case, CaseClearance, ClinicalLimit
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.clearances import DeviceType, LimitAction, Sex
from mild.intake import Condition
from mild.staff import Role
from services.common import Actor
from services.intake import flag_condition
from tests.builders import make_case, make_user
from tests.pages.conftest import SQLITE_ONLY, admin_page, errors, intake_page, missing, open_tab

pytestmark = SQLITE_ONLY
LAST_WEEK = dt.date.today() - dt.timedelta(days=7)


@pytest.fixture
def screen(db_url) -> Callable[..., AppTest]:
    """A new tab on the intake screen for a signed-in user, with a case picked (`intake_case`)."""
    return partial(open_tab, intake_page)


@pytest.fixture
def cora(office) -> Actor:
    return make_user("cora", Role.COORDINATOR, [office])


def case_with(office: int, cora: Actor, *conditions: Condition) -> int:
    case_id = make_case(office, CaseStatus.INTAKE)
    with transaction() as s:
        s.execute(update(Case).where(Case.id == case_id).values(scheduled_start=None))
    for condition in conditions:
        flag_condition(case_id, condition, actor=cora)
    return case_id


def box_texts(at: AppTest, key: str) -> list[str]:
    return [t.value for t in at.container(key=f"{key}_box").text]


def cond_key(case_id: int, condition: Condition) -> str:
    return f"intake_cond_{case_id}_{condition.value}"


def test_an_hba1c_out_of_range_is_refused_beside_it_kept_and_then_saved(screen, office, cora):
    case_id = case_with(office, cora, Condition.DIABETES)
    at = screen(cora, intake_case=case_id)
    k = f"{cond_key(case_id, Condition.DIABETES)}_hba1c"
    assert "HbA1c value and date (diabetes)" in missing(at)

    at.number_input(key=f"{k}_percent").set_value(25.0)
    at.date_input(key=f"{k}_on").set_value(LAST_WEEK)
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == [messages.HBA1C_RANGE.format(low=3, high=20)]
    assert at.number_input(key=f"{k}_percent").value == 25.0  # what was typed stays
    with read_session() as s:
        assert s.scalar(select(CaseClearance.id)) is None

    at.number_input(key=f"{k}_percent").set_value(9.4)
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == []
    assert "HbA1c value and date (diabetes)" not in missing(at)
    on_file = box_texts(at, cond_key(case_id, Condition.DIABETES))
    assert any(t.startswith(f"On file: HbA1c 9.4% measured {LAST_WEEK:%d %b %Y}") for t in on_file)
    # Over the practice's limit (warn): shown on intake, not a missing item.
    warned = [t.value for t in at.container(key="intake_warnings").text]
    assert warned == [
        "• HbA1c 9.4% is above the practice's limit of 8%: elective surgery is usually postponed"
    ]


def test_a_clearance_ticked_on_file_says_so_once_with_who(screen, office, cora):
    case_id = case_with(office, cora, Condition.BLEEDING_DISORDER)
    at = screen(cora, intake_case=case_id)
    k = cond_key(case_id, Condition.BLEEDING_DISORDER)
    assert "Hematology clearance (bleeding disorder)" in missing(at)
    assert button_labels(at, k) == ["Record: Hematology clearance", "Save details"]

    at.button(key=f"{k}_clear").click().run()

    (on_file,) = box_texts(at, k)  # not "Hematology clearance on file — on file (...)"
    assert on_file.startswith("Before booking: Hematology clearance — on file (Cora, ")
    assert "Hematology clearance (bleeding disorder)" not in missing(at)


def button_labels(at: AppTest, key: str) -> list[str]:
    return [b.label for b in at.container(key=f"{key}_box").button]


def test_stop_bang_shows_its_score_band_and_the_alternative_rule(screen, office, cora):
    case_id = case_with(office, cora, Condition.SLEEP_APNEA)
    at = screen(cora, intake_case=case_id)
    k = f"{cond_key(case_id, Condition.SLEEP_APNEA)}_stop_bang"

    # Older than 50 comes ticked from the date of birth (1950); BMI over 35 unticked (no BMI).
    assert at.checkbox(key=f"{k}_age_over_50").value
    assert not at.checkbox(key=f"{k}_bmi_over_35").value
    at.checkbox(key=f"{k}_snoring").check()
    at.checkbox(key=f"{k}_tired").check()
    at.button(key=f"{k}_save").click().run()
    # Both problems of the form at once: the neck missing and the sex not chosen.
    assert errors(at) == [messages.NECK_RANGE.format(low=20, high=80), messages.SEX_REQUIRED]
    assert at.checkbox(key=f"{k}_snoring").value  # kept

    at.number_input(key=f"{k}_neck").set_value(38.0)
    at.radio(key=f"{k}_sex").set_value(Sex.MALE)
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == []
    assert "STOP-Bang answers (sleep apnea)" not in missing(at)
    assert [w.value for w in at.warning if "STOP-Bang" in w.value] == [
        "STOP-Bang 4 of 8: high risk"
    ]
    assert messages.STOP_BANG_HIGH_BY_ALTERNATIVE in [c.value for c in at.caption]


def test_a_device_needs_every_field_and_a_missing_one_is_refused_beside_it(screen, office, cora):
    case_id = case_with(office, cora, Condition.IMPLANTED_DEVICE)
    at = screen(cora, intake_case=case_id)
    k = f"{cond_key(case_id, Condition.IMPLANTED_DEVICE)}_device"

    at.selectbox(key=f"{k}_type").set_value(DeviceType.ICD)
    at.text_input(key=f"{k}_maker").input("Boston Scientific")
    at.text_input(key=f"{k}_why").input("Ischemic cardiomyopathy, EF 25%")
    at.date_input(key=f"{k}_checked").set_value(LAST_WEEK)
    at.text_area(key=f"{k}_plan").input("Magnet over the ICD; EP nurse present")
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == [messages.PACING_DEPENDENT_REQUIRED]
    assert at.text_input(key=f"{k}_maker").value == "Boston Scientific"

    at.radio(key=f"{k}_dependent").set_value(False)
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == []
    assert not [m for m in missing(at) if "implanted device" in m]
    (on_file,) = [
        t for t in box_texts(at, cond_key(case_id, Condition.IMPLANTED_DEVICE)) if "On file" in t
    ]
    assert "Boston Scientific, for Ischemic cardiomyopathy, EF 25%" in on_file


def test_medicare_needs_the_study_and_a_bad_nct_number_is_refused_beside_it(screen, office, cora):
    case_id = case_with(office, cora)
    at = screen(cora, intake_case=case_id)
    k = f"intake_medicare_{case_id}"

    at.radio(key=f"{k}_medicare").set_value(True)
    at.button(key=f"{k}_save").click().run()
    assert "Study enrolment and NCT number (Medicare)" in missing(at)

    at.checkbox(key=f"{k}_enrolled").check()
    at.text_input(key=f"{k}_nct").input("NCT-0361")
    at.button(key=f"{k}_save").click().run()
    assert errors(at) == [messages.NCT_FORMAT]
    assert at.text_input(key=f"{k}_nct").value == "NCT-0361"

    at.text_input(key=f"{k}_nct").input("NCT03610737")
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == []
    assert "Study enrolment and NCT number (Medicare)" not in missing(at)
    with read_session() as s:
        assert s.scalar(select(Case.cms_study_nct).where(Case.id == case_id)) == "NCT03610737"


def test_an_admin_changes_a_limit_to_block_and_a_missing_source_is_refused(office, cora, root):
    at = open_tab(admin_page, root, admin_tab="Clinical limits")
    assert not at.exception and errors(at) == []
    at.selectbox(key="admin_limit_pick").set_value("hba1c_max").run()
    k = "admin_limit_hba1c_max"

    at.number_input(key=f"{k}_value").set_value(8.5)
    at.radio(key=f"{k}_action").set_value(LimitAction.BLOCK)
    at.text_input(key=f"{k}_source").input(" ")
    at.button(key=f"{k}_save").click().run()
    assert errors(at) == [messages.LIMIT_SOURCE_REQUIRED]
    assert at.number_input(key=f"{k}_value").value == 8.5

    at.text_input(key=f"{k}_source").input("Medical director, December 2026")
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == []
    with read_session() as s:
        row = s.get(ClinicalLimit, "hba1c_max")
        assert (row.value, row.action, row.source) == (
            8.5,
            LimitAction.BLOCK,
            "Medical director, December 2026",
        )
        assert (
            s.scalar(
                select(AuditEvent.actor_name).where(AuditEvent.action == "clinical_limit.changed")
            )
            == "root"
        )


def test_a_blank_device_form_names_every_missing_field_at_once_beside_each(screen, office, cora):
    case_id = case_with(office, cora, Condition.IMPLANTED_DEVICE)
    at = screen(cora, intake_case=case_id)
    k = f"{cond_key(case_id, Condition.IMPLANTED_DEVICE)}_device"
    at.text_input(key=f"{k}_maker").input("Medtronic")
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == [  # as the form draws them: type, left column, right column, plan
        messages.DEVICE_TYPE_REQUIRED,
        messages.PACING_DEPENDENT_REQUIRED,
        messages.DEVICE_FIELD_REQUIRED,  # indication
        messages.CLEARANCE_DATE_REQUIRED,  # last interrogation
        messages.DEVICE_FIELD_REQUIRED,  # plan
    ]
    assert at.text_input(key=f"{k}_maker").value == "Medtronic"  # kept
    with read_session() as s:
        assert s.scalar(select(CaseClearance.id)) is None
