"""The counter screen (tellers), the lobby's no-show list, and the public lobby display.

Each screen is one view; with htmx and `?part=` it answers one region's partial, which is how a
screen re-reads itself when its socket reopens. Actions are POSTs that validate a form, call one
service and answer with all the teller's regions (plus a message), so the teller's screen
is right even before the push arrives; a refusal answers 400 (or 409 when another window got there
first) with the message and the current regions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lobby import screens, services
from lobby.access import MAX_ID, HtmxRequest, StaffRequest, require_roles
from lobby.answers import refused, status_for
from lobby.choices import LOBBY_ROLES, TELLER_ROLES
from lobby.errors import DomainError, NotFound
from lobby.forms import CallNumberForm, CompleteForm, OpenWindowForm, TransferForm
from lobby.models import CallingSettings

COUNTER_PARTS = {"windows", "window", "current"}


@require_GET
@require_roles(TELLER_ROLES)
def counter(request: StaffRequest) -> HttpResponse:
    part = request.GET.get("part", "")
    if request.htmx and part:
        if part not in COUNTER_PARTS:
            return HttpResponseBadRequest()
        context = screens.counter_regions(request.staff, {part})
        return render(request, f"lobby/counter.html#{part}", context)
    context = screens.counter_regions(request.staff, COUNTER_PARTS)
    return render(request, "lobby/counter.html", context)


def _form_error(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class _BadInput(DomainError):
    """A form that did not validate (answered like a refusal, before any service runs)."""


def _valid(form: Any) -> Any:
    if not form.is_valid():
        raise _BadInput(_form_error(form))
    return form.cleaned_data


def _open(request: StaffRequest) -> str:
    data = _valid(OpenWindowForm(request.POST))
    window = services.open_window(actor=request.staff, window_id=data["window"])
    return _("%(window)s is open.") % {"window": window.name}


def _close(request: StaffRequest) -> str:
    window = services.close_window(actor=request.staff)
    return _("%(window)s is closed.") % {"window": window.name}


def _call_next(request: StaffRequest) -> str:
    ticket = services.call_next(actor=request.staff)
    return _("Calling %(ticket)s.") % {"ticket": ticket.number_display}


def _call_number(request: StaffRequest) -> str:
    data = _valid(CallNumberForm(request.POST))
    ticket = services.call_number(actor=request.staff, number=data["number"])
    return _("Calling %(ticket)s.") % {"ticket": ticket.number_display}


WINDOW_ACTIONS: dict[str, Callable[[StaffRequest], str]] = {
    "open": _open,
    "close": _close,
    "call-next": _call_next,
    "call-number": _call_number,
}


def _ticket_op(request: StaffRequest, ticket_id: int, action: str) -> str:
    staff = request.staff
    if action == "recall":
        ticket = services.recall(actor=staff, ticket_id=ticket_id)
        return _("Calling %(ticket)s again.") % {"ticket": ticket.number_display}
    if action == "start":
        services.start_serving(actor=staff, ticket_id=ticket_id)
        return _("Serving the customer.")
    if action == "no-show":
        ticket = services.no_show(actor=staff, ticket_id=ticket_id)
        return _("%(ticket)s marked as a no-show.") % {"ticket": ticket.number_display}
    if action == "park":
        ticket = services.park(actor=staff, ticket_id=ticket_id)
        return _("%(ticket)s parked.") % {"ticket": ticket.number_display}
    if action == "resume":
        ticket = services.resume(actor=staff, ticket_id=ticket_id)
        return _("%(ticket)s is back at the window.") % {"ticket": ticket.number_display}
    if action == "transfer":
        form = TransferForm(request.POST)
        _valid(form)
        kind, pk = form.target()
        ticket = services.transfer(
            actor=staff,
            ticket_id=ticket_id,
            queue_id=pk if kind == "queue" else None,
            window_id=pk if kind == "window" else None,
        )
        return _("%(ticket)s transferred; it keeps its place.") % {"ticket": ticket.number_display}
    if action == "complete":
        data = _valid(CompleteForm(request.POST))
        ticket = services.complete(
            actor=staff, ticket_id=ticket_id, business_types=data["business_types"]
        )
        return _("%(ticket)s completed.") % {"ticket": ticket.number_display}
    raise Http404


TICKET_ACTIONS = {"recall", "start", "no-show", "park", "resume", "transfer", "complete"}


@require_POST
@require_roles(TELLER_ROLES)
def counter_action(request: StaffRequest, action: str) -> HttpResponse:
    """Open or close a window, call the next ticket, call a given number."""
    handler = WINDOW_ACTIONS.get(action)
    if handler is None:
        raise Http404
    return _answer(request, lambda: handler(request))


@require_POST
@require_roles(TELLER_ROLES)
def counter_ticket(request: StaffRequest, ticket_id: int, action: str) -> HttpResponse:
    """One tap on the current (or a parked) customer."""
    if action not in TICKET_ACTIONS or not 0 < ticket_id <= MAX_ID:
        raise Http404
    return _answer(request, lambda: _ticket_op(request, ticket_id, action))


def _answer(request: StaffRequest, run: Callable[[], str]) -> HttpResponse:
    status = 200
    try:
        text, level = run(), "ok"
    except DomainError as exc:
        text, level, status = exc.message, "error", status_for(exc)
    if not request.htmx:
        (messages.success if level == "ok" else messages.error)(request, text)
        return redirect("lobby:counter")
    context = screens.counter_regions(request.staff, COUNTER_PARTS)
    context["flash"] = {"text": text, "level": level}
    response = render(request, "lobby/_counter_answer.html", context)
    return refused(response, status) if status >= 400 else response


# ---- the lobby's no-shows (put a returning customer back) --------------------------------------


@require_GET
@require_roles(LOBBY_ROLES)
def no_shows(request: StaffRequest) -> HttpResponse:
    context = screens.no_shows_context(request.staff.branch_id)
    return render(request, "lobby/no_shows.html#no_shows", context)


@require_POST
@require_roles(LOBBY_ROLES)
def return_no_show(request: StaffRequest, ticket_id: int) -> HttpResponse:
    error = ""
    try:
        if not 0 < ticket_id <= MAX_ID:
            raise NotFound(_("That ticket is not in your branch."))
        services.return_no_show(actor=request.staff, ticket_id=ticket_id)
    except DomainError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("lobby:tablet")
    # The lobby tablet's htmx swaps successful answers only, so a refusal (most often: a
    # colleague put the customer back a moment ago) comes back inside the refreshed list.
    context = {**screens.no_shows_context(request.staff.branch_id), "error": error}
    return render(request, "lobby/no_shows.html#no_shows", context)


# ---- the public display ----------------------------------------------------------------------


@login_not_required
@require_GET
def display(request: HtmxRequest, token: str) -> HttpResponse:
    """The lobby's TV, no sign-in: its address holds the branch's display key (404 otherwise)."""
    rules = CallingSettings.objects.filter(display_token=token).only("branch_id").first()
    if rules is None:
        raise Http404
    context = screens.display_context(rules.branch_id)
    if request.htmx:
        return render(request, "lobby/display.html#board", context)
    return render(request, "lobby/display.html", context)
