"""Where a screen's time goes (issue 12): each role's screens opened in one tab that speaks
Streamlit's own protocol (scripts/bench_apps/st_client.py), as a click in the navigation does:
the server's run (the BackMsg sent to `script_finished`: the router, the session check, the
page's reads and its drawing, and the messages' transfer on loopback), how many elements it
drew, of which kinds, and how many bytes it sent. Printed beside the time the same screen took
in the browser (scripts/bench_browser.py), the difference is the browser's own work: building
and laying out what was sent (a Plotly chart, a data grid, a Markdown table).

A part of `make bench` (the browser part calls it on the five-year server); on its own:

    .venv/bin/python scripts/bench_profile.py --url http://127.0.0.1:8501
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "scripts" / "bench_apps"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from st_client import Page, RunFailed, Tab  # noqa: E402

from db.seed import DEFAULT_DEMO_PASSWORD  # noqa: E402
from mild.staff import Role, Screen, screens_for  # noqa: E402
from scripts import bench_trace  # noqa: E402
from scripts.bench_load import PLAIN_STEPS, Nurse, Slot, session_cookie  # noqa: E402

# The demo's accounts, one per office role (db.seed).
ROLE_USERS = {
    "nurse": Role.NURSE,
    "coordinator": Role.COORDINATOR,
    "manager": Role.MANAGER,
    "admin": Role.ADMIN,
}
# Element kinds worth naming: those a screen draws many of, or that cost the browser most.
HEAVY = ("plotly_chart", "dataframe", "markdown", "text", "alert")


@dataclass
class Profile:
    """One screen opened `visits` times: the median server run, and what the last run drew."""

    runs: list[float] = field(default_factory=list)
    elements: int = 0
    blocks: int = 0
    sent_bytes: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs)

    def add(self, page: Page) -> None:
        self.runs.append(page.seconds)
        self.elements, self.blocks = len(page.elements), page.blocks
        self.sent_bytes = page.sent_bytes
        self.kinds = Counter(e.WhichOneof("type") or "?" for e in page.elements.values())

    def heaviest(self) -> str:
        """The costly kinds drawn, most first ("plotly_chart 2, markdown 14")."""
        named = [(k, self.kinds[k]) for k in HEAVY if self.kinds[k]]
        named.sort(key=lambda kv: -kv[1])
        return ", ".join(f"{k} {n}" for k, n in named)


def path_of(screen: Screen) -> str:
    """A screen's address; Today is the default page ("/") of a user who lands on it, as the
    demo's users do (dashboard.py)."""
    return "/" if screen == Screen.HOME else f"/{screen.value}"


async def profile(url: str, visits: int = 3) -> dict[str, Profile]:
    """Every role's navigation screens, each opened `visits` times from another screen, keyed
    "<username>: <label>" as the browser part keys its times."""
    found: dict[str, Profile] = {}
    async with httpx.AsyncClient(timeout=60) as browser:
        for username, role in ROLE_USERS.items():
            cookie, _route = await session_cookie(browser, url, username, DEFAULT_DEMO_PASSWORD)
            tab = Tab(url, cookie=cookie)
            shown = [s for s in screens_for(role) if s != Screen.ACCOUNT]
            await tab.open(path_of(shown[-1]))
            try:
                for before, screen in zip([shown[-1], *shown], shown, strict=False):
                    got = found.setdefault(f"{username}: {screen.label}", Profile())
                    for _ in range(visits):
                        await tab.go(path_of(before))
                        got.add(await tab.go(path_of(screen)))
            finally:
                await tab.close()
    return found


async def tick_profile(url: str, slot: Slot) -> list[Page]:
    """A nurse's tab on the checklist, her case (`slot`, checked in) open, each plain arrival
    step ticked once (scripts/bench_load.py's press): what each tick's run sent, and its
    seconds."""
    nurse = Nurse(url, slot, DEFAULT_DEMO_PASSWORD)
    await nurse.start()
    pages = []
    try:
        for number in range(len(PLAIN_STEPS)):
            press = await nurse.press(number)
            if not press.acked:
                raise RunFailed(f"tick of {press.step} not shown done: {press.error}")
            pages.append(nurse.tab.page)
    finally:
        await nurse.close()
    return pages


def print_tick_profile(
    in_page: float, floor: float, pages: list[Page], traced: tuple[Counter[str], int]
) -> None:
    """A tick: in the page, the server's run, what it sent, and the browser's main thread."""
    server = statistics.median(p.seconds for p in pages)
    sent: Counter[str] = sum((p.sent for p in pages), Counter())
    blocks = sum(n for kind, n in sent.items() if kind.startswith("block:"))
    total = sum(sent.values())
    kinds = ", ".join(f"{k} {n / len(pages):.0f}" for k, n in sent.most_common(6))
    kb = statistics.median(p.sent_bytes for p in pages) / 1024
    print(
        f"\nWhere a tick's time goes (one month; {len(pages)} ticks in a protocol client):\n"
        f"  in page {in_page * 1000:.0f} ms ({in_page / floor:.1f}x the floor); the server's run "
        f"{server * 1000:.0f} ms (BackMsg to script_finished)\n"
        f"  sent per tick: {total / len(pages):.0f} deltas ({(total - blocks) / len(pages):.0f} "
        f"elements, {blocks / len(pages):.0f} blocks), {kb:.0f} KB; most: {kinds}"
    )
    totals, count = traced
    if count:
        window = sum(totals.values()) / count
        print(
            f"  the browser's main thread, click to done, mean of {count} traced ticks "
            f"({window:.0f} ms each, slower under the trace), ms: "
            f"{bench_trace.summary(totals, count)}"
        )


def print_profile(profiles: dict[str, Profile], in_page: dict[str, float], floor: float) -> None:
    """Each screen: in the browser, the server's run, the browser's share (the difference),
    elements, KB sent and the costly kinds."""
    print(
        "\nWhere each screen's time goes at five years (server run: BackMsg to script_finished "
        "in a protocol client; browser = in page - server):"
    )
    print(
        f"  {'role: screen':<26} {'in page':>8} {'x floor':>8} {'server':>7} {'browser':>8} "
        f"{'elements':>8} {'blocks':>6} {'KB':>6}  costly elements"
    )
    for what, prof in profiles.items():
        page = in_page.get(what, float("nan"))
        print(
            f"  {what:<26} {page * 1000:>5.0f} ms {page / floor:>7.1f}x "
            f"{prof.seconds * 1000:>4.0f} ms {(page - prof.seconds) * 1000:>5.0f} ms "
            f"{prof.elements:>8} {prof.blocks:>6} {prof.sent_bytes / 1024:>6.0f}  "
            f"{prof.heaviest()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="a running app (the demo's accounts)")
    parser.add_argument("--visits", type=int, default=3)
    args = parser.parse_args()
    found = asyncio.run(profile(args.url, args.visits))
    print_profile(found, {}, 1.0)


if __name__ == "__main__":
    main()
