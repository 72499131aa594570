"""Send the browser to another address on this site, in the same tab.

Streamlit has no public call for this; st.login uses a ForwardMsg (`auth_redirect`) that the
frontend answers with `window.location.href = url`. We use the same message for our own
session routes (serve.py): to trade a sign-in ticket for the HttpOnly cookie, and to drop the
cookie at sign-out. Outside a browser (AppTest, bare mode) there is no one to send it to.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

PENDING_KEY = "ui_redirect_pending"


def browser_to(path: str, *, rerun_follows: bool = False) -> None:
    """Navigate the browser to `path` (a path on this site, with its query).

    A st.rerun() right after this call starts a run that drops the messages not yet sent to
    the browser, so with `rerun_follows` the navigation is only noted and the next run sends
    it (send_pending, first thing). Sent once either way: a second navigation could cut the
    first short before the browser stored the cookie it brought.
    """
    if rerun_follows:
        st.session_state[PENDING_KEY] = path
    else:
        _send(path)


def send_pending() -> None:
    """At the start of every run: the navigation the run before asked for, if any."""
    path = st.session_state.pop(PENDING_KEY, None)
    if path:
        _send(path)


def _send(path: str) -> None:
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = path
    ctx.enqueue(message)


def current_path() -> str:
    """The path of the page the browser shows (e.g. "/checklist"), "/" when unknown."""
    try:
        url = st.context.url
    except Exception:  # bare mode / tests: no request
        return "/"
    return (urlsplit(url).path or "/") if isinstance(url, str) and url else "/"
