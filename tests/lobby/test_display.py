"""The public lobby display: no sign-in, its own key, ticket numbers and windows only."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from lobby import push, services
from lobby.asgi import application
from lobby.models import CallingSettings, Window
from tests.conftest import make_visit
from tests.lobby.pushes import pushes_during

ORIGIN = (b"origin", b"http://localhost")
LABEL = "陈女士"
# What a public screen must never show: the label, tiers, queue names, any VIP mark.
PRIVATE = [LABEL, "VIP", "贵宾", "Potential", "潜在", "Personal cash", "个人现金业务", "Regular"]


def token(branch) -> str:
    return CallingSettings.for_branch(branch).display_token


def vip_called(lobby_manager, teller):
    """A VIP customer with a label, called to window 5."""
    make_visit(lobby_manager, prejudgement="vip", business_types=["transfer_remit"], label=LABEL)
    window = Window.objects.get(branch=teller.branch, number=5)
    services.open_window(actor=teller, window_id=window.pk)
    return services.call_next(actor=teller)


def assert_public(html: str) -> None:
    leaked = [word for word in PRIVATE if word in html]
    assert leaked == []


@pytest.mark.django_db
def test_the_display_opens_without_signing_in(branch):
    response = Client().get(reverse("display", args=[token(branch)]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_wrong_display_key_is_not_found(branch):
    response = Client().get(reverse("display", args=["not-the-key"]))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_display_shows_the_called_ticket_and_window_and_nothing_private(
    branch, lobby_manager, teller_low, lang
):
    called = vip_called(lobby_manager, teller_low)
    client = Client(headers={"accept-language": lang})
    html = client.get(reverse("display", args=[token(branch)])).content.decode()
    assert called.number_display in html
    assert ("Window 5" if lang == "en" else "5号窗口") in html
    assert_public(html)


@pytest.mark.django_db
def test_the_display_counts_who_waits_per_queue_by_letter(branch, lobby_manager):
    make_visit(lobby_manager, business_types=["cash_large"])
    make_visit(lobby_manager, business_types=["transfer_remit"])
    client = Client(headers={"HX-Request": "true"})
    html = client.get(reverse("display", args=[token(branch)])).content.decode()
    assert '<li data-queue="A"><b>A</b> <strong>2</strong></li>' in html


@pytest.mark.django_db
def test_the_spoken_call_follows_the_branch_language(branch, lobby_manager, teller_low):
    called = vip_called(lobby_manager, teller_low)
    rules = CallingSettings.for_branch(branch)
    rules.spoken_language = "en"
    rules.save()
    html = Client().get(reverse("display", args=[rules.display_token])).content.decode()
    spelt = " ".join(called.number_display)
    assert f'data-say="Ticket {spelt}, please go to Window 5."' in html
    assert 'data-say-lang="en-GB"' in html


@pytest.mark.django_db
def test_a_display_with_the_spoken_call_off_says_nothing(branch, lobby_manager, teller_low):
    vip_called(lobby_manager, teller_low)
    rules = CallingSettings.for_branch(branch)
    rules.spoken_call = False
    rules.save()
    html = Client().get(reverse("display", args=[rules.display_token])).content.decode()
    assert 'data-say=""' in html


@pytest.mark.django_db
def test_a_recall_gives_the_display_a_new_call_to_announce(branch, lobby_manager, teller_low):
    called = vip_called(lobby_manager, teller_low)
    url = reverse("display", args=[token(branch)])
    before = Client().get(url).content.decode()
    services.recall(actor=teller_low, ticket_id=called.pk)
    after = Client().get(url).content.decode()
    key = 'data-call-key="'
    assert before.split(key)[1].split('"')[0] != after.split(key)[1].split('"')[0]


@pytest.mark.django_db
def test_rotating_the_key_retires_the_old_address(branch):
    old = token(branch)
    services.rotate_display_token(branch=branch)
    assert Client().get(reverse("display", args=[old])).status_code == 404
    assert Client().get(reverse("display", args=[token(branch)])).status_code == 200


@pytest.mark.django_db
def test_pushed_display_frames_carry_only_numbers_and_windows(
    layer, branch, lobby_manager, teller_low, django_capture_on_commit_callbacks
):
    make_visit(lobby_manager, prejudgement="vip", business_types=["transfer_remit"], label=LABEL)
    window = Window.objects.get(branch=branch, number=5)
    services.open_window(actor=teller_low, window_id=window.pk)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return services.call_next(actor=teller_low)

    called, messages = pushes_during([push.display_group(branch.pk)], act)
    assert len(messages) == 1
    for html in messages[0]["html"].values():
        assert called.number_display in html
        assert_public(html)


# ---- its socket --------------------------------------------------------------------------


def communicator(key: str, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost"), origin]
    return WebsocketCommunicator(application, f"/ws/display/{key}/", headers=headers)


@pytest.mark.django_db(transaction=True)
async def test_a_display_socket_with_a_wrong_key_is_refused(branch):
    connected, _code = await communicator("wrong").connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_a_display_socket_from_another_origin_is_refused(branch):
    key = await database_sync_to_async(token)(branch)
    connected, _code = await communicator(key, (b"origin", b"http://evil.example")).connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_a_display_socket_hears_a_call_with_nothing_private(
    branch, lobby_manager, teller_low
):
    ws = communicator(await database_sync_to_async(token)(branch))
    assert (await ws.connect())[0]
    called = await database_sync_to_async(vip_called)(lobby_manager, teller_low)
    for _ in range(10):
        frame = await ws.receive_from(timeout=3)
        if called.number_display in frame and "data-now-ticket" in frame:
            break
    else:
        raise AssertionError("the call never reached the display")
    assert 'id="display-board"' in frame
    assert_public(frame)
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_display_socket_closes_when_its_key_is_rotated(branch):
    ws = communicator(await database_sync_to_async(token)(branch))
    assert (await ws.connect())[0]
    await database_sync_to_async(services.rotate_display_token)(branch=branch)
    message = await ws.receive_output(timeout=3)
    assert message["type"] == "websocket.close"
