"""Sign-in landing, the lobby tablet, the waiting-zone board and the lobby at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lobby import screens, services
from lobby.access import StaffRequest, get_visit_for_staff, require_roles, staff_of
from lobby.answers import refused, status_for
from lobby.choices import LOBBY_ROLES, Role
from lobby.errors import DomainError
from lobby.forms import CheckInForm
from lobby.models import Staff, Visit
from lobby.services import Route

# Where each role starts its day.
LANDING: dict[str, str] = {
    Role.LOBBY_MANAGER: "lobby:tablet",
    Role.LOBBY_ASSISTANT: "lobby:tablet",
    Role.TELLER_HIGH: "lobby:counter",
    Role.TELLER_LOW: "lobby:counter",
    Role.WEALTH_MANAGER: "referrals:queue",
    Role.BRANCH_ADMIN: "reports:index",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request)
    if staff is not None:
        return redirect(LANDING[staff.role])
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------------------------------------
# The lobby tablet (first referral), the waiting-zone board (second referral), the lobby at a
# glance. Each screen is one view; with htmx it answers with its region's partial. What each
# region shows is built in lobby.screens, which lobby.push renders for the sockets too. A
# refusal is answered the one way lobby.answers describes.


def _suggestion(staff: Staff, data: Any) -> Route | None:
    """The route the tablet shows for the form as sent, or None while it cannot be worked out."""
    try:
        return services.suggest_route(
            branch=staff.branch,
            prejudgement=data.get("prejudgement", ""),
            business_types=data.getlist("business_types"),
        )
    except DomainError:
        return None


@require_roles(LOBBY_ROLES)
def tablet(request: StaffRequest) -> HttpResponse:
    if request.htmx:
        return render(request, "lobby/tablet.html#checkin", screens.checkin_context())
    return render(request, "lobby/tablet.html", screens.tablet_context(request.staff))


@require_roles(LOBBY_ROLES)
def route(request: StaffRequest) -> HttpResponse:
    """The suggestion for what is ticked so far (the tablet asks on every change)."""
    suggestion, error = None, ""
    if request.GET.get("prejudgement") and request.GET.getlist("business_types"):
        try:
            suggestion = services.suggest_route(
                branch=request.staff.branch,
                prejudgement=request.GET["prejudgement"],
                business_types=request.GET.getlist("business_types"),
            )
        except DomainError as exc:
            error = exc.message
    context = screens.route_context(request.GET, suggestion, error)
    return render(request, "lobby/tablet.html#route", context)


@require_roles(LOBBY_ROLES)
@require_POST
def check_in(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = CheckInForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.check_in(
                actor=staff,
                prejudgement=data["prejudgement"],
                business_types=data["business_types"],
                cues=data["cues"],
                label=data["label"],
                destination=data["destination"] or None,
                client_token=data["client_token"],
                stop_marketing=data["stop_marketing"],
            )
        except DomainError as exc:
            error, status = exc.message, status_for(exc)
        else:
            if request.htmx:
                context = screens.result_context(staff, visit)
                return render(request, "lobby/tablet.html#result", context)
            return redirect("lobby:tablet")
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    context = screens.checkin_context(form, error, _suggestion(staff, form.data))
    if request.htmx:
        return refused(render(request, "lobby/tablet.html#checkin", context), status)
    messages.error(request, error)
    context = {**screens.tablet_context(staff), **context}
    return render(request, "lobby/tablet.html", context, status=status)


@require_roles(LOBBY_ROLES)
def board(request: StaffRequest) -> HttpResponse:
    template = "lobby/board.html#board" if request.htmx else "lobby/board.html"
    return render(request, template, screens.board_context(request.staff.branch))


@require_roles(LOBBY_ROLES)
def glance(request: StaffRequest) -> HttpResponse:
    template = "lobby/glance.html#glance" if request.htmx else "lobby/glance.html"
    return render(request, template, screens.glance_context(request.staff.branch))


def _act(staff: Staff, visit: Visit, action: str, post: Any) -> None:
    if action == "cue":
        services.record_cue(actor=staff, visit_id=visit.pk, cue=post.get("cue", ""))
    elif action == "wealth":
        stage = "first" if post.get("stage") == "first" else "second"
        services.hand_to_wealth_manager(actor=staff, visit_id=visit.pk, stage=stage)
    elif action == "self-service":
        services.divert_to_self_service(actor=staff, visit_id=visit.pk)
    elif action == "stop":
        services.stop_marketing(actor=staff, visit_id=visit.pk)
    elif action == "left":
        services.mark_left(actor=staff, visit_id=visit.pk)
    else:  # the URL pattern lists the actions; this is a safety net
        raise Http404


@require_roles(LOBBY_ROLES)
@require_POST
def visit_action(request: StaffRequest, visit_id: int, action: str) -> HttpResponse:
    """One tap on a customer: a behaviour seen, a hand-off, self-service, stop asking, left."""
    staff = request.staff
    visit = get_visit_for_staff(request, visit_id)
    error, status = "", 200
    try:
        _act(staff, visit, action, request.POST)
    except DomainError as exc:
        error, status = exc.message, status_for(exc)
    if not request.htmx:
        if error:
            context = {**screens.board_context(staff.branch), "error": error}
            return render(request, "lobby/board.html", context, status=status)
        return redirect("lobby:board")
    if request.htmx.target == "checkin":
        visit = get_visit_for_staff(request, visit_id)
        context = {**screens.result_context(staff, visit), "error": error}
        response = render(request, "lobby/tablet.html#result", context)
    else:
        context = {**screens.board_context(staff.branch), "error": error}
        response = render(request, "lobby/board.html#board", context)
    return refused(response, status) if error else response
