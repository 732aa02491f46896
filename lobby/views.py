"""Sign-in landing and the screens that are not yet built."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lobby.access import require_roles, staff_of
from lobby.choices import LOBBY_ROLES, TELLER_ROLES, Role

# Where each role starts its day.
LANDING = {
    Role.LOBBY_MANAGER: "lobby:tablet",
    Role.LOBBY_ASSISTANT: "lobby:tablet",
    Role.TELLER_HIGH: "lobby:counter",
    Role.TELLER_LOW: "lobby:counter",
    Role.WEALTH_MANAGER: "referrals:queue",
    Role.BRANCH_ADMIN: "lobby:reports",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request)
    if staff is not None:
        return redirect(LANDING[staff.role])
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


def _placeholder(request: HttpRequest, title: str, issue: str) -> HttpResponse:
    return render(request, "placeholder.html", {"title": title, "issue": issue})


@require_roles(TELLER_ROLES)
def counter(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, _("Counter screen"), _("the counter screen and referral button"))


@require_roles(Role.BRANCH_ADMIN)
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "lobby/reports.html", {"admin_url": reverse("admin:index")})


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")



@require_roles(LOBBY_ROLES)
def tablet(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, _("Lobby tablet"), _("the lobby tablet check-in"))
