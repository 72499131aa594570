"""A browser tab without the browser: Streamlit's own websocket protocol, spoken from asyncio.

The frontend and the server talk over one websocket at /_stcore/stream, in protobufs: the
browser sends `BackMsg`s (a `rerun_script` carrying a `ClientState`: the page asked for, the
browser's context and the value of every widget on screen, a pressed button as a one-off
trigger), the server answers each run with `ForwardMsg`s (`new_session` when a run starts,
one `delta` per element drawn, `script_finished` when it is over). A tab here does the same,
so one process can hold sixty of them for little CPU: no DOM, no JavaScript, no layout.

    tab = Tab("http://127.0.0.1:8501", cookie="mild_session=...")
    page = await tab.open("/checklist")
    tab.fill(page.widget("signin_username").id, "nurse")
    page = await tab.rerun(press=page.button("Sign in").id)

What the frontend does and this does too: the first websocket subprotocol is "streamlit" (the
second would carry an XSRF token and the third a session id to resume; a new tab sends
neither); the first run names the page by its URL path (`page_name`), later runs by the hash
the server sent back in `navigation` (st.navigation's pick); a widget drawn inside an
st.fragment reruns that fragment only (`fragment_id`), the rest of the page kept; values of
widgets no longer drawn are dropped; a value the script set (a cleared text box) replaces the
one typed. What it leaves out: timed fragment reruns (`auto_rerun`), heartbeats,
cached-message hashes (every element comes in full), file uploads.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import user_key_from_element_id
from websockets.asyncio.client import ClientConnection, connect

STREAM_PATH = "/_stcore/stream"
RUN_TIMEOUT_S = 60.0


class RunFailed(RuntimeError):
    """The script run did not end as a page: a compile error, or no answer in time."""


@dataclass
class Page:
    """What the tab shows after a run: its elements by delta path (each with the st.fragment
    it was drawn in), and what the run asked of the tab."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    fragments: dict[tuple[int, ...], str] = field(default_factory=dict)  # path -> st.fragment
    redirect: str | None = None  # an `auth_redirect`: the tab would go to this address
    seconds: float = 0.0  # from sending the BackMsg to `script_finished`
    sent_bytes: int = 0  # what the run sent the tab (every ForwardMsg, serialized)
    blocks: int = 0  # containers, columns, expanders, tabs and forms the run drew
    # Every delta the run sent, by kind ("button", "block:flex_container"): for a fragment's run
    # only its own, where `elements` is the whole page shown after it.
    sent: Counter[str] = field(default_factory=Counter)

    def add(self, message: ForwardMsg) -> None:
        path = tuple(message.metadata.delta_path)
        self.elements[path] = message.delta.new_element
        self.fragments[path] = message.delta.fragment_id

    def kept_beside(self, drawn: Page, fragment_ids: set[str]) -> Page:
        """This page after a run of `fragment_ids` drew `drawn`: the fragments' old elements
        gone (as the frontend clears them), the rest kept."""
        kept = Page()
        for path, element in self.elements.items():
            if self.fragments[path] not in fragment_ids and path not in drawn.elements:
                kept.elements[path], kept.fragments[path] = element, self.fragments[path]
        kept.elements.update(drawn.elements)
        kept.fragments.update(drawn.fragments)
        return kept

    def fragment_of(self, widget_id: str) -> str:
        """The st.fragment a widget was drawn in ("" for none): its press reruns only that."""
        for path, element in self.elements.items():
            kind = element.WhichOneof("type")
            if kind and getattr(getattr(element, kind), "id", None) == widget_id:
                return self.fragments[path]
        return ""

    def widgets(self) -> Iterator[tuple[str, object]]:
        """(kind, proto) of every element that is a widget (it has an id)."""
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            proto = getattr(element, kind) if kind else None
            if proto is not None and getattr(proto, "id", ""):
                yield kind, proto

    def keys(self, prefix: str = "") -> list[str]:
        """The user keys of the widgets drawn, those starting with `prefix`."""
        found = (user_key_from_element_id(w.id) for _, w in self.widgets())
        return [k for k in found if k and k.startswith(prefix)]

    def widget(self, key: str, kind: str | None = None):
        """The widget drawn with user key `key` (and of `kind`, "button" say), or None."""
        for found, proto in self.widgets():
            if user_key_from_element_id(proto.id) == key and kind in (None, found):
                return proto
        return None

    def labelled(self, kind: str, label: str):
        """The first widget of `kind` ("button", "text_input", "selectbox") with this label."""
        for found, proto in self.widgets():
            if found == kind and proto.label == label:
                return proto
        raise LookupError(f"no {kind} labelled {label!r} on the page")

    def button(self, label: str):
        return self.labelled("button", label)

    def alerts(self) -> list[str]:
        """The text of every error or warning box and exception drawn."""
        found = []
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            if kind == "alert" and element.alert.format in (1, 2):  # ERROR, WARNING
                found.append(element.alert.body)
            elif kind == "exception":
                found.append(f"{element.exception.type}: {element.exception.message}")
        return found

    def texts(self) -> list[str]:
        """Markdown, text and heading bodies, in delta order (for assertions and debugging)."""
        found = []
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            if kind in ("markdown", "text", "heading"):
                found.append(getattr(element, kind).body)
        return found


class Tab:
    """One browser tab on the app: a websocket, the widget values it holds, the page it shows.

    Not safe to share between tasks: each simulated user holds her own."""

    def __init__(self, base_url: str, *, cookie: str | None = None, timezone: str = "UTC"):
        self.base_url = base_url.rstrip("/")
        self.cookie = cookie
        self.timezone = timezone
        self._ws: ClientConnection | None = None
        self._values: dict[str, WidgetState] = {}  # widget id -> the value the tab holds
        self._page_hash = ""
        self._path = "/"
        self.page = Page()

    async def open(self, path: str = "/") -> Page:
        """Connect (as a page load does) and run the page at `path`."""
        split = urlsplit(self.base_url)
        scheme = "wss" if split.scheme == "https" else "ws"
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self._ws = await connect(
            f"{scheme}://{split.netloc}{split.path}{STREAM_PATH}",
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=RUN_TIMEOUT_S,
        )
        self._path = "/" + path.lstrip("/")
        self._values.clear()
        self._page_hash = ""
        return await self.rerun()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    def fill(self, widget_id: str, text: str) -> None:
        """Type into a text box (or pick a selectbox option by its label): sent with the next
        run, as the browser sends a typed value with the run it starts."""
        self._values[widget_id] = WidgetState(id=widget_id, string_value=text)

    async def go(self, path: str) -> Page:
        """Another screen of the app in the same tab, as a click in the navigation: the run
        names the page by its path, the widget values of the screen left are dropped."""
        self._path = "/" + path.lstrip("/")
        self._values.clear()
        self._page_hash = ""
        self.page = Page()
        return await self.rerun()

    async def rerun(self, *, press: str | None = None, by: str | None = None) -> Page:
        """Start a run with the values held (and, with `press`, that button pressed); wait for
        it to end; the page shown after it. The widget that starts the run (`press`, or `by`
        for a value changed) decides its scope, as in the browser: a widget drawn inside an
        st.fragment reruns that fragment only."""
        state = ClientState(
            query_string="",
            page_script_hash=self._page_hash,
            # The first run names the page by its path, as a page load does.
            page_name="" if self._page_hash else self._path.strip("/"),
            fragment_id=self.page.fragment_of(press or by) if press or by else "",
        )
        state.context_info.timezone = self.timezone
        state.context_info.locale = "en-US"
        state.context_info.url = self.base_url + self._path
        state.widget_states.widgets.extend(self._values.values())
        if press is not None:
            state.widget_states.widgets.append(WidgetState(id=press, trigger_value=True))
        message = BackMsg()
        message.rerun_script.CopyFrom(state)
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        async with asyncio.timeout(RUN_TIMEOUT_S):
            page = await self._read_run()
        page.seconds = time.perf_counter() - started
        self._keep_values_of(page)
        self.page = page
        return page

    async def _read_run(self) -> Page:
        """ForwardMsgs until a run ends as a page (one cut short for a rerun goes on: the
        st.rerun() it called starts the next)."""
        page, fragment_ids = Page(), set()
        redirect, sent_bytes, kinds = None, 0, Counter[str]()
        while True:
            message = ForwardMsg()
            raw = await self._ws.recv()
            sent_bytes += len(raw)
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "new_session":  # a run starts: of the whole page, or of fragments
                page, fragment_ids = Page(), set(message.metadata.run.fragment_ids)
                kinds = Counter[str]()  # what a run cut short for a rerun drew is not shown
            elif kind == "navigation":  # st.navigation picked the page: later runs name it
                self._page_hash = message.navigation.page_script_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                page.add(message)
                kinds[message.delta.new_element.WhichOneof("type") or "?"] += 1
            elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
                kinds["block:" + (message.delta.add_block.WhichOneof("type") or "?")] += 1
            elif kind == "auth_redirect":
                redirect = message.auth_redirect.url
            elif kind == "page_not_found":
                raise RunFailed(f"page not found: {self._path}")
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RunFailed("the script failed to compile")
                if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    page = self.page.kept_beside(page, fragment_ids)
                if status in (
                    ForwardMsg.FINISHED_SUCCESSFULLY,
                    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                ):
                    page.redirect, page.sent_bytes, page.sent = redirect, sent_bytes, kinds
                    page.blocks = sum(n for k, n in kinds.items() if k.startswith("block:"))
                    return page

    def _keep_values_of(self, page: Page) -> None:
        """As the frontend: values of widgets gone from the page are dropped; a text box the
        script set (st.session_state) shows, and from now on sends, the script's value."""
        drawn = {w.id: (kind, w) for kind, w in page.widgets()}
        for widget_id in [i for i in self._values if i not in drawn]:
            del self._values[widget_id]
        for kind, widget in drawn.values():
            if kind in ("text_input", "text_area") and widget.set_value:
                self._values[widget.id] = WidgetState(id=widget.id, string_value=widget.value)
