"""The counter and the lobby's TV on a real server: open a window, call, park, resume, complete."""

from __future__ import annotations

import pytest

from lobby.models import Ticket
from tests.browser.conftest import wait_live, watch
from tests.browser.test_tablet import DROP_SOCKET, TRACK_SOCKETS
from tests.conftest import make_visit

pytestmark = pytest.mark.browser


def test_a_call_at_the_counter_shows_on_the_display_and_the_teller_parks_resumes_completes(
    open_screen, open_display, teller_high, lobby_manager, branch, catalogue
):
    make_visit(lobby_manager, label="王先生")
    make_visit(lobby_manager, label="李女士")
    display, display_problems = open_display(branch)
    counter = open_screen(teller_high, "/lobby/counter/")
    problems = watch(counter)
    wait_live(counter)
    wait_live(display)
    display.locator("#sound-on").tap()

    counter.locator('#counter-windows [data-window="1"]').tap()
    counter.locator("[data-call-next]").tap()
    counter.locator('#counter-current[data-ticket="A001"]').wait_for()
    assert "王先生" in counter.locator("#counter-current").inner_text()

    # The TV shows it without a reload: ticket and window, and nothing about the customer.
    display.locator("[data-now-ticket]", has_text="A001").wait_for()
    assert display.locator("[data-now-window]").inner_text() == "Window 1"
    assert "王先生" not in display.content()

    # Park (the customer fills in a form), serve the next one meanwhile, then resume.
    counter.locator("[data-op=park]").tap()
    counter.locator('#counter-window [data-parked="A001"]').wait_for()
    counter.locator("[data-call-next]").tap()
    counter.locator('#counter-current[data-ticket="A002"]').wait_for()
    display.locator("[data-now-ticket]", has_text="A002").wait_for()
    display.locator('[data-recent="A001"]').wait_for()
    counter.locator("[data-op=complete]").tap()
    counter.locator("#counter-current [data-idle]").wait_for()
    counter.locator('[data-parked="A001"] [data-resume]').tap()
    counter.locator('#counter-current[data-ticket="A001"][data-status="serving"]').wait_for()
    counter.locator("[data-op=complete]").tap()
    counter.locator("#counter-current [data-idle]").wait_for()

    assert list(Ticket.objects.order_by("number").values_list("status", flat=True)) == [
        "done",
        "done",
    ]
    assert problems == [], "\n".join(problems)
    assert display_problems == [], "\n".join(display_problems)


def test_a_display_that_lost_its_socket_catches_up_when_it_reconnects(
    open_screen, open_display, teller_high, lobby_manager, branch, catalogue
):
    make_visit(lobby_manager)
    display, display_problems = open_display(branch, "zh-hans", init_script=TRACK_SOCKETS)
    counter = open_screen(teller_high, "/lobby/counter/")
    wait_live(display)
    wait_live(counter)
    display.evaluate("htmx.config.wsReconnectDelay = () => 300")
    display.context.set_offline(True)
    display.evaluate(DROP_SOCKET)
    display.wait_for_selector("#conn-state[data-state=closed]")
    display.wait_for_function("window.__sockets.every(s => s.readyState === WebSocket.CLOSED)")

    counter.locator('#counter-windows [data-window="1"]').tap()
    counter.locator("[data-call-next]").tap()
    counter.locator('#counter-current[data-ticket="A001"]').wait_for()
    assert display.locator("[data-now-ticket]").count() == 0

    # The socket errors of the offline moment are the test's own doing; none after it.
    display.context.set_offline(False)
    wait_live(display)
    display_problems.clear()
    display.locator("[data-now-ticket]", has_text="A001").wait_for()
    assert display.locator("[data-now-window]").inner_text() == "1号窗口"
    assert display_problems == []


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)])
def test_the_counter_with_a_customer_fits_a_tablet_and_every_control_is_big_enough(
    open_screen, server_url, teller_low, lobby_manager, catalogue, size
):
    make_visit(
        lobby_manager,
        label="郑大爷",
        cues=["fraud_risk_large_withdrawal_elderly"],
        prejudgement="vip",
    )
    page = open_screen(teller_low, "/lobby/counter/")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    wait_live(page)
    page.locator('#counter-windows [data-window="5"]').tap()
    page.locator("[data-call-next]").tap()
    page.locator("#counter-current [data-no-marketing]").wait_for()
    page.locator(".transfer summary").tap()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main summary, main .choice span')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == []
