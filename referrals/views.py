"""The wealth manager's queue dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lobby.access import require_roles
from lobby.choices import Role


@require_roles(Role.WEALTH_MANAGER)
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "placeholder.html",
        {"title": _("Referral queue"), "issue": _("the wealth manager's live referral queue")},
    )
