"""What each live region shows: one context builder per region, shared by views and pushes.

A region is rendered by one partial (templates/referrals/*.html#name), both when a view answers a
request and when referrals.push sends it to screens, so a pushed copy and a fetched copy are
always the same. Every builder runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from lobby.choices import (
    LOBBY_ROLES,
    RISK_CUES,
    TELLER_ONLY_CUES,
    TELLER_ROLES,
    WEALTH_NEEDS,
    Cue,
    Role,
)
from lobby.models import Branch, Staff, Visit
from products.choices import RiskTolerance
from products.models import Product
from referrals import rules
from referrals.models import (
    INBOX_ROLES,
    OUTCOMES,
    AmountBand,
    FollowUp,
    Referral,
    ReferralQuerySet,
    Status,
    Target,
    receivers,
)

# The one template that sends regions out of band (`regions` names them), for pushes and for the
# actions' answers alike.
OOB_TEMPLATE = "referrals/_referral_oob.html"
# The queue shows a few recent closes (to plan follow-ups); older ones live in the reports.
RECENT_CLOSED = 8
# The sent panel shows the latest referrals of the day: enough to follow them, bounded to render.
SENT_LIMIT = 20
UPCOMING_DAYS = 7


def day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Local midnight of the business day (the branch's time zone is the site's)."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def clock(branch: Branch) -> dict[str, int]:
    """Ageing thresholds: amber at half the claim limit, red once overdue."""
    limit = branch.referral_expiry_seconds
    return {"warn_after": max(1, limit // 2), "late_after": limit}


def pool_context(branch: Branch, role: str = Role.WEALTH_MANAGER) -> dict[str, Any]:
    """The branch pool of a role: identical for every member, so pushed once to the role group."""
    referrals = list(Referral.objects.in_pool(branch.pk, role).for_screens().queue_order())
    return {"pool": referrals, "pool_role": role, "clock": clock(branch)}


def mine_context(staff: Staff) -> dict[str, Any]:
    """Referrals addressed to me by name, the customers I hold, and what I closed today."""
    start = day_start()
    rows = list(
        Referral.objects.filter(branch_id=staff.branch_id)
        .filter(
            # addressed to me and waiting
            Q(target_staff=staff, status=Status.CREATED)
            # held by me
            | Q(claimed_by=staff, status__in=[Status.ACCEPTED, Status.IN_CONSULTATION])
            # closed by me today
            | Q(claimed_by=staff, status__in=OUTCOMES, closed_at__gte=start)
        )
        .for_screens()
        .prefetch_related("sales__product")
        .queue_order()
    )
    waiting = [r for r in rows if r.status == Status.CREATED]
    held = [r for r in rows if r.status in (Status.ACCEPTED, Status.IN_CONSULTATION)]
    closed = sorted(
        (r for r in rows if r.status in OUTCOMES), key=lambda r: r.closed_at, reverse=True
    )[:RECENT_CLOSED]
    needs_form = any(r.status == Status.IN_CONSULTATION for r in held)
    return {
        "waiting_for_me": waiting,
        "held": held,
        "closed_today": closed,
        "products": list(Product.objects.active()) if needs_form else [],
        "amount_bands": AmountBand.choices,
        "tolerances": RiskTolerance.choices,
        "outcomes": [(s.value, s.label) for s in Status if s in OUTCOMES],
        "today": timezone.localdate(),
        "clock": clock(staff.branch),
    }


def numbers_context(staff: Staff) -> dict[str, Any]:
    """My numbers today: taken, closed, converted, conversion rate, median time to claim."""
    start = day_start()
    rows = list(
        Referral.objects.filter(claimed_by=staff, accepted_at__gte=start).values_list(
            "status", "created_at", "accepted_at"
        )
    )
    closed = [s for s, _c, _a in rows if s in OUTCOMES]
    converted = [s for s in closed if s == Status.CONVERTED]
    waits = sorted((a - c).total_seconds() for _s, c, a in rows if a and c)
    median = waits[len(waits) // 2] if waits else None
    follow_ups_done = FollowUp.objects.filter(owner=staff, done_at__gte=start).count()
    return {
        "numbers": {
            "taken": len(rows),
            "closed": len(closed),
            "converted": len(converted),
            "rate": round(100 * len(converted) / len(closed)) if closed else None,
            "median_claim": _minutes_seconds(median) if median is not None else None,
            "follow_ups_done": follow_ups_done,
        }
    }


def follow_ups_context(staff: Staff) -> dict[str, Any]:
    today = timezone.localdate()
    pending = list(
        FollowUp.objects.pending()
        .filter(owner=staff, due_date__lte=today + dt.timedelta(days=UPCOMING_DAYS))
        .select_related("referral__visit__ticket__queue", "referral__ticket__queue")
        .order_by("due_date", "id")
    )
    return {
        "due_today": [f for f in pending if f.due_date <= today],
        "upcoming": [f for f in pending if f.due_date > today],
        "today": today,
    }


def _sent_today(referrer_id: int) -> ReferralQuerySet:
    """What a referrer's "sent" list holds: their referrals made today."""
    return Referral.objects.filter(
        referrer_id=referrer_id, created_at__gte=day_start()
    ).for_screens()


def sent_context(staff: Staff) -> dict[str, Any]:
    """The referrer's own referrals made today, newest first, with their live status."""
    sent = list(_sent_today(staff.pk).order_by("-created_at", "-pk")[:SENT_LIMIT])
    context: dict[str, Any] = {"sent": sent, "clock": clock(staff.branch)}
    context["show_overdue"] = staff.role in LOBBY_ROLES
    if context["show_overdue"]:
        context.update(overdue_context(staff.branch))
    return context


def sent_row_context(
    pk: int, referrer_id: int, *, committed: Referral | None = None
) -> dict[str, Any]:
    """One row of a referrer's "sent" list (referrals.push, and the actions' answers), read after
    the commit unless `committed` is that row; None if it does not belong in the list."""
    current = committed
    if current is None:
        current = _sent_today(referrer_id).select_related("branch").filter(pk=pk).first()
    if current is None:
        return {"pk": pk, "r": None}
    return {"pk": pk, "r": current, "clock": clock(current.branch)}


def overdue_context(branch: Branch) -> dict[str, Any]:
    """Unclaimed past the limit: what the lobby managers are alerted to."""
    return {
        "overdue": list(
            Referral.objects.overdue().filter(branch=branch).for_screens().queue_order()
        ),
        "clock": clock(branch),
    }


def regions_context(staff: Staff, regions: set[str]) -> dict[str, Any]:
    """The context for rendering `regions` of `staff`'s queue screen (views and pushes alike);
    `regions` also tells referrals/_referral_oob.html which regions to send."""
    context: dict[str, Any] = {"regions": regions, "staff": staff}
    if "pool" in regions:
        context.update(pool_context(staff.branch, staff.role))
    if "mine" in regions:
        context.update(mine_context(staff))
    if "numbers" in regions:
        context.update(numbers_context(staff))
    if "follow_ups" in regions:
        context.update(follow_ups_context(staff))
    return context


def _minutes_seconds(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


# ---- the counter: a visit's referral panel, the inboxes, the VIP room's pool ---------------

# The signals a counter may pass on, in the order the chips show: what the teller sees in the
# account first (the first two never reach a shared screen), then what the customer shows.
COUNTER_SIGNALS = (
    Cue.LARGE_ACCOUNT_SWING,
    Cue.LARGE_IDLE_BALANCE,
    Cue.NEAR_VIP_THRESHOLD,
    Cue.NEW_GOLD_CARD,
    Cue.DEPOSIT_MATURING,
    Cue.LARGE_CASH,
    Cue.ASKING_RATES,
    Cue.ASKS_LOANS,
    Cue.ASKS_INSURANCE,
)


def signal_choices(staff: Staff) -> list[tuple[str, str]]:
    """The signal chips a member of staff may tap: account signals at a counter only."""
    return [
        (cue.value, str(cue.label))
        for cue in COUNTER_SIGNALS
        if cue not in TELLER_ONLY_CUES or staff.role in TELLER_ROLES
    ]


def pitch_products(staff: Staff) -> list[Product]:
    """What this member of staff may pitch, each with its one-sentence pitch."""
    categories = rules.pitchable_categories(staff.role, qualified=staff.sells_investments)
    return [p for p in Product.objects.active().filter(category__in=categories) if p.pitch]


@dataclass(frozen=True)
class TargetButton:
    value: str  # the form's `to`: a Target, or "staff:<id>" for a named wealth manager
    label: str
    kind: str


def counter_targets(staff: Staff, visit: Visit | None = None) -> list[TargetButton]:
    """The targets the referral button offers: only those with somebody to receive them (see
    models.receivers), and for a customer whose marketing is stopped only the service ones
    (services._refuse_sales_hand_off). Runs a fixed number of queries."""
    branch_id = staff.branch_id
    wealth_allowed = (
        visit is None or not visit.no_marketing or bool(WEALTH_NEEDS & set(visit.business_types))
    )
    buttons = []
    if receivers(branch_id, role=Role.LOBBY_MANAGER, exclude=staff).exists():
        buttons.append(TargetButton(Target.LOBBY, str(Target.LOBBY.label), Target.LOBBY))
    if wealth_allowed:
        managers = list(
            receivers(branch_id, role=Role.WEALTH_MANAGER, exclude=staff).order_by("display_name")
        )
        if managers:
            buttons.append(TargetButton(Target.WEALTH, str(Target.WEALTH.label), Target.WEALTH))
        buttons += [
            TargetButton(f"staff:{m.pk}", m.display_name, Target.WEALTH_MANAGER) for m in managers
        ]
        if any(m.serves_vip_room for m in managers):
            buttons.append(
                TargetButton(Target.VIP_ROOM, str(Target.VIP_ROOM.label), Target.VIP_ROOM)
            )
    if receivers(branch_id, role=Role.TELLER_LOW, exclude=staff).exists():
        buttons.append(
            TargetButton(Target.LOW_COUNTER, str(Target.LOW_COUNTER.label), Target.LOW_COUNTER)
        )
    return buttons


def visit_referrals_context(visit_id: int) -> dict[str, Any]:
    """A visit's referrals today, oldest first, with their live status (no account signal:
    several people may see this list, see referrals.push)."""
    referrals = list(
        Referral.objects.filter(visit_id=visit_id, created_at__gte=day_start())
        .for_screens()
        .order_by("created_at", "pk")
    )
    return {"visit_id": visit_id, "visit_referrals": referrals}


def visit_panel_context(staff: Staff, visit: Visit) -> dict[str, Any]:
    """The counter's referral panel for one visit: its referrals, the referral button and,
    unless marketing is stopped for the customer, what this member of staff may pitch."""
    stopped = visit.no_marketing
    risk = bool(RISK_CUES & set(visit.cues))
    context = visit_referrals_context(visit.pk)
    context.update(
        {
            "visit": visit,
            "ticket": getattr(visit, "ticket", None),
            "marketing_stopped": stopped,
            "risk": risk,
            "signals": [] if stopped else signal_choices(staff),
            "targets": counter_targets(staff, visit),
            "products": [] if stopped else list(Product.objects.active()),
            "pitches": [] if stopped else pitch_products(staff),
        }
    )
    return context


def vip_pool_context(staff: Staff) -> dict[str, Any]:
    """The VIP room's pool, for a wealth manager who serves the VIP room."""
    referrals: list[Referral] = []
    if staff.serves_vip_room:
        referrals = list(
            Referral.objects.in_pool(staff.branch_id, Role.WEALTH_MANAGER, vip_room=True)
            .for_screens()
            .queue_order()
        )
    return {"vip_pool": referrals, "clock": clock(staff.branch)}


def inbox_pool_context(staff: Staff) -> dict[str, Any]:
    """The pool of the staff member's role, if their role receives referrals in the inbox: the
    same for every member, so pushed card by card to the role's group (public signals only)."""
    referrals: list[Referral] = []
    if staff.role in INBOX_ROLES:
        referrals = list(
            Referral.objects.in_pool(staff.branch_id, staff.role).for_screens().queue_order()
        )
    return {
        "inbox_pool": referrals,
        "has_pool": staff.role in INBOX_ROLES,
        "clock": clock(staff.branch),
    }


def record_products(staff: Staff) -> list[Product]:
    """What the inbox's close form offers to record as sold: what the rules let this person
    record (services.close refuses anything else all the same)."""
    categories = rules.recordable_categories(staff.role, qualified=staff.sells_investments)
    return list(Product.objects.active().filter(category__in=categories))


def inbox_mine_context(staff: Staff) -> dict[str, Any]:
    """Referrals named to me and waiting, those I hold, and those I closed today."""
    context = mine_context(staff)
    needs_form = any(r.status == Status.IN_CONSULTATION for r in context["held"])
    context["products"] = record_products(staff) if needs_form else []
    context["staff"] = staff
    return context


def inbox_context(staff: Staff) -> dict[str, Any]:
    return {**inbox_pool_context(staff), **inbox_mine_context(staff)}
