"""lobby.live: how a push leaves a server thread for the event loop."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
from asgiref.sync import SyncToAsync, sync_to_async

from lobby import live
from tests.lobby.pushes import Listener


def test_a_push_from_a_server_thread_runs_on_the_servers_loop():
    ran_on = []

    async def push():
        ran_on.append(threading.current_thread().name)

    async def server():
        await sync_to_async(live.run_in_server_loop)(push)
        return threading.current_thread().name

    loop_thread = asyncio.run(server())
    assert ran_on == [loop_thread]


def _from_a_thread_of(loop: asyncio.AbstractEventLoop, coroutine_function) -> float:
    """Call run_in_server_loop from a thread that belongs to `loop`'s server; seconds taken."""
    took = []

    def worker():
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
        start = time.monotonic()
        live.run_in_server_loop(coroutine_function)
        took.append(time.monotonic() - start)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the thread is stuck: the process could never exit"
    return took[0]


def test_a_loop_left_behind_by_an_earlier_async_to_sync_does_not_swallow_pushes():
    """asgiref leaves a thread's last loop in its thread-local, closed: not a stopping server."""
    loop = asyncio.new_event_loop()
    loop.close()
    ran = []

    async def push():
        ran.append(True)

    _from_a_thread_of(loop, push)
    assert ran == [True]


def test_a_push_while_the_server_stops_is_dropped_not_waited_for_forever():
    """A stopped (not closed) loop never runs what is handed to it: async_to_sync would hang."""
    loop = asyncio.new_event_loop()
    ran = []

    async def push():
        ran.append(True)

    try:
        assert _from_a_thread_of(loop, push) < 1 and ran == []
    finally:
        loop.close()


def test_a_push_the_loop_does_not_take_in_time_gives_up(monkeypatch):
    monkeypatch.setattr(live, "SEND_TIMEOUT_SECONDS", 0.2)
    loop = asyncio.new_event_loop()
    stuck = threading.Event()
    loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
    loop_thread.start()
    loop.call_soon_threadsafe(stuck.wait)  # the loop is busy for as long as this test wants

    async def push():
        pass

    try:
        assert _from_a_thread_of(loop, push) < 2
    finally:
        stuck.set()
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(timeout=5)
        loop.close()


# The push handed to the stopping loop is never run, which is the point.
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
def test_a_push_waiting_when_the_server_stops_gives_up_at_once(monkeypatch):
    monkeypatch.setattr(live, "SEND_TIMEOUT_SECONDS", 30)
    loop = asyncio.new_event_loop()
    release = threading.Event()

    def busy_then_stop():  # the loop is busy, then stops before it takes the push
        release.wait()
        loop.stop()

    loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
    loop_thread.start()
    loop.call_soon_threadsafe(busy_then_stop)
    threading.Timer(0.3, release.set).start()
    ran = []

    async def push():
        ran.append(True)

    try:
        assert _from_a_thread_of(loop, push) < 2 and ran == []
    finally:
        loop_thread.join(timeout=5)
        loop.close()


# ---- the speed settings: each optimisation can be turned off (lobby/settings.py) ------------


def test_an_urgent_push_waits_for_its_delivery_by_default(layer):
    listener = Listener(layer, "g")
    live.send_now(["g"], {"en": "x"}, urgent=True)
    [message] = listener.take()
    assert "delivery" in message  # the consumers would report it written (live.forwarded)


def test_an_urgent_push_does_not_wait_when_the_wait_is_off(layer, settings):
    settings.PUSH_URGENT_WAIT_MS = 0
    listener = Listener(layer, "g")
    live.send_now(["g"], {"en": "x"}, urgent=True)
    [message] = listener.take()
    assert "delivery" not in message


def test_every_language_is_rendered_when_listened_languages_only_is_off(layer, settings):
    assert live.languages_for(["nobody.here"]) == []
    settings.PUSH_LISTENED_LANGUAGES_ONLY = False
    assert live.languages_for(["nobody.here"]) == ["zh-hans", "en"]


def test_reset_forgets_every_listener(layer):
    Listener(layer, "g")
    assert live.listened_languages() == {"g": {"zh-hans": 1, "en": 1}}
    live.reset()
    assert live.listened_languages() == {}
