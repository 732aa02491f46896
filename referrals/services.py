"""Referral verbs. Each runs in one transaction, writes the trail, and pushes after the commit.

Views, consumers and commands call these; nothing else changes a referral. Every refusal is a
`ReferralError` whose message is meant for the person who tried (translated, in plain words).

The lifecycle (see models.TRANSITIONS):

    created ──accept──▶ accepted ──start_consultation──▶ in_consultation ──close──▶ outcome
       │  ▲                │  └─close(declined)─▶ declined                      (converted,
       │  └──hand_back─────┴──────────────────────────────────────────┘          not_converted,
       ├──cancel──▶ cancelled   (also from accepted)                             declined,
       └──expire──▶ expired                                                   blocked_suitability)

Expiry has two limits. After `branch.referral_expiry_seconds` (default 3 minutes) an unclaimed
referral is *flagged overdue*: it stays claimable (a late welcome beats none), but the lobby
managers are alerted so someone acts. If it is still unclaimed after EXPIRE_FACTOR times that
limit (15 minutes by default) the customer has moved on, and it becomes *expired*. `tick()` does
both; it is idempotent and safe to run from several processes at once (see referrals.ticker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lobby.choices import TELLER_ONLY_CUES, TELLER_ROLES, WEALTH_NEEDS, Role
from lobby.errors import Conflict, DomainError, NotFound
from lobby.models import Branch, Staff, Ticket, Visit
from products.models import Product
from referrals import push, rules
from referrals.models import (
    OPEN_STATUSES,
    OUTCOMES,
    RECEIVING_ROLES,
    AmountBand,
    FollowUp,
    Referral,
    Sale,
    Stage,
    Status,
    Transition,
    receivers,
)

# An overdue referral nobody claims within this many claim limits is given up as expired.
EXPIRE_FACTOR = 5


class ReferralError(DomainError):
    """A referral action that cannot be done; the message is for the person who tried."""


class ReferralNotFound(ReferralError, NotFound):
    """No such referral (or follow-up): answered as 404."""


class AlreadyClaimed(ReferralError, Conflict):
    """Someone else took the customer first: answered as 409."""

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
    try:
        return (
            Referral.objects.select_for_update(of=("self",))
            .select_related("claimed_by", "branch")
            .get(pk=referral_id)
        )
    except Referral.DoesNotExist:
        raise ReferralNotFound(_("This referral does not exist.")) from None


def _held(referral_id: int, actor: Staff, *, to: str) -> Referral:
    """The referral, locked, if `actor` holds it and it may become `to`; refused otherwise."""
    referral = _locked(referral_id)
    if actor.branch_id != referral.branch_id:
        raise ReferralError(_("This referral belongs to another branch."))
    if referral.claimed_by_id != actor.pk:
        raise ReferralError(_("Only the colleague who took this customer can do that."))
    if not referral.can_move_to(to):
        raise _illegal(referral, to)
    return referral


def _illegal(referral: Referral, to: str) -> ReferralError:
    return ReferralError(
        _("A referral that is “%(status)s” cannot become “%(to)s”.")
        % {"status": referral.get_status_display(), "to": Status(to).label}
    )


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
    to_vip_room: bool = False,
) -> Referral:
    """Hand a customer on: to a named colleague, to the pool of a role in the actor's branch, or
    (`to_vip_room`) to the wealth managers who serve the VIP room.

    Refused when nobody would receive it: a pool with no active member who has a screen for it
    (see models.receivers), a named colleague who is not active. A counter referral (third
    stage) or one from the waiting zone, of a customer whose marketing is stopped, carries no
    sales signal and no product.
    """
    if stage not in Stage.values:
        raise ReferralError(_("Unknown referral stage."))
    if target_staff is not None:
        if target_staff.branch_id != actor.branch_id:
            raise ReferralError(_("You can only refer to colleagues in your own branch."))
        if to_vip_room:
            raise ReferralError(_("Refer to the VIP room or to a named colleague, not both."))
        target_role = target_staff.role
    if to_vip_room:
        target_role = Role.WEALTH_MANAGER
    if target_role not in Role.values:
        raise ReferralError(_("Unknown role to refer to."))
    if target_staff is not None and target_staff.pk == actor.pk:
        raise ReferralError(_("You cannot refer a customer to yourself."))
    for obj in (visit, ticket):
        if obj is not None and obj.branch_id != actor.branch_id:
            raise ReferralError(_("That customer is not in your branch."))
    signals = list(dict.fromkeys(str(s) for s in signals))
    if TELLER_ONLY_CUES & set(signals) and actor.role not in TELLER_ROLES:
        raise ReferralError(_("Account signals can only be passed on from a counter."))
    if product is not None and not product.active:
        raise ReferralError(_("That product is no longer on sale."))
    if stage != Stage.FIRST and visit is not None and visit.no_marketing:
        _refuse_sales_hand_off(
            visit=visit, target_role=target_role, signals=signals, product=product
        )
    _refuse_without_receiver(
        actor=actor, target_role=target_role, target_staff=target_staff, to_vip_room=to_vip_room
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            branch=actor.branch,
            visit=visit,
            ticket=ticket,
            stage=stage,
            referrer=actor,
            referrer_role=actor.role,
            target_role=target_role,
            target_staff=target_staff,
            need=(need or "")[:24],
            product=product,
            signals=signals,
            note=(note or "").strip()[:200],
            is_vip=is_vip,
            to_vip_room=to_vip_room,
        )
        _record(referral, from_status="", actor=actor)
        push.referral_changed(referral, committed=True)
    return referral


def _refuse_without_receiver(
    *, actor: Staff, target_role: str, target_staff: Staff | None, to_vip_room: bool
) -> None:
    """No referral may go where no screen would show it (the customer would wait for nobody)."""
    if target_staff is not None:
        if not target_staff.user.is_active:
            raise ReferralError(
                _("%(name)s is not working today: choose someone else.")
                % {"name": target_staff.display_name}
            )
        return
    if to_vip_room:
        if not receivers(actor.branch_id, role=target_role, vip_room=True, exclude=actor).exists():
            raise ReferralError(_("No wealth manager serves the VIP room in your branch today."))
        return
    if target_role not in RECEIVING_ROLES:
        raise ReferralError(
            _("Referrals to %(role)s have no screen to receive them: choose another target.")
            % {"role": Role(target_role).label}
        )
    if target_role == Role.WEALTH_MANAGER:
        # The branch's main pool, which the door hands wealth business to on its own (lobby's
        # check-in): it takes the customer even with nobody on, and if nobody claims it in time
        # the lobby managers are alerted (flag_overdue). The counter offers it only when a
        # wealth manager is there (screens.counter_targets).
        return
    if not receivers(actor.branch_id, role=target_role, exclude=actor).exists():
        raise ReferralError(
            _("Nobody else in your branch works as %(role)s today: choose another target.")
            % {"role": Role(target_role).label}
        )


# Where a customer who wants no selling may still be sent from a counter: for their service need.
SERVICE_TARGET_ROLES = frozenset({Role.LOBBY_MANAGER, Role.TELLER_LOW})


def _refuse_sales_hand_off(
    *, visit: Visit, target_role: str, signals: Sequence[str], product: Product | None
) -> None:
    """A counter referral of a customer whose marketing is stopped (they declined, or a risk cue
    such as suspected fraud) is for a service need only: no sales signal, no product, and no
    wealth hand-off unless the customer came for wealth business themselves."""
    if signals or product is not None:
        raise ReferralError(
            _(
                "Marketing is stopped for this customer: refer them for their service need only, "
                "without sales signals or a product."
            )
        )
    if target_role not in SERVICE_TARGET_ROLES and not WEALTH_NEEDS & set(visit.business_types):
        raise ReferralError(
            _(
                "Marketing is stopped for this customer: only the lobby manager or the low "
                "counter can take them, unless they came for wealth business."
            )
        )


def may_receive(referral: Referral, staff: Staff) -> bool:
    """Whether `staff` is who this referral is addressed to (the person, or one of the pool)."""
    if staff.branch_id != referral.branch_id:
        return False
    if referral.target_staff_id is not None:
        return referral.target_staff_id == staff.pk
    if referral.to_vip_room and not staff.serves_vip_room:
        return False
    return staff.role == referral.target_role


def accept(*, referral_id: int, actor: Staff) -> Referral:
    """Claim a referral. Of many simultaneous claims exactly one wins; the rest get AlreadyClaimed.

    The claim is one conditional UPDATE (status still 'created'), which the database applies to one
    writer at a time on SQLite and PostgreSQL alike, so no two people can ever hold one customer.
    """
    with transaction.atomic():
        try:
            referral = Referral.objects.get(pk=referral_id)
        except Referral.DoesNotExist:
            raise ReferralNotFound(_("This referral does not exist.")) from None
        if not may_receive(referral, actor):
            raise ReferralError(_("This referral is not addressed to you."))
        now = timezone.now()
        won = Referral.objects.filter(pk=referral_id, status=Status.CREATED).update(
            status=Status.ACCEPTED, claimed_by=actor, accepted_at=now
        )
        referral = Referral.objects.select_related("claimed_by").get(pk=referral_id)
        if not won:
            if referral.claimed_by_id == actor.pk:
                raise ReferralError(_("You have already taken this customer."))
            raise AlreadyClaimed(referral)
        _record(referral, from_status=Status.CREATED, actor=actor)
        push.referral_changed(referral, was_in_pool=referral.target_staff_id is None)
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
        raise _illegal(referral, to)
    from_status = referral.status
    previous_holder = referral.claimed_by_id
    was_in_pool = from_status == Status.CREATED and referral.target_staff_id is None
    referral.status = to
    now = timezone.now()
    if to == Status.IN_CONSULTATION:
        referral.started_at = now
    if to == Status.CREATED:  # handed back to the pool
        referral.claimed_by = None
        referral.accepted_at = None
        referral.started_at = None
        # Back in the pool, anyone of the role may claim it. Its clock keeps the original
        # referral time (the customer has been waiting all along), so if that is past the claim
        # limit the next tick alerts the lobby managers again.
        referral.target_staff = None
        referral.overdue_at = None
    if to not in OPEN_STATUSES:
        referral.closed_at = now
    referral.save()
    _record(referral, from_status=from_status, actor=actor, reason=reason)
    push.referral_changed(referral, was_in_pool=was_in_pool, also_staff=[previous_holder])
    return referral


@transaction.atomic
def start_consultation(*, referral_id: int, actor: Staff) -> Referral:
    """The holder sits down with the customer."""
    return _move(referral_id, actor=actor, to=Status.IN_CONSULTATION)


@transaction.atomic
def hand_back(*, referral_id: int, actor: Staff, reason: str) -> Referral:
    """Return a claimed referral to the pool (e.g. the wealth manager is called away)."""
    if not (reason or "").strip():
        raise ReferralError(_("Say why you hand the customer back."))
    return _move(referral_id, actor=actor, to=Status.CREATED, reason=reason.strip()[:200])


@transaction.atomic
def decline(*, referral_id: int, actor: Staff, reason: str) -> Referral:
    """A named receiver turns a referral down: it goes to the pool of their role instead.

    Only a referral addressed to the actor by name and not yet claimed can be declined; one
    addressed to a pool is simply left for a colleague to claim.
    """
    if not (reason or "").strip():
        raise ReferralError(_("Say why you cannot take this customer."))
    referral = _locked(referral_id)
    if referral.target_staff_id != actor.pk:
        raise ReferralError(_("Only a referral addressed to you by name can be declined."))
    if referral.status != Status.CREATED:
        raise ReferralError(_("Only a referral waiting to be claimed can be declined."))
    referral.target_staff = None
    referral.save(update_fields=["target_staff"])
    _record(referral, from_status=Status.CREATED, actor=actor, reason=reason.strip()[:200])
    push.referral_changed(referral, also_staff=[actor.pk])
    return referral


@transaction.atomic
def cancel(*, referral_id: int, actor: Staff, reason: str = "") -> Referral:
    """The referrer withdraws the referral (the customer left, or it was a mistake)."""
    referral = _locked(referral_id)
    if actor.branch_id != referral.branch_id:
        raise ReferralError(_("This referral belongs to another branch."))
    if referral.referrer_id != actor.pk and actor.role != Role.LOBBY_MANAGER:
        raise ReferralError(_("Only the referrer or the lobby manager can cancel a referral."))
    return _move(
        referral_id,
        actor=actor,
        to=Status.CANCELLED,
        reason=(reason or "").strip()[:200],
        must_hold=False,
    )


@transaction.atomic
def expire(*, referral_id: int) -> Referral:
    """Nobody claimed it in time (run by the system; the lobby manager is told)."""
    return _move(referral_id, actor=None, to=Status.EXPIRED, must_hold=False)


# ---- closing with an outcome -------------------------------------------------------------


@dataclass(frozen=True)
class SaleLine:
    product: Product
    amount_band: str

    @property
    def recorded(self) -> bool:
        return self.product.recorded_sale


def _sale_lines(
    outcome: str,
    sales: Sequence[tuple[Product, str]],
    quality: int | None,
    risk_tolerance: int | None,
    follow_up_due: dt.date | None,
    /,
) -> list[SaleLine]:
    """What any close must satisfy, whoever calls it (CloseForm checks the same shape first)."""
    if outcome not in OUTCOMES:
        raise ReferralError(_("Choose how the consultation ended."))
    if quality is not None and not (1 <= int(quality) <= 5):
        raise ReferralError(_("Rate the referral from 1 to 5."))
    if risk_tolerance is not None and not (1 <= int(risk_tolerance) <= 5):
        raise ReferralError(_("Risk tolerance must be between C1 and C5."))
    lines = [SaleLine(product, band) for product, band in sales]
    for line in lines:
        if line.amount_band not in AmountBand.values:
            raise ReferralError(_("Choose an amount band for every product sold."))
        if not line.product.active:
            raise ReferralError(
                _("%(product)s is no longer on sale.") % {"product": line.product.name}
            )
    if len({line.product.pk for line in lines}) != len(lines):
        raise ReferralError(_("Each product can be listed only once."))
    if outcome == Status.CONVERTED and not lines:
        raise ReferralError(_("A converted referral needs at least one product sold."))
    if outcome != Status.CONVERTED and lines:
        raise ReferralError(_("Record products only when the outcome is “converted”."))
    if follow_up_due is not None and follow_up_due < timezone.localdate():
        raise ReferralError(_("A follow-up cannot be due in the past."))
    return lines


def _judge_sale(
    actor: Staff,
    lines: Sequence[SaleLine],
    risk_tolerance: int | None,
    assessment_date: dt.date | None,
    recorded_confirmed: bool,
    /,
) -> rules.Decision:
    """Ask the rules about this sale: first who may record each product, then suitability.

    A refusal raises (nothing is written, the consultation stays open); a product above the
    customer's tolerance answers `blocked`, naming the products, for the close to record.
    """
    for line in lines:
        may = rules.decide(
            role=actor.role,
            category=line.product.category,
            action=rules.Action.RECORD,
            qualified=actor.sells_investments,
        )
        if not may.allowed:
            raise ReferralError(may.reason)
    today = timezone.localdate()
    checks = [
        (
            line,
            rules.suitability(
                product_risk=line.product.risk_level,
                needs_suitability=line.product.needs_suitability,
                tolerance=risk_tolerance,
                assessment_date=assessment_date,
                today=today,
                recorded_confirmed=recorded_confirmed,
            ),
        )
        for line in lines
    ]
    verdict = rules.basket(decision for _line, decision in checks)
    if verdict.blocked:
        names = ", ".join(
            f"{line.product.name} (R{line.product.risk_level})"
            for line, decision in checks
            if decision.blocked
        )
        reason = _("Refused: %(products)s above C%(level)s.") % {
            "products": names,
            "level": risk_tolerance,
        }
        return rules.Decision(False, reason, blocked=True, code=verdict.code)
    if not verdict.allowed:
        raise ReferralError(verdict.reason)
    return verdict


def _write_sales(
    referral: Referral,
    lines: Sequence[SaleLine],
    actor: Staff,
    at: dt.datetime,
    follow_up_due: dt.date | None,
) -> None:
    Sale.objects.bulk_create(
        Sale(
            referral=referral,
            product=line.product,
            amount_band=line.amount_band,
            sold_by=actor,
            at=at,
        )
        for line in lines
    )
    if follow_up_due is not None:
        FollowUp.objects.create(referral=referral, owner=actor, due_date=follow_up_due)


def close(
    *,
    referral_id: int,
    actor: Staff,
    outcome: str,
    sales: Sequence[tuple[Product, str]] = (),
    risk_tolerance: int | None = None,
    assessment_date: dt.date | None = None,
    recorded_confirmed: bool = False,
    quality: int | None = None,
    note: str = "",
    follow_up_due: dt.date | None = None,
) -> Referral:
    """Close a referral the actor holds with an outcome, recording any sales (rules decide).

    A product above the customer's tolerance closes it as blocked by suitability, with no sale,
    whatever outcome was asked for; any other refusal raises and leaves the consultation open.
    """
    lines = _sale_lines(outcome, sales, quality, risk_tolerance, follow_up_due)
    with transaction.atomic():
        referral = _held(referral_id, actor, to=outcome)
        verdict = _judge_sale(actor, lines, risk_tolerance, assessment_date, recorded_confirmed)
        from_status, now = referral.status, timezone.now()
        referral.status = Status.BLOCKED_SUITABILITY if verdict.blocked else outcome
        referral.closed_at, referral.quality = now, quality
        referral.risk_tolerance, referral.assessment_date = risk_tolerance, assessment_date
        referral.recorded_confirmed = recorded_confirmed and any(x.recorded for x in lines)
        referral.save()
        if referral.status == Status.CONVERTED:
            _write_sales(referral, lines, actor, now, follow_up_due)
        reason = " ".join(filter(None, [verdict.reason, (note or "").strip()]))[:200]
        _record(referral, from_status=from_status, actor=actor, reason=reason)
        push.referral_changed(referral)
    return referral


# ---- follow-ups (售后跟进) ------------------------------------------------------------------


@transaction.atomic
def schedule_follow_up(
    *, referral_id: int, actor: Staff, due_date: dt.date, note: str = ""
) -> FollowUp:
    """The wealth manager who closed a referral plans a follow-up with the customer."""
    referral = _locked(referral_id)
    if referral.claimed_by_id != actor.pk:
        raise ReferralError(_("Only the colleague who served this customer can plan a follow-up."))
    if referral.status in (Status.CREATED, Status.CANCELLED, Status.EXPIRED):
        raise ReferralError(_("Follow-ups are for customers you have served."))
    if due_date < timezone.localdate():
        raise ReferralError(_("A follow-up cannot be due in the past."))
    follow_up = FollowUp.objects.create(
        referral=referral, owner=actor, due_date=due_date, note=(note or "").strip()[:200]
    )
    push.follow_ups_changed(actor.pk)
    return follow_up


@transaction.atomic
def complete_follow_up(*, follow_up_id: int, actor: Staff) -> FollowUp:
    try:
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    except FollowUp.DoesNotExist:
        raise ReferralNotFound(_("This follow-up does not exist.")) from None
    if follow_up.owner_id != actor.pk:
        raise ReferralError(_("Only the owner of a follow-up can mark it done."))
    if follow_up.done_at is not None:
        raise ReferralError(_("This follow-up is already done."))
    follow_up.done_at = timezone.now()
    follow_up.save(update_fields=["done_at"])
    push.follow_ups_changed(actor.pk)
    return follow_up


# ---- overdue and expiry -------------------------------------------------------------------


def _older_than(factor: int, now: dt.datetime) -> Q:
    # created_at + factor × limit <= now, written without database date arithmetic so that it
    # reads the same on SQLite and PostgreSQL: compare per distinct limit (there are few).
    limits = Branch.objects.values_list("referral_expiry_seconds", flat=True).distinct()
    condition = Q(pk__in=[])
    for seconds in limits:
        condition |= Q(
            branch__referral_expiry_seconds=seconds,
            created_at__lte=now - dt.timedelta(seconds=seconds * factor),
        )
    return condition


def flag_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Flag every unclaimed referral past its branch's claim limit; alert the lobby managers.

    Each referral is flagged by one conditional UPDATE (overdue_at still empty), so however many
    processes run this at once, each referral is flagged, and its alert sent, exactly once.
    """
    now = now or timezone.now()
    flagged = []
    candidates = Referral.objects.unclaimed().filter(overdue_at=None).filter(_older_than(1, now))
    for pk, _branch_id in candidates.values_list("pk", "branch_id"):
        with transaction.atomic():
            won = Referral.objects.filter(pk=pk, status=Status.CREATED, overdue_at=None).update(
                overdue_at=now
            )
            if won:
                flagged.append(pk)
                push.referral_changed(Referral.objects.get(pk=pk))
    return flagged


def expire_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Give up referrals still unclaimed after EXPIRE_FACTOR claim limits."""
    now = now or timezone.now()
    expired = []
    stale = Referral.objects.unclaimed().filter(_older_than(EXPIRE_FACTOR, now))
    for pk in stale.values_list("pk", flat=True):
        try:
            expire(referral_id=pk)
        except ReferralError:
            continue  # claimed or cancelled meanwhile: nothing to give up
        expired.append(pk)
    return expired


def tick(*, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """One round of the referral clock: flag overdue ones, then expire stale ones."""
    return flag_overdue(now=now), expire_stale(now=now)


@transaction.atomic
def purge_personal_notes(*, older_than: dt.timedelta) -> dict[str, int]:
    """Blank the free text of referrals older than `older_than`: their notes, the reasons in
    their trail, and the notes of follow-ups already done.

    Who, when, stages, targets, outcomes and sales are kept, so reports still add up.
    """
    cutoff = timezone.now() - older_than
    old = Referral.objects.filter(created_at__lt=cutoff)
    return {
        "referrals": old.exclude(note="").update(note=""),
        "reasons": Transition.objects.filter(referral__in=old).exclude(reason="").update(reason=""),
        "follow_ups": FollowUp.objects.filter(created_at__lt=cutoff, done_at__isnull=False)
        .exclude(note="")
        .update(note=""),
    }


__all__ = [
    "EXPIRE_FACTOR",
    "AlreadyClaimed",
    "ReferralError",
    "ReferralNotFound",
    "accept",
    "cancel",
    "close",
    "complete_follow_up",
    "decline",
    "expire",
    "flag_overdue",
    "hand_back",
    "may_receive",
    "refer",
    "schedule_follow_up",
    "start_consultation",
    "tick",
]
