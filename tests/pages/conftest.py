"""AppTest fixtures for the pages: the app as a signed-out browser tab, sign-in, a navigation spy.

Why a symlink: AppTest resets `PagesManager.uses_pages_directory` before every run and, seeing
the `pages/` folder beside dashboard.py, takes Streamlit's legacy pages-directory path, so after
the first run nothing registered with st.navigation renders. Running dashboard.py through a
symlink in an empty temporary folder gives AppTest no `pages/` folder to find; the app's own
imports (`pages.home`, `ui`, `db`, ...) still resolve because tests/conftest.py puts the
repository root on sys.path.

Page tests run on SQLite unless the backend matters: mark them with `SQLITE_ONLY`; a test that
takes `db_url` unmarked runs on both backends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from db.session import dispose_engines

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = REPO / "dashboard.py"
PAGES_DIR = REPO / "pages"
TIMEOUT = 30

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
POSTGRESQL_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def page_files() -> list[Path]:
    """Every screen module in pages/ (found by glob, so a new page is covered automatically)."""
    return sorted(p for p in PAGES_DIR.glob("*.py") if p.name != "__init__.py")


@pytest.fixture
def app(tmp_path) -> Iterator[Callable[[], AppTest]]:
    """A factory of fresh app sessions (one per call, like a new browser tab), not yet run."""
    link = tmp_path / "entry" / "dashboard.py"
    link.parent.mkdir()
    link.symlink_to(ENTRY_POINT)

    def new_session() -> AppTest:
        return AppTest.from_file(str(link), default_timeout=TIMEOUT)

    yield new_session
    dispose_engines()


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Type into the sign-in form of a session showing it, press "Sign in", and rerun."""
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    (submit,) = [b for b in at.button if b.label == "Sign in"]
    submit.click()
    return at.run()


@dataclass
class NavigationSpy:
    """What the router handed to st.navigation on each run: url paths of the pages, position.

    A default st.Page reports url_path "" once made, so the spy keeps the url_path each page was
    created with.
    """

    calls: list[tuple[list[str | None], str]] = field(default_factory=list)
    _made: list[tuple[object, str | None]] = field(default_factory=list)

    def url_path_of(self, page: object) -> str | None:
        return next(path for made, path in self._made if made is page)

    @property
    def last(self) -> tuple[list[str | None], str]:
        return self.calls[-1]


@pytest.fixture
def navigation(monkeypatch) -> NavigationSpy:
    spy = NavigationSpy()
    real_page, real_navigation = streamlit.Page, streamlit.navigation

    def page(*args, **kwargs):
        made = real_page(*args, **kwargs)
        spy._made.append((made, kwargs.get("url_path")))
        return made

    def navigation(pages, **kwargs):
        listed = (
            [p for section in pages.values() for p in section] if isinstance(pages, dict) else pages
        )
        spy.calls.append(([spy.url_path_of(p) for p in listed], kwargs.get("position", "sidebar")))
        return real_navigation(pages, **kwargs)

    monkeypatch.setattr(streamlit, "Page", page)
    monkeypatch.setattr(streamlit, "navigation", navigation)
    return spy
