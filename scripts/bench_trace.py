"""Where the browser's time goes between a click and its result (issue 12): a Chrome trace of
the page's main thread, cut to the two moments the page marked (`performance.mark`, as
scripts/bench_browser.py's in-page timing does), each trace event's own time (its duration less
its children's) summed by what the browser was doing:

- script: JavaScript (Streamlit's frontend: React applying each delta, its styled components);
- style: working out each element's style after the DOM changed;
- layout: positions and sizes (also when a script asks for a size and forces it);
- paint: painting and handing layers to the compositor;
- gc: the JavaScript heap's garbage collection;
- other: the rest of the main thread's tasks (message handling, timers' own cost);
- waiting: the main thread idle inside the window: the server's run, the network, and the
  compositor's and rasterizer's work on their own threads.

Used by `make bench` (scripts/bench_browser.py) on a few checklist ticks, untimed (tracing
slows the page); a benchmark, never part of `make test`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

# What to record: the main thread's tasks and the page's marks.
CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"]
CLICK_MARK, DONE_MARK = "bench-click", "bench-done"
KINDS = ("script", "style", "layout", "paint", "gc", "other", "waiting")

_BY_NAME = {
    "style": {"UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet"},
    "layout": {"Layout", "UpdateLayerTree", "IntersectionObserverController::computeIntersections"},
    "paint": {"Paint", "PrePaint", "Layerize", "Commit", "PaintImage", "UpdateLayer"},
    "gc": {"MinorGC", "MajorGC", "BlinkGC.AtomicPhase", "ThreadState::performIdleLazySweep"},
    "script": {
        "FunctionCall",
        "EvaluateScript",
        "RunMicrotasks",
        "TimerFire",
        "EventDispatch",
        "FireAnimationFrame",
        "FireIdleCallback",
        "v8.compile",
        "v8.run",
        "v8.callFunction",
        "XHRReadyStateChange",
    },
}
KIND_OF = {name: kind for kind, names in _BY_NAME.items() for name in names}


def kind_of(name: str) -> str:
    if name in KIND_OF:
        return KIND_OF[name]
    if name.startswith(("V8.GC", "BlinkGC", "MinorGC", "MajorGC")):
        return "gc"
    if name.startswith(("v8.", "V8.")):
        return "script"
    return "other"


def events_of(trace: Path | str | Mapping | list) -> list[dict]:
    """The events of a trace file or of its parsed JSON (either of Chrome's two layouts)."""
    data = json.loads(Path(trace).read_text()) if isinstance(trace, Path | str) else trace
    return data["traceEvents"] if isinstance(data, Mapping) else data


def breakdown(events: Iterable[dict]) -> Counter[str]:
    """Milliseconds by kind (KINDS) on the main thread between the click and done marks; empty
    when the trace holds no such pair."""
    events = list(events)
    marks = {e["name"]: e for e in events if e.get("name") in (CLICK_MARK, DONE_MARK)}
    if CLICK_MARK not in marks or DONE_MARK not in marks:
        return Counter()
    thread = (marks[CLICK_MARK]["pid"], marks[CLICK_MARK]["tid"])
    start, end = marks[CLICK_MARK]["ts"], marks[DONE_MARK]["ts"]
    # Nested by their whole extent (a parent before its child, even where both are cut to
    # the same stretch of the window), then cut to the window.
    events_on = sorted(
        (
            e
            for e in events
            if e.get("ph") == "X"
            and (e["pid"], e["tid"]) == thread
            and e.get("dur")
            and e["ts"] < end
            and e["ts"] + e["dur"] > start
        ),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    spent: Counter[str] = Counter()
    stack: list[list] = []  # [start, end, name, children's time] of the spans open here
    busy = 0.0

    def close(span: list) -> None:
        own = (span[1] - span[0]) - span[3]
        # A task's own time outside any named event ("RunTask" and the like) is "other".
        spent[kind_of(span[2])] += max(own, 0.0) / 1000

    for e in events_on:
        begin, finish = max(e["ts"], start), min(e["ts"] + e["dur"], end)
        while stack and stack[-1][1] <= begin:
            close(stack.pop())
        if stack:
            finish = min(finish, stack[-1][1])  # a child ends with its parent (rounding)
            stack[-1][3] += finish - begin
        else:
            busy += finish - begin
        stack.append([begin, finish, e["name"], 0.0])
    while stack:
        close(stack.pop())
    spent["waiting"] = max((end - start) - busy, 0.0) / 1000
    return spent


def summary(totals: Counter[str], count: int) -> str:
    """Per click, in milliseconds: "script 120 · style 14 · ... · waiting 40"."""
    return " · ".join(f"{kind} {totals[kind] / count:.0f}" for kind in KINDS)
