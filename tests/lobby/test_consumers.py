"""The one websocket: who may connect, presence, and fragments in each screen's language."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from lobby import live
from lobby.asgi import application
from lobby.models import LiveSocket
from tests.conftest import make_visit

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def cookie_for(staff, lang: str) -> bytes:
    client = Client()
    client.force_login(staff.user)
    return f"sessionid={client.cookies['sessionid'].value}; django_language={lang}".encode()


def communicator(cookie: bytes | None = None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost"), origin]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/live/", headers=headers)


async def receive_until(ws: WebsocketCommunicator, text: str) -> str:
    """Skip unrelated pushes (e.g. the glance refresh for a screen opening) until `text` shows."""
    for _ in range(10):
        message = await ws.receive_from(timeout=3)
        if text in message:
            return message
    raise AssertionError(f"{text!r} never arrived")


async def test_anonymous_connections_are_refused():
    ws = communicator()
    connected, _code = await ws.connect()
    assert not connected


async def test_cross_origin_connections_are_refused(lobby_manager):
    cookie = await database_sync_to_async(cookie_for)(lobby_manager, "en")
    ws = communicator(cookie, origin=(b"origin", b"http://evil.example"))
    connected, _code = await ws.connect()
    assert not connected


async def test_a_signed_in_lobby_screen_receives_a_check_in_in_its_language(
    lobby_manager, lobby_assistant, catalogue
):
    english = communicator(await database_sync_to_async(cookie_for)(lobby_assistant, "en"))
    chinese = communicator(await database_sync_to_async(cookie_for)(lobby_manager, "zh-hans"))
    assert (await english.connect())[0]
    assert (await chinese.connect())[0]
    await database_sync_to_async(make_visit)(lobby_manager, label="王先生")
    in_english = await receive_until(english, "A001")
    in_chinese = await receive_until(chinese, "A001")
    assert '<section id="waiting-board" hx-swap-oob="innerHTML">' in in_english
    # Queue names are kept in both languages (no message catalogue needed to tell them apart).
    assert "Personal cash" in in_english and "个人现金业务" not in in_english
    assert "个人现金业务" in in_chinese
    await english.disconnect()
    await chinese.disconnect()


async def test_an_open_screen_counts_as_online_until_it_closes(wealth_manager):
    ws = communicator(await database_sync_to_async(cookie_for)(wealth_manager, "en"))
    assert (await ws.connect())[0]
    assert (
        await database_sync_to_async(LiveSocket.objects.filter(staff=wealth_manager).count)() == 1
    )
    await ws.disconnect()
    assert await database_sync_to_async(LiveSocket.objects.count)() == 0


async def test_a_teller_screen_does_not_get_the_lobby_board(teller_high, lobby_manager):
    teller = communicator(await database_sync_to_async(cookie_for)(teller_high, "en"))
    lobby = communicator(await database_sync_to_async(cookie_for)(lobby_manager, "en"))
    assert (await teller.connect())[0]
    assert (await lobby.connect())[0]
    await database_sync_to_async(make_visit)(lobby_manager)
    # The board did go out: a lobby screen has it; the layer hands a message to every member of
    # a group at once, so the teller's screen would have it by now too.
    await receive_until(lobby, "A001")
    assert await teller.receive_nothing(timeout=0.2)
    await teller.disconnect()
    await lobby.disconnect()


async def test_an_open_screen_counts_its_language_until_it_closes(settings, wealth_manager):
    """With the in-memory layer, pushes are rendered in the languages of the open screens."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    groups = live.groups_for_staff(wealth_manager)
    ws = communicator(await database_sync_to_async(cookie_for)(wealth_manager, "en"))
    assert (await ws.connect())[0]
    assert all(live.languages_for([group]) == ["en"] for group in groups)
    await ws.disconnect()
    assert live.languages_for(groups) == []
