"""The one websocket consumer: check the user, join their groups, forward fragments."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

from lobby import live, services
from lobby.access import staff_for_user
from lobby.models import Staff


def language_from_scope(scope: dict[str, Any]) -> str:
    """The UI language the page was rendered in: the switch's cookie, else the browser's choice."""
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    candidates = [cookie] if cookie else []
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            candidates += [code for code, _q in parse_accept_lang_header(value.decode("latin-1"))]
    for code in candidates:
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


@database_sync_to_async
def _staff_for(user: Any) -> Staff | None:
    # Loaded with the user (lobby.backends); in a worker thread in case it was not.
    if not user.is_authenticated or not user.is_active:
        return None
    return staff_for_user(user)


class LiveConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        staff = await _staff_for(self.scope["user"])
        if staff is None:
            await self.close(code=4403)
            return
        self.language = language_from_scope(self.scope)
        self.live_groups = live.groups_for_staff(staff)
        # Counted before joining, so no push to these groups leaves without this language.
        live.listening(self.live_groups, self.language)
        for group in self.live_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        live.socket_opened()
        # Presence ("staff online") is a row per open socket, written by a service.
        self.staff = staff
        await database_sync_to_async(services.socket_opened)(
            staff=staff, channel_name=self.channel_name
        )

    async def disconnect(self, code: int) -> None:
        groups = getattr(self, "live_groups", [])
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        if groups:
            live.stopped_listening(groups, self.language)
        if getattr(self, "staff", None) is not None:
            await database_sync_to_async(services.socket_closed)(
                staff=self.staff, channel_name=self.channel_name
            )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Screens act through ordinary HTTP requests (with CSRF and permission checks); the
        # socket only carries news to them.
        return

    async def push_html(self, event: dict[str, Any]) -> None:
        html = event["html"]
        await self.send(text_data=html.get(self.language) or next(iter(html.values())))
        live.forwarded(event)


@database_sync_to_async
def _display_branch(token: str) -> int | None:
    from lobby.models import CallingSettings

    return (
        CallingSettings.objects.filter(display_token=token)
        .values_list("branch_id", flat=True)
        .first()
    )


class DisplayConsumer(AsyncWebsocketConsumer):
    """The public lobby display: no user, a branch's display key in the address. It joins the
    branch's display group only, whose frames carry ticket numbers and windows and nothing else."""

    async def connect(self) -> None:
        from lobby import push

        token = self.scope["url_route"]["kwargs"].get("token", "")
        branch_id = await _display_branch(token)
        if branch_id is None:
            await self.close(code=4404)
            return
        self.language = language_from_scope(self.scope)
        self.live_groups = [push.display_group(branch_id)]
        live.listening(self.live_groups, self.language)
        for group in self.live_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        groups = getattr(self, "live_groups", [])
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        if groups:
            live.stopped_listening(groups, self.language)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return  # the display only listens

    async def push_html(self, event: dict[str, Any]) -> None:
        html = event["html"]
        await self.send(text_data=html.get(self.language) or next(iter(html.values())))
        live.forwarded(event)

    async def sockets_close(self, event: dict[str, Any]) -> None:
        """The display key was rotated: this screen's address no longer works."""
        await self.close(code=4404)
