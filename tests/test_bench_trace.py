"""The bench's browser profile (scripts/bench_trace.py): each trace event's own time, cut to the
page's click and done marks, summed by kind; the rest of the window is waiting."""

from __future__ import annotations

from scripts.bench_trace import CLICK_MARK, DONE_MARK, breakdown, summary

MAIN, OTHER_THREAD = (1, 10), (1, 11)


def mark(name: str, ts: int, thread: tuple[int, int] = MAIN) -> dict:
    return {"name": name, "ph": "R", "ts": ts, "pid": thread[0], "tid": thread[1]}


def span(name: str, ts: int, dur: int, thread: tuple[int, int] = MAIN) -> dict:
    return {"name": name, "ph": "X", "ts": ts, "dur": dur, "pid": thread[0], "tid": thread[1]}


def test_nested_events_count_only_their_own_time_by_kind():
    # Microseconds: a task of 60 ms in a 100 ms window: a script of 50 (a forced layout of 10
    # inside it), style 5, and 5 of the task's own.
    events = [
        mark(CLICK_MARK, 0),
        span("RunTask", 10_000, 60_000),
        span("FunctionCall", 10_000, 50_000),
        span("Layout", 30_000, 10_000),
        span("UpdateLayoutTree", 60_000, 5_000),
        mark(DONE_MARK, 100_000),
    ]
    spent = breakdown(events)
    assert spent["script"] == 40
    assert spent["layout"] == 10
    assert spent["style"] == 5
    assert spent["other"] == 5
    assert spent["waiting"] == 40
    assert sum(spent.values()) == 100  # the whole window, click to done


def test_only_the_marked_thread_and_window_count():
    events = [
        mark(CLICK_MARK, 0),
        span("FunctionCall", -20_000, 30_000),  # began before the click: 10 ms of it inside
        span("FunctionCall", 0, 50_000, OTHER_THREAD),  # another thread: not the page's
        span("Paint", 90_000, 20_000),  # runs past done: 10 ms inside
        span("MinorGC", 200_000, 5_000),  # after done
        mark(DONE_MARK, 100_000),
    ]
    spent = breakdown(events)
    assert spent["script"] == 10
    assert spent["paint"] == 10
    assert spent["gc"] == 0
    assert spent["waiting"] == 80


def test_a_trace_without_both_marks_says_nothing():
    assert breakdown([mark(CLICK_MARK, 0), span("FunctionCall", 0, 10)]) == {}


def test_the_summary_is_per_click_in_the_kinds_order():
    spent = breakdown(
        [mark(CLICK_MARK, 0), span("FunctionCall", 0, 20_000), mark(DONE_MARK, 40_000)]
    )
    assert summary(spent + spent, 2) == (
        "script 20 · style 0 · layout 0 · paint 0 · gc 0 · other 0 · waiting 20"
    )


def test_a_parent_and_child_cut_to_the_same_stretch_still_nest():
    # Both began before the click: cut to the same stretch; the child listed first, and ending
    # a microsecond after its parent (rounding).
    events = [
        mark(CLICK_MARK, 0),
        span("FunctionCall", -5_000, 25_001),
        span("RunTask", -10_000, 30_000),
        mark(DONE_MARK, 40_000),
    ]
    spent = breakdown(events)
    assert spent["script"] == 20
    assert spent["other"] == 0
    assert spent["waiting"] == 20
