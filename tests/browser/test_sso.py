"""Optional single sign-on (OIDC through st.login), offline against a local mock provider
(tests/support/mock_oidc.py): the button goes to the provider and back, the staff user with
that email address is signed in with the role from our user table, sign-out ends both."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mild import messages
from mild.sessions import COOKIE_NAME
from tests.browser.conftest import (
    ROOT,
    AppServer,
    _free_port,
    _healthy,
    _python,
    _stop,
    _tail,
    open_app,
    wait_for_app_idle,
)

NURSE_EMAIL = "demo.nurse@example.test"


def _wait_for(url_ok, proc: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if url_ok():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"{what} did not start:\n{_tail(log)}", pytrace=False)


@pytest.fixture(scope="module")
def sso_server(app_server: AppServer, tmp_path_factory) -> Iterator[str]:
    """The app with an [auth] section pointing at a mock provider, on the demo database."""
    tmp = tmp_path_factory.mktemp("sso")
    with sqlite3.connect(app_server.database) as db:
        db.execute("UPDATE staff_user SET email = ? WHERE username = 'nurse'", (NURSE_EMAIL,))
    idp_port, app_port = _free_port(), _free_port()
    idp_log, app_log = tmp / "idp.log", tmp / "app.log"
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef0123456789"\n'
        'client_id = "mild-test-client"\n'
        'client_secret = "mild-test-secret"\n'
        f'server_metadata_url = "http://127.0.0.1:{idp_port}/.well-known/openid-configuration"\n'
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{app_server.database}",
        "MILD_SECRETS_FILE": str(secrets),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    with idp_log.open("ab") as out:
        idp = subprocess.Popen(
            [_python(), "-m", "tests.support.mock_oidc", "--port", str(idp_port),
             "--email", NURSE_EMAIL],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    with app_log.open("ab") as out:
        app = subprocess.Popen(
            [_python(), "-m", "uvicorn", "serve:app", "--no-access-log", "--host", "127.0.0.1",
             "--port", str(app_port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        _wait_for(lambda: _healthy(app_port), app, app_log, "The app server")
        _wait_for(lambda: _port_open(idp_port), idp, idp_log, "The mock OIDC provider")
        yield f"http://127.0.0.1:{app_port}"
    finally:
        _stop(app)
        _stop(idp)
        with sqlite3.connect(app_server.database) as db:
            db.execute("UPDATE staff_user SET email = NULL WHERE username = 'nurse'")
    assert "Traceback" not in app_log.read_text(errors="replace"), _tail(app_log)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_single_sign_on_signs_in_the_staff_user_with_that_email_and_sign_out_ends_both(
    page: Page, sso_server: str
):
    open_app(page, sso_server)
    page.get_by_role("button", name=messages.SSO_BUTTON).click()

    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    wait_for_app_idle(page)
    expect(page.get_by_text("Demo Nurse", exact=False).first).to_be_visible()
    names = {c["name"] for c in page.context.cookies()}
    assert {COOKIE_NAME, "_streamlit_user"} <= names
    page.reload()
    wait_for_app_idle(page)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("button", name=messages.SSO_BUTTON)).to_be_visible()
    wait_for_app_idle(page)
    names = {c["name"] for c in page.context.cookies()}
    assert not names & {COOKIE_NAME, "_streamlit_user"}
