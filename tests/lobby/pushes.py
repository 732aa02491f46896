"""Read pushes off the channel layer (in-memory by default, Redis when REDIS_URL is set)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from lobby import live


def pushes_during(groups: Iterable[str], action: Callable[[], Any]) -> tuple[Any, list[dict]]:
    """Run `action` (sync) while a test channel listens on `groups`.

    Returns its result and the messages that arrived. One event loop runs all of it, so a
    Redis layer sees its own subscription.
    """
    groups = list(groups)

    async def run() -> tuple[Any, list[dict]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        for code, _name in settings.LANGUAGES:  # a screen in every language
            live.listening(groups, code)
        for group in groups:
            await layer.group_add(group, channel)
        try:
            result = await sync_to_async(action)()
        except Exception as exc:  # the caller asserts on it
            result = exc
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), 0.3))
            except TimeoutError:
                break
        for group in groups:
            await layer.group_discard(group, channel)
        for code, _name in settings.LANGUAGES:
            live.stopped_listening(groups, code)
        return result, received

    return async_to_sync(run)()
