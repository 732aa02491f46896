"""The middleware chain runs in one thread hop under ASGI, and every request knows its staff."""

from __future__ import annotations

from asgiref.sync import SyncToAsync, iscoroutinefunction
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.utils.deprecation import MiddlewareMixin

from lobby.middleware import StaffMiddleware


def _chain(handler: ASGIHandler) -> list[object]:
    """The middleware instances of a loaded handler, outermost first."""
    top = handler._middleware_chain
    assert isinstance(top, SyncToAsync)  # the one hop into a thread, for the whole chain
    instances, step = [], top.func
    while step is not None:
        instance = getattr(step, "__wrapped__", None)  # convert_exception_to_response(...)
        if instance is None or not hasattr(instance, "get_response"):
            break
        instances.append(instance)
        step = instance.get_response
    return instances


def test_staff_middleware_is_last_and_sync_only():
    assert settings.MIDDLEWARE[-1] == "lobby.middleware.StaffMiddleware"
    assert StaffMiddleware.sync_capable and not StaffMiddleware.async_capable


def test_the_asgi_handler_builds_the_whole_chain_in_sync_mode():
    """Undoing this silently would put each middleware through its own thread hop again."""
    handler = ASGIHandler()  # loads the middleware for async serving, as daphne does
    instances = _chain(handler)
    assert [type(m).__module__ + "." + type(m).__name__ for m in instances] == [
        path for path in settings.MIDDLEWARE
    ]
    assert not iscoroutinefunction(handler._middleware_chain.func)
    for instance in instances:
        assert not iscoroutinefunction(instance.get_response), type(instance).__name__
        if isinstance(instance, MiddlewareMixin):
            assert instance.async_mode is False, type(instance).__name__


def test_request_staff_is_the_signed_in_staff(client, lobby_manager):
    client.force_login(lobby_manager.user)
    response = client.get("/wealth/sent/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.wsgi_request.staff == lobby_manager


def test_request_staff_is_empty_when_signed_out(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    StaffMiddleware(lambda r: None)(request)
    assert not request.staff
