"""Read pushes in tests, one way: a `Listener` on the in-memory channel layer (the `layer` fixture,
tests/conftest.py), counted in every language like a screen of each language would be."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from lobby import live


class Listener:
    """A test channel in some groups; `take()` returns what arrived since the last call.

    The in-memory layer delivers during `group_send`, so whatever a committed action pushed is
    already there when it returns: no waiting, and nothing that arrives late goes uncounted.
    """

    def __init__(self, layer: InMemoryChannelLayer, *groups: str):
        assert isinstance(layer, InMemoryChannelLayer), "use the `layer` fixture"
        self.layer = layer
        self.channel = async_to_sync(layer.new_channel)()
        for code, _name in settings.LANGUAGES:  # a screen in every language
            live.listening(groups, code)
        for group in groups:
            async_to_sync(layer.group_add)(group, self.channel)

    def take(self) -> list[dict]:
        messages = []
        while self.channel in self.layer.channels and not self.layer.channels[self.channel].empty():
            messages.append(async_to_sync(self.layer.receive)(self.channel))
        return messages


def pushes_during(groups: Iterable[str], action: Callable[[], Any]) -> tuple[Any, list[dict]]:
    """Run `action` while a Listener listens on `groups`: its result (or the exception it raised,
    for the caller to assert on) and the messages that arrived."""
    listener = Listener(get_channel_layer(), *groups)
    try:
        result = action()
    except Exception as exc:
        result = exc
    return result, listener.take()
