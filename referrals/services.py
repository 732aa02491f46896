"""Referral verbs. Each runs in one transaction, writes the trail, and pushes after the commit.

Views, consumers and commands call these; nothing else changes a referral.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lobby.choices import Role
from lobby.models import Staff, Ticket, Visit
from products.models import Product
from referrals import push
from referrals.models import OPEN_STATUSES, Referral, Stage, Status, Transition


class ReferralError(Exception):
    """A referral action that cannot be done; the message is for the person who tried."""


class AlreadyClaimed(ReferralError):
    def __init__(self, referral: Referral):
        self.referral = referral
        holder = referral.claimed_by.display_name if referral.claimed_by else None
        if holder:
            message = _("%(name)s has already taken this customer.") % {"name": holder}
        else:
            message = _("This referral is no longer waiting to be claimed.")
        super().__init__(message)


def _record(referral: Referral, *, from_status: str, actor: Staff | None, reason: str = "") -> None:
    Transition.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        actor=actor,
        at=timezone.now(),
        reason=reason,
    )


def _locked(referral_id: int) -> Referral:
    return Referral.objects.select_for_update().select_related("claimed_by").get(pk=referral_id)


def refer(
    *,
    actor: Staff,
    stage: str,
    target_role: str = Role.WEALTH_MANAGER,
    target_staff: Staff | None = None,
    visit: Visit | None = None,
    ticket: Ticket | None = None,
    need: str = "",
    product: Product | None = None,
    signals: Iterable[str] = (),
    note: str = "",
    is_vip: bool = False,
) -> Referral:
    """Hand a customer on: to a named colleague, or to the pool of a role in the actor's branch."""
    if stage not in Stage.values:
        raise ReferralError(_("Unknown referral stage."))
    if target_staff is not None:
        if target_staff.branch_id != actor.branch_id:
            raise ReferralError(_("You can only refer to colleagues in your own branch."))
        target_role = target_staff.role
    if target_role not in Role.values:
        raise ReferralError(_("Unknown role to refer to."))
    if target_staff is not None and target_staff.pk == actor.pk:
        raise ReferralError(_("You cannot refer a customer to yourself."))
    for obj in (visit, ticket):
        if obj is not None and obj.branch_id != actor.branch_id:
            raise ReferralError(_("That customer is not in your branch."))
    with transaction.atomic():
        referral = Referral.objects.create(
            branch_id=actor.branch_id,
            visit=visit,
            ticket=ticket,
            stage=stage,
            referrer=actor,
            referrer_role=actor.role,
            target_role=target_role,
            target_staff=target_staff,
            need=need,
            product=product,
            signals=list(dict.fromkeys(signals)),
            note=note.strip()[:200],
            is_vip=is_vip,
        )
        _record(referral, from_status="", actor=actor)
        push.referral_changed(referral)
    return referral


def _may_receive(referral: Referral, staff: Staff) -> bool:
    if staff.branch_id != referral.branch_id:
        return False
    if referral.target_staff_id is not None:
        return referral.target_staff_id == staff.pk
    return staff.role == referral.target_role


def accept(*, referral_id: int, actor: Staff) -> Referral:
    """Claim a referral. Of many simultaneous claims exactly one wins; the rest get AlreadyClaimed.

    The claim is one conditional UPDATE (status still 'created'), which the database applies to one
    writer at a time on SQLite and PostgreSQL alike, so no two people can ever hold one customer.
    """
    with transaction.atomic():
        referral = Referral.objects.select_related("claimed_by").get(pk=referral_id)
        if not _may_receive(referral, actor):
            raise ReferralError(_("This referral is not addressed to you."))
        now = timezone.now()
        won = Referral.objects.filter(pk=referral_id, status=Status.CREATED).update(
            status=Status.ACCEPTED, claimed_by=actor, accepted_at=now
        )
        if not won:
            referral.refresh_from_db()
            raise AlreadyClaimed(referral)
        referral.refresh_from_db()
        _record(referral, from_status=Status.CREATED, actor=actor)
        push.referral_changed(referral)
    return referral


def _move(
    referral_id: int,
    *,
    actor: Staff | None,
    to: str,
    reason: str = "",
    must_hold: bool = True,
) -> Referral:
    referral = _locked(referral_id)
    if actor is not None and actor.branch_id != referral.branch_id:
        raise ReferralError(_("This referral belongs to another branch."))
    if must_hold and (actor is None or referral.claimed_by_id != actor.pk):
        raise ReferralError(_("Only the colleague who took this customer can do that."))
    if not referral.can_move_to(to):
        raise ReferralError(
            _("A referral that is “%(status)s” cannot become “%(to)s”.")
            % {"status": referral.get_status_display(), "to": Status(to).label}
        )
    from_status = referral.status
    referral.status = to
    now = timezone.now()
    if to == Status.IN_CONSULTATION:
        referral.started_at = now
    if to == Status.CREATED:  # handed back to the pool
        referral.claimed_by = None
        referral.accepted_at = None
        referral.started_at = None
    if to not in OPEN_STATUSES:
        referral.closed_at = now
    referral.save()
    _record(referral, from_status=from_status, actor=actor, reason=reason)
    push.referral_changed(referral)
    return referral


@transaction.atomic
def start_consultation(*, referral_id: int, actor: Staff) -> Referral:
    return _move(referral_id, actor=actor, to=Status.IN_CONSULTATION)


@transaction.atomic
def hand_back(*, referral_id: int, actor: Staff, reason: str) -> Referral:
    """Return a claimed referral to the pool (e.g. the wealth manager is called away)."""
    if not reason.strip():
        raise ReferralError(_("Say why you hand the customer back."))
    return _move(referral_id, actor=actor, to=Status.CREATED, reason=reason.strip()[:200])


@transaction.atomic
def cancel(*, referral_id: int, actor: Staff, reason: str = "") -> Referral:
    """The referrer withdraws the referral (the customer left, or it was a mistake)."""
    referral = _locked(referral_id)
    if referral.referrer_id != actor.pk and actor.role != Role.LOBBY_MANAGER:
        raise ReferralError(_("Only the referrer or the lobby manager can cancel a referral."))
    return _move(
        referral_id, actor=actor, to=Status.CANCELLED, reason=reason.strip()[:200], must_hold=False
    )


@transaction.atomic
def expire(*, referral_id: int) -> Referral:
    """Nobody claimed it in time (run by the system; the lobby manager is told)."""
    return _move(referral_id, actor=None, to=Status.EXPIRED, must_hold=False)
