"""The layer rules of DESIGN.md as tests: imports parsed with ast, calls found in the syntax tree.

pages -> ui, services, db.queries, mild;  services -> db, mild;  db -> mild;
mild -> standard library and pandas.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", ".git", ".ruff_cache", "node_modules", "__pycache__"}


def python_files(*folders: str) -> list[Path]:
    """The .py files under the given top-level folders (or the whole project), never .venv."""
    roots = [ROOT / f for f in folders] if folders else [ROOT]
    return sorted(
        p
        for root in roots
        for p in root.rglob("*.py")
        if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
    )


def app_files() -> list[Path]:
    """Application code: every .py file of the project except the tests."""
    return [p for p in python_files() if p.relative_to(ROOT).parts[0] != "tests"]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, absolute, with each `from x import y` also giving `x.y`."""
    found: set[str] = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                package = path.relative_to(ROOT).parent.parts
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imports_of(path: Path, *forbidden: str) -> list[str]:
    """The imports of `path` that are, or are inside, one of the forbidden modules."""
    return sorted(
        m for m in imported_modules(path) for f in forbidden if m == f or m.startswith(f + ".")
    )


def violations(files: list[Path], *forbidden: str) -> dict[str, list[str]]:
    return {rel(p): bad for p in files if (bad := imports_of(p, *forbidden))}


PAGE_FILES = [p for p in python_files("pages") if p.name != "__init__.py"]


def test_the_guards_see_the_files_they_guard():
    names = {rel(p) for p in app_files()}
    assert {"dashboard.py", "pages/home.py", "ui/auth.py", "services/auth.py"} <= names
    assert "mild/cases.py" in names and "db/session.py" in names
    assert not [n for n in names if n.startswith(".venv/")]
    assert "pages/home.py" in {rel(p) for p in PAGE_FILES}


def test_no_module_in_pages_imports_sqlalchemy():
    assert violations(python_files("pages"), "sqlalchemy") == {}


def test_no_module_in_mild_imports_streamlit_or_sqlalchemy():
    assert violations(python_files("mild"), "streamlit", "sqlalchemy") == {}


def test_no_module_in_services_imports_streamlit():
    assert violations(python_files("services"), "streamlit") == {}


def test_ui_and_pages_do_not_import_db_models_or_db_session():
    files = python_files("ui", "pages")
    assert violations(files, "db.models", "db.session") == {}


def test_pages_reach_the_database_only_through_db_queries():
    def allowed(module: str) -> bool:
        return module in {"db", "db.queries"} or module.startswith("db.queries.")

    bad = {rel(p): [m for m in imports_of(p, "db") if not allowed(m)] for p in PAGE_FILES}
    assert {f: m for f, m in bad.items() if m} == {}


# --- pages do nothing at import ---------------------------------------------------------------


def _is_constant_name(target: ast.expr) -> bool:
    names = [target] if isinstance(target, ast.Name) else getattr(target, "elts", [None])
    return all(
        isinstance(n, ast.Name)
        and (n.id.isupper() or (n.id.startswith("__") and n.id.endswith("__")))
        for n in names
    )


def _evaluated_at_import(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The expressions of a top-level statement that Python evaluates when the module is imported.

    Function bodies and (with `from __future__ import annotations`) annotations are not; decorators,
    default values, base classes and class bodies are.
    """
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        yield from stmt.decorator_list
        yield from stmt.args.defaults
        yield from (d for d in stmt.args.kw_defaults if d is not None)
    elif isinstance(stmt, ast.ClassDef):
        yield from stmt.decorator_list
        yield from stmt.bases
        yield from stmt.keywords
        for inner in stmt.body:
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from _evaluated_at_import(inner)
            else:
                yield inner
    elif isinstance(stmt, ast.Assign | ast.AnnAssign):
        if stmt.value is not None:
            yield stmt.value
    else:
        yield stmt


def _top_level_problems(path: Path) -> list[str]:
    module = parse(path)
    problems = []
    for i, stmt in enumerate(module.body):
        where = f"line {stmt.lineno}"
        docstring = (
            i == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        )
        if docstring or isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        if isinstance(stmt, ast.Assign):
            if not all(_is_constant_name(t) for t in stmt.targets):
                problems.append(f"{where}: assignment to a name that is not a CONSTANT")
        elif isinstance(stmt, ast.AnnAssign):
            if not _is_constant_name(stmt.target):
                problems.append(f"{where}: assignment to a name that is not a CONSTANT")
        elif not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            problems.append(f"{where}: top-level {type(stmt).__name__} statement")
            continue
        for expr in _evaluated_at_import(stmt):
            for node in ast.walk(expr):
                if isinstance(node, ast.Call):
                    problems.append(f"line {node.lineno}: call at import: {ast.unparse(node)}")
                elif isinstance(node, ast.Await | ast.Yield | ast.YieldFrom):
                    problems.append(f"line {node.lineno}: {type(node).__name__} at import")
    return problems


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda p: p.name)
def test_a_page_module_only_imports_and_defines_and_runs_nothing_at_import(page):
    assert _top_level_problems(page) == []


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda p: p.name)
def test_a_page_module_defines_a_render_function(page):
    defined = {
        stmt.name: stmt
        for stmt in parse(page).body
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert "render" in defined
    assert isinstance(defined["render"], ast.FunctionDef)  # st.Page calls it synchronously


def test_the_import_time_guard_catches_what_it_must(tmp_path):
    """The guard itself: each of these would run something when Streamlit imports the page."""
    bad = {
        "call.py": "import streamlit as st\nst.title('x')\n",
        "engine.py": "from db.session import get_engine\nENGINE = get_engine()\n",
        "decorated.py": "import streamlit as st\n@st.cache_data(ttl=60)\ndef render():\n    pass\n",
        "default.py": "def render(rows=list()):\n    pass\n",
        "lowercase.py": "engine = None\n",
        "branch.py": "import os\nif os.environ:\n    pass\n",
        "classbody.py": "class A:\n    X = print('x')\n",
    }
    ok = '"""Doc."""\nfrom __future__ import annotations\nLIMIT = 3\nA, B = 1, 2\n'
    ok += "def render() -> None:\n    print('only when called')\n"
    for name, source in {**bad, "ok.py": ok}.items():
        (tmp_path / name).write_text(source)
    assert [n for n in bad if not _top_level_problems(tmp_path / n)] == []
    assert _top_level_problems(tmp_path / "ok.py") == []


# --- writes commit only in db/, and no raw HTML ---------------------------------------------------


def _calls(path: Path) -> Iterator[ast.Call]:
    yield from (n for n in ast.walk(parse(path)) if isinstance(n, ast.Call))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    return "?"


def test_no_file_outside_db_and_tests_calls_commit():
    outside = [p for p in app_files() if p.relative_to(ROOT).parts[0] != "db"]
    found = {
        f"{rel(p)}:{call.lineno}"
        for p in outside
        for call in _calls(p)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "commit"
    }
    # The text as well, for a commit reached some other way (getattr, a string, a comment).
    found |= {rel(p) for p in outside if ".commit(" in p.read_text(encoding="utf-8")}
    assert found == set()


# Spelled in two pieces so this file does not itself trip the text search of the stop hook.
RAW_HTML_FLAG = "unsafe_allow_html" + "=True"
RAW_HTML_CALL = "st." + "html("


def test_app_code_never_passes_unsafe_allow_html_true():
    found = {
        f"{rel(p)}:{call.lineno}"
        for p in app_files()
        for call in _calls(p)
        for kw in call.keywords
        if kw.arg == "unsafe_allow_html"
        and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
    }
    found |= {rel(p) for p in app_files() if RAW_HTML_FLAG in p.read_text("utf-8")}
    assert found == set()


# The one module that may draw raw HTML: the app's own style sheet and the script that keeps
# icon names from being read aloud (issue 13), each a string constant written there.
STYLE_MODULE = "ui/style.py"


def _st_html_calls(path: Path) -> list[ast.Call]:
    return [
        call
        for call in _calls(path)
        if _dotted(call.func).split(".")[0] in {"st", "streamlit"}
        and _dotted(call.func).endswith(".html")
    ]


def test_no_app_code_but_the_style_module_calls_st_html():
    found = {
        f"{rel(p)}:{call.lineno}: {_dotted(call.func)}"
        for p in app_files()
        if rel(p) != STYLE_MODULE
        for call in _st_html_calls(p)
    }
    found |= {
        f"{rel(p)}: imports {m}"
        for p in app_files()
        for m in imported_modules(p)
        if m in {"streamlit.html", "streamlit.components.v1.html"}
    }
    found |= {
        rel(p)
        for p in app_files()
        if rel(p) != STYLE_MODULE and RAW_HTML_CALL in p.read_text(encoding="utf-8")
    }
    assert found == set()


def test_the_style_module_draws_only_string_constants_it_defines_once():
    """Nothing typed, read or computed at run time can reach raw HTML: each body is a name
    bound once, at module level, to a plain string literal (no f-string, no concatenation)."""
    module = parse(ROOT / STYLE_MODULE)
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(module):
        for target in getattr(node, "targets", []) + [getattr(node, "target", None)]:
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(getattr(node, "value", None))
    calls = _st_html_calls(ROOT / STYLE_MODULE)
    assert calls
    for call in calls:
        (body,) = call.args
        assert isinstance(body, ast.Name), ast.unparse(call)
        (value,) = bound[body.id]
        assert isinstance(value, ast.Constant) and isinstance(value.value, str), body.id
        assert not [k for k in call.keywords if k.arg not in {"unsafe_allow_javascript"}]


# --- audit rows are never updated or deleted ------------------------------------------------------

# SQL written by hand that would change or remove audit rows (any case, any spacing, quoted).
AUDIT_SQL = re.compile(
    r"\b(update\s+\"?audit_event\b|delete\s+from\s+\"?audit_event\b"
    r"|truncate\b[^;\n]*\baudit_event\b|drop\s+table\s+(if\s+exists\s+)?\"?audit_event\b)",
    re.IGNORECASE,
)
# ORM and Core calls that change rows: delete(AuditEvent), update(AuditEvent),
# AuditEvent.__table__.delete(), session.query(AuditEvent).delete(), session.merge(...), ...
CHANGING_CALLS = {"delete", "update", "merge", "bulk_update_mappings", "truncate"}


def _mentions_audit(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == "AuditEvent")
        or (isinstance(n, ast.Attribute) and n.attr == "AuditEvent")
        or (isinstance(n, ast.Constant) and n.value == "audit_event")
        for n in ast.walk(node)
    )


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _audit_changes(path: Path) -> list[str]:
    """Every place in a file that could update or delete an audit row."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = [
        f"line {source.count(chr(10), 0, m.start()) + 1}: SQL {m.group(0)!r}"
        for m in AUDIT_SQL.finditer(source)
    ]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _call_name(node) in CHANGING_CALLS
            and _mentions_audit(node)
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    # Inside a function: no change to the attributes of an audit row it created, loaded or got
    # back from audit() (a flush would turn that into an UPDATE); and where it names
    # AuditEvent itself, no ORM delete at all.
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names_rows = _mentions_audit(func)
        rows: set[str] = set()
        for node in ast.walk(func):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                made = _mentions_audit(node.value) or (
                    isinstance(node.value, ast.Call) and _call_name(node.value) == "audit"
                )
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if made:
                    rows |= {t.id for t in targets if isinstance(t, ast.Name)}
        for node in ast.walk(func):
            if (
                names_rows
                and isinstance(node, ast.Call)
                and _call_name(node) in {"delete", "setattr"}
            ):
                found.append(f"line {node.lineno}: {ast.unparse(node)[:80]} beside AuditEvent")
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            for t in targets:
                if isinstance(t, ast.Attribute) and _dotted(t.value) in rows:
                    found.append(f"line {node.lineno}: {ast.unparse(t)} changed on an audit row")
    return found


def audit_guarded_files() -> list[Path]:
    """The app: services, db (not its migrations: they create the table and its triggers),
    ui, pages, mild, and the entry points (dashboard.py, serve.py, manage.py)."""
    return [p for p in app_files() if not rel(p).startswith("db/migrations/")]


def test_no_app_code_updates_or_deletes_audit_rows():
    files = {rel(p) for p in audit_guarded_files()}
    assert {"manage.py", "services/common.py", "db/seed.py", "ui/audit.py"} <= files
    assert {"services/reads.py", "db/queries/audit.py", "pages/audit.py"} <= files
    found = {rel(p): bad for p in audit_guarded_files() if (bad := _audit_changes(p))}
    assert found == {}


def test_the_audit_guard_catches_what_it_must(tmp_path):
    """The guard itself: each of these would change or remove audit rows."""
    head = "from sqlalchemy import delete, text, update\nfrom db.models import AuditEvent\n"
    bad = {
        "core_delete.py": head + "def f(s):\n    s.execute(delete(AuditEvent))\n",
        "core_update.py": head
        + "def f(s):\n    s.execute(update(AuditEvent).values(action='x'))\n",
        "table.py": head + "def f(s):\n    s.execute(AuditEvent.__table__.delete())\n",
        "query.py": head + "def f(s):\n    s.query(AuditEvent).filter_by(id=1).delete()\n",
        "orm_delete.py": head + "def f(s):\n    row = s.get(AuditEvent, 1)\n    s.delete(row)\n",
        "attribute.py": head + "def f(s):\n    row = s.get(AuditEvent, 1)\n    row.detail = 'x'\n",
        "after_audit.py": "from services.common import audit\n"
        + "def f(s, a):\n    row = audit(s, a, 'x', 'case', 1)\n    s.flush()\n"
        + "    row.action = 'y'\n",
        "raw_update.py": "def f(s):\n    s.exec_driver_sql('update  \"audit_event\" set x=1')\n",
        "raw_delete.py": "SQL = '''\nDELETE\n  FROM audit_event WHERE id = 1'''\n",
        "truncate.py": "SQL = 'TRUNCATE TABLE audit_event'\n",
        "by_name.py": "from sqlalchemy import table\n"
        + "def f(s):\n    s.execute(table('audit_event').delete())\n",
    }
    ok = head + (
        "from services.common import audit\n"
        "def f(s, a, throttle):\n"
        "    audit(s, a, 'case.viewed', 'case', 1)\n"
        "    return s.scalars(select(AuditEvent).where(AuditEvent.id > 1)).all()\n"
        "def g(s, throttle):\n    s.delete(throttle)\n"
        "SQL = 'INSERT INTO audit_event (action) VALUES (1)'\n"
    )
    for name, source in {**bad, "ok.py": ok}.items():
        (tmp_path / name).write_text(source)
    assert [n for n in bad if not _audit_changes(tmp_path / n)] == []
    assert _audit_changes(tmp_path / "ok.py") == []
