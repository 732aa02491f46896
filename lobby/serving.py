"""How a server process runs the app: pooled request threads, and a frozen heap.

RequestThreads. Under ASGI, Django runs a request's sync code (the middleware chain and the view:
all of ours) in a thread of the request's own: every request starts a thread and, since database
connections belong to a thread, opens a database connection that dies with it. Both cost more
than a whole simple view. `RequestThreads` gives each request a thread from a fixed pool instead,
the way a WSGI server's workers are reused: a thread serves one request at a time, keeps its
database connection between requests (subject to CONN_MAX_AGE, or a connection pool), and
requests beyond the pool's size fall back to Django's thread of their own. It relies on asgiref's
ThreadSensitiveContext(executor=...): the outermost thread-sensitive context decides where sync
code runs, and Django's own context inside it defers to it.

FrozenHeap: see the class.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.conf import settings


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
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            self.idle.append(executor)


class FrozenHeap:
    """ASGI middleware: on the first connection, move everything alive to the permanent generation.

    By then the app is loaded: modules, settings, URL patterns, the server's own objects. CPython's
    full collections otherwise walk all of them again and again, pausing the event loop for tens of
    milliseconds each time with a hundred screens connected (it set the benchmark's p99: see
    bench/notice_latency.py). Frozen objects are never scanned or freed, which suits what lives as
    long as the process. Off with settings.GC_FREEZE (the test suite, whose processes are short).
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
