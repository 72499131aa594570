"""The router: page config, the database check, the sign-in gate, navigation by role."""

from __future__ import annotations

import streamlit as st

from db.queries.account import landing_choice
from db.queries.home import offices
from mild.launchpad import landing_screen
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
from ui.style import apply_styles

# Screen -> (render function, icon); its label is mild.staff.SCREEN_LABELS. The role decides
# which appear (mild.staff).
SCREENS = {
    Screen.HOME: (home.render, ":material/today:"),
    Screen.CHECKLIST: (checklist.render, ":material/checklist:"),
    Screen.FOLLOW_UP: (followup.render, ":material/call:"),
    Screen.ESCALATIONS: (escalations.render, ":material/emergency:"),
    Screen.INTAKE: (intake.render, ":material/assignment_add:"),
    Screen.SCHEDULE: (schedule.render, ":material/calendar_month:"),
    Screen.BOARD: (board.render, ":material/dashboard:"),
    Screen.METRICS: (metrics.render, ":material/monitoring:"),
    Screen.AUDIT: (audit.render, ":material/history:"),
    Screen.ADMIN: (admin.render, ":material/admin_panel_settings:"),
    Screen.ACCOUNT: (account.render, ":material/account_circle:"),
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
    apply_styles()  # every screen: 44 px tap targets, the checklist's sticky header (ui.style)
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

    user = auth.resolve_session()
    landing = Screen.HOME
    if user is not None:
        try:
            landing = landing_screen(user.role, landing_choice(user.id))
        except Exception as exc:
            show_failure(exc)
            st.stop()
    pages = {
        screen: st.Page(
            fn,
            title=screen.label,
            icon=icon,
            url_path=screen.value,
            default=screen == Screen.HOME == landing,
            visibility="hidden" if screen in HIDDEN else "visible",
        )
        for screen, (fn, icon) in SCREENS.items()
    }
    navigate.register(pages)
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
    shown = [pages[s] for s in screens_for(user.role)]
    if landing != Screen.HOME:
        # The front page ("/") opens the screen the user lands on (their choice on My account;
        # a provider's escalations), so the address of every screen still works.
        shown.insert(0, _front_page(pages[landing]))
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
