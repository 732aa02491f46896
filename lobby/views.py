"""Sign-in landing, the lobby tablet, the waiting-zone board and the lobby at a glance."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lobby import services
from lobby.access import require_roles, staff_of
from lobby.choices import (
    LOBBY_ROLES,
    OPPORTUNITY_CUES,
    RISK_CUES,
    SERVICE_CUES,
    TELLER_ROLES,
    BusinessType,
    Cue,
    Prejudgement,
    Role,
    ZoneKind,
)
from lobby.forms import CheckInForm
from lobby.models import Branch, LiveSocket, Staff, Ticket, TicketQueue, Visit
from products.models import Script, Situation
from referrals.models import Referral

# Where each role starts its day.
LANDING = {
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


def _placeholder(request: HttpRequest, title: str, issue: str) -> HttpResponse:
    return render(request, "placeholder.html", {"title": title, "issue": issue})


@require_roles(TELLER_ROLES)
def counter(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, _("Counter screen"), _("the counter screen and referral button"))


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------------------------------------
# The lobby tablet (first referral), the waiting-zone board (second referral), the lobby at a
# glance. Each screen is one view; with htmx it answers with its partial. The board and the
# glance are also pushed (lobby.push) from the same partials, with the same context builders.


@dataclass(frozen=True)
class Behaviour:
    cue: str
    action: str  # wealth | self_service | help | care | stop
    situation: str

    @property
    def label(self) -> str:
        return Cue(self.cue).label


# What staff may see a waiting customer do, and what the board then suggests (second referral).
BEHAVIOURS = [
    Behaviour(Cue.BROWSING_BROCHURE, "wealth", Situation.WAITING_BROWSING_BROCHURE),
    Behaviour(Cue.ASKING_RATES, "wealth", Situation.WAITING_HOT_PRODUCT),
    Behaviour(Cue.NEAR_VIP_THRESHOLD, "wealth", Situation.NEAR_VIP_INVITE),
    Behaviour(Cue.SMALL_CASH_OR_CARD_ONLY, "self_service", Situation.WAITING_SMALL_CASH),
    Behaviour(Cue.LOOKING_AROUND, "help", Situation.WAITING_LOOKING_AROUND),
    Behaviour(Cue.ANXIOUS, "care", Situation.CALM_ANXIOUS),
    Behaviour(Cue.ELDERLY_NEEDS_HELP, "care", Situation.ELDERLY_HELP),
    Behaviour(Cue.COLD_OR_ANNOYED, "stop", Situation.STOP_MARKETING),
]
BEHAVIOUR_BY_CUE = {b.cue: b for b in BEHAVIOURS}
ACTION_HINTS = {
    "wealth": _("Offer a wealth manager; the customer keeps their ticket."),
    "self_service": _("Walk them to the machines; the ticket leaves the queue."),
    "help": _("Ask what they need and get any form ready before they are called."),
    "care": _("Look after them first; no selling."),
    "stop": _("Stop asking; let them wait in peace."),
}
MARKETING_SITUATIONS = frozenset(
    {
        Situation.WAITING_BROWSING_BROCHURE,
        Situation.WAITING_HOT_PRODUCT,
        Situation.NEAR_VIP_INVITE,
        Situation.ASK_VIP_SERVICE,
    }
)


class Said:
    """A script with its blanks filled, rendered when printed so each language gets its own."""

    def __init__(self, script: Script, *, label: str = "", staff: str = "") -> None:
        self.script = script
        self.label = label
        self.staff = staff

    def __str__(self) -> str:
        return self.script.render(
            # Blanks nobody knows yet (no label taken, nobody has claimed the customer) read as
            # a polite form of address and a name to fill in aloud.
            label=self.label or str(_("Sir/Madam")),
            staff=self.staff or str(_("[name]")),
        )


def _scripts() -> dict[str, list[Script]]:
    grouped: dict[str, list[Script]] = {}
    for script in Script.objects.all():
        grouped.setdefault(script.situation, []).append(script)
    return grouped


def _script_for(
    scripts: dict[str, list[Script]], situation: str, role: str, label: str = ""
) -> Said | None:
    candidates = scripts.get(situation, [])
    script = next((s for s in candidates if role in s.roles), None) or next(iter(candidates), None)
    return Said(script, label=label) if script else None


def board_context(branch: Branch) -> dict[str, Any]:
    """Every ticket waiting today, oldest first, with its second-referral suggestion."""
    open_referral = Referral.objects.open().filter(visit_id=OuterRef("visit_id"))
    tickets = (
        Ticket.objects.waiting()
        .filter(branch=branch, service_date=branch.local_date())
        .select_related("queue", "visit")
        .annotate(with_wealth=Exists(open_referral))
        .order_by("issued_at", "pk")
    )
    scripts = _scripts()
    rows = []
    for ticket in tickets:
        visit = ticket.visit
        seen = next(
            (BEHAVIOUR_BY_CUE[c] for c in reversed(visit.cues) if c in BEHAVIOUR_BY_CUE), None
        )
        situation = seen.situation if seen else None
        if visit.no_marketing and situation in MARKETING_SITUATIONS:
            situation = Situation.STOP_MARKETING
        action = seen.action if seen else None
        if visit.no_marketing and action == "wealth":
            action = "stop"
        rows.append(
            {
                "since": ticket.issued_at.isoformat(timespec="seconds"),
                "ticket": ticket,
                "visit": visit,
                "label": visit.label or ticket.number_display,
                "seen": seen,
                "action": action,
                "hint": ACTION_HINTS.get(action or ""),
                "script": _script_for(scripts, situation, Role.LOBBY_MANAGER, visit.label)
                if situation
                else None,
                "may_refer": not visit.no_marketing and not ticket.with_wealth,
            }
        )
    return {"rows": rows, "behaviours": BEHAVIOURS, "waiting_warn": 600, "waiting_late": 1200}


# Sent to self-service at the door: nobody signs them out, so they count as present for a while.
SELF_SERVICE_STAY = dt.timedelta(minutes=15)


def glance_context(branch: Branch) -> dict[str, Any]:
    """Customers per zone, the longest wait per queue, and who has a screen open."""
    now = timezone.now()
    present = Q(status__in=[Visit.Status.ACTIVE, Visit.Status.WAITING, Visit.Status.SERVING]) | Q(
        status=Visit.Status.DIVERTED, arrived_at__gte=now - SELF_SERVICE_STAY
    )
    counts = dict(
        Visit.objects.today(branch)
        .filter(present)
        .values_list("destination")
        .annotate(n=Count("pk"))
        .values_list("destination", "n")
    )
    waiting = Q(tickets__status=Ticket.Status.WAITING, tickets__service_date=branch.local_date(now))
    queues = list(
        TicketQueue.objects.filter(branch=branch).annotate(
            waiting=Count("tickets", filter=waiting),
            oldest=Min("tickets__issued_at", filter=waiting),
        )
    )
    online = LiveSocket.objects.online_by_role(branch)
    for queue in queues:
        queue.since = queue.oldest.isoformat(timespec="seconds") if queue.oldest else ""
    return {
        "zones": [(label, counts.get(kind, 0)) for kind, label in ZoneKind.choices],
        "in_lobby": sum(counts.values()),
        "queues": queues,
        "online": [(label, online.get(role, 0)) for role, label in Role.choices],
        "waiting_warn": 600,
        "waiting_late": 1200,
    }


def _route_situations(visit: Visit) -> list[str]:
    cues = set(visit.cues)
    situations = []
    if cues & RISK_CUES:
        situations.append(Situation.FRAUD_RISK_CHECK)
    if visit.no_marketing:
        situations.append(Situation.STOP_MARKETING)
    if Cue.ELDERLY_NEEDS_HELP in cues:
        situations.append(Situation.ELDERLY_HELP)
    if Cue.ANGRY in cues:
        situations.append(Situation.ANGRY_CUSTOMER)
    elif Cue.ANXIOUS in cues:
        situations.append(Situation.CALM_ANXIOUS)
    by_zone = {
        ZoneKind.VIP_ROOM: Situation.GREET_VIP,
        ZoneKind.WEALTH: Situation.INTRODUCE_WEALTH_MANAGER,
        ZoneKind.FORM_DESK: Situation.SEND_TO_FORM_DESK,
        ZoneKind.SELF_SERVICE: Situation.STEER_SELF_SERVICE,
        ZoneKind.GREETING: Situation.ASK_NEED,
    }
    situations.append(by_zone.get(visit.destination, Situation.GIVE_TICKET))
    if hasattr(visit, "ticket") and situations[-1] != Situation.GIVE_TICKET:
        situations.append(Situation.GIVE_TICKET)
    return list(dict.fromkeys(situations))[:2]


def _result_context(staff: Staff, visit: Visit) -> dict[str, Any]:
    scripts = _scripts()
    said = [_script_for(scripts, s, staff.role, visit.label) for s in _route_situations(visit)]
    return {
        "visit": visit,
        "ticket": getattr(visit, "ticket", None),
        "scripts": [s for s in said if s],
        "handed_to_wealth": visit.referrals.exists(),
    }


def _checkin_context(
    form: CheckInForm | None = None, error: str = "", staff: Staff | None = None
) -> dict[str, Any]:
    data = form.data if form is not None and form.is_bound else {}
    token = data.get("client_token") or uuid.uuid4()
    suggestion = None
    if form is not None and form.is_bound and staff is not None:
        try:
            suggestion = services.suggest_route(
                branch=staff.branch,
                prejudgement=data.get("prejudgement", ""),
                business_types=data.getlist("business_types"),
            )
        except services.LobbyError:
            suggestion = None
    return {
        "suggestion": suggestion,
        "destinations": ZoneKind.choices,
        "chosen_destination": data.get("destination", ""),
        "form": form,
        "error": error,
        "token": token,
        "chosen_tier": data.get("prejudgement", ""),
        "chosen_business": data.getlist("business_types") if data else [],
        "chosen_cues": data.getlist("cues") if data else [],
        "label_value": data.get("label", ""),
        "stop_checked": bool(data.get("stop_marketing")),
        "tiers": Prejudgement.choices,
        "business_groups": BUSINESS_GROUPS,
        "cue_groups": CUE_GROUPS,
    }


BUSINESS_GROUPS = [
    # The common ones first and biggest: most customers are done in three taps.
    (
        _("Counter"),
        [
            BusinessType.CASH_LARGE,
            BusinessType.TRANSFER_REMIT,
            BusinessType.CARD_ACCOUNT_OPEN,
            BusinessType.LOSS_REPORT_PASSWORD,
            BusinessType.EBANK_ACTIVATION,
            BusinessType.FX_EXCHANGE,
            BusinessType.LOAN_CONSULT,
            BusinessType.CORPORATE,
        ],
    ),
    (
        _("Self-service"),
        [BusinessType.CASH_SMALL, BusinessType.BILL_PAYMENT, BusinessType.PASSBOOK_UPDATE],
    ),
    (
        _("Wealth and other"),
        [BusinessType.WEALTH_CONSULT, BusinessType.WEALTH_PURCHASE, BusinessType.COMPLAINT],
    ),
]
BUSINESS_GROUPS = [(title, [(b.value, b.label) for b in items]) for title, items in BUSINESS_GROUPS]
CUE_GROUPS = [
    (_("Opportunity"), [(c.value, c.label) for c in Cue if c in OPPORTUNITY_CUES]),
    (_("Service"), [(c.value, c.label) for c in Cue if c in SERVICE_CUES]),
    (_("Risk: no selling"), [(c.value, c.label) for c in Cue if c in RISK_CUES]),
]


def _tablet_context(staff: Staff) -> dict[str, Any]:
    return {
        **_checkin_context(),
        **board_context(staff.branch),
        **glance_context(staff.branch),
    }


@require_roles(LOBBY_ROLES)
def tablet(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    if request.htmx:
        return render(request, "lobby/tablet.html#checkin", _checkin_context())
    return render(request, "lobby/tablet.html", _tablet_context(staff))


@require_roles(LOBBY_ROLES)
def route(request: HttpRequest) -> HttpResponse:
    """The suggestion for what is ticked so far (the tablet asks on every change)."""
    staff = request.staff  # type: ignore[attr-defined]
    context: dict[str, Any] = {"suggestion": None, "suggest_error": ""}
    tier = request.GET.get("prejudgement", "")
    business = request.GET.getlist("business_types")
    if tier and business:
        try:
            context["suggestion"] = services.suggest_route(
                branch=staff.branch, prejudgement=tier, business_types=business
            )
        except services.LobbyError as exc:
            context["suggest_error"] = " ".join(exc.messages)
    context["destinations"] = ZoneKind.choices
    context["chosen_destination"] = request.GET.get("destination", "")
    return render(request, "lobby/tablet.html#route", context)


@require_roles(LOBBY_ROLES)
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    form = CheckInForm(request.POST)
    error = ""
    visit = None
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
        except services.LobbyError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if visit is not None:
        if request.htmx:
            return render(request, "lobby/tablet.html#result", _result_context(staff, visit))
        return redirect("lobby:tablet")
    context = _checkin_context(form, error, staff)
    if request.htmx:
        return render(request, "lobby/tablet.html#checkin", context)
    messages.error(request, error)
    return render(request, "lobby/tablet.html", {**_tablet_context(staff), **context}, status=400)


@require_roles(LOBBY_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    template = "lobby/board.html#board" if request.htmx else "lobby/board.html"
    return render(request, template, board_context(staff.branch))


@require_roles(LOBBY_ROLES)
def glance(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    template = "lobby/glance.html#glance" if request.htmx else "lobby/glance.html"
    return render(request, template, glance_context(staff.branch))


# Largest id a database column can hold: anything bigger is a forged request, not a customer.
MAX_ID = 2**63 - 1


def get_visit_for_staff(request: HttpRequest, visit_id: int) -> Visit:
    """A visit of the signed-in member's own branch, or 404."""
    staff = request.staff  # type: ignore[attr-defined]
    if not 0 < visit_id <= MAX_ID:
        raise Http404(_("That customer is not in your lobby."))
    visit = (
        Visit.objects.filter(pk=visit_id, branch_id=staff.branch_id)
        .select_related("ticket__queue")
        .first()
    )
    if visit is None:
        raise Http404(_("That customer is not in your lobby."))
    return visit


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
def visit_action(request: HttpRequest, visit_id: int, action: str) -> HttpResponse:
    """One tap on a customer: a behaviour seen, a hand-off, self-service, stop asking, left."""
    staff = request.staff  # type: ignore[attr-defined]
    visit = get_visit_for_staff(request, visit_id)
    error = ""
    try:
        _act(staff, visit, action, request.POST)
    except services.LobbyError as exc:
        error = " ".join(exc.messages)
    except Visit.DoesNotExist:
        raise Http404(_("That customer is not in your lobby.")) from None
    if not request.htmx:
        if error:
            context = {**board_context(staff.branch), "error": error}
            return render(request, "lobby/board.html", context, status=400)
        return redirect("lobby:board")
    if request.htmx.target == "checkin":
        visit = get_visit_for_staff(request, visit_id)
        context = {**_result_context(staff, visit), "error": error}
        return render(request, "lobby/tablet.html#result", context)
    context = {**board_context(staff.branch), "error": error}
    return render(request, "lobby/board.html#board", context)
