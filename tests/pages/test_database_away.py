"""The database going away mid-session, and coming back: a signed-in tab says so in one
sentence, refuses a write keeping what was typed, and works again once the database returns,
without restarting the app.

The app reaches PostgreSQL through a TCP proxy (tests/support/tcp_proxy.py) that the test cuts
(open connections dropped, new ones reset) and restores, as a database restart or a network
failure would. SQLite is a file on the app's own host: it does not go away mid-session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from db.models import AuditEvent, Case
from db.session import read_session
from mild import messages
from mild.cases import CancelReason, CaseStatus
from mild.staff import Role, Screen
from tests.builders import PASSWORD, make_case, make_office, make_user
from tests.pages.conftest import POSTGRESQL_ONLY, sign_in
from tests.support.tcp_proxy import TcpProxy

pytestmark = POSTGRESQL_ONLY

NOTE = "Patient is moving to another state"
# A rerun that finds the database away, or back, answers well inside this (seconds): a cut
# is noticed at once (the proxy resets connections), never by waiting out a timeout.
PROMPT = 10.0


@pytest.fixture
def proxy(db_url, monkeypatch) -> Iterator[TcpProxy]:
    """The test's PostgreSQL database, reached by the app only through a proxy."""
    real = make_url(db_url)
    with TcpProxy(real.host, real.port) as proxy:
        via_proxy = real.set(port=proxy.port).render_as_string(hide_password=False)
        monkeypatch.setenv("DATABASE_URL", via_proxy)
        yield proxy


def timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def assert_only_database_unavailable(at: AppTest) -> None:
    """One clear sentence, no traceback, no patient data left on screen."""
    assert not at.exception
    assert [e.value for e in at.error] == [messages.DATABASE_UNAVAILABLE]
    assert not at.dataframe and not at.metric and not at.text_area and not at.selectbox


def case_in_database(db_url: str, case_id: int) -> Case:
    """The case as the database holds it, read past the proxy."""
    with read_session(db_url) as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def test_a_signed_in_tab_says_the_database_is_away_and_shows_today_again_when_it_returns(
    app, proxy, db_url
):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office])
    case_id = make_case(office)
    at = sign_in(app().run(), "nina", PASSWORD)
    assert [t.value for t in at.title] == ["Today"]
    assert proxy.connections >= 1  # the app's pooled connections run through the proxy

    proxy.cut()
    away = [timed_run(at), timed_run(at)]  # a click, then another: still away, still said

    assert_only_database_unavailable(at)
    assert proxy.refused >= 1
    assert max(away) < PROMPT

    proxy.restore()
    back = timed_run(at)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Today"]
    assert "Nina" in at.markdown[0].value  # still signed in: the same tab, the same user
    code = case_in_database(db_url, case_id).code
    (cases,) = [df.value for df in at.dataframe if "Case" in df.value.columns]  # today's cases
    assert code in list(cases["Case"])
    assert back < PROMPT
    print(f"\ndatabase away: reruns {away[0]:.2f} s, {away[1]:.2f} s; back: {back:.2f} s")


def test_a_cancel_sent_while_the_database_is_away_is_refused_kept_and_saved_once_it_is_back(
    app, proxy, db_url
):
    office = make_office("AA")
    make_user("cora", Role.COORDINATOR, [office])
    case_id = make_case(office)  # today
    at = sign_in(app().run(), "cora", PASSWORD)
    at._page_hash = calc_hash(Screen.SCHEDULE.value)  # open the schedule by its url path
    at.run()
    at.selectbox(key="sched_case").set_value(case_id).run()
    at.selectbox(key="sched_cancel_reason").set_value(CancelReason.OTHER)
    at.text_area(key="sched_cancel_note").input(NOTE)

    proxy.cut()
    at.button(key="sched_cancel").click()
    at.run()

    assert_only_database_unavailable(at)
    assert case_in_database(db_url, case_id).status == CaseStatus.SCHEDULED

    proxy.restore()
    at.run()

    # The form is back as the user left it, with why the last attempt did not go through.
    assert not at.exception
    assert at.selectbox(key="sched_case").value == case_id
    assert at.selectbox(key="sched_cancel_reason").value == CancelReason.OTHER
    assert at.text_area(key="sched_cancel_note").value == NOTE
    assert [e.value for e in at.error] == [messages.DATABASE_UNAVAILABLE]
    assert case_in_database(db_url, case_id).status == CaseStatus.SCHEDULED

    at.button(key="sched_cancel").click()
    at.run()

    assert not at.exception and not at.error
    case = case_in_database(db_url, case_id)
    assert (case.status, case.cancellation_reason, case.cancellation_note) == (
        CaseStatus.CANCELLED,
        CancelReason.OTHER,
        NOTE,
    )
    assert [s.value for s in at.success] == [
        messages.SCHED_CANCELLED.format(code=case.code, reason=CancelReason.OTHER.label)
    ]
    with read_session(db_url) as s:
        cancelled = s.scalars(
            select(AuditEvent.actor_name).where(
                AuditEvent.action == "case.cancelled", AuditEvent.entity_id == case_id
            )
        )
        assert list(cancelled) == ["cora"]  # saved once, by the second click only
