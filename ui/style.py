"""The app's own styles and one accessibility fix, in one place, drawn once per page run by the
router (dashboard.py) before any page.

- Tap targets at least 44 px tall (issue 13: a nurse's tablet held in one hand): every button,
  pill and segment, text, number, date and time field, select and multiselect, tab, radio
  option, checkbox, page link and expander header on the page (Streamlit 1.67's test ids;
  tests/browser/test_role_days.py measures them on every screen at 768 px).
- The day-of checklist's case header stays at the top of the screen while the steps scroll
  beneath it (position: sticky on its keyed container's wrapper, under the navigation bar).
- A confirmation (st.toast) shows at the bottom of the screen: at the top it covered the user
  bar's My account and Sign out.
- Icon names are not read aloud: Streamlit draws a :material/...: icon as ligature text, in
  Markdown as role="img" named "<icon name> icon" (so a screen reader says "check_circle
  icon"). A small script marks every such icon aria-hidden as it appears; the words beside
  each icon carry its meaning.
"""

from __future__ import annotations

import streamlit as st

# Constant text only (tests/test_architecture.py): nothing typed or read at run time ever
# reaches raw HTML. 2.75rem is 44 px; 3.75rem is the height of Streamlit's top navigation bar,
# under which the checklist's case header sticks.
CSS = """<style>
[data-testid="stMain"] button[data-testid^="stBaseButton-"]:not([data-testid*="Toolbar"]),
[data-testid="stDialog"] button[data-testid^="stBaseButton-"],
[data-testid="stMain"] [data-testid="stButtonGroup"] button,
[data-testid="stMain"] [data-testid="stPopoverButton"],
[data-testid="stMain"] [data-testid="stPageLink-NavLink"],
[data-testid="stMain"] [data-testid="stTextInputRootElement"],
[data-testid="stMain"] [data-testid="stNumberInputContainer"],
[data-testid="stMain"] [data-testid="stDateInputField"],
[data-testid="stMain"] div:has(> [data-testid="stTimeInputTimeDisplay"]),
[data-testid="stMain"] [data-testid="stTimeInputTimeDisplay"],
[data-testid="stMain"] [data-testid="stSelectbox"] div:has(> input[role="combobox"]),
[data-testid="stMain"] div:has(> [data-testid="stMultiSelectTagsContainer"]),
[data-testid="stMain"] [data-testid="stTab"],
[data-testid="stMain"] [data-testid="stRadioOption"],
[data-testid="stMain"] [data-testid="stCheckbox"] label,
[data-testid="stMain"] [data-testid="stExpander"] summary {
  min-height: 2.75rem;
}
[data-testid="stMain"] [data-testid="stCheckbox"] label,
[data-testid="stMain"] [data-testid="stRadioOption"],
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] { align-items: center; }
/* Fields whose buttons sit inside their 1 px border (a number's - and +, a password's eye):
   the field 2 px taller, so each button is 44 px, and as wide. */
[data-testid="stMain"] [data-testid="stTextInputRootElement"],
[data-testid="stMain"] [data-testid="stNumberInputContainer"] {
  min-height: calc(2.75rem + 2px);
}
[data-testid="stMain"] [data-testid="stTextInputRootElement"] button,
[data-testid="stMain"] [data-testid="stNumberInputContainer"] button {
  min-height: 2.75rem;
  min-width: 2.75rem;
}
[data-testid="stMain"] [data-testid^="stTabsScroll"] { min-height: 2.75rem; }
/* The board: a case code stays on one line in a narrow cell (the office's cases table is the
   second block of its Markdown, after the office's line, the code its second column; its
   open escalations, when it has any, the last block, the code their first column). */
[class*="st-key-board_office_"] [data-testid="stMarkdownContainer"] > :nth-child(2)
  td:nth-child(2),
[class*="st-key-board_office_"] [data-testid="stMarkdownContainer"] > :last-child
  td:first-child { white-space: nowrap; }
/* The checklist's case bar: never more than 40% of the screen (it scrolls within), and a step
   brought into view by the keyboard is not left under it. */
.st-key-dayof_header { max-height: 40vh; overflow-y: auto; }
[data-testid="stMain"]:has(.st-key-dayof_header) { scroll-padding-top: 45vh; }
/* A pill 44 px tall stays a pill, not a circle. */
[data-testid="stMain"] [data-testid="stButtonGroup"] button { padding-inline: 1rem; }
/* A radio's options side by side need room between their 44 px targets. */
[data-testid="stMain"] [data-testid="stRadioGroup"] { column-gap: 1rem; }
[data-testid="stLayoutWrapper"]:has(> .st-key-app_icon_names) { display: none; }
/* Under the top navigation bar (3.75rem) a little air, not Streamlit's 6rem: the work starts
   higher on a tablet's screen. */
[data-testid="stMainBlockContainer"] { padding-top: 4.75rem; }

/* The day-of checklist (ui/checklist): the case header sticks under the navigation bar. */
[data-testid="stLayoutWrapper"]:has(> .st-key-dayof_header) {
  position: sticky;
  top: 3.75rem;
  z-index: 20;
}
.st-key-dayof_header {
  background-color: #ffffff;
  box-shadow: 0 0.375rem 0.75rem -0.5rem rgba(14, 13, 12, 0.35);
  padding: 0.625rem 0.875rem;
  gap: 0.5rem;
}
.st-key-dayof_header h3 { font-size: 1.35rem; padding: 0; }
.st-key-dayof_header_intake p { font-size: 0.875rem; line-height: 1.45; }
.st-key-dayof_header [data-testid="stMetric"] { padding: 0; }
.st-key-dayof_header [data-testid="stMetricValue"] { font-size: 1.2rem; }
.st-key-dayof_header [data-testid="stMetricLabel"] p { font-size: 0.8rem; }
.st-key-dayof_header [data-testid="stAlertContainer"] { padding: 0.375rem 0.75rem; }
/* Confirmations at the bottom of the screen, not at the top where they covered the user bar
   (My account, Sign out) for their few seconds; Streamlit sets the top inline. */
[data-testid="stToastContainer"] { top: auto !important; bottom: 1rem; }
/* A step's tick button reads as the row it ticks: its label from the left. */
[class*="st-key-dayof_tick_"] button,
[class*="st-key-dayof_tick_"] button > div { justify-content: flex-start; text-align: left; }
</style>"""

# Installed once per browser tab (the guard), whatever the number of page runs.
HIDE_ICON_NAMES = """<script>
(() => {
  if (window.__mildIconNamesHidden) return;
  window.__mildIconNamesHidden = true;
  const ICONS = '[data-testid="stIconMaterial"], span[role="img"][aria-label$=" icon"]';
  const hide = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.matches(ICONS)) node.setAttribute("aria-hidden", "true");
    node.querySelectorAll(ICONS).forEach((icon) => icon.setAttribute("aria-hidden", "true"));
  };
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach(hide);
  }).observe(document.body, { childList: true, subtree: true });
  hide(document.body);
})();
</script>"""


def apply_styles() -> None:
    st.html(CSS)  # style only: Streamlit puts it aside, it takes no room on the page
    with st.container(key="app_icon_names"):  # hidden by the CSS above
        st.html(HIDE_ICON_NAMES, unsafe_allow_javascript=True)
