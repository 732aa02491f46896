"""The refresh rule in a real browser: a tab that comes back re-reads its regions."""

from __future__ import annotations

import pytest

from lobby.models import Visit
from tests.browser.conftest import wait_live
from tests.conftest import make_visit

pytestmark = pytest.mark.browser


def test_a_tablet_coming_back_to_the_front_rereads_its_board(open_screen, lobby_manager, catalogue):
    visit = make_visit(lobby_manager, label="王先生")
    page = open_screen(lobby_manager, "/lobby/tablet/")
    wait_live(page)
    page.locator("#waiting-board .who", has_text="王先生").wait_for()
    # A change no push announced (as if one was lost while the tablet slept).
    Visit.objects.filter(pk=visit.pk).update(label="李女士")

    with page.expect_request(lambda r: "/lobby/board/" in r.url):
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.locator("#waiting-board .who", has_text="李女士").wait_for()
