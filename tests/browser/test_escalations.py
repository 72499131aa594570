"""In a real browser: the provider signs in, finds the open escalation of their case on their
Escalations screen (the demo's emergency one), and resolves it with a note."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from mild import messages
from mild.escalations import Tier
from tests.browser.conftest import AppServer, wait_for_app_idle
from tests.browser.test_outage_and_safety import signed_in


def test_the_provider_sees_and_resolves_their_escalation(page: Page, app_server: AppServer):
    signed_in(page, app_server, "provider", "/escalations", landing="Escalations")
    main = page.get_by_test_id("stMain")
    expect(page.get_by_role("heading", name="Escalations", exact=True)).to_be_visible()
    expect(main.get_by_text(Tier.EMERGENCY.label).first).to_be_visible()
    # Nothing is configured in the demo: the screen says so rather than claiming a send.
    expect(main.get_by_text("not configured").first).to_be_visible()

    main.get_by_label("How it was resolved").fill("Called the patient; sent to the ED.")
    main.get_by_role("button", name="Resolve escalation").click()
    wait_for_app_idle(page)

    expect(main.get_by_text(messages.ESCALATIONS_NONE)).to_be_visible()
