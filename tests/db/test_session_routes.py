"""The cookie routes (session_routes.py, mounted by serve.py), called as the browser would."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from mild.sessions import COOKIE_NAME
from mild.staff import Role
from services import sessions
from services.auth import sign_in
from session_routes import adopt, end
from tests.builders import PASSWORD, make_office, make_user


def request(path: str, query: dict[str, str], **headers: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "query_string": urlencode(query).encode(),
            "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
            "server": ("127.0.0.1", 8501),
        }
    )


@pytest.fixture
def ticket(db_url) -> str:
    make_user("nina", Role.NURSE, [make_office("AA")])
    return sessions.start(sign_in("nina", PASSWORD)).ticket


def set_cookie(response) -> str:
    return response.headers.get("set-cookie", "")


def test_the_apps_own_page_trades_the_ticket_for_an_httponly_strict_cookie(ticket):
    response = adopt(
        request(
            "/session/adopt", {"ticket": ticket, "next": "/schedule"}, sec_fetch_site="same-origin"
        )
    )
    assert (response.status_code, response.headers["location"]) == (303, "/schedule")
    cookie = set_cookie(response)
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie and "Path=/" in cookie and "Secure" not in cookie
    assert response.headers["cache-control"] == "no-store"
    token = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.check(token=token).actor.username == "nina"


@pytest.mark.parametrize("site", ["cross-site", "none", "same-site"])
def test_a_link_from_anywhere_else_plants_no_session_and_leaves_the_ticket_unused(ticket, site):
    response = adopt(request("/session/adopt", {"ticket": ticket}, sec_fetch_site=site))
    assert response.status_code == 303 and set_cookie(response) == ""
    assert sessions.adopt(ticket)  # still good for the app's own page


def test_behind_https_the_cookie_is_secure_and_a_foreign_next_goes_home(ticket):
    response = adopt(
        request(
            "/session/adopt",
            {"ticket": ticket, "next": "//evil.example/"},
            x_forwarded_proto="https",
        )
    )
    assert "Secure" in set_cookie(response) and response.headers["location"] == "/"


def test_the_end_route_drops_the_cookie_and_after_single_sign_on_logs_out_of_it_too(db_url):
    plain = end(request("/session/end", {}))
    assert plain.headers["location"] == "/"
    assert f'{COOKIE_NAME}=""' in set_cookie(plain) and "Max-Age=0" in set_cookie(plain)
    assert end(request("/session/end", {"sso": "1"})).headers["location"] == "/auth/logout"
