"""The router: page config, the database check, the sign-in gate, navigation by role."""

from __future__ import annotations

import streamlit as st

from db.queries.home import offices
from mild.staff import Screen, screens_for
from pages import (
    account,
    admin,
    audit,
    board,
    checklist,
    escalations,
    followup,
    home,
    intake,
    metrics,
    schedule,
)
from ui import auth, lock, navigate
from ui import board as board_ui
from ui.health import database_problem
from ui.redirect import send_pending
from ui.safe import show_failure

# Screen -> (render function, navigation label, icon). The role decides which appear
# (mild.staff). Labels are short so a nurse's six screens fit the top bar at 768 px.
SCREENS = {
    Screen.HOME: (home.render, "Today", ":material/today:"),
    Screen.CHECKLIST: (checklist.render, "Checklist", ":material/checklist:"),
    Screen.FOLLOW_UP: (followup.render, "Follow-up", ":material/call:"),
    Screen.ESCALATIONS: (escalations.render, "Escalations", ":material/emergency:"),
    Screen.INTAKE: (intake.render, "Intake", ":material/assignment_add:"),
    Screen.SCHEDULE: (schedule.render, "Schedule", ":material/calendar_month:"),
    Screen.BOARD: (board.render, "Board", ":material/dashboard:"),
    Screen.METRICS: (metrics.render, "Metrics", ":material/monitoring:"),
    Screen.AUDIT: (audit.render, "Audit", ":material/history:"),
    Screen.ADMIN: (admin.render, "Admin", ":material/admin_panel_settings:"),
    Screen.ACCOUNT: (account.render, "My account", ":material/account_circle:"),
}
# Opened from the user bar (every role's own password), not listed in the navigation.
HIDDEN = frozenset({Screen.ACCOUNT})


def _front_page(landing) -> st.Page:
    """A hidden page at "/" that goes on to `landing`."""
    return st.Page(
        lambda: st.switch_page(landing),
        title=landing.title,
        url_path="front",
        default=True,
        visibility="hidden",
    )


def main() -> None:
    st.set_page_config(
        # An emoji icon is drawn in the browser (a data: URL); a :material/...: icon is fetched
        # from fonts.gstatic.com on every page, the one request that left the clinic's network.
        page_title="MILD procedure day",
        page_icon="🩺",
        layout="wide",
    )
    send_pending()
    try:
        problem = database_problem()
    except Exception as exc:
        show_failure(exc)
        st.stop()
    if problem:
        st.title("MILD procedure day")
        st.error(problem)
        st.stop()

    pages = {
        screen: st.Page(
            fn,
            title=title,
            icon=icon,
            url_path=screen.value,
            default=screen == Screen.HOME,
            visibility="hidden" if screen in HIDDEN else "visible",
        )
        for screen, (fn, title, icon) in SCREENS.items()
    }
    navigate.register(pages)
    user = auth.resolve_session()
    if user is None:
        # Every page URL lands here while signed out: register them all, run none of them.
        st.navigation(list(pages.values()), position="hidden")
        auth.sign_in_form()
        return
    if lock.is_locked():
        # Idle past the timeout: nothing of the page, only the lock (ui.lock).
        st.navigation(list(pages.values()), position="hidden")
        lock.lock_screen(user, auth.sign_out)
    if board_ui.display_offices():
        # A waiting-room display: no navigation, no user bar, nothing but the public board.
        st.navigation(list(pages.values()), position="hidden")
        board_ui.waiting_room_display(user)
        return
    allowed = screens_for(user.role)
    shown = [pages[s] for s in allowed]
    if Screen.HOME not in allowed:
        # The front page ("/") of a role without Today (a provider) opens its first screen,
        # so the address of every screen still works and no "page not found" shows.
        shown.insert(0, _front_page(pages[allowed[0]]))
    navigation = st.navigation(shown, position="top")
    try:
        codes = [o.code for o in offices(user.office_ids)]
    except Exception as exc:
        show_failure(exc)
        st.stop()
    auth.user_bar(user, codes)
    auth.idle_watch(user)
    navigation.run()


main()
