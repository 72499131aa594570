"""A server just started, whose first request is a bookmarked screen address: the sign-in
form, not Streamlit's old pages-directory mode running pages/<screen>.py bare (a page list
and a blank screen). The shared app_server has served other tests first, so this one starts
its own server on the same demo database."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, _start_server, _stop, _tail, open_app


@pytest.fixture
def fresh_server(app_server: AppServer, tmp_path) -> Iterator[str]:
    log = tmp_path / "fresh.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{app_server.database}",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    proc, port = _start_server(env, log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)
    assert "Traceback" not in log.read_text(errors="replace"), _tail(log)


def test_the_first_request_to_a_new_server_for_a_screen_address_shows_the_sign_in_form(
    page: Page, fresh_server: str
):
    open_app(page, f"{fresh_server}/audit")

    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
