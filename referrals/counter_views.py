"""The counter's referral panel for a visit, the inbox of referrals to the lobby manager and the
low counter, and the VIP room's pool on the wealth managers' queue.

Each region is one partial, rendered here for a request and by referrals.push for the screens:

    region                  view (GET, htmx → the partial; else a page)    embedded in
    visit panel             visit_panel   /wealth/visit/<id>/panel/        the counter page
    inbox                   inbox         /wealth/inbox/                   the counter page, the
                                                                           lobby manager's tablet
    VIP room pool           vip_pool      /wealth/vip-room/                the wealth queue

Actions are POSTs that validate a form and call one service. A refusal answers 400 (409 when a
colleague took the customer first) with the message in the region, marked with the
X-Refused header so that htmx shows it (lobby/answers.py, static/lobby/app.js).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lobby.access import StaffRequest, get_visit_for_staff, require_roles
from lobby.answers import refused, status_for
from lobby.choices import LOBBY_ROLES, TELLER_ROLES, Prejudgement, Role
from lobby.errors import DomainError
from lobby.models import Ticket
from referrals import screens, services
from referrals.counter_forms import CounterReferralForm, InboxCloseForm
from referrals.forms import form_message
from referrals.models import Stage, Status
from referrals.views import get_referral_for_staff

# Who works at the counter or in the lobby: the people who open a visit's panel or an inbox.
COUNTER_AND_LOBBY = tuple(TELLER_ROLES | LOBBY_ROLES)


# ---- the visit's referral panel ------------------------------------------------------------


@require_GET
@require_roles(TELLER_ROLES)
def counter_panel(request: StaffRequest) -> HttpResponse:
    """The referral panel for the customer at the teller's window, or nothing when the window
    is idle. The counter page re-reads it when another customer comes to the window (app.js:
    `counter:customer`), not on every refresh of the window's own regions, so a re-read never
    undoes a tap; the list of referrals inside re-reads itself."""
    ticket = (
        Ticket.objects.at_window()
        .filter(window__teller=request.staff)
        .select_related("visit__ticket__queue")
        .first()
    )
    if ticket is None:
        return HttpResponse("")
    context = screens.visit_panel_context(request.staff, ticket.visit)
    return render(request, "referrals/visit_panel.html#panel", context)


@require_GET
@require_roles(COUNTER_AND_LOBBY)
def visit_panel(request: StaffRequest, visit_id: int) -> HttpResponse:
    """The visit's referrals, live, and the referral button; a page of its own without htmx.
    `?part=referrals` (htmx) answers the live list alone."""
    visit = get_visit_for_staff(request, visit_id)
    if request.htmx and request.GET.get("part") == "referrals":
        # The live list alone: what the list re-reads after a reconnect (as pushed).
        context = screens.visit_referrals_context(visit.pk)
        return render(request, "referrals/visit_panel.html#referrals", context)
    context = screens.visit_panel_context(request.staff, visit)
    if request.htmx:
        return render(request, "referrals/visit_panel.html#panel", context)
    return render(request, "referrals/visit_panel.html", context)


@require_POST
@require_roles(COUNTER_AND_LOBBY)
def visit_refer(request: StaffRequest, visit_id: int) -> HttpResponse:
    """The referral button: a third-stage referral (second from lobby staff) tied to the visit
    and its ticket, which keeps its place in the queue."""
    staff = request.staff
    visit = get_visit_for_staff(request, visit_id)
    form = CounterReferralForm(request.POST, staff=staff, visit=visit)
    error, status = "", 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.refer(
                actor=staff,
                stage=Stage.THIRD if staff.role in TELLER_ROLES else Stage.SECOND,
                visit=visit,
                ticket=getattr(visit, "ticket", None),
                signals=data["signals"],
                product=data["product"],
                note=data["note"],
                is_vip=visit.prejudgement == Prejudgement.VIP,
                **data["to"],
            )
        except DomainError as exc:
            error, status = exc.message, status_for(exc)
    else:
        error, status = form_message(form), 400
    if not request.htmx:
        if error:
            context = {
                **screens.visit_panel_context(staff, visit),
                "error": error,
                "chosen": request.POST.getlist("signals"),
            }
            return refused(render(request, "referrals/visit_panel.html", context), status)
        return redirect("referrals:visit_panel", visit_id=visit.pk)
    context = screens.visit_panel_context(staff, visit)
    if error:
        context.update({"error": error, "chosen": request.POST.getlist("signals")})
    else:
        context["done"] = _("Referral sent.")
    response = render(request, "referrals/visit_panel.html#panel", context, status=status)
    return refused(response, status) if error else response


# ---- the inbox: referrals to the lobby manager and to the low counter ------------------------


@require_GET
@require_roles(COUNTER_AND_LOBBY)
def inbox(request: StaffRequest) -> HttpResponse:
    """Referrals to my role's pool and to me. A role without a pool (the cash counter, the
    lobby assistant) sees only what is addressed to them by name, so every counter and lobby
    screen may embed it."""
    context = screens.inbox_context(request.staff)
    if request.htmx:
        return render(request, "referrals/inbox.html#inbox", context)
    return render(request, "referrals/inbox.html", context)


def _inbox_answer(
    request: StaffRequest, text: str, *, status: int = 200, refusal: bool = False
) -> HttpResponse:
    """The actor's inbox regions, out of band, with the message; without htmx, back to the page."""
    if not request.htmx:
        if refusal:
            context = {**screens.inbox_context(request.staff), "error": text}
            return refused(render(request, "referrals/inbox.html", context), status)
        return redirect("referrals:inbox")
    context = {
        "regions": {"pool", "mine"},
        **screens.inbox_context(request.staff),
        "flash": {"text": text, "level": "error" if refusal else "ok"},
    }
    response = render(request, "referrals/_inbox_oob.html", context)
    response["HX-Reswap"] = "none"
    return refused(response, status) if refusal else response


def _inbox_action(request: StaffRequest, pk: int, act: Any, done: str) -> HttpResponse:
    referral = get_referral_for_staff(request, pk)
    try:
        act(referral)
    except DomainError as exc:
        return _inbox_answer(request, exc.message, status=status_for(exc), refusal=True)
    return _inbox_answer(request, done)


@require_POST
@require_roles(COUNTER_AND_LOBBY)
def inbox_claim(request: StaffRequest, pk: int) -> HttpResponse:
    return _inbox_action(
        request,
        pk,
        lambda r: services.accept(referral_id=r.pk, actor=request.staff),
        _("The customer is yours: go and greet them."),
    )


@require_POST
@require_roles(COUNTER_AND_LOBBY)
def inbox_start(request: StaffRequest, pk: int) -> HttpResponse:
    return _inbox_action(
        request,
        pk,
        lambda r: services.start_consultation(referral_id=r.pk, actor=request.staff),
        _("You are serving the customer."),
    )


@require_POST
@require_roles(COUNTER_AND_LOBBY)
def inbox_close(request: StaffRequest, pk: int) -> HttpResponse:
    """The outcome, through services.close (which says what this role may record)."""
    referral = get_referral_for_staff(request, pk)
    form = InboxCloseForm(request.POST)
    if not form.is_valid():
        return _inbox_answer(request, form_message(form), status=400, refusal=True)
    try:
        closed = services.close(
            referral_id=referral.pk, actor=request.staff, **form.close_arguments()
        )
    except DomainError as exc:
        return _inbox_answer(request, exc.message, status=status_for(exc), refusal=True)
    asked = form.cleaned_data["outcome"]
    if closed.status == Status.BLOCKED_SUITABILITY and asked != closed.status:
        return _inbox_answer(
            request, _("Sale refused: the customer's risk tolerance does not cover the product.")
        )
    return _inbox_answer(
        request, _("Closed: %(outcome)s.") % {"outcome": closed.get_status_display()}
    )


# ---- the VIP room's pool, on the queue of the wealth managers who serve it ------------------


@require_GET
@require_roles(Role.WEALTH_MANAGER)
def vip_pool(request: StaffRequest) -> HttpResponse:
    """The VIP room's pool (empty, and not shown, for a wealth manager who does not serve it)."""
    return render(request, "referrals/vip_pool.html", screens.vip_pool_context(request.staff))
