"""How the server process runs the app: pooled request threads, the frozen heap."""

from __future__ import annotations

import asyncio
import gc
import threading

from asgiref.sync import sync_to_async

from lobby.serving import FrozenHeap, RequestThreads


def sync_app_recording(threads: list[str], together: asyncio.Barrier | None = None):
    """An ASGI app whose sync part records the thread it ran on, like Django's handler does.

    With `together`, a request goes on past its first sync call only once all its parties have
    made theirs: they are all inside the app at once.
    """

    async def app(scope, receive, send):
        await sync_to_async(lambda: threads.append(threading.current_thread().name))()
        if together is not None:
            await together.wait()
        await sync_to_async(lambda: threads.append(threading.current_thread().name))()

    return app


def http():
    return {"type": "http", "path": "/"}


async def test_requests_reuse_the_pool_threads():
    threads: list[str] = []
    app = RequestThreads(sync_app_recording(threads), size=2)
    for _ in range(5):
        await app(http(), None, None)
    # One after another, every request gets the same long-lived thread, for all its sync calls.
    assert len(set(threads)) == 1 and threads[0].startswith("request-")


async def test_requests_beyond_the_pool_get_a_thread_of_their_own():
    threads: list[str] = []
    app = RequestThreads(sync_app_recording(threads, asyncio.Barrier(3)), size=2)
    async with asyncio.timeout(10):  # three at once, or a request found no thread to run on
        await asyncio.gather(*(app(http(), None, None) for _ in range(3)))
    pooled = [name for name in set(threads) if name.startswith("request-")]
    assert len(pooled) == 2 and len(set(threads)) == 3
    assert len(app.idle) == 2  # every pooled thread is back


async def test_a_forked_process_gets_threads_of_its_own():
    """A child that inherited the pool would queue requests for threads it does not have."""
    threads: list[str] = []
    app = RequestThreads(sync_app_recording(threads), size=1)
    await app(http(), None, None)
    inherited = app.idle[0]
    app.pid = -1  # as if this process were a fork of the one that made the pool
    await app(http(), None, None)
    assert app.idle[0] is not inherited and len(threads) == 4
    inherited.shutdown()


async def test_websockets_do_not_take_a_request_thread():
    seen = []

    async def app(scope, receive, send):
        seen.append(len(pool.idle))

    pool = RequestThreads(app, size=1)
    await pool({"type": "websocket", "path": "/ws/live/"}, None, None)
    assert seen == [1]


async def test_the_heap_is_frozen_once_on_the_first_connection(settings):
    settings.GC_FREEZE = True
    calls = []

    async def app(scope, receive, send):
        calls.append(gc.get_freeze_count())

    frozen = FrozenHeap(app)
    try:
        await frozen(http(), None, None)
        await frozen(http(), None, None)
        assert calls[0] > 0 and len(calls) == 2
    finally:
        gc.unfreeze()


async def test_the_heap_stays_as_it_is_when_turned_off(settings):
    settings.GC_FREEZE = False

    async def app(scope, receive, send):
        pass

    await FrozenHeap(app)(http(), None, None)
    assert gc.get_freeze_count() == 0
