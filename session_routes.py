"""The two session routes serve.py mounts beside the Streamlit app (see serve.py).

Plain Starlette handlers, kept apart from serve.py so tests can call them without starting
a Streamlit server.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from mild.sessions import COOKIE_NAME, safe_next
from services import sessions

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return (
        request.url.scheme == "https"
        or forwarded == "https"
        or os.environ.get("MILD_COOKIE_SECURE") == "1"
    )


def _client_address(request: Request) -> str | None:
    """The browser's address as the server saw it. Behind a proxy that is uvicorn's doing:
    it trusts X-Forwarded-For only from the addresses in --forwarded-allow-ips (by default
    127.0.0.1 and ::1: the `make cluster` nginx), and the app reads the header nowhere else,
    so a browser elsewhere cannot name an address of its choosing."""
    return request.client.host if request.client else None


def adopt(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("next")), 303, NO_STORE)
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        # Only the app's own page sends the browser here; a link from elsewhere (another
        # site, an e-mail, a pasted URL) must not plant someone's session in this browser.
        return response
    try:
        token = sessions.adopt(
            request.query_params.get("ticket", ""), client_address=_client_address(request)
        )
    except Exception:  # the database failing: the page itself will say so
        token = None
    if token:
        response.set_cookie(
            COOKIE_NAME,
            token,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )
    return response


def end(request: Request) -> RedirectResponse:
    after = "/auth/logout" if request.query_params.get("sso") == "1" else "/"
    response = RedirectResponse(after, 303, NO_STORE)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [Route("/session/adopt", adopt), Route("/session/end", end)]
