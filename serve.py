"""The web server: the Streamlit app (dashboard.py) plus two small session routes.

    .venv/bin/uvicorn serve:app --host 127.0.0.1 --port 8501      (what `make run` does)

/session/adopt  trades a fresh sign-in's one-time ticket for the session cookie: HttpOnly (no
                script can read it), SameSite=Strict (no other site can send it), Path=/,
                Secure when served over HTTPS. Then back to the page the user was on.
/session/end    drops the cookie after sign-out (the session itself already ended on the
                server, so an old copy of the cookie opens nothing); after a single sign-on
                session it goes on to Streamlit's /auth/logout, which ends that sign-on too.

Escalation notifications: a thread of this process sends them (services.notify); see README.

Server settings (server_config.py): uvicorn's --no-access-log holds (no request lines, and
never a query string when they are on), and STREAMLIT_* variables are read as `streamlit run`
reads them.

Single sign-on (optional): an [auth] section in .streamlit/secrets.toml, or in the TOML file
named by MILD_SECRETS_FILE, turns on st.login (OIDC); see README.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

import server_config
from services import notify
from session_routes import ROUTES

ROOT = Path(__file__).resolve().parent
# pages/ holds the screen modules dashboard.py hands to st.navigation, not Streamlit's old
# "pages directory" scripts. Streamlit guesses the old mode from the folder's name until the
# first run calls st.navigation, so a fresh server's first request for a page address (say a
# bookmarked /audit) would run pages/audit.py bare: a page list and a blank screen. Say so now.
PagesManager.uses_pages_directory = False

# uvicorn's --no-access-log, asked before Streamlit's configuration gives its access logger a
# handler of its own; the filter outlives that handler (and keeps query strings out).
server_config.install_access_log(server_config.access_log_wanted())

# STREAMLIT_* variables as `streamlit run` reads them, above config.toml (before the app reads
# its configuration); the secrets file for single sign-on with them.
OPTIONS = server_config.streamlit_env_options(os.environ)
SECRETS_FILE = os.environ.get("MILD_SECRETS_FILE", "").strip()
if SECRETS_FILE:
    OPTIONS["secrets.files"] = [SECRETS_FILE]
server_config.apply_streamlit_options(OPTIONS)

app = st.App(
    ROOT / "dashboard.py",
    routes=ROUTES,
)

# Escalation notifications: this process sends what is due every MILD_NOTIFY_SECONDS (30; 0
# leaves it to cron's manage.py notify). Once per process; two processes never send one twice.
notify.start_background()
