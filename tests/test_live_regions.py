"""The refresh rule, read off the rendered pages: every live region re-reads itself through its
own view on socket (re)open and tab return (`live:resync`, sent by static/lobby/app.js) and on
the same slow periodic refresh; and each region's URL answers with that region's content alone."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
REFRESH = "live:resync from:body, every 30s"

# page -> {region element id: something only that region's content shows}
SCREENS = {
    ("lobby_manager", "lobby:tablet"): {
        "waiting-board": "data-count",
        "glance": "data-in-lobby",
        "sent-referrals": 'id="sent-list"',
        "lobby-inbox": 'class="inbox stack"',
        "no-shows": "data-no-shows=",
    },
    ("lobby_manager", "lobby:board"): {"waiting-board": "data-count"},
    ("lobby_manager", "lobby:glance"): {"glance": "data-in-lobby"},
    ("wealth_manager", "referrals:queue"): {
        "pool-queue": 'id="pool-list"',
        "my-referrals": 'id="mine-title"',
        "my-numbers": 'id="numbers-title"',
        "follow-ups": 'id="follow-title"',
    },
    ("lobby_manager", "referrals:sent"): {"sent-referrals": 'id="sent-list"'},
    ("teller_high", "referrals:sent"): {"sent-referrals": 'id="sent-list"'},
    ("teller_low", "referrals:inbox"): {"counter-inbox": 'class="inbox stack"'},
}


class _Regions(HTMLParser):
    """Collects every element that re-reads itself: id -> (hx-get, hx-trigger), and the ids of
    elements nested inside each of them."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.regions: dict[str, tuple[str, str]] = {}
        self.inside: dict[str, set[str]] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element_id = attrs.get("id")
        if element_id:
            for _tag, region in self._open:
                if region:
                    self.inside.setdefault(region, set()).add(element_id)
        live = "live:resync" in (attrs.get("hx-trigger") or "")
        if live and element_id:
            self.regions[element_id] = (attrs.get("hx-get") or "", attrs["hx-trigger"])
        if tag not in self.VOID:
            self._open.append((tag, element_id if live else None))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break


def _page(client, request, who: str, name: str) -> _Regions:
    client_for(client, request.getfixturevalue(who))
    response = client.get(reverse(name))
    assert response.status_code == 200
    parser = _Regions()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize(("who", "name"), list(SCREENS))
def test_every_live_region_rereads_on_resync_and_on_the_slow_refresh(
    client, request, catalogue, who, name
):
    regions = _page(client, request, who, name).regions
    assert set(regions) == set(SCREENS[who, name])
    for url, trigger in regions.values():
        assert url
        assert trigger in (REFRESH, f"load, {REFRESH}")


@pytest.mark.parametrize(("who", "name"), list(SCREENS))
def test_each_region_url_answers_its_content_only(client, request, catalogue, who, name):
    page = _page(client, request, who, name)
    for region, marker in SCREENS[who, name].items():
        url, _trigger = page.regions[region]
        response = client.get(url, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "<html" not in html
        assert marker in html
        # The element stays on the page; only its content is swapped.
        assert f'id="{region}"' not in html


def test_the_overdue_box_is_reread_with_the_sent_panel_it_sits_in(client, request, catalogue):
    page = _page(client, request, "lobby_manager", "referrals:sent")
    assert "overdue-referrals" in page.inside["sent-referrals"]
    url, _trigger = page.regions["sent-referrals"]
    assert 'id="overdue-referrals"' in client.get(url, **HTMX).content.decode()


def test_the_checker_sees_a_region_that_does_not_reread_itself():
    parser = _Regions()
    parser.feed(
        '<section id="a" hx-get="/a" hx-trigger="live:resync from:body, every 30s">'
        '<div id="inner"></div></section><section id="b" hx-get="/b" hx-trigger="load"></section>'
    )
    assert set(parser.regions) == {"a"}
    assert parser.inside["a"] == {"inner"}
