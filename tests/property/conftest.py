"""Fixtures for the property tests: a per-backend example budget with a count of inputs run,
and a cheap password hasher so sign-in and account tests try many inputs quickly.

Each test takes `db_url` (both backends, from tests/conftest.py) and runs a Hypothesis search
defined inside it, so the search itself uses no function-scoped fixture. SQLite gets the large
budget; PostgreSQL a smaller one that still covers the text-storage cases (NUL, surrogates,
lengths against varchar columns). Every example run is counted; the counts are printed at the
end of the session and each test checks it ran at least its budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from tests.property.hostile import OUTCOMES

# nodeid -> (inputs run, service calls accepted, service calls refused)
_COUNTS: dict[str, tuple[int, int, int]] = {}


@dataclass
class Examples:
    """The example budget for this test's backend, and how many inputs actually ran."""

    backend: str
    budget: int = 0
    run: int = 0

    def settings(self, *, sqlite: int, postgresql: int) -> settings:
        self.budget = sqlite if self.backend == "sqlite" else postgresql
        return settings(
            max_examples=self.budget,
            deadline=None,
            derandomize=True,  # the same inputs every run: the count reported is exact
            database=None,  # no .hypothesis/ folder in the repository
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )

    def tick(self) -> None:
        self.run += 1


@pytest.fixture
def examples(request, db_url) -> Iterator[Examples]:
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    counter = Examples(backend)
    before = dict(OUTCOMES)
    yield counter
    _COUNTS[request.node.nodeid] = (
        counter.run,
        OUTCOMES["accepted"] - before["accepted"],
        OUTCOMES["refused"] - before["refused"],
    )
    if getattr(request.node, "rep_call_passed", False):
        assert counter.run >= counter.budget, (
            f"only {counter.run} inputs ran of a budget of {counter.budget}"
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call_passed = report.passed
    return report


@pytest.fixture
def cheap_hashing(monkeypatch) -> None:
    """argon2 with the smallest cost: the rules under test are the same, each hash ~1 ms.

    Verification cost follows the parameters inside a hash, so the dummy hash an unknown
    username is checked against is replaced too.
    """
    from services import auth

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("not-a-real-password"))


def pytest_terminal_summary(terminalreporter) -> None:
    if not _COUNTS:
        return
    terminalreporter.section("hostile inputs run (property tests)")
    terminalreporter.write_line(" inputs  accepted  refused  test")
    totals: dict[str, int] = {}
    for nodeid, (count, accepted, refused) in sorted(_COUNTS.items()):
        terminalreporter.write_line(f"{count:7d}  {accepted:8d}  {refused:7d}  {nodeid}")
        backend = "postgresql" if "[postgresql" in nodeid else "sqlite"
        totals[backend] = totals.get(backend, 0) + count
    for backend, count in sorted(totals.items()):
        terminalreporter.write_line(f"{count:7d}  total on {backend}")
    terminalreporter.write_line(f"{sum(totals.values()):7d}  total")
