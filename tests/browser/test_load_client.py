"""The load bench's protocol client (scripts/bench_load.py, issue 12) against a real server:
two nurses sign in through the form over Streamlit's websocket protocol, open a case each and
press five times (the four plain arrival steps ticked, then one un-ticked with a reason); every
press is acknowledged and stored once. Keeps the client from rotting as Streamlit's protocol
or the checklist's widgets change."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from scripts.bench_load import check_stored, make_cases, run_level
from tests.browser.conftest import ROOT, TEST_PASSWORD, _python, _start_server, _stop


@pytest.fixture(scope="module")
def small_server():
    """A one-office demo of its own (cases are added to it), served as `make run` serves."""
    tmp = Path(tempfile.mkdtemp(prefix="mild-load-"))
    url = f"sqlite:///{tmp / 'demo.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEMO_PASSWORD": TEST_PASSWORD,
        "MILD_NOTIFY_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [_python(), "manage.py", "seed", "--offices", "1", "--years", "0.02"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = tmp / "server.log"
    proc, port = _start_server(env, log)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)  # the cases are made and checked here, in-process
        yield f"http://127.0.0.1:{port}", log
    _stop(proc)


def test_two_nurses_tick_and_untick_over_the_protocol_and_each_tick_is_stored_once(small_server):
    url, log = small_server
    slots = make_cases(2)
    assert len({s.username for s in slots}) == 2  # the office's two nurses, a case each

    level = asyncio.run(run_level(url, slots, presses=5, think=0, password=TEST_PASSWORD))

    assert level.errors == []
    assert len(level.acked) == 10
    stored = check_stored(level.outcomes)
    assert stored.exactly_once and stored.rows == 10, stored
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
