"""What each lobby region shows: one context builder per region, shared by views and pushes.

A region is rendered by one partial (templates/lobby/*.html#name), both when a view answers a
request and when lobby.push sends it to screens, so a pushed copy and a fetched copy are always
the same. Views and lobby.push import this module; neither imports the other.

The lobby imports nothing from referrals here: the board learns whether a waiting customer is
with a wealth manager through the reverse relation the referrals app declares on `Visit`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lobby.choices import (
    OPPORTUNITY_CUES,
    RISK_CUES,
    SERVICE_CUES,
    BusinessType,
    Cue,
    Prejudgement,
    Role,
    ZoneKind,
)
from lobby.forms import CheckInForm
from lobby.models import (
    Branch,
    CallingSettings,
    LiveSocket,
    Staff,
    Ticket,
    TicketEvent,
    TicketQueue,
    Visit,
    Window,
)
from products.models import Script, Situation

if TYPE_CHECKING:
    from lobby.services import Route


def waiting_clock(branch: Branch) -> dict[str, int]:
    """When a waiting customer's clock turns amber and red (seconds), from the branch's settings."""
    return {
        "waiting_warn": branch.waiting_warn_minutes * 60,
        "waiting_late": branch.waiting_target_minutes * 60,
    }


# ---------------------------------------------------------------------------------------------
# Scripts (话术) shown in context


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


# ---------------------------------------------------------------------------------------------
# The waiting-zone board (second referral)


@dataclass(frozen=True)
class Behaviour:
    cue: str
    action: str  # wealth | self_service | help | care | stop
    situation: str

    @property
    def label(self) -> str:
        return str(Cue(self.cue).label)


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


def board_context(branch: Branch) -> dict[str, Any]:
    """Every ticket waiting today, oldest first, with its second-referral suggestion."""
    # A referral is open until it is closed (referrals sets closed_at on every way out). One
    # filter() call, so both conditions hold for the same referral.
    with_wealth = Visit.objects.filter(
        pk=OuterRef("visit_id"), referrals__isnull=False, referrals__closed_at__isnull=True
    )
    tickets = (
        Ticket.objects.waiting()
        .filter(branch=branch, service_date=branch.local_date())
        .select_related("queue", "visit")
        .annotate(with_wealth=Exists(with_wealth))
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
    return {"rows": rows, "behaviours": BEHAVIOURS, **waiting_clock(branch)}


# ---------------------------------------------------------------------------------------------
# The lobby at a glance

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
        # The oldest waiting ticket's time, for the live clock (data-since) on the screen.
        queue.since = (  # type: ignore[attr-defined]  # a display attribute on an annotated row
            queue.oldest.isoformat(timespec="seconds") if queue.oldest else ""
        )
    return {
        "zones": [(label, counts.get(kind, 0)) for kind, label in ZoneKind.choices],
        "in_lobby": sum(counts.values()),
        "queues": queues,
        "online": [(label, online.get(role, 0)) for role, label in Role.choices],
        **waiting_clock(branch),
    }


# ---------------------------------------------------------------------------------------------
# The tablet: the check-in form and its result (first referral)


def _route_situations(visit: Visit) -> list[str]:
    cues = set(visit.cues)
    situations: list[str] = []
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
    by_zone: dict[str, str] = {
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


def result_context(staff: Staff, visit: Visit) -> dict[str, Any]:
    """A checked-in customer: their ticket, where they go, and what to say."""
    scripts = _scripts()
    said = [_script_for(scripts, s, staff.role, visit.label) for s in _route_situations(visit)]
    return {
        "visit": visit,
        "ticket": getattr(visit, "ticket", None),
        "scripts": [s for s in said if s],
        # Through the reverse relation referrals declares (see the module's docstring).
        "handed_to_wealth": visit.referrals.exists(),
    }


_BUSINESS_ORDER = [
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
BUSINESS_GROUPS = [(title, [(b.value, b.label) for b in items]) for title, items in _BUSINESS_ORDER]
CUE_GROUPS = [
    (_("Opportunity"), [(c.value, c.label) for c in Cue if c in OPPORTUNITY_CUES]),
    (_("Service"), [(c.value, c.label) for c in Cue if c in SERVICE_CUES]),
    (_("Risk: no selling"), [(c.value, c.label) for c in Cue if c in RISK_CUES]),
]


def checkin_context(
    form: CheckInForm | None = None, error: str = "", suggestion: Route | None = None
) -> dict[str, Any]:
    """The check-in form: fresh, or as it was sent back with `error` and its route suggestion."""
    # A bound form's data is the POST QueryDict (getlist); a fresh form reads as an empty one.
    data = cast(QueryDict, form.data) if form is not None and form.is_bound else QueryDict()
    token = data.get("client_token") or uuid.uuid4()
    return {
        **route_context(data, suggestion),
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


def route_context(query: Any, suggestion: Route | None, error: str = "") -> dict[str, Any]:
    """The route step: the suggestion for what is ticked so far (`query`: the form as sent), or
    why there is none. The suggestion itself is services.suggest_route's (a read, no writes)."""
    return {
        "suggestion": suggestion,
        "suggest_error": error,
        "destinations": ZoneKind.choices,
        "chosen_destination": query.get("destination", "") if query else "",
    }


def tablet_context(staff: Staff) -> dict[str, Any]:
    """The whole tablet: a fresh check-in form beside the board and the glance."""
    return {
        **checkin_context(),
        **board_context(staff.branch),
        **glance_context(staff.branch),
    }


# ---------------------------------------------------------------------------------------------
# The counter (third zone) and the public display

# How many earlier calls the display lists under the current one.
DISPLAY_RECENT = 5
CALL_ACTIONS = [
    TicketEvent.Action.CALL,
    TicketEvent.Action.CALL_NUMBER,
    TicketEvent.Action.RECALL,
]


def _minutes_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def windows_context(branch_id: int) -> dict[str, Any]:
    """Every window in use with who has it open: the picker (identical for every teller)."""
    windows = list(
        Window.objects.filter(branch_id=branch_id, active=True)
        .select_related("teller")
        .prefetch_related("queue_links__queue")
    )
    for window in windows:
        # The queue letters it serves, in priority order, for the picker's buttons.
        window.prefixes = [  # type: ignore[attr-defined]  # a display attribute on the row
            link.queue.prefix for link in window.queue_links.all()
        ]
    return {"windows": windows}


def _waiting_in(queue: TicketQueue) -> Q:
    return Q(for_queue__isnull=True, queue=queue) | Q(for_queue=queue)


def window_context(staff: Staff) -> dict[str, Any]:
    """The teller's own window: its queues' lengths, tickets transferred to it, parked ones."""
    window = Window.objects.filter(teller=staff).select_related("branch").first()
    if window is None:
        return {"window": None}
    branch = window.branch
    waiting = Ticket.objects.waiting().today(branch)
    queues = []
    for queue in window.ordered_queues():
        stats = waiting.filter(_waiting_in(queue), for_window__isnull=True).aggregate(
            n=Count("pk"), oldest=Min("queued_at")
        )
        queues.append(
            {
                "queue": queue,
                "waiting": stats["n"],
                "since": stats["oldest"].isoformat(timespec="seconds") if stats["oldest"] else "",
            }
        )
    parked = list(
        Ticket.objects.filter(window=window, status=Ticket.Status.PARKED)
        .select_related("queue", "visit")
        .order_by("called_at", "pk")
    )
    return {
        "window": window,
        "queue_rows": queues,
        "for_me": waiting.filter(for_window=window).count(),
        "parked": parked,
        "busy": Ticket.objects.at_window().filter(window=window).exists(),
        "waiting_warn": branch.waiting_warn_minutes * 60,
        "waiting_late": branch.waiting_target_minutes * 60,
    }


def current_context(staff: Staff) -> dict[str, Any]:
    """The customer at the teller's window: ticket, masked label, tier, business, times, and the
    stop-marketing / risk banner that hides every pitch."""
    window = Window.objects.filter(teller=staff).first()
    if window is None:
        return {"ticket": None, "window": None}
    ticket = (
        Ticket.objects.at_window()
        .filter(window=window)
        .select_related("queue", "visit", "for_queue")
        .first()
    )
    if ticket is None:
        return {"ticket": None, "window": window}
    visit = ticket.visit
    risks = [Cue(c).label for c in visit.cues if c in RISK_CUES]
    other_windows = list(
        Window.objects.filter(branch_id=window.branch_id, active=True).exclude(pk=window.pk)
    )
    return {
        "window": window,
        "ticket": ticket,
        "visit": visit,
        "tier": visit.get_prejudgement_display()
        if visit.prejudgement in (Prejudgement.VIP, Prejudgement.POTENTIAL_VIP)
        else "",
        "business": [BusinessType(b).label for b in visit.business_types],
        "waited": _minutes_seconds(ticket.waited.total_seconds()) if ticket.waited else "",
        "called_since": ticket.called_at.isoformat(timespec="seconds"),
        "no_marketing": visit.no_marketing,
        "risks": risks,
        "transfer_queues": list(TicketQueue.objects.filter(branch_id=window.branch_id)),
        "transfer_windows": other_windows,
        "business_choices": BusinessType.choices,
        "done_default": visit.business_types,
    }


def counter_regions(staff: Staff, regions: set[str]) -> dict[str, Any]:
    """The context for rendering `regions` of a teller's counter screen."""
    context: dict[str, Any] = {"regions": regions, "staff": staff}
    if "windows" in regions:
        context.update(windows_context(staff.branch_id))
    if "window" in regions:
        context.update(window_context(staff))
    if "current" in regions:
        # The window bar's `window` and the panel's agree (both the teller's own).
        context.update(current_context(staff))
    return context


def spoken(ticket: Ticket, window: Window, language: str) -> str:
    """What the display says aloud: the number spelt out, and the window."""
    spelt = " ".join(ticket.number_display)
    if language == CallingSettings.SpokenLanguage.EN:
        return f"Ticket {spelt}, please go to {window.name_en}."
    return f"请 {spelt} 号到{window.name_zh}办理"


def display_context(branch_id: int) -> dict[str, Any]:
    """The public display: the ticket being called and its window, the last few called, how
    many wait per queue. Ticket numbers and windows ONLY: no label, tier, queue name or VIP mark
    (queues are shown by their letter)."""
    branch = Branch.objects.get(pk=branch_id)
    rules = CallingSettings.for_branch(branch)
    today = branch.local_date()
    calls = list(
        TicketEvent.objects.filter(
            ticket__branch=branch,
            ticket__service_date=today,
            action__in=CALL_ACTIONS,
            window__isnull=False,
        )
        .select_related("ticket__queue", "window")
        .order_by("-at", "-pk")[: DISPLAY_RECENT * 3]
    )
    current = calls[0] if calls else None
    recent, seen = [], {current.ticket_id} if current else set()
    for event in calls[1:]:
        if event.ticket_id in seen:
            continue
        seen.add(event.ticket_id)
        recent.append(event)
        if len(recent) == DISPLAY_RECENT:
            break
    waiting = Ticket.objects.waiting().today(branch)
    counts: dict[int, int] = {}
    rows = (
        waiting.order_by()
        .values("queue_id", "for_queue_id")
        .annotate(n=Count("pk"))
        .values_list("queue_id", "for_queue_id", "n")
    )
    for queue_id, for_queue_id, n in rows:
        key = for_queue_id or queue_id
        counts[key] = counts.get(key, 0) + n
    queues = [
        {"prefix": q.prefix, "waiting": counts.get(q.pk, 0)}
        for q in TicketQueue.objects.filter(branch=branch)
    ]
    context: dict[str, Any] = {
        "token": rules.display_token,
        "current": current,
        "recent": recent,
        "queues": queues,
        "say": "",
        "say_lang": "en-GB" if rules.spoken_language == "en" else "zh-CN",
        "now": timezone.now(),
    }
    if current is not None and current.window is not None and rules.spoken_call:
        context["say"] = spoken(current.ticket, current.window, rules.spoken_language)
    return context


def no_shows_context(branch_id: int) -> dict[str, Any]:
    """Today's no-shows, for the lobby staff to put a returning customer back."""
    branch = Branch.objects.get(pk=branch_id)
    tickets = list(
        Ticket.objects.today(branch)
        .filter(status=Ticket.Status.NO_SHOW)
        .select_related("queue", "visit")
        .order_by("-completed_at", "-pk")[:20]
    )
    rules = CallingSettings.for_branch(branch)
    return {"no_shows": tickets, "return_to": rules.get_no_show_return_display()}
