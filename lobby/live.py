"""Live updates: the only place that talks to the channel layer.

Services call `push_fragment(...)` inside their transaction; the fragment is rendered and sent only
after the commit (a rolled-back write never reaches a screen). A fragment is an element with an id
and `hx-swap-oob`, which htmx's ws extension swaps into every listening page. It is rendered once
per UI language; each socket forwards the copy in its own language (see consumers.LiveConsumer).

Messages can be lost (a tablet asleep, a socket dropped); the database is the source of truth, and a
screen re-fetches its fragments through the ordinary views whenever its socket (re)opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

MESSAGE_TYPE = "push.html"


def branch_group(branch_id: int) -> str:
    return f"branch.{branch_id}"


def role_group(branch_id: int, role: str) -> str:
    return f"branch.{branch_id}.role.{role}"


def staff_group(staff_id: int) -> str:
    return f"staff.{staff_id}"


def groups_for_staff(staff: Any) -> list[str]:
    """Every group a member of staff's screens listen on."""
    return [
        branch_group(staff.branch_id),
        role_group(staff.branch_id, staff.role),
        staff_group(staff.pk),
    ]


def render_all_languages(template_name: str, context: dict[str, Any]) -> dict[str, str]:
    rendered = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            rendered[code] = render_to_string(template_name, context)
    return rendered


# Event-loop turns an urgent push gives the consumers in this process to write its frames before
# the request thread goes on (see send_now).
URGENT_LOOP_TURNS = 30


def send_now(groups: Iterable[str], html: dict[str, str], *, urgent: bool = False) -> None:
    """Send `html` to `groups` now.

    `urgent`: what the receivers are waiting for (a customer referred to them). The sockets are
    served by the event loop, but this runs in the request's thread, which still has work to do
    after the push (less urgent pushes, the response) and would hold the GIL while the loop fans
    the frames out. So an urgent push also lets the loop run a few turns, long enough for every
    consumer in this process to forward it, before this thread carries on.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": MESSAGE_TYPE, "html": html}

    async def send() -> None:
        for group in dict.fromkeys(groups):  # de-duplicated, order kept
            await layer.group_send(group, message)
        if urgent:
            # A bounded number of loop turns: enough for the consumers to write their frames
            # (measured: 100 screens in one process), cheap when the loop is idle.
            for _turn in range(URGENT_LOOP_TURNS):
                await asyncio.sleep(0)

    async_to_sync(send)()


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
        ctx = context() if callable(context) else context
        send_now(groups, render_all_languages(template_name, ctx), urgent=urgent)

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
