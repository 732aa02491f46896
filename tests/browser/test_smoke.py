import pytest

from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser


def test_a_signed_in_screen_opens_its_live_connection(open_screen, lobby_manager):
    page = open_screen(lobby_manager, "/lobby/tablet/")
    wait_live(page)
    assert page.locator("#conn-state").get_attribute("data-state") == "open"
