"""What referral changes show on which screens. Rendering and sending live in lobby.live.

Screens are kept in step by pushing whole regions, re-rendered from the committed state with the
same partials the views render (see referrals.screens): a pushed region replaces the region's
content, so a push received twice, late or out of order still leaves the screen right, and there
is nothing per connection to check: a region goes only to a group whose members may all see it.

Two lists are the exception, because they change one referral at a time and are pushed on every
referral: the pool, which is the "customer referred to you" notice itself, sent to every wealth
manager of the branch at once, and the referrer's "sent" list. Each gets the one row that changed
(removed, then re-added if the referral still belongs there), which is cheap to render whatever the
list's length. The screen keeps the list in order (static/lobby/app.js) and re-reads the whole
region whenever its socket reopens. Pushes that tell the receivers leave first; the referrer's row
and the lobby's regions after them.

    region            element id           group                        who
    pool (one card)   #pool-<id>           branch.<b>.role.<role>       every member of the pool
    mine + numbers    #my-referrals ...    staff.<id>                   the named target, the holder
    sent (one row)    #sent-<id>           staff.<referrer>             the referrer
    overdue           #overdue-referrals   branch.<b>.role.lobby_*      lobby managers, assistants
    follow-ups        #follow-ups          staff.<owner>                the wealth manager

Teller-only account signals appear only in "mine" (the receiving person's own screen).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lobby import live
from lobby.choices import LOBBY_ROLES
from lobby.models import Branch, Staff
from referrals import screens
from referrals.models import Referral, Status

TEMPLATE = screens.OOB_TEMPLATE
POOL_TEMPLATE = "referrals/_pool_oob.html"
SENT_TEMPLATE = "referrals/_sent_oob.html"


def referral_changed(
    referral: Referral,
    *,
    was_in_pool: bool = False,
    also_staff: Iterable[int | None] = (),
    committed: bool = False,
) -> None:
    """Schedule (on commit) every region this referral appears in, to the people who see it.

    `was_in_pool`: it was waiting in its role's pool before this change (so it leaves the pool).
    `also_staff`: people whose screens showed the referral before this change (a former holder
    after a hand-back, a named target who declined).
    `committed`: `referral` is exactly the row this transaction writes, with its related rows
    loaded (services.refer), so the receivers' card is rendered from it without reading it back.

    The callbacks run in this order after the commit: the receivers' notice first (the pool's
    card, or the named person's list), then everyone else.
    """
    in_pool = referral.in_pool
    if in_pool or was_in_pool:
        push_pool_card(referral, committed=referral if committed and in_pool else None)
    waiting_for = referral.target_staff_id if referral.status == Status.CREATED else None
    if waiting_for:
        # Only their list changes until they take the customer; numbers and follow-ups follow
        # the claim and the close.
        push_regions(waiting_for, {"mine"}, urgent=True)
    people = dict.fromkeys(
        pk
        for pk in (referral.target_staff_id, referral.claimed_by_id, *also_staff)
        if pk and pk != waiting_for
    )
    for staff_id in people:
        push_regions(staff_id, {"mine", "numbers", "follow_ups"})
    push_sent_row(referral, committed=referral if committed else None)
    if referral.overdue_at is not None:
        push_overdue(referral.branch_id)


def follow_ups_changed(staff_id: int) -> None:
    push_regions(staff_id, {"follow_ups", "numbers"})


def push_pool_card(referral: Referral, *, committed: Referral | None = None) -> None:
    """Send the pool screens of the referral's role its current card, or its removal.

    Rendered after the commit from the committed row: `committed` when the caller holds it,
    otherwise read back (if it has left the pool meanwhile, the card is removed).
    """
    pk, branch_id, role = referral.pk, referral.branch_id, referral.target_role

    def context() -> dict[str, Any]:
        current = committed
        if current is None:
            current = Referral.objects.for_screens().select_related("branch").filter(pk=pk).first()
        if current is None or not current.in_pool:
            return {"pk": pk, "r": None}
        return {"pk": pk, "r": current, "clock": screens.clock(current.branch)}

    live.push_fragment([live.role_group(branch_id, role)], POOL_TEMPLATE, context, urgent=True)


def push_sent_row(referral: Referral, *, committed: Referral | None = None) -> None:
    """Send the referrer's screens the referral's current row in their "sent" list."""
    pk, referrer_id = referral.pk, referral.referrer_id
    live.push_fragment(
        [live.staff_group(referrer_id)],
        SENT_TEMPLATE,
        lambda: screens.sent_row_context(pk, referrer_id, committed=committed),
    )


def push_regions(staff_id: int, regions: set[str], *, urgent: bool = False) -> None:
    """Re-render one person's own regions and send them to that person's screens only."""

    def context() -> dict[str, Any]:
        staff = Staff.objects.select_related("branch").get(pk=staff_id)
        return screens.regions_context(staff, regions)

    live.push_fragment([live.staff_group(staff_id)], TEMPLATE, context, urgent=urgent)


def push_overdue(branch_id: int) -> None:
    def context() -> dict[str, Any]:
        branch = Branch.objects.get(pk=branch_id)
        return {"regions": {"overdue"}, **screens.overdue_context(branch)}

    groups = [live.role_group(branch_id, role) for role in sorted(LOBBY_ROLES)]
    live.push_fragment(groups, TEMPLATE, context)
