"""Pages are safe in pages/: run directly they do nothing; rendered without a user they refuse.

Streamlit auto-discovers pages/ and, right after a server restart, a direct URL runs a page file
without the router's sign-in gate (DESIGN.md, "Pages must be safe in pages/").
"""

from __future__ import annotations

import importlib

import pytest
from streamlit.testing.v1 import AppTest

from mild import messages
from tests.pages.conftest import SQLITE_ONLY, TIMEOUT, page_files

PAGES = page_files()


def test_the_page_glob_finds_the_home_page():
    assert "home.py" in [p.name for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_running_a_page_file_directly_renders_nothing(page, tmp_path, monkeypatch):
    # Were the file to touch the database at import, the engine would create this folder.
    absent = tmp_path / "never-created"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{absent / 'mild.db'}")

    at = AppTest.from_file(str(page.resolve()), default_timeout=TIMEOUT).run()

    assert not at.exception
    assert at.main.children == {}
    assert at.sidebar.children == {}
    assert not absent.exists()


def _render_page(module_name: str) -> None:
    """The AppTest script: import one page module and call its render(), with no router."""
    import importlib

    importlib.import_module(module_name).render()


@SQLITE_ONLY
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_page_rendered_with_no_signed_in_user_shows_only_not_allowed_here(db_url, page):
    module_name = f"pages.{page.stem}"
    assert callable(importlib.import_module(module_name).render)

    at = AppTest.from_function(_render_page, args=(module_name,), default_timeout=TIMEOUT).run()

    assert not at.exception
    assert [e.value for e in at.error] == [messages.NOT_ALLOWED_HERE]
    assert len(at.main.children) == 1
    assert at.sidebar.children == {}
