"""The product's URLs plus one bench-only Django view, served by bench/notice_latency.py only.

    POST /bench/django/send/?group=<group>   body = the notice text → group_send, 204

It is the floor of any Django view: the product's whole middleware chain (session, CSRF, sign-in,
staff record) runs for a signed-in member of staff, and the view itself only does group_send.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from bench.bare_asgi import notice
from lobby.access import staff_of
from lobby.urls import urlpatterns as product_urlpatterns


@require_POST
def django_send(request: HttpRequest) -> HttpResponse:
    if staff_of(request) is None:
        raise PermissionDenied
    async_to_sync(get_channel_layer().group_send)(request.GET["group"], notice(request.body))
    return HttpResponse(status=204)


urlpatterns = [path("bench/django/send/", django_send), *product_urlpatterns]
