"""Bench-only ASGI app: the product, plus a bare Channels endpoint to compare it with.

Served by bench/notice_latency.py only; never part of the product's URLs.

    POST /bench/bare/send/?group=<group>   body = the notice text → group_send, 204
    anything else                          → the product (lobby.asgi.application)

The message has the product's own form (lobby.live), so the product's screens, listening on their
usual groups through the product's consumer, show it: the harness measures the bare endpoint and
the product on the very same screens.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.layers import get_channel_layer
from django.conf import settings

from lobby.asgi import application as product
from lobby.live import MESSAGE_TYPE


def notice(body: bytes) -> dict:
    text = body.decode()
    return {"type": MESSAGE_TYPE, "html": {code: text for code, _name in settings.LANGUAGES}}


async def bare_send(scope, receive, send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    group = parse_qs(scope["query_string"].decode())["group"][0]
    await get_channel_layer().group_send(group, notice(body))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def application(scope, receive, send) -> None:
    if scope["type"] == "http" and scope.get("path") == "/bench/bare/send/":
        return await bare_send(scope, receive, send)
    return await product(scope, receive, send)
