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

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import streamlit
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import Case
from db.session import dispose_engines, read_session
from mild.cases import CaseStatus
from mild.staff import Role
from services.common import Actor
from tests.builders import make_office, make_user, make_user_session

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


# One screen for a signed-in user (sign-in has its own tests): the AppTest scripts, each a page
# as the router runs it, and the tab that opens one.


def account_page() -> None:
    from pages import account

    account.render()


def admin_page() -> None:
    from pages import admin

    admin.render()


def checklist_page() -> None:
    from pages import checklist

    checklist.render()


def followup_page() -> None:
    from pages import followup

    followup.render()


def intake_page() -> None:
    from pages import intake

    intake.render()


def schedule_page() -> None:
    from pages import schedule

    schedule.render()


def open_tab(page: Callable[[], None], user: Actor, **state) -> AppTest:
    """A new tab on `page` for a signed-in user, with `state` (a picked case, a tab) set in its
    session before the first run."""
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    at.session_state["signed_in_actor"] = user
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


@pytest.fixture
def office(db_url) -> int:
    return make_office("AA")


@pytest.fixture
def root(office) -> Actor:
    """The signed-in admin, in a browser session of their own."""
    actor = make_user("root", Role.ADMIN, [])
    return dataclasses.replace(actor, session_id=make_user_session(actor.id))


# What a user sees on a screen.


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def successes(at: AppTest) -> list[str]:
    return [s.value for s in at.success]


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def missing(at: AppTest) -> list[str]:
    """The items the intake screen's readiness summary lists as missing."""
    box = at.container(key="intake_readiness")
    return [line.removeprefix("• ") for t in box.text for line in t.value.splitlines()]


def container(at: AppTest, key: str):
    """The keyed container of the page, or None when it is not drawn."""
    found = [c for c in at.container if c.key == key]
    return found[0] if found else None


def status_of(case_id: int) -> CaseStatus:
    with read_session() as s:
        return s.scalar(select(Case.status).where(Case.id == case_id))


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
