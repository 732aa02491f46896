"""What each counter and display region shows: one context builder per region, shared by the
views (lobby.views) and the pushes (lobby.push), so a fetched copy and a pushed copy are the same.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from lobby.choices import RISK_CUES, BusinessType, Cue, Prejudgement
from lobby.models import (
    Branch,
    CallingSettings,
    Staff,
    Ticket,
    TicketEvent,
    TicketQueue,
    Window,
)

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
        window.prefixes = [link.queue.prefix for link in window.queue_links.all()]
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
    ticket = None
    if window is not None:
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
    if current is not None and rules.spoken_call:
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
