"""The web server: the Streamlit app (dashboard.py) plus two small session routes.

    .venv/bin/uvicorn serve:app --host 127.0.0.1 --port 8501      (what `make run` does)

/session/adopt  trades a fresh sign-in's one-time ticket for the session cookie: HttpOnly (no
                script can read it), SameSite=Strict (no other site can send it), Path=/,
                Secure when served over HTTPS. Then back to the page the user was on.
/session/end    drops the cookie after sign-out (the session itself already ended on the
                server, so an old copy of the cookie opens nothing); after a single sign-on
                session it goes on to Streamlit's /auth/logout, which ends that sign-on too.

Single sign-on (optional): an [auth] section in .streamlit/secrets.toml, or in the TOML file
named by MILD_SECRETS_FILE, turns on st.login (OIDC); see README.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit import config as st_config
from streamlit.runtime.pages_manager import PagesManager

from mild.sessions import COOKIE_NAME, safe_next
from services import sessions

ROOT = Path(__file__).resolve().parent
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return (
        request.url.scheme == "https"
        or forwarded == "https"
        or os.environ.get("MILD_COOKIE_SECURE") == "1"
    )


def adopt(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("next")), 303, NO_STORE)
    try:
        token = sessions.adopt(request.query_params.get("ticket", ""))
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


# pages/ holds the screen modules dashboard.py hands to st.navigation, not Streamlit's old
# "pages directory" scripts. Streamlit guesses the old mode from the folder's name until the
# first run calls st.navigation, so a fresh server's first request for a page address (say a
# bookmarked /audit) would run pages/audit.py bare: a page list and a blank screen. Say so now.
PagesManager.uses_pages_directory = False

SECRETS_FILE = os.environ.get("MILD_SECRETS_FILE", "").strip()
if SECRETS_FILE:  # before the app reads its configuration
    st_config.set_option("secrets.files", [SECRETS_FILE])

app = st.App(
    ROOT / "dashboard.py",
    routes=[Route("/session/adopt", adopt), Route("/session/end", end)],
)
