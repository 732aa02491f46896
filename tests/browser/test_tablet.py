"""Two real tablets on a real server: live check-ins, a dropped socket, and the four-tap door."""

from __future__ import annotations

import pytest

from lobby.models import Ticket
from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser

# Keeps a handle on every websocket the page opens, so a test can drop one for real.
TRACK_SOCKETS = """
window.__sockets = [];
(function () {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();
"""

# Closes the open socket and tells htmx it died abnormally (code 1006), as a dropped network
# does: htmx then retries, and on reopening the page re-reads its regions.
DROP_SOCKET = """
() => {
  const socket = window.__sockets[window.__sockets.length - 1];
  const notify = socket.onclose;
  socket.onclose = null;
  socket.close();
  notify({ code: 1006, reason: "test drop", type: "close" });
}
"""


def check_in(page, tier: str, business: str, taps: list[str] | None = None) -> str:
    """Door to ticket as a person does it: tier, business, issue. Returns the ticket shown."""
    taps = [] if taps is None else taps

    def tap(selector: str) -> None:
        taps.append(selector)
        page.locator(selector).tap()

    tap(f"label.choice:has(input[value={tier}]) span")
    tap(f"label.choice:has(input[value={business}]) span")
    page.locator("#route .dest").wait_for()
    tap("button[data-confirm]")
    return page.locator("#checkin [data-ticket]").inner_text().strip()


def test_a_check_in_on_one_tablet_appears_on_the_other_without_reload(
    open_screen, lobby_manager, lobby_assistant, catalogue
):
    manager = open_screen(lobby_manager, "/lobby/tablet/")
    assistant = open_screen(lobby_assistant, "/lobby/tablet/")
    wait_live(manager)
    wait_live(assistant)
    number = check_in(manager, "regular", "cash_large")
    assert number == "A001"
    assistant.locator('#waiting-board [data-ticket="A001"]').wait_for()
    assert assistant.locator("#glance [data-in-lobby]").inner_text() == "1"


def test_a_tablet_that_lost_its_socket_catches_up_when_it_reconnects(
    open_screen, lobby_manager, lobby_assistant, catalogue
):
    manager = open_screen(lobby_manager, "/lobby/tablet/")
    assistant = open_screen(lobby_assistant, "/")
    assistant.context.add_init_script(TRACK_SOCKETS)
    assistant.goto(manager.url)
    wait_live(manager)
    wait_live(assistant)
    assistant.evaluate("htmx.config.wsReconnectDelay = () => 300")

    # Offline first, so the retries cannot get through; then the socket really goes.
    assistant.context.set_offline(True)
    assistant.evaluate(DROP_SOCKET)
    assistant.wait_for_selector("#conn-state[data-state=closed]")
    # The closing handshake takes its time on a busy machine: CLOSING first, then CLOSED.
    assistant.wait_for_function("window.__sockets.every(s => s.readyState === WebSocket.CLOSED)")

    number = check_in(manager, "regular", "ebank_activation")
    assert number == "B001"
    assert Ticket.objects.filter(queue__prefix="B").count() == 1
    # The board did go out: the manager's own live tablet shows it; the offline one does not.
    manager.locator('#waiting-board [data-ticket="B001"]').wait_for()
    assert assistant.locator('#waiting-board [data-ticket="B001"]').count() == 0
    assert assistant.locator("#conn-state").get_attribute("data-state") == "closed"

    assistant.context.set_offline(False)
    wait_live(assistant)
    assistant.locator('#waiting-board [data-ticket="B001"]').wait_for()
    assert assistant.evaluate("window.__sockets.length") >= 2


def test_door_to_ticket_takes_at_most_four_taps(open_screen, lobby_assistant, catalogue):
    page = open_screen(lobby_assistant, "/lobby/tablet/")
    wait_live(page)
    taps: list[str] = []
    number = check_in(page, "regular", "transfer_remit", taps)
    assert number == "A001"
    assert len(taps) <= 4
    assert page.locator("#checkin .script").count() >= 1
    assert page.locator("#checkin [data-next]").is_visible()
