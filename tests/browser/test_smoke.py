"""Every role's screen: live, self-contained (no internet), and fitting a tablet held either way."""

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser

SCREENS = [
    ("lobby_manager", "/lobby/tablet/"),
    ("wealth_manager", "/wealth/"),
    ("teller_high", "/lobby/counter/"),
    ("branch_admin", "/reports/"),
]


def test_a_signed_in_screen_opens_its_live_connection(open_screen, lobby_manager):
    page = open_screen(lobby_manager, "/lobby/tablet/")
    wait_live(page)
    assert page.locator("#conn-state").get_attribute("data-state") == "open"


@pytest.mark.parametrize(("role", "path"), SCREENS)
def test_screens_load_nothing_from_outside_the_app(request, open_screen, server_url, role, path):
    page = open_screen(request.getfixturevalue(role), "/")
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    page.goto(server_url + path)
    wait_live(page)
    page.wait_for_load_state("networkidle")
    assert hosts == {"localhost"}


@pytest.mark.parametrize(("role", "path"), SCREENS)
@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)])
def test_screens_fit_a_tablet_without_sideways_scrolling(
    request, open_screen, server_url, role, path, size
):
    page = open_screen(request.getfixturevalue(role), "/")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(server_url + path)
    wait_live(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.parametrize(("role", "path"), SCREENS)
def test_every_control_is_big_enough_to_tap(request, open_screen, server_url, role, path):
    page = open_screen(request.getfixturevalue(role), "/")
    page.goto(server_url + path)
    wait_live(page)
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main a.button, main .choice span')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == []
