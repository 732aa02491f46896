"""What each live region shows: one context builder per region, shared by views and pushes.

A region is rendered by one partial (templates/referrals/*.html#name), both when a view answers a
request and when referrals.push sends it to screens, so a pushed copy and a fetched copy are
always the same. Every builder runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from lobby.choices import LOBBY_ROLES, Role
from lobby.models import Branch, Staff
from products.choices import RiskTolerance
from products.models import Product
from referrals.models import OUTCOMES, AmountBand, FollowUp, Referral, ReferralQuerySet, Status

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
