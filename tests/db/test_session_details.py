"""What tells sessions apart on the admin's list, on both backends: the address the cookie
route saw (behind a trusted proxy, the forwarded one; from anywhere else, never a header's
word), how the session was signed in, and the viewer's own office's time zone."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from uvicorn import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from db.queries.admin import open_sessions, viewer_timezone
from mild.account import BY_PASSWORD, BY_SSO
from mild.staff import Role
from services import sessions
from services.auth import sign_in
from session_routes import ROUTES
from tests.builders import PASSWORD, make_office, make_user
from tests.support.event_loop import run_coroutine


@pytest.fixture
def nina(db_url):
    make_user("nina", Role.NURSE, [make_office("AA")])
    return sign_in("nina", PASSWORD)


def adopt_from(peer: str, ticket: str, **headers: str) -> int:
    """The cookie route as uvicorn serves it (its proxy-header middleware, with the addresses it
    trusts by default), called by a client at `peer`."""
    app = Starlette(routes=ROUTES)
    served = ProxyHeadersMiddleware(app, trusted_hosts=Config(app).forwarded_allow_ips)
    transport = httpx.ASGITransport(app=served, client=(peer, 51000))

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://mild.test") as client:
            return await client.get(
                "/session/adopt",
                params={"ticket": ticket},
                headers={"Sec-Fetch-Site": "same-origin", **headers},
            )

    return run_coroutine(get()).status_code


def addresses() -> list[str | None]:
    return [s.client_address for s in open_sessions()]


def test_a_tablet_reaching_the_app_directly_is_listed_at_its_own_address(nina):
    ticket = sessions.start(nina).ticket
    assert adopt_from("192.0.2.17", ticket) == 303
    assert addresses() == ["192.0.2.17"]


def test_behind_the_local_proxy_the_browsers_forwarded_address_is_listed(nina):
    ticket = sessions.start(nina).ticket
    adopt_from("127.0.0.1", ticket, **{"X-Forwarded-For": "198.51.100.23"})
    assert addresses() == ["198.51.100.23"]


def test_a_browser_elsewhere_cannot_name_its_own_address_in_a_header(nina):
    ticket = sessions.start(nina).ticket
    adopt_from("192.0.2.17", ticket, **{"X-Forwarded-For": "10.9.9.9"})
    assert addresses() == ["192.0.2.17"]


def test_a_session_records_how_it_was_signed_in_and_its_browser(nina):
    sessions.start(nina, user_agent="Mozilla/5.0 (iPad)")
    sessions.start(nina, via=BY_SSO)
    assert [(s.signed_in_via, s.user_agent) for s in open_sessions()] == [
        (BY_PASSWORD, "Mozilla/5.0 (iPad)"),
        (BY_SSO, None),
    ]


def test_times_are_read_in_the_viewers_own_office_zone_else_the_practices(db_url):
    make_office("NY", "America/New_York")
    denver = make_office("DV", "America/Denver")
    dora = make_user("dora", Role.ADMIN, [denver])
    root = make_user("root", Role.ADMIN, [])
    assert viewer_timezone(dora.id) == "America/Denver"
    assert viewer_timezone(root.id) == "America/New_York"  # the first office's
