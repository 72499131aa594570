"""Escalations on screen (issue 11): the Admin "Notifications" and "Escalation tiers" tabs, the
board's escalations by tier with their notifications and the red past the limit, a provider's
own sign-in and Escalations screen, and adding that sign-in from the Users tab."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from db.models import Case, FollowUp
from db.queries.followup import escalations_to_resolve
from db.session import read_session, transaction
from mild import messages
from mild.escalations import Tier, masked_url
from mild.followup import RedFlag
from mild.staff import Role, Screen
from services.common import Actor
from tests.builders import (
    PASSWORD,
    escalate,
    make_discharged_case,
    make_provider_user,
    make_user,
    provider_of,
)
from tests.pages.conftest import (
    SQLITE_ONLY,
    admin_page,
    container,
    errors,
    open_tab,
    sign_in,
    successes,
)
from tests.pages.test_board import PAST_LIMIT_COLOUR, office_box

pytestmark = SQLITE_ONLY
CALL = "next_day_call"
SLACK = "https://hooks.slack.com/services/T1234ABCD/B1234ABCD/abcdefghijklmnopqrstuvwx"
SLACK_SECRET = "abcdefghijklmnopqrstuvwx"


def ago(**kwargs) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**kwargs)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def everything_shown(at: AppTest) -> str:
    """All text on the page, table cells and widget values included."""
    parts = [str(getattr(e, "value", "")) for e in at.main if not hasattr(e, "children")]
    parts += [str(e.value) for e in (*at.text, *at.markdown, *at.caption, *at.text_area)]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


@pytest.fixture
def nurse(office) -> Actor:
    return make_user("nina", Role.NURSE, [office])


@pytest.fixture
def admin_tab(db_url) -> Callable[[Actor, str], AppTest]:
    def open_on(user: Actor, tab: str) -> AppTest:
        return open_tab(admin_page, user, admin_tab=tab)

    return open_on


def open_screen(app, username: str, screen: Screen) -> AppTest:
    """Sign in and open a screen by its url path, as a browser asks for it."""
    at = sign_in(app().run(), username, PASSWORD)
    at._page_hash = calc_hash(screen.value)
    return at.run()


# --- Admin, Notifications -------------------------------------------------------------------


def test_the_admin_saves_an_office_s_urls_and_sees_them_masked_never_in_full(
    office, root, admin_tab
):
    at = admin_tab(root, "Notifications")
    key = f"admin_notify_{office}"
    assert messages.NOTIFY_SMTP_UNSET in [t.value for t in at.text]

    at.text_input(key=f"{key}_on_call_name").input("Dr. Ames' pager")
    at.text_area(key=f"{key}_urls").input(SLACK)
    at = at.button(key=f"{key}_save").click().run()

    assert not errors(at) and not at.exception
    assert successes(at) == [messages.NOTIFY_SETTINGS_SAVED.format(office="AA")]
    assert at.text_area(key=f"{key}_urls").value == ""  # the secret does not stay on screen
    assert masked_url(SLACK, "Slack") in everything_shown(at)
    assert SLACK_SECRET not in everything_shown(at)
    assert "T1234ABCD" not in everything_shown(at)


def test_a_test_message_to_a_dead_url_reports_the_failure_beside_the_urls(office, root, admin_tab):
    at = admin_tab(root, "Notifications")
    key = f"admin_notify_{office}"

    at.text_area(key=f"{key}_urls").input(f"json://127.0.0.1:{closed_port()}/")
    at = at.button(key=f"{key}_test").click().run()

    reason = messages.NOTIFY_NOT_DELIVERED.format(services="JSON")
    assert [e.value for e in container(at, key).error] == [
        messages.NOTIFY_TEST_FAILED.format(reason=reason)
    ]
    assert not successes(at)


def test_an_unknown_url_is_refused_beside_the_urls_and_what_was_typed_is_kept(
    office, root, admin_tab
):
    at = admin_tab(root, "Notifications")
    key = f"admin_notify_{office}"

    at.text_area(key=f"{key}_urls").input("json://127.0.0.1:1/\nnot-a-url://x")
    at = at.button(key=f"{key}_save").click().run()

    assert errors(at) == [messages.NOTIFY_URL_UNKNOWN.format(line=2)]
    assert at.text_area(key=f"{key}_urls").value == "json://127.0.0.1:1/\nnot-a-url://x"


# --- Admin, Escalation tiers ------------------------------------------------------------------


def test_the_admin_moves_a_red_flag_to_another_tier_and_the_table_shows_it(root, admin_tab):
    at = admin_tab(root, "Escalation tiers")
    at.selectbox(key="admin_flag_pick").select("fever").run()

    at.radio(key="admin_flag_fever_tier").set_value("emergency")
    at.text_input(key="admin_flag_fever_source").input("Dr. Ames, December 2026")
    at = at.button(key="admin_flag_fever_save").click().run()

    assert not errors(at) and not at.exception
    assert successes(at) == [messages.FLAG_TIER_SAVED.format(flag=RedFlag.FEVER.label)]
    flags = container(at, "admin_flags_table").dataframe[0].value
    assert dict(zip(flags["Red flag"], flags.Tier, strict=True))[RedFlag.FEVER.label] == (
        Tier.EMERGENCY.label
    )
    limits = container(at, "admin_tiers_table").dataframe[0].value
    assert list(limits["Time limit (minutes)"]) == [15, 120]


# --- the board ------------------------------------------------------------------------------


def test_the_board_lists_escalations_most_urgent_first_with_tier_and_notifications(
    office, nurse, app
):
    _, older = make_discharged_case(office, ago(hours=40))
    _, newer = make_discharged_case(office, ago(hours=30))
    escalate(older[CALL], nurse, RedFlag.FEVER)
    escalate(newer[CALL], nurse, RedFlag.SADDLE_NUMBNESS)
    codes = list(escalations_to_resolve({office}).code)

    at = open_screen(app, "nina", Screen.BOARD)

    listed = office_box(at, "AA").tables["escalations"]
    assert listed.column("Case") == codes  # the emergency first, though raised later
    assert listed.column("Tier") == [Tier.EMERGENCY.label, Tier.PROVIDER_TODAY.label]
    notified = "Provider: waiting to send · On-call: waiting to send"
    assert listed.column("Notified") == [notified] * 2
    assert listed.column("Past limit") == ["", ""]


def test_an_escalation_open_past_its_limit_is_red_on_the_board(office, nurse, app):
    _, ids = make_discharged_case(office, ago(hours=30))
    escalate(ids[CALL], nurse, RedFlag.CHEST_PAIN_BREATHING)
    with transaction() as s:  # raised 20 minutes ago: past the emergency tier's 15
        s.get(FollowUp, ids[CALL]).escalated_at = ago(minutes=20)

    at = open_screen(app, "nina", Screen.BOARD)

    box = office_box(at, "AA")
    listed = box.tables["escalations"]
    assert listed.column("Past limit") == ["Yes"]
    assert set(listed.colours[0]) == {PAST_LIMIT_COLOUR}  # the whole row red
    assert (messages.BOARD_PAST_LIMIT.format(n=1), PAST_LIMIT_COLOUR) in box.chips


def test_an_escalation_open_past_its_limit_says_so_on_its_card_in_words(office, nurse, app):
    _, ids = make_discharged_case(office, ago(hours=30))
    escalate(ids[CALL], nurse, RedFlag.CHEST_PAIN_BREATHING)
    with transaction() as s:  # raised 20 minutes ago: past the emergency tier's 15
        s.get(FollowUp, ids[CALL]).escalated_at = ago(minutes=20)

    at = open_screen(app, "nina", Screen.FOLLOW_UP)

    card = container(at, f"fu_escalation_{ids[CALL]}")
    (marks,) = [m.value for m in card.markdown]
    passed = messages.ESCALATION_PAST_LIMIT.format(minutes=15)
    assert marks.splitlines()[0] == (
        f":red-badge[:material/emergency: {Tier.EMERGENCY.label}] &nbsp; "
        f":red[**:material/alarm: {passed}**]"
    )


# --- a provider's own sign-in -----------------------------------------------------------------


def test_a_provider_signs_in_sees_only_their_escalations_and_resolves_one(
    office, nurse, app, navigation
):
    mine, ids = make_discharged_case(office, ago(hours=30))
    _, others = make_discharged_case(office, ago(hours=30))
    escalate(ids[CALL], nurse, RedFlag.WOUND)
    escalate(others[CALL], nurse, RedFlag.BOWEL_BLADDER)
    make_provider_user("dr.ames", mine)

    at = open_screen(app, "dr.ames", Screen.ESCALATIONS)

    # Not the office's day; their own account is opened from the user bar.
    assert navigation.last[0] == ["front", "escalations", "account"]
    assert [t.value for t in at.title] == ["Escalations"]
    assert container(at, f"esc_escalation_{ids[CALL]}") is not None
    assert container(at, f"esc_escalation_{others[CALL]}") is None  # another provider's
    card = container(at, f"esc_escalation_{ids[CALL]}")
    assert f"Provider: {provider_of(mine)}" in card.text[0].value.splitlines()

    at.text_area(key="esc_resolve_note").input("Saw the wound in clinic; antibiotics")
    at = at.button(key="esc_resolve").click().run()

    assert not errors(at)
    assert container(at, "esc_escalations") is None
    assert [i.value for i in at.info] == [messages.ESCALATIONS_NONE]
    assert list(escalations_to_resolve({office}).follow_up_id) == [others[CALL]]


def test_the_admin_adds_a_provider_sign_in_by_choosing_the_provider(office, root, admin_tab):
    case_id, _ = make_discharged_case(office, ago(hours=30))
    at = admin_tab(root, "Users")

    at.text_input(key="admin_user_new_username").input("dr.ames")
    at.text_input(key="admin_user_new_name").input("Dr. Ana Ames")
    at = at.selectbox(key="admin_user_new_role").select(Role.PROVIDER).run()
    assert not [m for m in at.multiselect if m.key == "admin_user_new_offices"]
    at = at.button(key="admin_user_add").click().run()
    assert errors(at) == [messages.PROVIDER_SIGN_IN_NEEDS_PROVIDER]

    with read_session() as s:
        provider_id = s.get(Case, case_id).provider_id
    at.selectbox(key="admin_user_new_provider").select(provider_id)
    at.text_input(key="admin_user_new_password").input("long-enough-1")
    at.text_input(key="admin_user_new_repeat").input("long-enough-1")
    at = at.button(key="admin_user_add").click().run()

    assert not errors(at), errors(at)
    users = container(at, "admin_users_table").dataframe[0].value
    roles = dict(zip(users.Username, users.Role, strict=True))
    assert roles["dr.ames"] == f"Provider ({provider_of(case_id)})"
    assert dict(zip(users.Username, users.Offices, strict=True))["dr.ames"] == "AA"
