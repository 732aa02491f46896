"""The third referral end to end, as the people at the counter do it: a teller calls the next
customer (the lobby's TV shows it), refers them on from the counter screen itself with an account
signal, watches the referral being taken, and completes; then a referral to the low counter."""

from __future__ import annotations

import pytest
from django.utils import translation

from lobby import services as lobby_services
from lobby.choices import Cue
from lobby.models import Ticket
from referrals.models import Referral
from tests.browser.conftest import wait_live, watch

pytestmark = pytest.mark.browser


def _check_in(lobby_manager, label: str):
    return lobby_services.check_in(
        actor=lobby_manager, prejudgement="regular", business_types=["cash_large"], label=label
    )


def _signed_in(open_screen, staff, path):
    page = open_screen(staff, path)
    problems = watch(page)
    wait_live(page)
    return page, problems


def test_a_teller_calls_refers_from_the_counter_sees_it_taken_and_completes(
    open_screen, open_display, lobby_manager, teller_high, wealth_manager, branch, catalogue
):
    _check_in(lobby_manager, "王先生")
    with translation.override("en"):
        secret = str(Cue.LARGE_ACCOUNT_SWING.label)
    display, display_problems = open_display(branch)
    wait_live(display)
    charlie, charlie_problems = _signed_in(open_screen, wealth_manager, "/wealth/")
    counter, problems = _signed_in(open_screen, teller_high, "/lobby/counter/")

    counter.locator('#counter-windows [data-window="1"]').tap()
    counter.locator("[data-call-next]").tap()
    counter.locator('#counter-current[data-ticket="A001"]').wait_for()
    display.locator("[data-now-ticket]", has_text="A001").wait_for()
    assert "王先生" not in display.content()

    # The referral button under the customer: the account signal, then the wealth pool.
    panel = counter.locator("#counter-referrals")
    panel.locator("label.choice:has(input[value=large_account_swing]) span").tap()
    panel.locator("button[data-target=wealth]").tap()

    card = charlie.locator("#pool-queue .rq-item", has_text="王先生")
    card.wait_for()
    referral = Referral.objects.get()
    assert referral.stage == "third" and referral.signals == ["large_account_swing"]
    assert referral.ticket is not None and referral.ticket.number_display == "A001"
    # The pool is shared by every wealth manager: the account signal is not on it.
    assert secret not in card.inner_text()

    charlie.locator(f"#pool-{referral.pk} button[type=submit]").tap()
    held = charlie.locator(f"#held-{referral.pk}")
    held.wait_for()
    # The one who took the customer sees what the teller saw in the account.
    assert secret in held.inner_text()
    # The teller's panel follows without a reload.
    counter.locator(f'#vr-{referral.pk}[data-status="accepted"]').wait_for()

    counter.locator("[data-op=complete]").tap()
    counter.locator("#counter-current [data-idle]").wait_for()
    assert Ticket.objects.get().status == Ticket.Status.DONE
    for page_problems in (problems, charlie_problems, display_problems):
        assert page_problems == [], "\n".join(page_problems)


def test_a_teller_refers_the_customer_at_the_window_to_the_low_counter(
    open_screen, lobby_manager, teller_high, teller_low, branch, catalogue
):
    _check_in(lobby_manager, "李女士")
    betty, betty_problems = _signed_in(open_screen, teller_low, "/lobby/counter/")
    counter, problems = _signed_in(open_screen, teller_high, "/lobby/counter/")

    counter.locator('#counter-windows [data-window="1"]').tap()
    counter.locator("[data-call-next]").tap()
    counter.locator('#counter-current[data-ticket="A001"]').wait_for()
    counter.locator(
        "#counter-referrals label.choice:has(input[value=near_vip_threshold]) span"
    ).tap()
    counter.locator("#counter-referrals button[data-target=low_counter]").tap()

    # The low counter's own counter screen shows it in its inbox, live.
    card = betty.locator("#counter-inbox #inbox-pool-list .rq-item", has_text="李女士")
    card.wait_for()
    referral = Referral.objects.get()
    card.locator("button[type=submit]").tap()
    betty.locator(f"#inbox-held-{referral.pk}").wait_for()
    counter.locator(f'#vr-{referral.pk}[data-status="accepted"]').wait_for()
    for page_problems in (problems, betty_problems):
        assert page_problems == [], "\n".join(page_problems)
