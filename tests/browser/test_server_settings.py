"""The server's documented settings take effect under `uvicorn serve:app` (issue 12): uvicorn's
--no-access-log leaves no request line, the access log (when on) never holds a query string
(the one-time sign-in ticket), and STREAMLIT_* variables are read as `streamlit run` reads
them."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from server_config import SettingError, streamlit_env_options, without_query
from tests.browser.conftest import ROOT, _python, _start_server, _stop

TICKET = "TICKET-abc123-secret"


def serve_and_log(tmp: Path, options: tuple[str, ...], **env: str) -> str:
    """Start the server with `options` and `env`, ask for a sign-in ticket's address and the
    health check, stop it; its whole log."""
    log = tmp / "server.log"
    full_env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'empty.db'}",
        "MILD_NOTIFY_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    proc, port = _start_server(full_env, log, options)
    try:
        for path in (f"/session/adopt?ticket={TICKET}", "/_stcore/health"):
            # The ticket's redirect goes on to the app: only the log line matters here.
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read()
    finally:
        _stop(proc)
    return log.read_text(errors="replace")


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory(prefix="mild-settings-") as name:
        yield Path(name)


def test_no_access_log_means_no_request_line_and_no_ticket_in_the_log(tmp):
    log = serve_and_log(tmp, ("--no-access-log",))

    assert "GET /" not in log
    assert TICKET not in log


def test_with_the_access_log_on_each_request_is_logged_without_its_query_string(tmp):
    log = serve_and_log(tmp, ())

    assert '"GET /session/adopt?[query] HTTP/1.1" 303' in log
    assert '"GET /_stcore/health HTTP/1.1" 200' in log
    assert TICKET not in log


def test_streamlit_variables_reach_the_server_as_streamlit_run_reads_them(tmp):
    """STREAMLIT_LOGGER_LEVEL=debug shows in the running server's log; the other options are
    read back from Streamlit's configuration after serve.py (what uvicorn imports) set it up."""
    debug_line = "Runtime state: RuntimeState.INITIAL"  # Streamlit logs it at debug level
    assert debug_line not in serve_and_log(tmp, ("--no-access-log",))
    assert debug_line in serve_and_log(tmp, ("--no-access-log",), STREAMLIT_LOGGER_LEVEL="debug")

    script = (
        "import serve\n"
        "from streamlit import config\n"
        "print(config.get_option('runner.postScriptGC'),"
        " config.get_option('runner.fastReruns'),"
        " config.get_option('client.toolbarMode'),"
        " config.get_option('client.showErrorDetails'))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'empty.db'}",
        "MILD_NOTIFY_SECONDS": "0",
        # Each against what config.toml says (false, false, viewer), so only the variable
        # can make it so.
        "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true",
        "STREAMLIT_RUNNER_FAST_RERUNS": "true",
        "STREAMLIT_CLIENT_TOOLBAR_MODE": "minimal",
        "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "",  # set but empty: unset
    }
    shown = subprocess.run(
        [_python(), "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    # The variables win over config.toml; what none names stays as the file says ("none").
    assert shown.stdout.split() == ["True", "True", "minimal", "none"]
    assert "Streamlit options from the environment: client.toolbarMode" in shown.stderr


def test_a_streamlit_variable_with_a_value_its_option_cannot_take_is_refused_by_name():
    assert streamlit_env_options({"STREAMLIT_RUNNER_POST_SCRIPT_GC": "no"}) == {
        "runner.postScriptGC": False
    }
    with pytest.raises(SettingError, match="STREAMLIT_SERVER_MAX_UPLOAD_SIZE"):
        streamlit_env_options({"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "lots"})


def test_a_query_string_never_reaches_a_log_line():
    assert without_query("/session/adopt?ticket=x") == "/session/adopt?[query]"
    assert without_query("/oauth2callback?code=1&state=2") == "/oauth2callback?[query]"
    assert without_query("/_stcore/health") == "/_stcore/health"
