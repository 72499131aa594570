"""Running a coroutine from a test, wherever the suite is: Playwright's sync API (the browser
tests, in the same process) keeps an event loop running in the main thread, and asyncio.run
refuses to start a second one there; a thread of its own has none."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
