"""The third referral on real screens: a teller's two taps reach the receiver, who takes the
customer, and the teller's panel follows without a reload. Any console error or failed request
on any of the screens fails the test."""

from __future__ import annotations

import pytest
from django.utils import translation

from lobby import services as lobby_services
from lobby.choices import Cue
from referrals.models import Referral, Status
from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser


class Watched:
    """What went wrong on a page: console errors, uncaught exceptions, failed requests."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, page, server_url: str, path: str):
        # Leave the landing page first: its own requests in flight would be cut by the move.
        page.goto("about:blank")
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.on("requestfailed", lambda r: self.problems.append(f"failed {r.url}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.url}"),
        )
        page.goto(server_url + path)
        wait_live(page)
        return page


@pytest.fixture
def watched(open_screen, server_url):
    """watched(staff, path) → a signed-in page on `path`, watched from its first request."""
    seen = Watched()

    def open_(staff, path: str):
        return seen.watch(open_screen(staff, "/"), server_url, path)

    yield open_
    assert seen.problems == [], "\n".join(seen.problems)


def _check_in(lobby_manager, label: str):
    return lobby_services.check_in(
        actor=lobby_manager, prejudgement="regular", business_types=["cash_large"], label=label
    )


def test_a_teller_refers_with_an_account_signal_and_sees_the_wealth_manager_take_the_customer(
    watched, lobby_manager, teller_high, wealth_manager, catalogue
):
    visit = _check_in(lobby_manager, "王先生")
    with translation.override("en"):
        secret = str(Cue.LARGE_ACCOUNT_SWING.label)
    charlie = watched(wealth_manager, "/wealth/")
    teller = watched(teller_high, f"/wealth/visit/{visit.pk}/panel/")

    # Two taps: the signal seen in the account, then the wealth managers' pool.
    teller.locator("label.choice:has(input[value=large_account_swing]) span").click()
    teller.locator("button[data-target=wealth]").click()

    card = charlie.locator("#pool-queue .rq-item", has_text="王先生")
    card.wait_for()
    assert secret not in card.inner_text()  # the pool is shared: the signal waits for the taker
    referral = Referral.objects.get(visit=visit)
    assert referral.signals == [Cue.LARGE_ACCOUNT_SWING]
    teller.locator(f'#vr-{referral.pk}[data-status="created"]').wait_for()

    charlie.locator(f"#pool-{referral.pk} button[type=submit]").click()
    held = charlie.locator(f"#held-{referral.pk}")
    held.wait_for()
    assert secret in held.inner_text()  # the one who took the customer sees it

    row = teller.locator(f'#vr-{referral.pk}[data-status="accepted"]')
    row.wait_for()
    assert "Charlie" in row.inner_text()
    assert secret not in teller.locator(f"#visit-referrals-{visit.pk}").inner_text()


def test_a_teller_refers_to_the_low_counter_whose_teller_takes_and_closes_it(
    watched, lobby_manager, teller_high, teller_low, catalogue
):
    visit = _check_in(lobby_manager, "李女士")
    betty = watched(teller_low, "/wealth/inbox/")
    teller = watched(teller_high, f"/wealth/visit/{visit.pk}/panel/")

    teller.locator("label.choice:has(input[value=near_vip_threshold]) span").click()
    teller.locator("button[data-target=low_counter]").click()

    card = betty.locator("#inbox-pool-list .rq-item", has_text="李女士")
    card.wait_for()
    referral = Referral.objects.get(visit=visit)
    card.locator("button[type=submit]").click()
    held = betty.locator(f"#inbox-held-{referral.pk}")
    held.wait_for()
    betty.locator(f"#inbox-pool-list #inbox-{referral.pk}").wait_for(state="detached")
    teller.locator(f'#vr-{referral.pk}[data-status="accepted"]').wait_for()

    held.locator("button", has_text="Start serving").click()
    form = betty.locator(f"#inbox-close-{referral.pk}")
    form.locator("label.choice:has(input[value=not_converted]) span").click()
    form.locator("button[type=submit]").click()
    betty.locator(f"#inbox-closed-{referral.pk}").wait_for()

    teller.locator(f'#vr-{referral.pk}[data-status="not_converted"]').wait_for()
    referral.refresh_from_db()
    assert (referral.status, referral.claimed_by) == (Status.NOT_CONVERTED, teller_low)


def test_a_referral_to_the_lobby_manager_appears_on_the_tablet_and_is_taken_there(
    watched, lobby_manager, teller_high, catalogue
):
    visit = _check_in(lobby_manager, "张先生")
    tablet = watched(lobby_manager, "/lobby/tablet/")
    teller = watched(teller_high, f"/wealth/visit/{visit.pk}/panel/")

    teller.locator("button[data-target=lobby]").click()

    card = tablet.locator("#lobby-inbox #inbox-pool-list .rq-item", has_text="张先生")
    card.wait_for()
    referral = Referral.objects.get(visit=visit)
    card.locator("button[type=submit]").click()
    tablet.locator(f"#inbox-held-{referral.pk}").wait_for()
    teller.locator(f'#vr-{referral.pk}[data-status="accepted"]').wait_for()
    assert "Alice" in teller.locator(f"#vr-{referral.pk}").inner_text()


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)])
def test_the_panel_and_the_inbox_fit_a_tablet_and_every_control_is_big_enough_to_tap(
    watched, lobby_manager, teller_high, teller_low, wealth_manager, catalogue, size
):
    visit = _check_in(lobby_manager, "王先生")
    for staff, path in (
        (teller_high, f"/wealth/visit/{visit.pk}/panel/"),
        (teller_low, "/wealth/inbox/"),
    ):
        page = watched(staff, path)
        page.set_viewport_size({"width": size[0], "height": size[1]})
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        small = page.evaluate(
            """() => [...document.querySelectorAll('main button, main .choice span, main summary')]
                .filter(el => el.offsetParent !== null)
                .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
                .filter(([, h]) => h < 44)"""
        )
        assert small == []
