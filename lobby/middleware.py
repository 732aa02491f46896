"""Lobby's own middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lobby.access import staff_of


class StaffMiddleware:
    """Sets `request.staff`: the signed-in user's staff record, or None.

    It reads through lobby.access.staff_of, like the access decorator and the templates' context
    processor: the record comes loaded with the user (lobby.backends.StaffBackend), so they all
    share one record and one query.

    Why it is sync-only and must stay LAST in settings.MIDDLEWARE: under ASGI, Django adapts
    every middleware to the mode of the one after it. With an async-capable middleware last, the
    chain is built async and each of the MiddlewareMixin middlewares above (sessions, CSRF, auth,
    messages...) runs its process_request/process_response through its own sync_to_async thread
    hop: about nine hops, ~2 ms per request. A sync-only middleware last makes Django build the
    whole chain in sync mode and run it, view included, in a single hop. Every request (and the
    "customer referred to you" notice, which leaves from inside it) pays for this, so
    tests/lobby/test_middleware.py fails if the chain stops being sync.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # HttpRequest declares no `staff` (None for anonymous); views behind require_roles read
        # it typed, as lobby.access.StaffRequest.
        request.staff = staff_of(request)  # type: ignore[attr-defined]  # see the line above
        return self.get_response(request)
