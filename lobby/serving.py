"""How a server process runs the app: pooled request threads, and a frozen heap; and the one place
that relies on asgiref beyond its everyday API (server_loop, pooled_context).

Each optimisation has its setting (lobby/settings.py says what bench/notice_latency.py measured
with and without it): REQUEST_THREADS, GC_FREEZE; and in lobby.live PUSH_URGENT_WAIT_MS and
PUSH_LISTENED_LANGUAGES_ONLY.

RequestThreads. Under ASGI, Django runs a request's sync code (the middleware chain and the view:
all of ours) in a thread of the request's own: every request starts a thread and, since database
connections belong to a thread, opens a database connection that dies with it. Both cost more
than a whole simple view. `RequestThreads` gives each request a thread from a fixed pool instead,
the way a WSGI server's workers are reused: a thread serves one request at a time, keeps its
database connection between requests (subject to CONN_MAX_AGE, or a connection pool), and
requests beyond the pool's size fall back to Django's thread of their own; REQUEST_THREADS=0
turns it off. It relies on asgiref's ThreadSensitiveContext(executor=...) (see pooled_context).

FrozenHeap: see the class.
"""

from __future__ import annotations

import asyncio
import gc
import os
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync, ThreadSensitiveContext
from django.conf import settings

# ---- asgiref beyond async_to_sync/sync_to_async: only here. Checked against asgiref 3.13.0 ----
# (pyproject pins >=3.13,<4). When asgiref changes, re-read these two functions against it.


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The server's running event loop, when this thread is one of the server's sync threads (a
    request's, a consumer's database thread); None outside a server, or when the loop asgiref
    remembers for this thread is closed (an earlier async_to_sync left it there) or belongs to
    the parent of a fork.

    Internal to asgiref: SyncToAsync.thread_handler stores the loop in
    `SyncToAsync.threadlocal.main_event_loop` (and `.main_event_loop_pid`) for every sync call.
    """
    threadlocal = SyncToAsync.threadlocal
    loop = getattr(threadlocal, "main_event_loop", None)
    if (
        loop is None
        or loop.is_closed()
        or getattr(threadlocal, "main_event_loop_pid", None) != os.getpid()
    ):
        return None
    return loop


def pooled_context(executor: Executor) -> ThreadSensitiveContext:
    """A thread-sensitive context that runs every sync call inside it on `executor` (one thread),
    even inside Django's own context: ThreadSensitiveContext(executor=), new in asgiref 3.13."""
    return ThreadSensitiveContext(executor=executor)


class RequestThreads:
    """ASGI middleware: run each HTTP request's sync code on a pooled thread (see module doc)."""

    def __init__(self, app: Any, size: int):
        self.app = app
        self.size = size
        self._new_pool()

    def _new_pool(self) -> None:
        # Threads do not survive a fork (a test server, a pre-forking process manager): a child
        # that inherited the pool's executors would queue work for threads it does not have.
        self.pid = os.getpid()
        self.idle = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"request-{i}")
            for i in range(self.size)
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.pid != os.getpid():
            self._new_pool()
        if scope["type"] != "http" or not self.idle:
            await self.app(scope, receive, send)
            return
        executor = self.idle.pop()
        try:
            async with pooled_context(executor):
                await self.app(scope, receive, send)
        finally:
            self.idle.append(executor)


class FrozenHeap:
    """ASGI middleware: on the first connection, move everything alive to the permanent generation.

    By then the app is loaded: modules, settings, URL patterns, the server's own objects. CPython's
    full collections otherwise walk all of them again and again, pausing the event loop for tens of
    milliseconds each time with a hundred screens connected (it set the benchmark's p99: see
    bench/notice_latency.py). Frozen objects are never scanned or freed, which suits what lives as
    long as the process. Off with settings.GC_FREEZE=0 (the test suite, whose processes are short).
    """

    def __init__(self, app: Any):
        self.app = app
        self.pending = True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.pending:
            self.pending = False
            if settings.GC_FREEZE:
                gc.collect()
                gc.freeze()
        await self.app(scope, receive, send)
