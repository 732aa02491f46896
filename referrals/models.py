"""The referral (转介): one hand-off of a customer between two members of staff, and its trail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lobby.choices import TELLER_ONLY_CUES, BusinessType, Cue, Role
from lobby.models import Branch, Staff, Ticket, Visit
from products.choices import RiskTolerance
from products.models import Product


class Stage(models.TextChoices):
    FIRST = "first", _("First referral (door)")
    SECOND = "second", _("Second referral (waiting zone)")
    THIRD = "third", _("Third referral (counter)")


class Target(models.TextChoices):
    """Where the counter's referral button sends a customer (see RECEIVING_ROLES)."""

    LOBBY = "lobby", _("Lobby manager")
    WEALTH = "wealth", _("Any wealth manager")
    WEALTH_MANAGER = "wealth_manager", _("A named wealth manager")
    LOW_COUNTER = "low_counter", _("Low counter")
    VIP_ROOM = "vip_room", _("VIP room")


# The roles whose members have a screen that receives referrals to their pool: the wealth
# managers' queue (/wealth/), the lobby manager's tablet and the low counter's inbox
# (referrals.screens.inbox_context). A referral to any other role would reach nobody.
RECEIVING_ROLES = frozenset({Role.WEALTH_MANAGER, Role.LOBBY_MANAGER, Role.TELLER_LOW})
# Of those, the roles whose referrals show in the compact inbox rather than the wealth queue.
INBOX_ROLES = frozenset({Role.LOBBY_MANAGER, Role.TELLER_LOW})


class Status(models.TextChoices):
    CREATED = "created", _("Waiting to be claimed")
    ACCEPTED = "accepted", _("Accepted")
    IN_CONSULTATION = "in_consultation", _("In consultation")
    CONVERTED = "converted", _("Converted")
    NOT_CONVERTED = "not_converted", _("Not converted")
    DECLINED = "declined", _("Customer declined")
    BLOCKED_SUITABILITY = "blocked_suitability", _("Blocked by suitability")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


OPEN_STATUSES = frozenset({Status.CREATED, Status.ACCEPTED, Status.IN_CONSULTATION})
OUTCOMES = frozenset(
    {Status.CONVERTED, Status.NOT_CONVERTED, Status.DECLINED, Status.BLOCKED_SUITABILITY}
)
CLOSED_STATUSES = OUTCOMES | {Status.CANCELLED, Status.EXPIRED}

# The lifecycle as data: every legal move. Anything else is refused (Referral.can_move_to, which
# the services ask before every move).
# "Hand back" returns a claimed referral to the pool (accepted → created).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.CREATED: frozenset({Status.ACCEPTED, Status.CANCELLED, Status.EXPIRED}),
    Status.ACCEPTED: frozenset(
        {Status.IN_CONSULTATION, Status.CREATED, Status.CANCELLED, Status.DECLINED}
    ),
    Status.IN_CONSULTATION: OUTCOMES | {Status.CREATED},
}


class ReferralQuerySet(models.QuerySet):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def unclaimed(self) -> ReferralQuerySet:
        return self.filter(status=Status.CREATED)

    def in_pool(self, branch_id: int, role: str, *, vip_room: bool = False) -> ReferralQuerySet:
        """Waiting to be claimed by anyone of `role` in the branch (`vip_room`: the VIP room's
        pool, which only the wealth managers serving the VIP room see; else the ordinary one)."""
        return self.filter(
            branch_id=branch_id,
            status=Status.CREATED,
            target_staff=None,
            target_role=role,
            to_vip_room=vip_room,
        )

    def overdue(self) -> ReferralQuerySet:
        """Unclaimed past the branch's claim limit (flagged by services.flag_overdue)."""
        return self.filter(status=Status.CREATED).exclude(overdue_at=None)

    def queue_order(self) -> ReferralQuerySet:
        """VIP first, then whoever has waited longest."""
        return self.order_by("-is_vip", "created_at", "pk")

    def for_screens(self) -> ReferralQuerySet:
        return self.select_related(
            "referrer",
            "claimed_by",
            "target_staff",
            "product",
            "visit__ticket__queue",
            "ticket__queue",
        )


class Referral(models.Model):
    branch = models.ForeignKey(Branch, models.PROTECT, related_name="referrals")
    visit = models.ForeignKey(
        Visit, models.PROTECT, related_name="referrals", null=True, blank=True
    )
    ticket = models.ForeignKey(
        Ticket, models.SET_NULL, related_name="referrals", null=True, blank=True
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    referrer = models.ForeignKey(
        Staff, models.PROTECT, related_name="referrals_made", verbose_name=_("referrer")
    )
    referrer_role = models.CharField(_("referrer's role"), max_length=20, choices=Role.choices)
    target_role = models.CharField(_("to role"), max_length=20, choices=Role.choices)
    target_staff = models.ForeignKey(
        Staff,
        models.PROTECT,
        related_name="referrals_addressed",
        null=True,
        blank=True,
        verbose_name=_("to person"),
    )
    need = models.CharField(_("need"), max_length=24, blank=True)
    product = models.ForeignKey(
        Product, models.PROTECT, null=True, blank=True, verbose_name=_("product of interest")
    )
    # Addressed to the VIP wealth room: the pool of the wealth managers who serve it
    # (Staff.serves_vip_room), instead of every wealth manager's pool.
    to_vip_room = models.BooleanField(_("to the VIP room"), default=False)
    signals = models.JSONField(_("signals"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    claimed_by = models.ForeignKey(
        Staff,
        models.PROTECT,
        related_name="referrals_claimed",
        null=True,
        blank=True,
        verbose_name=_("claimed by"),
    )
    created_at = models.DateTimeField(_("referred at"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(
        _("flagged overdue"),
        null=True,
        blank=True,
        help_text=_("When nobody had claimed it in time."),
    )
    quality = models.PositiveSmallIntegerField(_("referral quality (1–5)"), null=True, blank=True)
    risk_tolerance = models.PositiveSmallIntegerField(
        _("customer risk tolerance"), choices=RiskTolerance.choices, null=True, blank=True
    )
    assessment_date = models.DateField(_("risk assessment signed"), null=True, blank=True)
    recorded_confirmed = models.BooleanField(
        _("recorded-zone sale confirmed (双录)"), default=False
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["branch", "status", "created_at"]),
            models.Index(fields=["branch", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_stage_display()} · {self.get_status_display()}"

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())

    @property
    def in_pool(self) -> bool:
        """Waiting to be claimed by anyone of its target role (see ReferralQuerySet.in_pool)."""
        return self.status == Status.CREATED and self.target_staff_id is None

    @property
    def queue_key(self) -> str:
        """queue_order() as one string that sorts the same way (VIP first, then longest waiting):
        a screen that receives a single card puts it in place by this key (static/lobby/app.js)."""
        waited_since = self.created_at.timestamp() if self.created_at else 0.0
        return f"{0 if self.is_vip else 1}:{waited_since:018.6f}:{self.pk or 0:012d}"

    @property
    def sent_key(self) -> str:
        """The referrer's list order (newest first) as a string that sorts that way ascending."""
        created_ms = int(self.created_at.timestamp() * 1000) if self.created_at else 0
        return f"{10**13 - created_ms:013d}:{10**12 - (self.pk or 0):012d}"

    @property
    def customer_label(self) -> str:
        """What a staff screen may show: masked label, else ticket number; never a name or ID."""
        if self.visit is not None and self.visit.label:
            return self.visit.label
        ticket = self.ticket if self.ticket_id else getattr(self.visit, "ticket", None)
        if ticket is not None:
            return ticket.number_display
        return str(_("Customer %(number)s") % {"number": self.pk})

    @property
    def target_label(self) -> str:
        """Who the referral is addressed to, for staff screens."""
        if self.target_staff is not None:
            return self.target_staff.display_name
        if self.to_vip_room:
            return str(Target.VIP_ROOM.label)
        return str(_("%(role)s (pool)") % {"role": self.get_target_role_display()})

    @property
    def need_label(self) -> str:
        if self.need in BusinessType.values:
            return str(BusinessType(self.need).label)
        return self.need

    def signal_labels(self, *, include_account_signals: bool) -> list[str]:
        """Cue labels; the teller's account signals only for the receiving person's own screen."""
        labels = []
        for code in self.signals or []:
            if code in TELLER_ONLY_CUES and not include_account_signals:
                continue
            labels.append(str(Cue(code).label) if code in Cue.values else code)
        return labels

    @property
    def public_signal_labels(self) -> list[str]:
        return self.signal_labels(include_account_signals=False)

    @property
    def all_signal_labels(self) -> list[str]:
        return self.signal_labels(include_account_signals=True)

    @property
    def has_account_signals(self) -> bool:
        return bool(TELLER_ONLY_CUES & set(self.signals or []))


class AppendOnlyError(Exception):
    """A recorded transition was about to be changed or deleted: the trail only grows."""


class TransitionQuerySet(models.QuerySet):
    """Rows of the trail cannot be changed or deleted in bulk either.

    The one change allowed is the retention purge blanking the free-text reasons (a reason may
    name someone): `update(reason="")`. A referral's own deletion still takes its trail with it
    (the CASCADE is run by Django's collector, not by this queryset).
    """

    def update(self, **kwargs: Any) -> int:
        if kwargs == {"reason": ""}:
            return super().update(**kwargs)
        raise AppendOnlyError("Referral transitions cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Referral transitions cannot be deleted.")


def receivers(
    branch_id: int, *, role: str, vip_room: bool = False, exclude: Staff | None = None
) -> models.QuerySet[Staff]:
    """Who in the branch would receive a referral to the pool of `role` (or the VIP room's):
    active members with a screen for it. Empty means no such target may be offered or made."""
    if role not in RECEIVING_ROLES:
        return Staff.objects.none()
    people = Staff.objects.filter(branch_id=branch_id, role=role, user__is_active=True)
    if vip_room:
        people = people.filter(role=Role.WEALTH_MANAGER, serves_vip_room=True)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people


class Transition(models.Model):
    """Append-only trail: every change of a referral's status, with who and when. A saved row
    refuses to be saved again or deleted (and so does the queryset: TransitionQuerySet)."""

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        Staff, models.PROTECT, null=True, blank=True, help_text=_("Empty when the system acted.")
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral transition")
        verbose_name_plural = _("referral transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Referral transitions cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Referral transitions cannot be deleted.")


class AmountBand(models.TextChoices):
    UNDER_50K = "lt50k", _("under ¥50k")
    FROM_50K = "50k_200k", _("¥50k–200k")
    FROM_200K = "200k_1m", _("¥200k–1m")
    OVER_1M = "gt1m", _("over ¥1m")


class Sale(models.Model):
    referral = models.ForeignKey(Referral, models.CASCADE, related_name="sales")
    product = models.ForeignKey(Product, models.PROTECT, related_name="sales")
    amount_band = models.CharField(_("amount"), max_length=10, choices=AmountBand.choices)
    sold_by = models.ForeignKey(Staff, models.PROTECT, related_name="sales")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        # The reports count sales over a period.
        indexes = [models.Index(fields=["at"], name="sale_at")]

    def __str__(self) -> str:
        return f"{self.product} · {self.get_amount_band_display()}"


class FollowUpQuerySet(models.QuerySet):
    def pending(self) -> FollowUpQuerySet:
        return self.filter(done_at=None)


class FollowUp(models.Model):
    """After-sale follow-up (售后跟进) owed by a wealth manager."""

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(Staff, models.PROTECT, related_name="follow_ups")
    due_date = models.DateField(_("due"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "id"]
        # The reports count follow-ups falling due over a period.
        indexes = [models.Index(fields=["due_date"], name="follow_up_due")]

    def __str__(self) -> str:
        return f"{self.due_date} · {self.owner}"
