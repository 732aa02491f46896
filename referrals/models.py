"""The referral (转介): one hand-off of a customer between two members of staff, and its trail."""

from __future__ import annotations

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

# The lifecycle as data: every legal move. Anything else is refused (see services.transition).
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

    def for_receiver(self, staff: Staff) -> ReferralQuerySet:
        """Referrals addressed to this person, or to their role's pool in their branch."""
        return self.filter(branch=staff.branch).filter(
            models.Q(target_staff=staff) | models.Q(target_staff=None, target_role=staff.role)
        )

    def in_pool(self, branch_id: int, role: str) -> ReferralQuerySet:
        """Waiting to be claimed by anyone of `role` in the branch."""
        return self.filter(
            branch_id=branch_id, status=Status.CREATED, target_staff=None, target_role=role
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

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())

    @property
    def is_outcome(self) -> bool:
        return self.status in OUTCOMES

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
        if self.visit_id and self.visit.label:
            return self.visit.label
        ticket = self.ticket if self.ticket_id else getattr(self.visit, "ticket", None)
        if ticket is not None:
            return ticket.number_display
        return str(_("Customer %(number)s") % {"number": self.pk})

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


class Transition(models.Model):
    """Append-only trail: every change of a referral's status, with who and when."""

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        Staff, models.PROTECT, null=True, blank=True, help_text=_("Empty when the system acted.")
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("referral transition")
        verbose_name_plural = _("referral transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


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
