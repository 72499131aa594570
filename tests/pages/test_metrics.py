"""The office metrics screen: managers and admins only, filters, one line per office, every
KPI's definition one click away, and a CSV download of every table with the rows shown."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import delete, select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block
from streamlit.util import calc_hash

from db.models import Case, KpiTarget, Office
from db.seed import DEFAULT_DEMO_PASSWORD, seed_demo
from db.session import get_engine, read_session, transaction
from mild import messages
from mild.cases import CancelReason, CaseStatus
from mild.days import at_local, local_today, to_local
from mild.kpis import DEFAULT_POLICY, default_range, kpi_definitions
from mild.staff import Role, Screen
from mild.targets import DEFAULT_TARGETS, Rag, rag
from services.auth import hash_password
from services.cases import cancel_case
from services.common import Actor
from tests.builders import PASSWORD, make_case, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, TIMEOUT, sign_in
from ui import metrics_comparison
from ui.metrics import COMPARISON_COLUMNS

pytestmark = SQLITE_ONLY

TABS = ("Comparison", "Throughput", "Day quality", "Follow-up and outcomes")
KPIS = kpi_definitions()
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """The metrics are cached per process: every test starts from the database."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, tuple[bytes, str | None]]:
    """What each download button would send: its URL -> (bytes, file name)."""
    sent: dict[str, tuple[bytes, str | None]] = {}
    real = MemoryMediaFileStorage.get_url

    def get_url(self, file_id: str) -> str:
        url = real(self, file_id)
        stored = self.get_file(file_id)
        sent[url] = (stored.content, stored.filename)
        return url

    monkeypatch.setattr(MemoryMediaFileStorage, "get_url", get_url)
    return sent


@pytest.fixture
def demo(db_url) -> None:
    seed_demo(get_engine(), offices=2, years=0.3, hash_password=hash_password)


def open_metrics(app, username: str, password: str = DEFAULT_DEMO_PASSWORD) -> AppTest:
    """Sign in and open the screen by its URL path, as a browser does (AppTest.switch_page
    knows only page files; our screens are st.Page callables)."""
    at = sign_in(app().run(), username, password)
    at._page_hash = calc_hash(Screen.METRICS.value)
    return at.run()


def open_tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["metrics_tab"] = tab
    return at.run()


def glance(at: AppTest) -> dict[str, list]:
    """The comparison's at-a-glance table, by column: the offices, then each count (a badge
    in its colour, or 0)."""
    (box,) = [c for c in at.container if c.key == "metrics_glance"]
    (markdown,) = box.markdown
    title, _blank, header, _rule, *rows = markdown.value.splitlines()
    assert title == f"**{messages.METRICS_TARGETS_GLANCE}**"
    cells = [[c.strip() for c in row.strip("| ").split(" | ")] for row in [header, *rows]]
    columns = {name: [row[n] for row in cells[1:]] for n, name in enumerate(cells[0])}
    count = re.compile(r"^(?::(\w+)-badge\[)?(\d+)\]?$")
    return {
        name: values if name == "Office" else [int(count.match(v)[2]) for v in values]
        for name, values in columns.items()
    }


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def popovers(at: AppTest) -> list[Block]:
    return [
        b
        for b in at.main
        # Columns, tabs and expanders have classes of their own; a popover is a plain Block.
        if type(b) is Block and b.proto is not None and b.proto.WhichOneof("type") == "popover"
    ]


def definitions_text(at: AppTest) -> str:
    return "\n".join(m.value for p in popovers(at) for m in p.markdown)


def comparison_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def demo_offices() -> list:
    with read_session() as s:
        return s.execute(
            select(Office.id, Office.code, Office.timezone).order_by(Office.code)
        ).all()


def test_a_manager_sees_one_row_per_office_with_the_completed_cases_of_the_last_twelve_months(
    demo, app
):
    at = open_metrics(app, "manager")

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Office metrics"]
    offices = demo_offices()
    table = comparison_table(at)
    assert list(table.office) == [o.code for o in offices]
    # The oracle: every case loaded plainly, its procedure day taken in its office's zone.
    now = dt.datetime.now(dt.UTC)
    with read_session() as s:
        done = s.execute(
            select(Case.office_id, Case.scheduled_start).where(Case.procedure_ended_at.is_not(None))
        ).all()
    for office in offices:
        start, end = default_range(local_today(offices[0].timezone, now))
        expected = sum(
            1
            for c in done
            if c.office_id == office.id
            and start <= to_local(office.timezone, c.scheduled_start).date() <= end
        )
        assert expected > 0
        assert table.set_index("office").loc[office.code, "completed"] == expected


def test_each_tab_draws_small_charts_with_one_line_per_office(demo, app):
    at = open_metrics(app, "manager")
    codes = [o.code for o in demo_offices()]
    drawn = {}
    for tab in TABS[1:]:
        at = open_tab(at, tab)
        assert not at.exception and not at.error, tab
        drawn[tab] = charts(at)
    assert len(drawn["Throughput"]) == 2
    assert len(drawn["Day quality"]) == 10
    assert len(drawn["Follow-up and outcomes"]) == 5
    for tab, figures in drawn.items():
        for fig in figures:
            names = [t["name"] for t in fig["data"]]
            assert sorted(names) == sorted(set(names)), tab  # one trace per office at most
            assert set(names) <= set(codes)
            assert all(len(t["x"]) <= DEFAULT_POLICY.max_periods for t in fig["data"])
    throughput = drawn["Throughput"][0]
    assert [t["name"] for t in throughput["data"]] == codes
    assert all(len(t["x"]) == 12 for t in throughput["data"])  # twelve months by default


def test_only_the_open_tab_runs(demo, app):
    at = open_metrics(app, "manager")

    # The comparison: KPIs on, near and off target at a glance first (a Markdown table, no
    # chart to draw), then its table.
    assert not charts(at)
    assert list(glance(at)) == ["Office", "On target", "Near target", "Off target"]
    assert len(at.dataframe) == 1
    at = open_tab(at, "Throughput")
    assert len(charts(at)) == 2 and len(at.dataframe) == 2


def test_choosing_fewer_offices_a_week_grain_and_another_range_changes_what_is_shown(demo, app):
    at = open_metrics(app, "manager")
    first, second = demo_offices()

    at.multiselect(key="metrics_offices").set_value([second.id]).run()
    assert list(comparison_table(at).office) == [second.code]

    at.radio(key="metrics_grain").set_value(at.radio(key="metrics_grain").options[0]).run()
    at.date_input(key="metrics_range").set_value(
        (dt.date.today() - dt.timedelta(days=27), dt.date.today())
    ).run()
    at = open_tab(at, "Throughput")
    (line,) = charts(at)[0]["data"]
    assert line["name"] == second.code
    weeks = [dt.date.fromisoformat(x) for x in line["x"]]
    assert len(weeks) in (4, 5) and all(d.weekday() == 0 for d in weeks)
    assert not at.exception and not at.error


def test_picking_no_office_says_so_beside_the_field_and_draws_nothing(demo, app):
    at = open_metrics(app, "manager")

    at.multiselect(key="metrics_offices").set_value([]).run()

    assert [e.value for e in at.error] == [messages.METRICS_PICK_OFFICES]
    assert not at.dataframe and not at.get("plotly_chart")


def test_a_range_with_only_its_first_day_picked_asks_for_the_last_day(demo, app):
    at = open_metrics(app, "manager")

    at.date_input(key="metrics_range").set_value((dt.date(2025, 1, 1),)).run()

    assert [i.value for i in at.info] == [messages.METRICS_PICK_RANGE_END]
    assert not at.dataframe


def test_a_weekly_range_too_long_to_chart_is_refused_and_what_was_picked_is_kept(demo, app):
    at = open_metrics(app, "manager")
    picked = (dt.date(2022, 1, 3), dt.date(2025, 1, 5))

    at.radio(key="metrics_grain").set_value(at.radio(key="metrics_grain").options[0]).run()
    at.date_input(key="metrics_range").set_value(picked).run()

    weeks = (picked[1] - picked[0]).days // 7 + 1
    assert [e.value for e in at.error] == [
        messages.METRICS_WEEKS_TOO_MANY.format(count=weeks, limit=DEFAULT_POLICY.max_periods)
    ]
    assert at.date_input(key="metrics_range").value == picked
    assert not at.dataframe


def test_every_kpi_has_its_definition_one_click_away(demo, app):
    at = open_metrics(app, "manager")
    shown = {"Comparison": definitions_text(at)}
    for tab in TABS[1:]:
        shown[tab] = definitions_text(open_tab(at, tab))

    # The comparison table explains every KPI it has a column for; the tabs cover all KPIs.
    everything = "\n".join(shown.values())
    for kpi in KPIS.values():
        for part in (kpi.name, kpi.numerator, kpi.denominator, kpi.excluded, kpi.dated_by):
            assert part in everything, (kpi.key, part)
    for key in ("completed", "first_case_on_time", "over_60", "next_day_call", "nprs", "odi"):
        assert KPIS[key].numerator in shown["Comparison"]
    assert all(p.proto.popover.label == "Definition" for p in popovers(at))


def test_every_table_has_a_csv_download_of_exactly_its_rows(demo, app, downloads):
    at = open_metrics(app, "manager")
    checked = []
    for tab in TABS:
        at = open_tab(at, tab)
        buttons = at.get("download_button")
        assert len(buttons) == len(at.dataframe) > 0, tab
        for table, button in zip(at.dataframe, buttons, strict=True):
            assert button.proto.label == "Download CSV"
            content, name = downloads[button.proto.url]
            assert name.endswith(".csv")
            sent = pd.read_csv(io.BytesIO(content))
            shown = pd.read_csv(io.StringIO(table.value.to_csv(index=False)))
            # The same rows and values, under the headings the table shows.
            assert len(sent.columns) == len(shown.columns)
            shown.columns = sent.columns
            pd.testing.assert_frame_equal(sent, shown, check_dtype=False)
            assert not [c for c in sent.columns if "_" in c], name
            assert table.proto.placeholder == "—", name  # a missing value, never "None"
            checked.append(name.split("_20")[0])
    assert checked == [
        "office_comparison",
        "funnel",
        "completed_cases",
        "same_day_cancellations_by_reason",
        "day_quality",
        "escalations",
        "outcomes_by_visit",
        "after_discharge",
    ]


def test_the_comparison_download_has_one_row_per_office_with_the_kpis_as_columns(
    demo, app, downloads
):
    at = open_metrics(app, "manager")

    content, _ = downloads[at.get("download_button")[0].proto.url]
    sent = pd.read_csv(io.BytesIO(content))

    # Headed in the clinic's words, as on the screen (not on_time_pct).
    assert list(sent.Office) == [o.code for o in demo_offices()]
    assert list(sent.columns) == [
        "Office",
        "Off target",
        "Near target",
        *[label for label, _, _ in COMPARISON_COLUMNS.values()],
    ]
    assert {"Completed", "First case on time %", "Called within 48 h %"} <= set(sent.columns)
    assert not [c for c in sent.columns if "_" in c]


def _metrics_page() -> None:
    """The AppTest script: the metrics page alone, as the router would run it."""
    from pages import metrics

    metrics.render()


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR], ids=str)
def test_a_nurse_or_coordinator_is_refused(db_url, role):
    office = make_office("AA")
    make_case(office)
    user = Actor(1, "someone", "Someone", role, frozenset({office}))
    at = AppTest.from_function(_metrics_page, default_timeout=TIMEOUT)
    at.session_state["signed_in_actor"] = user

    at.run()

    assert [e.value for e in at.error] == [messages.NOT_ALLOWED_HERE]
    assert not at.dataframe and not at.get("plotly_chart") and not at.multiselect


def test_a_nurse_asking_for_the_metrics_url_gets_her_own_home_page(db_url, app):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office])

    at = open_metrics(app, "nina", PASSWORD)

    assert not at.exception
    assert [t.value for t in at.title] == ["Today"]
    assert not at.multiselect


def test_a_manager_sees_only_the_offices_she_works_at(db_url, app):
    mine, other = make_office("AA"), make_office("ZZ")
    make_user("mona", Role.MANAGER, [mine])
    make_case(mine)
    make_case(other)

    at = open_metrics(app, "mona", PASSWORD)

    assert not at.exception and not at.error
    assert at.multiselect(key="metrics_offices").options == ["AA · AA Office"]
    assert list(comparison_table(at).office) == ["AA"]


def test_an_admin_sees_every_office(db_url, app):
    make_office("AA"), make_office("BB")
    make_user("root", Role.ADMIN, [])

    at = open_metrics(app, "root", PASSWORD)

    assert not at.exception and not at.error
    assert list(comparison_table(at).office) == ["AA", "BB"]
    assert [i.value for i in at.info] == [messages.METRICS_NO_CASES]


def test_offices_without_any_case_in_the_range_say_so_above_the_empty_table(db_url, app):
    make_office("AA")
    make_user("mona", Role.MANAGER, [make_office("BB")])

    at = open_metrics(app, "mona", PASSWORD)

    assert [i.value for i in at.info] == [messages.METRICS_NO_CASES]
    assert list(comparison_table(at).completed) == [0]


def test_a_manager_without_offices_is_told_to_ask_an_administrator(db_url, app):
    make_office("AA")
    make_user("mona", Role.MANAGER, [])

    at = open_metrics(app, "mona", PASSWORD)

    assert not at.exception
    assert [i.value for i in at.info] == [messages.NO_OFFICES]
    assert not at.multiselect and not at.dataframe


# --- How fresh the figures are -------------------------------------------------------------------


def _booked_today(office_id: int) -> int:
    """The first slot of today at a New York office, at midnight (so it is never still to
    come): one booked, none cancelled yet."""
    tz = "America/New_York"
    midnight = at_local(tz, local_today(tz, dt.datetime.now(dt.UTC)), dt.time(0))
    return make_case(office_id, CaseStatus.SCHEDULED, start=midnight)


def first_slots_cancelled(at: AppTest) -> float:
    """Today's figure that a cancellation changes at once (same-day cancellation rates count
    past days only)."""
    return float(comparison_table(at).set_index("office").loc["AA", "cancelled_first_slots"])


def as_of(at: AppTest) -> str:
    (caption,) = [c.value for c in at.caption if c.value.startswith("Figures as of")]
    return caption


def test_the_figures_say_when_they_were_computed_in_office_time(db_url, app):
    office = make_office("AA", "America/Chicago")
    make_user("mona", Role.MANAGER, [office])
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)

    at = open_metrics(app, "mona", PASSWORD)

    after = dt.datetime.now(dt.UTC)
    minutes = [before + dt.timedelta(minutes=n) for n in range((after - before) // MINUTE + 1)]
    assert as_of(at) in {
        messages.METRICS_AS_OF.format(
            time=to_local("America/Chicago", m).strftime("%H:%M"),
            zone=to_local("America/Chicago", m).strftime("%Z"),
        )
        for m in minutes
    }
    assert [b.label for b in at.button if b.key == "metrics_refresh"] == ["Refresh"]


def test_a_cancellation_saved_in_the_app_shows_on_the_next_run_not_minutes_later(db_url, app):
    office = make_office("AA")
    make_user("mona", Role.MANAGER, [office])
    case_id = _booked_today(office)
    at = open_metrics(app, "mona", PASSWORD)
    assert first_slots_cancelled(at) == 0

    # Someone at the front desk cancels it (a service call: audited, like every saved change).
    cancel_case(case_id, CancelReason.NO_SHOW, actor=at.session_state["signed_in_actor"])
    at.run()

    assert first_slots_cancelled(at) == 1
    assert not at.exception and not at.error


def test_refresh_recomputes_figures_that_changed_without_a_saved_change(db_url, app):
    office = make_office("AA")
    make_user("mona", Role.MANAGER, [office])
    case_id = _booked_today(office)
    at = open_metrics(app, "mona", PASSWORD)
    # A change the app did not save (an import, a fix in the database): no audit row, so the
    # cached figures stand, and say how old they are, until the manager asks for new ones.
    with transaction() as s:
        case = s.get(Case, case_id)
        case.status = CaseStatus.CANCELLED
        case.cancelled_at = case.scheduled_start - dt.timedelta(minutes=30)
        case.cancellation_reason = CancelReason.NO_SHOW
    at.run()
    assert first_slots_cancelled(at) == 0

    at.button(key="metrics_refresh").click().run()

    assert first_slots_cancelled(at) == 1
    assert not at.exception and not at.error


# --- Targets: green, amber, red; a line on the chart; cases behind each point ---------------------


def test_the_comparison_names_each_office_s_kpis_off_and_near_target(demo, app):
    at = open_metrics(app, "manager")
    shown = comparison_table(at)
    targets = {t.key: t for t in DEFAULT_TARGETS}
    counted = {"Off target": [], "Near target": []}
    for _, row in shown.iterrows():
        off = [t.spec.label for k, t in targets.items() if rag(row[k], t) == Rag.RED]
        near = [t.spec.label for k, t in targets.items() if rag(row[k], t) == Rag.AMBER]
        assert row.off_target == ", ".join(off)
        assert row.near_target == ", ".join(near)
        counted["Off target"].append(len(off))
        counted["Near target"].append(len(near))
    counts = glance(at)
    assert counts["Office"] == [f"**{code}**" for code in shown.office]
    assert {k: counts[k] for k in counted} == counted


def test_more_than_four_offices_read_as_kpis_down_and_offices_across(db_url, app):
    codes = ["AA", "BB", "CC", "DD", "EE"]
    offices = [make_office(code) for code in codes]
    make_user("mona", Role.MANAGER, offices)

    at = open_metrics(app, "mona", PASSWORD)

    wide = comparison_table(at)
    assert list(wide.columns) == ["KPI", "Target", *codes]
    assert list(wide.KPI) == [label for label, _, _ in COMPARISON_COLUMNS.values()]
    on_time = wide.set_index("KPI").loc["First case on time %"]
    assert on_time.Target == "target 90% or more (amber down to 80%)"
    assert set(on_time[codes]) == {"—"}  # no first case yet: nothing to show, never "None"


def test_the_wide_comparison_says_each_office_s_kpis_off_target_in_one_block(
    demo, app, monkeypatch
):
    monkeypatch.setattr(metrics_comparison, "WIDE", 1)  # the manager's offices as columns
    at = open_metrics(app, "manager")
    wide = comparison_table(at)
    assert list(wide.columns[:2]) == ["KPI", "Target"]
    offices = list(wide.columns[2:])
    off = dict(zip(glance(at)["Office"], glance(at)["Off target"], strict=True))
    expected = [f"{code}: " for code in offices if off[f"**{code}**"]]
    assert len(expected) >= 2, "the demo has two offices off target: one line each"
    # One element, a line per office off target (issue 12: an element each cost the browser).
    [summary] = [t.value for t in at.text if t.value.startswith(tuple(expected))]
    assert [line.split(": ")[0] + ": " for line in summary.splitlines()] == expected


def test_a_chart_draws_the_target_and_its_band_and_counts_the_cases_behind_each_point(demo, app):
    at = open_tab(open_metrics(app, "manager"), "Day quality")
    [on_time] = [c for c in charts(at) if c["layout"]["title"]["text"].startswith("First cases")]

    assert on_time["layout"]["title"]["text"].endswith("target 90% or more (amber down to 80%)")
    assert [s["y0"] for s in on_time["layout"]["shapes"]] == [90, 80]
    for trace in on_time["data"]:
        assert all(c.endswith(("first cases", "so far")) for c in trace["customdata"])
        # The month still running is marked as partial: an open marker, "so far".
        assert trace["marker"]["symbol"][-1] == "circle-open"
        assert trace["customdata"][-1].endswith("so far")
        assert set(trace["marker"]["symbol"][:-1]) == {"circle"}


def test_without_any_target_the_comparison_still_reads_with_nothing_off_target(demo, app):
    with transaction() as s:
        s.execute(delete(KpiTarget))
    at = open_metrics(app, "manager")
    assert not at.exception
    shown = comparison_table(at)
    assert set(shown.off_target) == {""} and set(shown.near_target) == {""}
