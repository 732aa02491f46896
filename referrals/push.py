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

    VIP room (a card)  #pool-<id> in         staff.<id> of each wealth    who serve the VIP room
                       #vip-pool-list        manager serving the VIP room
    inbox pool (card)  #inbox-<id> in        branch.<b>.role.<role>       lobby managers, or the
                       #inbox-pool-list                                   low-counter tellers
    inbox mine         #inbox-mine           staff.<id>                   the named target, holder
    visit's referrals  #visit-referrals-<v>  staff.<id> of its referrers  the referrers, the teller
                                             and of the serving teller    serving the customer

Teller-only account signals appear only in "mine" and the inbox's "mine" (the receiving person's
own screen), never in a pool card or a visit's list, which several people see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lobby import live
from lobby.choices import LOBBY_ROLES
from lobby.models import Branch, Staff, Ticket
from referrals import screens
from referrals.models import INBOX_ROLES, Referral, Status, receivers

TEMPLATE = screens.OOB_TEMPLATE
POOL_TEMPLATE = "referrals/_pool_oob.html"
SENT_TEMPLATE = "referrals/_sent_oob.html"
CARD_TEMPLATE = "referrals/_card_oob.html"
INBOX_TEMPLATE = "referrals/_inbox_oob.html"
VISIT_TEMPLATE = "referrals/_visit_oob.html"


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
    # Everyone named below has the referral's target role (a claim needs it, a named target
    # sets it, a hand-back or a decline keeps it), so one test picks their screen's regions.
    inbox = referral.target_role in INBOX_ROLES
    waiting_for = referral.target_staff_id if referral.status == Status.CREATED else None
    if waiting_for:
        # Only their list changes until they take the customer; numbers and follow-ups follow
        # the claim and the close.
        if inbox:
            push_inbox(waiting_for, urgent=True)
        else:
            push_regions(waiting_for, {"mine"}, urgent=True)
    people = dict.fromkeys(
        pk
        for pk in (referral.target_staff_id, referral.claimed_by_id, *also_staff)
        if pk and pk != waiting_for
    )
    for staff_id in people:
        if inbox:
            push_inbox(staff_id)
        else:
            push_regions(staff_id, {"mine", "numbers", "follow_ups"})
    push_sent_row(referral, committed=referral if committed else None)
    if referral.visit_id is not None:
        push_visit_referrals(referral.visit_id)
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
    # Which list the card goes to, on whose screens: the wealth pool (its own template), the
    # VIP room's pool (only the wealth managers who serve the room), or a role's inbox.
    template, card = POOL_TEMPLATE, {}
    groups = [live.role_group(branch_id, role)]
    if referral.to_vip_room:
        template = CARD_TEMPLATE
        card = {"list_id": "vip-pool-list", "prefix": "pool", "card": "referrals/_pool_card.html"}
        people = receivers(branch_id, role=role, vip_room=True).values_list("pk", flat=True)
        groups = [live.staff_group(staff_id) for staff_id in people]
    elif role in INBOX_ROLES:
        template = CARD_TEMPLATE
        card = {"list_id": "inbox-pool-list", "prefix": "inbox"}
        card["card"] = "referrals/_inbox_card.html"

    def context() -> dict[str, Any]:
        current = committed
        if current is None:
            current = Referral.objects.for_screens().select_related("branch").filter(pk=pk).first()
        if current is None or not current.in_pool:
            return {"pk": pk, "r": None, **card}
        return {"pk": pk, "r": current, "clock": screens.clock(current.branch), **card}

    live.push_fragment(groups, template, context, urgent=True)


def push_sent_row(referral: Referral, *, committed: Referral | None = None) -> None:
    """Send the referrer's screens the referral's current row in their "sent" list."""
    pk, referrer_id = referral.pk, referral.referrer_id
    live.push_fragment(
        [live.staff_group(referrer_id)],
        SENT_TEMPLATE,
        lambda: screens.sent_row_context(pk, referrer_id, committed=committed),
    )


def push_inbox(staff_id: int, *, urgent: bool = False) -> None:
    """Re-render one person's part of the inbox (named to them, held by them, closed today)."""

    def context() -> dict[str, Any]:
        staff = Staff.objects.select_related("branch").get(pk=staff_id)
        return {"regions": {"mine"}, **screens.inbox_mine_context(staff)}

    live.push_fragment([live.staff_group(staff_id)], INBOX_TEMPLATE, context, urgent=urgent)


def push_visit_referrals(visit_id: int) -> None:
    """Send a visit's referral list to the screens that show it: its referrers' (their counter
    panel) and the serving teller's. The list shows no account signal, so it may go to both."""
    people = set(Referral.objects.filter(visit_id=visit_id).values_list("referrer_id", flat=True))
    served_by = Ticket.objects.filter(visit_id=visit_id).values_list("served_by_id", flat=True)
    people.update(pk for pk in served_by if pk)
    groups = [live.staff_group(pk) for pk in sorted(people)]
    live.push_fragment(groups, VISIT_TEMPLATE, lambda: screens.visit_referrals_context(visit_id))


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
