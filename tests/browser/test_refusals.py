"""A refused action on a real screen: the answer is a 4xx, and the screen shows why."""

from __future__ import annotations

import pytest

from lobby.models import Visit
from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser


def test_a_refused_check_in_shows_its_reason_on_the_tablet(open_screen, lobby_manager, catalogue):
    page = open_screen(lobby_manager, "/lobby/tablet/")
    wait_live(page)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    page.locator("#checkin details.optional summary").tap()
    page.fill("input[name=label]", "13800138000")
    page.locator("label.choice:has(input[value=regular]) span").tap()
    page.locator("label.choice:has(input[value=cash_large]) span").tap()
    page.locator("#route .dest").wait_for()
    # From the tap on: the refused answer itself must raise no script error. (Before it, htmx
    # reports the route request that a quick second tick replaced: a known, separate matter.)
    errors.clear()
    with page.expect_response(lambda r: "/check-in/" in r.url) as answer:
        page.locator("button[data-confirm]").tap()
    assert answer.value.status == 400
    page.locator("#checkin [data-error]").wait_for()
    assert "No numbers" in page.locator("#checkin [data-error]").inner_text()
    assert not Visit.objects.exists()
    # The browser's own line about a 4xx answer is not a script error; nothing else may show.
    assert [e for e in errors if "status of 400" not in e] == []
