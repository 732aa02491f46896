"""Bench-only ASGI app: the product, plus a bare Channels endpoint to compare it with.

Served by bench/notice_latency.py only; never part of the product's URLs.

    POST /bench/bare/send/     body = the notice text   → group_send to "bench.bare", 204
    ws   /bench/bare/ws/       joins "bench.bare" and forwards what is sent, nothing else
    anything else              → the product (lobby.asgi.application)
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from lobby.asgi import application as product

GROUP = "bench.bare"


class BareConsumer(AsyncWebsocketConsumer):
    groups = [GROUP]

    async def push_html(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["html"])


bare_socket = BareConsumer.as_asgi()


async def bare_send(scope, receive, send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await get_channel_layer().group_send(GROUP, {"type": "push.html", "html": body.decode()})
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def application(scope, receive, send) -> None:
    path = scope.get("path", "")
    if scope["type"] == "http" and path == "/bench/bare/send/":
        return await bare_send(scope, receive, send)
    if scope["type"] == "websocket" and path == "/bench/bare/ws/":
        return await bare_socket(scope, receive, send)
    return await product(scope, receive, send)
