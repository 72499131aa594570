"""The admin screen: each tab's happy path and every refusal shown beside its field, with what
the admin typed kept; and the intake screen showing the hold table as the admins keep it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, Case, HoldRuleRow, KpiTarget, Office, StaffUser, UserSession
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.medications import MedClass
from mild.staff import Role
from services import admin, medications
from services.auth import sign_in
from services.common import Actor
from tests.builders import (
    PASSWORD,
    edit_hold_rule,
    make_case,
    make_office,
    make_user,
    make_user_session,
)
from tests.pages.conftest import (
    SQLITE_ONLY,
    admin_page,
    container,
    errors,
    intake_page,
    open_tab,
    successes,
)
from ui.format import zone_abbreviation

pytestmark = SQLITE_ONLY
NEW_PASSWORD = "temporary-pass-1"


@pytest.fixture
def screen(db_url) -> Callable[..., AppTest]:
    """A new tab on the admin screen, on `tab` when one is named, for a signed-in user."""

    def open_for(user: Actor, tab: str | None = None) -> AppTest:
        return open_tab(admin_page, user, **({"admin_tab": tab} if tab else {}))

    return open_for


@pytest.fixture
def nina(office) -> Actor:
    return make_user("nina", Role.NURSE, [office])


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def table(at: AppTest, key: str):
    return container(at, key).dataframe[0].value


def errors_in(at: AppTest, key: str) -> list[str]:
    return [e.value for e in container(at, key).error]


def button_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def actions() -> list[str]:
    with read_session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def click(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


# --- who may open it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR, Role.MANAGER, Role.PROVIDER])
def test_only_an_admin_may_open_the_admin_screen(office, screen, role):
    at = screen(make_user("someone", role, [office]))

    assert errors(at) == [messages.NOT_ALLOWED_HERE]
    assert not at.tabs and not at.button and not at.dataframe


def test_the_admin_screen_opens_on_offices_with_its_tabs(office, root, screen):
    at = screen(root)

    assert not at.exception and not errors(at)
    assert [t.value for t in at.title] == ["Admin"]
    assert [t.label for t in at.tabs] == [
        "Offices",
        "Providers",
        "Users",
        "Sessions",
        "Hold table",
        "Clinical limits",
        "KPI targets",
        "Practice settings",
        "FHIR export",
        "Escalation tiers",
        "Notifications",
    ]
    offices = table(at, "admin_offices_table")
    assert list(offices.columns) == [
        "Code",
        "Name",
        "Time zone",
        "Phone for patients",
        "Active",
        "Staff",
        "Open cases",
    ]
    assert list(offices.Code) == ["AA"]


# --- offices --------------------------------------------------------------------------------


def fill_new_office(at: AppTest, code: str, name: str, tz: str | None = None) -> AppTest:
    at.text_input(key="admin_office_new_code").input(code)
    at.text_input(key="admin_office_new_name").input(name)
    if tz:
        at.selectbox(key="admin_office_new_tz").set_value(tz)
    return at.button(key="admin_office_add").click().run()


def test_an_admin_adds_an_office_with_its_time_zone(office, root, screen):
    at = screen(root)
    assert at.selectbox(key="admin_office_new_tz").value == "America/New_York"

    at = fill_new_office(at, "bb", "Bee Office", "America/Chicago")

    assert successes(at) == [messages.ADMIN_OFFICE_CREATED]
    offices = table(at, "admin_offices_table")
    assert list(offices.Code) == ["AA", "BB"]
    assert list(offices["Time zone"]) == ["America/New_York", "America/Chicago"]
    assert at.text_input(key="admin_office_new_code").value == ""
    assert actions()[-1] == "office.created"


@pytest.mark.parametrize(
    "code,name,field_message",
    [
        ("B", "Bee Office", messages.OFFICE_CODE_FORMAT),
        ("AA", "Bee Office", messages.OFFICE_CODE_TAKEN.format(code="AA")),
        ("BB", "", messages.OFFICE_NAME_REQUIRED),
    ],
)
def test_a_bad_new_office_is_refused_beside_its_field_with_what_was_typed_kept(
    office, root, screen, code, name, field_message
):
    at = fill_new_office(screen(root), code, name)

    assert errors(at) == [field_message]
    assert at.text_input(key="admin_office_new_code").value == code
    assert at.text_input(key="admin_office_new_name").value == name
    assert list(table(at, "admin_offices_table").Code) == ["AA"]


def test_an_admin_renames_an_office_and_changes_its_time_zone(office, root, screen):
    at = screen(root)
    key = f"admin_office_{office}"
    at.text_input(key=f"{key}_name").input("North Clinic")
    at.selectbox(key=f"{key}_tz").set_value("America/Denver")
    at.text_input(key=f"{key}_phone").input("(303) 555-0142")
    at = click(at, f"{key}_save")

    assert successes(at) == [messages.ADMIN_OFFICE_SAVED.format(code="AA")]
    offices = table(at, "admin_offices_table")
    assert (offices.Name[0], offices["Time zone"][0], offices["Phone for patients"][0]) == (
        "North Clinic",
        "America/Denver",
        "(303) 555-0142",
    )


def test_a_bad_office_phone_is_refused_beside_it_with_what_was_typed_kept(office, root, screen):
    at = screen(root)
    key = f"admin_office_{office}"
    at.text_input(key=f"{key}_phone").input("ring us")
    at = click(at, f"{key}_save")
    assert errors_in(at, key) == [messages.PHONE_FORMAT]
    assert at.text_input(key=f"{key}_phone").value == "ring us"


def test_saving_an_office_unchanged_says_there_is_nothing_to_save(office, root, screen):
    at = click(screen(root), f"admin_office_{office}_save")
    assert errors_in(at, f"admin_office_{office}") == [messages.NOTHING_CHANGED]


def test_an_office_with_open_cases_is_not_deactivated_and_says_why(office, root, screen):
    make_case(office, CaseStatus.SCHEDULED)
    at = screen(root)
    assert messages.ADMIN_OFFICE_OPEN_CASES.format(n=1) in captions(at)

    at = click(at, f"admin_office_{office}_active")

    assert errors_in(at, f"admin_office_{office}") == [
        messages.OFFICE_HAS_OPEN_CASES.format(code="AA", n=1)
    ]
    assert list(table(at, "admin_offices_table").Active) == ["Yes"]


def test_an_admin_deactivates_and_reactivates_an_office_saying_what_that_does(office, root, screen):
    at = screen(root)
    assert messages.ADMIN_OFFICE_DEACTIVATE_HELP in captions(at)
    assert at.button(key=f"admin_office_{office}_active").label == "Deactivate office"

    at = click(at, f"admin_office_{office}_active")

    assert successes(at) == [messages.ADMIN_OFFICE_DEACTIVATED.format(code="AA")]
    assert list(table(at, "admin_offices_table").Active) == ["No"]
    assert messages.ADMIN_OFFICE_INACTIVE_HELP in captions(at)
    assert at.button(key=f"admin_office_{office}_active").label == "Reactivate office"

    at = click(at, f"admin_office_{office}_active")

    assert successes(at) == [messages.ADMIN_OFFICE_REACTIVATED.format(code="AA")]
    assert list(table(at, "admin_offices_table").Active) == ["Yes"]


# --- users ----------------------------------------------------------------------------------


def fill_new_user(at: AppTest, **overrides) -> AppTest:
    values = {
        "username": "jdoe",
        "name": "Jo Doe",
        "role": Role.NURSE,
        "offices": ["AA"],
        "password": NEW_PASSWORD,
        "repeat": NEW_PASSWORD,
        "email": "",
    } | overrides
    at.text_input(key="admin_user_new_username").input(values["username"])
    at.text_input(key="admin_user_new_name").input(values["name"])
    at.selectbox(key="admin_user_new_role").set_value(values["role"])
    at.multiselect(key="admin_user_new_offices").set_value(values["offices"])
    at.text_input(key="admin_user_new_password").input(values["password"])
    at.text_input(key="admin_user_new_repeat").input(values["repeat"])
    at.text_input(key="admin_user_new_email").input(values["email"])
    return at.button(key="admin_user_add").click().run()


def test_the_user_list_shows_role_offices_status_email_and_last_sign_in(office, root, nina, screen):
    sign_in("nina", PASSWORD)
    make_user("gone", Role.COORDINATOR, [office], active=False)

    at = screen(root, "Users")

    users = table(at, "admin_users_table")
    zone = zone_abbreviation("America/New_York", dt.datetime.now(dt.UTC))
    assert list(users.columns) == [
        "Username",
        "Name",
        "Role",
        "Offices",
        "Active",
        f"Last sign-in ({zone})",
        "Open sessions",
        f"Locked until ({zone})",
        "Single sign-on email",
    ]
    assert list(users.Username) == ["gone", "nina", "root"]
    assert list(users.Role) == ["Coordinator", "Nurse", "Admin"]
    assert list(users.Offices) == ["AA", "AA", "every office"]
    assert list(users.Active) == ["Disabled", "Yes", "Yes"]
    assert users[f"Last sign-in ({zone})"][1] != "" and users[f"Last sign-in ({zone})"][0] == ""


def test_an_admin_adds_a_user_with_a_temporary_password_and_sso_email(office, root, screen):
    at = fill_new_user(screen(root, "Users"), email="Jo.Doe@example.org")

    assert not errors(at)
    assert successes(at) == [messages.ADMIN_USER_CREATED]
    users = table(at, "admin_users_table")
    assert "jdoe" in set(users.Username)
    assert users[users.Username == "jdoe"]["Single sign-on email"].item() == "jo.doe@example.org"
    assert at.text_input(key="admin_user_new_password").value == ""
    assert sign_in("jdoe", NEW_PASSWORD).role == Role.NURSE


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"username": "J Doe"}, messages.USERNAME_FORMAT),
        ({"username": "nina"}, messages.USERNAME_TAKEN),
        ({"password": "short", "repeat": "short"}, messages.PASSWORD_TOO_SHORT.format(n=8)),
        ({"repeat": "other-pass-1"}, messages.PASSWORDS_DIFFER),
        ({"role": None}, messages.ROLE_REQUIRED),
        ({"offices": []}, messages.OFFICES_REQUIRED),
        ({"email": "jo@"}, messages.EMAIL_FORMAT),
        ({"email": "nina@example.org"}, messages.EMAIL_TAKEN),
    ],
)
def test_a_bad_new_user_is_refused_beside_its_field_with_what_was_typed_kept(
    office, root, nina, screen, overrides, message
):
    from services import staff

    staff.set_email(nina.id, "nina@example.org", actor=root)
    at = fill_new_user(screen(root, "Users"), **overrides)

    assert errors(at) == [message]
    assert at.text_input(key="admin_user_new_name").value == "Jo Doe"
    assert at.text_input(key="admin_user_new_username").value == overrides.get("username", "jdoe")
    assert "jdoe" not in set(table(at, "admin_users_table").Username)


def pick_user(at: AppTest, user_id: int) -> AppTest:
    return at.selectbox(key="admin_user_pick").set_value(user_id).run()


def test_an_admin_changes_a_users_name_role_and_offices(office, root, nina, screen):
    make_office("BB")
    at = pick_user(screen(root, "Users"), nina.id)
    key = f"admin_user_{nina.id}"
    at.text_input(key=f"{key}_name").input("Nina Nurse")
    at.selectbox(key=f"{key}_role").set_value(Role.MANAGER)
    at.multiselect(key=f"{key}_offices").set_value(["AA", "BB"])
    at = click(at, f"{key}_save")

    assert successes(at) == [messages.ADMIN_USER_SAVED.format(username="nina")]
    users = table(at, "admin_users_table")
    row = users[users.Username == "nina"]
    assert (row.Name.item(), row.Role.item(), row.Offices.item()) == (
        "Nina Nurse",
        "Manager",
        "AA, BB",
    )


def test_taking_away_a_nurses_last_office_is_refused_beside_the_offices(office, root, nina, screen):
    at = pick_user(screen(root, "Users"), nina.id)
    key = f"admin_user_{nina.id}"
    at.multiselect(key=f"{key}_offices").set_value([])
    at = click(at, f"{key}_save")

    assert errors_in(at, f"{key}_account") == [messages.OFFICES_REQUIRED]
    assert at.multiselect(key=f"{key}_offices").value == []


def test_an_admin_cannot_remove_their_own_admin_role_and_is_told_why(office, root, screen):
    at = pick_user(screen(root, "Users"), root.id)
    key = f"admin_user_{root.id}"
    assert messages.ADMIN_YOUR_OWN_ACCOUNT in captions(at)
    at.selectbox(key=f"{key}_role").set_value(Role.MANAGER)
    at.multiselect(key=f"{key}_offices").set_value(["AA"])
    at = click(at, f"{key}_save")

    assert errors_in(at, f"{key}_account") == [messages.CANNOT_DEMOTE_SELF]
    with read_session() as s:
        assert s.get(StaffUser, root.id).role == Role.ADMIN


def test_an_admin_is_offered_no_way_to_disable_themself_and_is_told_why(office, root, screen):
    at = pick_user(screen(root, "Users"), root.id)

    assert messages.CANNOT_DISABLE_SELF in captions(at)
    assert "Disable account" not in button_labels(at)


def test_disabling_a_user_ends_their_sessions_and_enabling_brings_them_back(
    office, root, nina, screen
):
    tablet = make_user_session(nina.id)
    at = pick_user(screen(root, "Users"), nina.id)
    key = f"admin_user_{nina.id}"
    assert messages.ADMIN_DISABLE_HELP.format(n=1) in captions(at)

    at = click(at, f"{key}_active")

    assert successes(at) == [messages.ADMIN_USER_DISABLED.format(username="nina")]
    with read_session() as s:
        assert s.get(UserSession, tablet).end_reason == "disabled"
    users = table(at, "admin_users_table")
    assert users[users.Username == "nina"].Active.item() == "Disabled"
    assert at.button(key=f"{key}_active").label == "Enable account"

    at = click(at, f"{key}_active")

    assert successes(at) == [messages.ADMIN_USER_ENABLED.format(username="nina")]
    assert sign_in("nina", PASSWORD).id == nina.id


def test_an_admin_resets_a_password_and_a_short_one_is_refused(office, root, nina, screen):
    at = pick_user(screen(root, "Users"), nina.id)
    key = f"admin_user_{nina.id}"
    at.text_input(key=f"{key}_password").input("short")
    at.text_input(key=f"{key}_repeat").input("short")
    at = click(at, f"{key}_reset_save")
    assert errors_in(at, f"{key}_reset") == [messages.PASSWORD_TOO_SHORT.format(n=8)]

    at.text_input(key=f"{key}_password").input(NEW_PASSWORD)
    at.text_input(key=f"{key}_repeat").input("other-pass-1")
    at = click(at, f"{key}_reset_save")
    assert errors_in(at, f"{key}_reset") == [messages.PASSWORDS_DIFFER]

    at.text_input(key=f"{key}_repeat").input(NEW_PASSWORD)
    at = click(at, f"{key}_reset_save")

    assert successes(at) == [messages.ADMIN_PASSWORD_RESET.format(username="nina")]
    assert at.text_input(key=f"{key}_password").value == ""
    assert sign_in("nina", NEW_PASSWORD).id == nina.id


def test_an_admin_sets_and_clears_an_sso_email_and_a_bad_one_is_refused(office, root, nina, screen):
    at = pick_user(screen(root, "Users"), nina.id)
    key = f"admin_user_{nina.id}"
    at.text_input(key=f"{key}_email").input("nina@")
    at = click(at, f"{key}_email_save")
    assert errors_in(at, f"{key}_sso") == [messages.EMAIL_FORMAT]
    assert at.text_input(key=f"{key}_email").value == "nina@"

    at.text_input(key=f"{key}_email").input("Nina@Example.org")
    at = click(at, f"{key}_email_save")
    assert successes(at) == [messages.ADMIN_EMAIL_SAVED.format(username="nina")]
    users = table(at, "admin_users_table")
    assert users[users.Username == "nina"]["Single sign-on email"].item() == "nina@example.org"

    at = click(at, f"{key}_email_clear")
    assert successes(at) == [messages.ADMIN_EMAIL_SAVED.format(username="nina")]
    with read_session() as s:
        assert s.get(StaffUser, nina.id).email is None


# --- sessions -------------------------------------------------------------------------------


def test_nobody_else_signed_in_is_said_so(office, screen):
    lone = make_user("root", Role.ADMIN, [])
    at = screen(lone, "Sessions")
    assert [i.value for i in at.info] == [messages.ADMIN_NO_OPEN_SESSIONS]


def test_open_sessions_are_listed_per_user_and_this_browser_cannot_be_ended_here(
    office, root, nina, screen
):
    make_user_session(nina.id, display=True)
    make_user_session(nina.id, ended=True)

    at = screen(root, "Sessions")

    assert container(at, f"admin_sessions_{root.id}") is not None
    box = container(at, f"admin_sessions_{nina.id}")
    lines = [t.value for t in box.text]
    assert lines[0] == "Nina (nina) · Nurse"
    assert len(lines) == 2
    assert lines[1].startswith(f"Safari on iOS · {messages.ADMIN_SESSION_NO_ADDRESS} · signed in ")
    assert lines[1].endswith(" · waiting-room display")
    assert messages.ADMIN_THIS_BROWSER in captions(at)
    assert f"admin_session_end_{root.session_id}" not in [b.key for b in at.button]


def test_each_session_shows_browser_address_and_last_activity_in_the_viewers_office_time(
    office, nina, screen
):
    denver = make_office("DV", "America/Denver")
    viewer = make_user("dora", Role.ADMIN, [denver])
    now = dt.datetime.now(dt.UTC)
    make_user_session(
        nina.id,
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like"
        " Gecko) Chrome/131.0.0.0 Safari/537.36",
        client_address="192.0.2.17",
        started=now - dt.timedelta(minutes=40),
        last_activity=now - dt.timedelta(minutes=3, seconds=10),
    )
    make_user_session(
        nina.id,
        user_agent="Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like"
        " Gecko) Chrome/131.0.0.0 Safari/537.36",
        client_address="2001:db8::7",
        signed_in_via="sso",
        started=now - dt.timedelta(minutes=20),
    )

    at = screen(viewer, "Sessions")

    desk, tablet = [t.value for t in container(at, f"admin_sessions_{nina.id}").text][1:]
    local = (now - dt.timedelta(minutes=3, seconds=10)).astimezone(ZoneInfo("America/Denver"))
    assert desk.startswith("Chrome 131 on Windows · 192.0.2.17 · signed in ")
    # (after midnight the day is named too: "last active Sat 07 Dec 23:57 (3 minutes ago)")
    assert " · last active " in desk and desk.endswith(f"{local:%H:%M} (3 minutes ago)")
    assert tablet.startswith("Chrome 131 on Android tablet · 2001:db8::7 · signed in ")
    assert tablet.endswith(" (just now) · single sign-on")
    assert any("America/Denver" in c for c in captions(at))


def idle_session(user_id: int, idle: dt.timedelta) -> int:
    session_id = make_user_session(user_id)
    with transaction() as s:
        s.get(UserSession, session_id).last_activity_at = dt.datetime.now(dt.UTC) - idle
    return session_id


def test_a_locked_session_is_listed_as_locked_and_may_be_ended(office, root, nina, screen):
    locked = idle_session(nina.id, dt.timedelta(minutes=16))

    at = screen(root, "Sessions")

    (line,) = [t.value for t in container(at, f"admin_sessions_{nina.id}").text][1:]
    assert line.endswith(f" · {messages.ADMIN_SESSION_LOCKED}")
    assert f"admin_session_end_{locked}" in [b.key for b in at.button]
    note = messages.ADMIN_SESSIONS_IDLE_NOTE.format(minutes=15, hours=12)
    assert any(note in c for c in captions(at))


def test_a_session_locked_past_the_locks_lifetime_is_over_and_not_listed(
    office, root, nina, screen
):
    idle_session(nina.id, dt.timedelta(hours=12, minutes=16))

    at = screen(root, "Sessions")

    assert container(at, f"admin_sessions_{nina.id}") is None


def test_an_admin_ends_one_session_and_it_leaves_the_list(office, root, nina, screen):
    tablet = make_user_session(nina.id)
    at = screen(root, "Sessions")

    at = click(at, f"admin_session_end_{tablet}")

    assert successes(at) == [messages.ADMIN_SESSION_ENDED.format(username="nina")]
    with read_session() as s:
        row = s.get(UserSession, tablet)
        assert row.ended_at is not None and row.end_reason == "ended by admin"
    assert container(at, f"admin_sessions_{nina.id}") is None
    assert actions()[-1] == "auth.session_ended_by_admin"


def test_an_admin_ends_every_session_of_a_user_at_once(office, root, nina, screen):
    sessions = [make_user_session(nina.id) for _ in range(3)]
    at = screen(root, "Sessions")
    assert at.button(key=f"admin_sessions_end_all_{nina.id}").label == (
        "End all 3 sessions of nina"
    )

    at = click(at, f"admin_sessions_end_all_{nina.id}")

    assert successes(at) == [messages.ADMIN_SESSIONS_ENDED.format(username="nina")]
    with read_session() as s:
        assert all(s.get(UserSession, i).ended_at is not None for i in sessions)


def test_ending_a_session_someone_else_ended_meanwhile_says_so(office, root, nina, screen):
    tablet = make_user_session(nina.id)
    make_user_session(nina.id)
    at = screen(root, "Sessions")
    other = make_user("other", Role.ADMIN, [])
    admin.end_session(tablet, actor=other)

    at = click(at, f"admin_session_end_{tablet}")

    assert errors_in(at, f"admin_sessions_{nina.id}") == [messages.SESSION_ALREADY_ENDED]


# --- the hold table -------------------------------------------------------------------------


HOLD = "admin_hold_naproxen"


def pick_drug(at: AppTest, drug: str) -> AppTest:
    return at.selectbox(key="admin_hold_pick").set_value(drug).run()


def hold_key(drug: str) -> str:
    return f"admin_hold_{drug.replace(' ', '_').replace(',', '')}"


def test_the_hold_table_lists_one_row_per_drug_with_brands_hours_source_and_confirmation(
    root, screen
):
    at = screen(root, "Hold table")

    holds = table(at, "admin_holds_table")
    assert list(holds.columns) == [
        "Drug",
        "Brand names",
        "Class",
        "Stop before (h)",
        "No dose on the day",
        "Restart after (h)",
        "Prescriber clearance",
        "In use",
        "Instruction",
        "Source",
        "Confirmed by",
        "Confirmed on",
        f"Changed ({zone_abbreviation('America/New_York', dt.datetime.now(dt.UTC))})",
        "By",
    ]
    apixaban = holds[holds.Drug == "apixaban"]
    assert (
        apixaban["Brand names"].item(),
        apixaban.Class.item(),
        apixaban["Stop before (h)"].item(),
        apixaban["Restart after (h)"].item(),
    ) == ("Eliquis", "Direct oral anticoagulant (factor Xa)", "72", "24")
    assert apixaban["Prescriber clearance"].item() == "Yes"
    assert apixaban["Confirmed by"].item() == messages.HOLD_NOT_CONFIRMED
    assert "Reg Anesth Pain Med 2018" in apixaban.Source.item()
    assert holds[holds.Drug == "metformin"]["No dose on the day"].item() == "Yes"
    assert set(holds.Drug) >= {"clopidogrel", "prasugrel", "ticagrelor"}
    assert messages.ADMIN_HOLD_TABLE_HELP in captions(at)


def test_the_admin_screen_offers_the_hold_table_as_csv(root, screen):
    at = screen(root, "Hold table")
    (download,) = [d for d in at.get("download_button") if d.proto.label == messages.ADMIN_HOLD_CSV]
    assert download.proto.label == messages.ADMIN_HOLD_CSV


def test_an_admin_edits_a_drugs_stop_and_instruction_recorded_with_who(root, nina, office, screen):
    case_id = make_case(office, CaseStatus.SCHEDULED)
    medications.add_medication(case_id, "Aleve", actor=nina)
    at = pick_drug(screen(root, "Hold table"), "naproxen")
    at.number_input(key=f"{HOLD}_stop_before_hours").set_value(120)
    at.text_input(key=f"{HOLD}_instruction").input("Five half-lives")
    at = click(at, f"{HOLD}_save")

    assert successes(at) == [messages.ADMIN_HOLD_SAVED.format(drug="naproxen")]
    holds = table(at, "admin_holds_table")
    row = holds[holds.Drug == "naproxen"]
    assert (row["Stop before (h)"].item(), row.Instruction.item(), row.By.item()) == (
        "120",
        "Five half-lives",
        "root",
    )
    # The open case listing naproxen was re-classed, and the admin is told which.
    with read_session() as s:
        code = s.get(Case, case_id).code
    assert messages.HOLD_TABLE_RECLASSED.format(cases=code) in [i.value for i in at.info]
    assert actions()[-2:] == ["hold_rule.changed", "medication.reclassed"]

    # A second save on the same screen is not mistaken for someone else's change.
    at.number_input(key=f"{HOLD}_stop_before_hours").set_value(96)
    at = click(at, f"{HOLD}_save")
    assert successes(at) == [messages.ADMIN_HOLD_SAVED.format(drug="naproxen")]


def test_an_admin_confirms_a_row_naming_who_checked_it(root, screen):
    at = pick_drug(screen(root, "Hold table"), "apixaban")
    key = hold_key("apixaban")
    at = click(at, f"{key}_confirm_save")
    assert errors_in(at, f"{key}_confirm") == [messages.HOLD_CONFIRMED_BY_REQUIRED]
    at.text_input(key=f"{key}_confirmed_by").input("Dr. Medical Director")
    at = click(at, f"{key}_confirm_save")
    holds = table(at, "admin_holds_table")
    assert holds[holds.Drug == "apixaban"]["Confirmed by"].item() == "Dr. Medical Director"
    assert actions()[-1] == "hold_rule.confirmed"


@pytest.mark.parametrize(
    "drug,edit,message",
    [
        ("naproxen", {"med_class": MedClass.OTHER}, messages.HOLD_NO_RELEVANCE_HAS_NO_STOP),
        ("apixaban", {"clearance": False}, messages.HOLD_CLEARANCE_REQUIRED),
        ("naproxen", {"source": ""}, messages.HOLD_SOURCE_REQUIRED),
        ("naproxen", {}, messages.NOTHING_CHANGED),
    ],
)
def test_a_bad_hold_table_edit_is_refused_beside_its_field_with_the_values_kept(
    root, screen, drug, edit, message
):
    key = hold_key(drug)
    at = pick_drug(screen(root, "Hold table"), drug)
    if "med_class" in edit:
        at.selectbox(key=f"{key}_med_class").set_value(edit["med_class"])
    if "clearance" in edit:
        at.checkbox(key=f"{key}_needs_clearance").uncheck()
    if "source" in edit:
        at.text_input(key=f"{key}_source").input(edit["source"])
    at = click(at, f"{key}_save")

    assert errors_in(at, key) == [message]
    if "med_class" in edit:
        assert at.selectbox(key=f"{key}_med_class").value == edit["med_class"]
    with read_session() as s:
        assert s.scalar(select(HoldRuleRow.updated_by_id).where(HoldRuleRow.drug == drug)) is None


def test_an_edit_over_someone_elses_newer_change_is_refused_until_discarded(root, screen):
    at = pick_drug(screen(root, "Hold table"), "naproxen")
    other = make_user("other", Role.ADMIN, [])
    edit_hold_rule("naproxen", other, stop_before_hours=144)
    at.number_input(key=f"{HOLD}_stop_before_hours").set_value(48)
    at.selectbox(key=f"{HOLD}_med_class").set_value(MedClass.SUPPLEMENT)
    at = click(at, f"{HOLD}_save")

    assert errors_in(at, HOLD) == [messages.HOLD_RULE_CHANGED_BY_SOMEONE_ELSE]
    assert at.number_input(key=f"{HOLD}_stop_before_hours").value == 48  # what was typed stays
    assert at.selectbox(key=f"{HOLD}_med_class").value == MedClass.SUPPLEMENT

    at = click(at, f"{HOLD}_discard")

    assert not errors(at)
    assert at.number_input(key=f"{HOLD}_stop_before_hours").value == 144  # their change
    assert at.selectbox(key=f"{HOLD}_med_class").value == MedClass.NSAID
    at.number_input(key=f"{HOLD}_stop_before_hours").set_value(48)
    at = click(at, f"{HOLD}_save")
    assert successes(at) == [messages.ADMIN_HOLD_SAVED.format(drug="naproxen")]


def fill_new_drug(
    at: AppTest, name: str, med_class: MedClass | None, hours: int | None, source: str = "Practice"
) -> AppTest:
    at.text_input(key="admin_hold_new_drug").input(name)
    at.text_input(key="admin_hold_new_brands").input("Celebrex")
    if med_class is not None:
        at.selectbox(key="admin_hold_new_med_class").set_value(med_class)
    if hours is not None:
        at.number_input(key="admin_hold_new_stop_before_hours").set_value(hours)
    at.text_input(key="admin_hold_new_source").input(source)
    return at.button(key="admin_hold_add").click().run()


def test_an_admin_adds_a_drug_to_the_hold_table(root, screen):
    at = fill_new_drug(screen(root, "Hold table"), "Celecoxib", MedClass.NSAID, 48)

    assert successes(at) == [messages.ADMIN_HOLD_ADDED]
    holds = table(at, "admin_holds_table")
    row = holds[holds.Drug == "celecoxib"]
    assert (row["Stop before (h)"].item(), row["Brand names"].item()) == ("48", "Celebrex")
    assert at.text_input(key="admin_hold_new_drug").value == ""


@pytest.mark.parametrize(
    "name,med_class,hours,source,message",
    [
        ("Ibuprofen", MedClass.NSAID, 24, "x", messages.HOLD_DRUG_TAKEN.format(drug="ibuprofen")),
        ("celecoxib", None, 48, "x", messages.HOLD_CLASS_REQUIRED),
        ("", MedClass.NSAID, 48, "x", messages.DRUG_REQUIRED),
        ("cele<b>coxib</b>", MedClass.NSAID, 48, "x", messages.DRUG_NAME_CHARACTERS),
        ("celecoxib", MedClass.NSAID, 48, "", messages.HOLD_SOURCE_REQUIRED),
    ],
)
def test_a_bad_new_drug_is_refused_beside_its_field_with_what_was_typed_kept(
    root, screen, name, med_class, hours, source, message
):
    at = fill_new_drug(screen(root, "Hold table"), name, med_class, hours, source)

    assert errors(at) == [message]
    assert at.text_input(key="admin_hold_new_drug").value == name
    assert "celecoxib" not in set(table(at, "admin_holds_table").Drug)


# --- intake uses the table as the admins keep it --------------------------------------------


def test_intake_shows_the_hold_instruction_an_admin_wrote(office, root, nina, screen):
    edit_hold_rule(
        "ibuprofen",
        root,
        stop_before_hours=72,
        instruction="Stop three days before; paracetamol is fine",
    )
    case_id = make_case(office, CaseStatus.INTAKE)
    med_id = medications.add_medication(case_id, "Motrin", actor=nina)

    at = open_tab(intake_page, nina)
    at.selectbox(key="intake_case").set_value(case_id).run()
    # The drug's row opened, as a coordinator picks it from the medications (issue 13's form).
    at.segmented_control(key=f"intake_med_pick_{case_id}").set_value(med_id).run()

    assert not at.exception
    assert messages.HOLD_INSTRUCTION.format(
        instruction="Stop three days before; paracetamol is fine"
    ) in captions(at)
    assert any("stop 72 h (3 days) before" in c for c in captions(at))


def test_a_deactivated_office_leaves_the_office_pickers_of_the_admin_screen_marked(
    office, root, screen
):
    with transaction() as s:
        s.get(Office, office).active = False
    at = screen(root)
    assert at.selectbox(key="admin_office_pick").options == ["AA · AA Office (deactivated)"]


def test_an_admin_changes_a_kpi_target_and_an_amber_edge_on_the_wrong_side_is_refused(root, screen):
    at = screen(root, "KPI targets")
    assert not at.exception and errors(at) == []
    at.selectbox(key="admin_target_pick").set_value("on_time_pct").run()
    k = "admin_target_on_time_pct"

    at.number_input(key=f"{k}_target").set_value(85.0)
    at.number_input(key=f"{k}_amber").set_value(95.0)
    at.button(key=f"{k}_save").click().run()
    assert errors(at) == [messages.TARGET_AMBER_SIDE_HIGHER]
    assert at.number_input(key=f"{k}_target").value == 85.0  # what was typed is kept

    at.number_input(key=f"{k}_amber").set_value(75.0)
    at.text_input(key=f"{k}_source").input("Board decision, December 2026")
    at.button(key=f"{k}_save").click().run()

    assert errors(at) == []
    with read_session() as s:
        row = s.get(KpiTarget, "on_time_pct")
        assert (row.target, row.amber, row.source) == (85.0, 75.0, "Board decision, December 2026")
    shown = at.dataframe[0].value.set_index("KPI").loc["First case on time"]
    assert shown.Target == "target 85% or more (amber down to 75%)"


def test_an_admin_adds_a_provider_and_a_bad_email_is_refused_beside_it(office, root, screen):
    at = screen(root, "Providers")
    assert not at.exception and errors(at) == []
    k = "admin_provider_new"
    at.selectbox(key=f"{k}_office").set_value(office)
    at.text_input(key=f"{k}_name").input("Dr. Ana Ames")
    at.text_input(key=f"{k}_email").input("ana at example")
    at.button(key=f"{k}_add").click().run()
    assert errors(at) == [messages.EMAIL_FORMAT]
    assert at.text_input(key=f"{k}_name").value == "Dr. Ana Ames"  # kept

    at.text_input(key=f"{k}_email").input("ana@example.org")
    at.button(key=f"{k}_add").click().run()

    assert errors(at) == []
    providers = table(at, "admin_providers_table")
    assert list(providers.Name) == ["Dr. Ana Ames"]
    assert list(providers.Email) == ["ana@example.org"]
