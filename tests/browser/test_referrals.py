"""The hand-off, live on real screens: lobby tablet → both wealth managers → claim → outcome."""

from __future__ import annotations

import pytest

from lobby import services as lobby_services
from referrals.models import Referral, Status
from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser


def test_a_pool_referral_reaches_both_wealth_managers_and_the_referrer_follows_it(
    open_screen, lobby_manager, wealth_manager, wealth_manager2, catalogue
):
    visit = lobby_services.check_in(
        actor=lobby_manager, prejudgement="regular", business_types=["cash_large"], label="王先生"
    )
    tablet = open_screen(lobby_manager, "/lobby/tablet/")
    charlie = open_screen(wealth_manager, "/wealth/")
    carol = open_screen(wealth_manager2, "/wealth/")
    for page in (tablet, charlie, carol):
        wait_live(page)
    tablet.locator("#sent-referrals").wait_for(state="attached")

    # Second referral from the waiting-zone board: the tablet's own hand-off button.
    row = tablet.locator("#waiting-board article", has_text="王先生")
    row.locator("[data-action=wealth]").click()

    # Both dashboards show the customer without a reload, with an alert to hear and see.
    for page in (charlie, carol):
        item = page.locator("#pool-queue .rq-item", has_text="王先生")
        item.wait_for()
        assert item.get_attribute("data-alert").startswith("referral-")
    referral = Referral.objects.get(visit=visit)
    tablet.locator(f'#sent-{referral.pk}[data-status="created"]').wait_for()

    # Charlie takes the customer: it leaves Carol's screen, and the tablet shows "accepted".
    charlie.locator(f"#pool-{referral.pk} button[type=submit]").click()
    charlie.locator(f"#held-{referral.pk}").wait_for()
    carol.locator(f"#pool-{referral.pk}").wait_for(state="detached")
    tablet.locator(f'#sent-{referral.pk}[data-status="accepted"]').wait_for()
    assert "Charlie" in tablet.locator(f"#sent-{referral.pk}").inner_text()

    # Consultation, then the outcome: the tablet follows to the end.
    charlie.locator(f"#held-{referral.pk} button", has_text="Start consultation").click()
    tablet.locator(f'#sent-{referral.pk}[data-status="in_consultation"]').wait_for()
    form = charlie.locator(f"#close-{referral.pk} form")
    form.locator("label.choice:has(input[value=not_converted]) span").click()
    form.locator("label.choice:has(input[name=quality][value='4']) span").click()
    form.locator("button[type=submit]").click()
    tablet.locator(f'#sent-{referral.pk}[data-status="not_converted"]').wait_for()
    assert "Not converted" in tablet.locator(f"#sent-{referral.pk}").inner_text()
    referral.refresh_from_db()
    assert (referral.status, referral.quality) == (Status.NOT_CONVERTED, 4)


def test_a_teller_refers_from_their_page_and_sees_the_row_at_once(
    open_screen, teller_high, wealth_manager, catalogue
):
    """The referrer's list takes single rows: the new one on top, the empty line gone."""
    sent = open_screen(teller_high, "/wealth/sent/")
    charlie = open_screen(wealth_manager, "/wealth/")
    for page in (sent, charlie):
        wait_live(page)
    empty = sent.locator('[data-empty-of="sent-list"]')
    assert empty.is_visible()

    form = sent.locator("#refer-form")
    rows = sent.locator("#sent-list > li")
    for count, note in enumerate(("first customer", "second customer"), start=1):
        form.locator("input[name=note]").fill(note)
        form.locator("button[type=submit]").click()
        rows.nth(count - 1).wait_for()
        charlie.locator("#pool-queue .rq-item", has_text=note).wait_for()

    first, second = Referral.objects.order_by("pk")
    # Each referral's row arrives twice (the answer, then the push): let the list settle.
    newest_first = [f"sent-{second.pk}", f"sent-{first.pk}"]
    sent.wait_for_function(SENT_IDS_ARE, arg=newest_first)
    assert empty.is_hidden()

    # Charlie takes the first: its row changes in place, the order stays.
    charlie.locator(f"#pool-{first.pk} button[type=submit]").click()
    sent.locator(f'#sent-{first.pk}[data-status="accepted"]').wait_for()
    sent.wait_for_function(SENT_IDS_ARE, arg=newest_first)


SENT_IDS_ARE = """expected => JSON.stringify(
    Array.from(document.querySelectorAll("#sent-list > li"), li => li.id)
) === JSON.stringify(expected)"""
