"""Who may see what. Every view for a user's data starts here, from their branch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django_htmx.middleware import HtmxDetails

from lobby.models import Staff, Visit


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type checking): `.htmx` tells
    whether htmx sent it and what for."""

    htmx: HtmxDetails


class StaffRequest(HtmxRequest):
    """The request a view behind `require_roles` receives (for type checking): the signed-in
    member's staff record is on it too."""

    staff: Staff


def staff_for_user(user: Any) -> Staff | None:
    """A user's staff record, or None (already loaded with the user by lobby.backends)."""
    if not user.is_authenticated:
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def staff_of(request: HttpRequest) -> Staff | None:
    """The signed-in user's staff record, or None."""
    return staff_for_user(request.user)


def require_roles(
    *roles: str | Iterable[str],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Let only staff with one of `roles` in; everyone else gets 403 (a clear page, not a 500)."""
    allowed: set[str] = set()
    for role in roles:
        allowed.update([role] if isinstance(role, str) else role)

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            staff = staff_of(request)
            if staff is None or staff.role not in allowed:
                raise PermissionDenied
            # From here on the request is a StaffRequest: the view reads `request.staff` typed.
            staff_request = cast(StaffRequest, request)
            staff_request.staff = staff
            return view(staff_request, *args, **kwargs)

        return wrapper

    return decorator


# Largest id a database column can hold: anything bigger is a forged request, not a customer.
MAX_ID = 2**63 - 1
NOT_IN_LOBBY = _("That customer is not in your lobby.")


def get_visit_for_staff(request: StaffRequest, visit_id: int) -> Visit:
    """A visit of the signed-in member's own branch, or 404."""
    if not 0 < visit_id <= MAX_ID:
        raise Http404(NOT_IN_LOBBY)
    visit = (
        Visit.objects.filter(pk=visit_id, branch_id=request.staff.branch_id)
        .select_related("ticket__queue")
        .first()
    )
    if visit is None:
        raise Http404(NOT_IN_LOBBY)
    return visit
