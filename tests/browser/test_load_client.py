"""The load bench's protocol client (scripts/bench_load.py, issue 12) against a real server:
two nurses sign in through the form over Streamlit's websocket protocol, open a case each and
press five times (the four plain arrival steps ticked, then one un-ticked with a reason); every
press is acknowledged and stored once. Keeps the client from rotting as Streamlit's protocol
or the checklist's widgets change."""

from __future__ import annotations

import pytest

from scripts.bench_load import check_stored, make_cases, run_level
from tests.browser.conftest import TEST_PASSWORD

# A demo of its own, served with the idle watch every second (the race test's): the cases
# added here stay out of the session's shared demo.
from tests.browser.test_fragment_race import ticking_server  # noqa: F401
from tests.support.event_loop import run_coroutine


def test_two_nurses_tick_and_untick_over_the_protocol_each_stored_once(
    ticking_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
):
    url, log, database, _ = ticking_server
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")  # cases made and read here
    slots = make_cases(2)
    assert len({s.username for s in slots}) == 2

    level = run_coroutine(run_level(url, slots, presses=5, think=0, password=TEST_PASSWORD))

    assert level.errors == []
    assert len(level.acked) == 10
    stored = check_stored(level.outcomes)
    assert stored.exactly_once and stored.rows == 10, stored
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
