"""Live updates: the only place that talks to the channel layer.

Services call `push_fragment(...)` inside their transaction; the fragment is rendered and sent only
after the commit (a rolled-back write never reaches a screen). A fragment is an element with an id
and `hx-swap-oob`, which htmx's ws extension swaps into every listening page. It is rendered once
per UI language in use; each socket forwards the copy in its own language (consumers.LiveConsumer).
With the in-memory layer every socket that can receive a push is in this process, so a fragment is
rendered only in the languages of the sockets in its groups (none: not rendered, not sent); with
a layer shared by several processes (Redis), or with settings.PUSH_LISTENED_LANGUAGES_ONLY off, in
every language.

Messages can be lost (a tablet asleep, a socket dropped); the database is the source of truth, and a
screen re-fetches its fragments through the ordinary views whenever its socket (re)opens.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from lobby.serving import server_loop

MESSAGE_TYPE = "push.html"

logger = logging.getLogger(__name__)


def role_group(branch_id: int, role: str) -> str:
    return f"branch.{branch_id}.role.{role}"


def staff_group(staff_id: int) -> str:
    return f"staff.{staff_id}"


def groups_for_staff(staff: Any) -> list[str]:
    """Every group a member of staff's screens listen on."""
    return [
        role_group(staff.branch_id, staff.role),
        staff_group(staff.pk),
    ]


# The UI languages of the sockets in this process, per group: {group: Counter({language: n})}.
# Kept by whoever joins a group to receive pushes (consumers.LiveConsumer; test listeners), so it
# must be joined before the group and left after it.
_languages: defaultdict[str, Counter[str]] = defaultdict(Counter)


def listening(groups: Iterable[str], language: str) -> None:
    for group in groups:
        _languages[group][language] += 1


def stopped_listening(groups: Iterable[str], language: str) -> None:
    for group in groups:
        counts = _languages.get(group)
        if counts is None:
            continue
        counts[language] -= 1
        if counts[language] <= 0:
            del counts[language]
        if not counts:
            del _languages[group]


def languages_for(groups: Iterable[str]) -> list[str]:
    """The languages to render a push to `groups` in (see the module's doc), in settings order."""
    every = [code for code, _name in settings.LANGUAGES]
    if not settings.PUSH_LISTENED_LANGUAGES_ONLY or not isinstance(
        get_channel_layer(), InMemoryChannelLayer
    ):
        return every
    used: set[str] = set()
    for group in groups:
        # set.update copies the keys in one step: the loop thread may be changing the counts.
        used.update(_languages.get(group, ()))
    return [code for code in every if code in used]


def render_languages(
    template_name: str, context: dict[str, Any], languages: Iterable[str]
) -> dict[str, str]:
    rendered: dict[str, str] = {}
    for code in languages:
        with translation.override(code):
            rendered[code] = render_to_string(template_name, context)
    return rendered


class _Delivery:
    """An urgent push on its way to `expected` sockets of this process."""

    def __init__(self, expected: int):
        self.remaining = expected
        self.done = asyncio.Event()


_deliveries: dict[str, _Delivery] = {}


def forwarded(message: dict[str, Any]) -> None:
    """A consumer of this process has written `message` to its socket (consumers.LiveConsumer)."""
    delivery = _deliveries.get(message.get("delivery", ""))
    if delivery is not None:
        delivery.remaining -= 1
        if delivery.remaining <= 0:
            delivery.done.set()


def local_sockets(groups: Iterable[str]) -> int:
    """How many sockets of this process listen on `groups`, counted once per group."""
    return sum(sum(_languages.get(group, {}).values()) for group in groups)


def send_now(groups: Iterable[str], html: dict[str, str], *, urgent: bool = False) -> None:
    """Send `html` to `groups` now.

    `urgent`: what the receivers are waiting for (a customer referred to them). The sockets are
    served by the event loop, but this runs in the request's thread, which still has work to do
    after the push (less urgent pushes, the response) and would hold the GIL while the loop fans
    the frames out: the screens would wait for it. So an urgent push waits until every socket of
    this process in `groups` has written it (at most settings.PUSH_URGENT_WAIT_MS; 0: no wait)
    before this thread carries on. Sockets of other processes (with Redis) are served by their own
    processes.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    groups = list(dict.fromkeys(groups))  # de-duplicated, order kept
    message: dict[str, Any] = {"type": MESSAGE_TYPE, "html": html}
    wait_seconds = settings.PUSH_URGENT_WAIT_MS / 1000
    expected = local_sockets(groups) if urgent and wait_seconds > 0 else 0

    async def send() -> None:
        delivery = None
        if expected:
            message["delivery"] = token = secrets.token_hex(8)
            delivery = _deliveries[token] = _Delivery(expected)
        try:
            for group in groups:
                await layer.group_send(group, message)
            if delivery is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(delivery.done.wait(), wait_seconds)
                # The transports flush what the consumers wrote on the loop's next turns.
                for _turn in range(2):
                    await asyncio.sleep(0)
        finally:
            if delivery is not None:
                del _deliveries[message["delivery"]]

    run_in_server_loop(send)


# At most this long a thread waits for the server's event loop to take a push.
SEND_TIMEOUT_SECONDS = 5.0


def run_in_server_loop(coroutine_function: Callable[[], Any]) -> None:
    """Run `coroutine_function()` on the server's event loop, from a request or worker thread.

    asgiref's async_to_sync would wait for ever once the loop has stopped (a server shutting down
    while a request or a closing socket still pushes): the thread never ends and the process
    never exits. So a push from a server thread is dropped if the loop is no longer running, and
    waits at most SEND_TIMEOUT_SECONDS; screens re-read their regions when they reconnect. Outside
    a server (management commands, tests), async_to_sync runs it in a loop of its own.
    """
    loop = server_loop()
    if loop is None:
        async_to_sync(coroutine_function)()
        return
    if not loop.is_running():
        logger.warning("Push dropped: the server's event loop has stopped.")
        return
    future = asyncio.run_coroutine_threadsafe(coroutine_function(), loop)
    deadline = time.monotonic() + SEND_TIMEOUT_SECONDS
    while True:
        try:
            future.result(timeout=0.1)
            return
        except concurrent.futures.TimeoutError:
            if not loop.is_running():  # stopped meanwhile: it will never run this
                reason = "the server's event loop has stopped"
            elif time.monotonic() > deadline:
                reason = "the server's event loop did not take it in time"
            else:
                continue
        future.cancel()
        logger.warning("Push dropped: %s.", reason)
        return


def push_fragment(
    groups: Iterable[str], template_name: str, context: Any, *, urgent: bool = False
) -> None:
    """Render `template_name` (an out-of-band fragment) after the commit and send it to `groups`.

    `context` may be a callable returning the context, so what is rendered is read after the
    commit, from the committed state. Pushes leave in the order they were scheduled; schedule
    the `urgent` one (see send_now) first.
    """
    groups = list(groups)

    def send() -> None:
        languages = languages_for(groups)
        if not languages:
            return  # nobody is listening (see the module's doc)
        ctx = context() if callable(context) else context
        send_now(groups, render_languages(template_name, ctx, languages), urgent=urgent)

    transaction.on_commit(send, robust=True)


# Work an app wants running while screens are connected (e.g. the referral clock). Hooks run in
# the server's event loop each time a socket opens and must be cheap and idempotent.
_socket_open_hooks: list[Callable[[], None]] = []


def on_socket_open(hook: Callable[[], None]) -> Callable[[], None]:
    if hook not in _socket_open_hooks:
        _socket_open_hooks.append(hook)
    return hook


def socket_opened() -> None:
    for hook in _socket_open_hooks:
        hook()


# ---- for tests: what this process's listeners look like, and a clean slate ----------------


def listened_languages() -> dict[str, dict[str, int]]:
    """A copy of the per-group language counts of this process's listeners."""
    return {group: dict(counts) for group, counts in _languages.items()}


def reset() -> None:
    """Forget every listener and pending urgent delivery of this process (between tests)."""
    _languages.clear()
    _deliveries.clear()


def close_sockets(groups: Iterable[str]) -> None:
    """After the commit, tell every socket in `groups` to close (e.g. a display whose key was
    rotated); consumers handle the `sockets.close` message."""
    groups = list(groups)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return

        async def run() -> None:
            for group in groups:
                await layer.group_send(group, {"type": "sockets.close"})

        run_in_server_loop(run)

    transaction.on_commit(send, robust=True)
