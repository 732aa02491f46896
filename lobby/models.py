"""Branch configuration (as data) and what the lobby knows of a visit: the visit and its ticket."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lobby.choices import (
    NO_MARKETING_CUES,
    BusinessType,
    Prejudgement,
    Role,
    ZoneKind,
)


class BilingualName(models.Model):
    """A name kept in both languages; `name` picks the one for the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = translation.get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") else self.name_zh


class Branch(BilingualName):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    referral_expiry_seconds = models.PositiveIntegerField(
        _("referral claim limit (seconds)"),
        default=180,
        help_text=_("A referral nobody claims within this time is flagged overdue."),
    )
    # Waiting clocks on the lobby's screens turn amber at the first and red at the second; the
    # reports count the share of customers who waited longer than the target.
    waiting_warn_minutes = models.PositiveSmallIntegerField(
        _("waiting: warn after (minutes)"),
        default=10,
        help_text=_("A waiting customer's clock turns amber after this long."),
    )
    waiting_target_minutes = models.PositiveSmallIntegerField(
        _("waiting: target (minutes)"),
        default=20,
        help_text=_("Customers should be called within this time; past it their clock turns red."),
    )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def local_date(self, at: dt.datetime | None = None) -> dt.date:
        """The branch's business day (ticket numbers restart at local midnight)."""
        return timezone.localdate(at or timezone.now())


class Zone(models.Model):
    branch = models.ForeignKey(Branch, models.CASCADE, related_name="zones")
    kind = models.CharField(_("kind"), max_length=20, choices=ZoneKind.choices)
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_("Optional local name, e.g. 'Zone 1'.")
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [models.UniqueConstraint(fields=["branch", "kind"], name="zone_kind_once")]
        ordering = ["branch", "kind"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class StaffQuerySet(models.QuerySet):
    def in_branch(self, branch: Branch) -> StaffQuerySet:
        return self.filter(branch=branch, user__is_active=True)


class Staff(models.Model):
    """A user's place in a branch: one role and, for tellers, a window."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff")
    branch = models.ForeignKey(Branch, models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    display_name = models.CharField(
        _("display name"), max_length=40, help_text=_("Shown to colleagues, e.g. 'Manager Li'.")
    )
    station = models.CharField(
        _("window / station"), max_length=20, blank=True, help_text=_("e.g. window 3")
    )
    sells_investments = models.BooleanField(
        _("qualified to sell funds, insurance and wealth products"),
        default=False,
        help_text=_(
            "For low-counter tellers who hold the qualification (wealth managers always may)."
        ),
    )
    serves_vip_room = models.BooleanField(
        _("serves the VIP room"),
        default=False,
        help_text=_("Wealth managers who receive referrals to the VIP wealth room."),
    )

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["branch", "role", "display_name"]

    def __str__(self) -> str:
        return self.display_name


class Tier(BilingualName):
    """A customer tier of the bank; thresholds are configuration, not code."""

    branch = models.ForeignKey(Branch, models.CASCADE, related_name="tiers")
    code = models.SlugField(_("code"), max_length=20)
    min_assets_yuan = models.PositiveBigIntegerField(
        _("threshold (yuan)"),
        default=0,
        help_text=_(
            "Monthly average daily assets (or net financial assets) from which it applies."
        ),
    )
    is_vip = models.BooleanField(_("VIP tier"), default=False)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta:
        verbose_name = _("customer tier")
        verbose_name_plural = _("customer tiers")
        ordering = ["branch", "rank"]
        constraints = [models.UniqueConstraint(fields=["branch", "code"], name="tier_code_once")]


class TicketQueue(BilingualName):
    branch = models.ForeignKey(Branch, models.CASCADE, related_name="queues")
    prefix = models.CharField(
        _("prefix letter"),
        max_length=1,
        help_text=_("One capital letter printed before the number, e.g. A for A038."),
    )
    business_types = models.JSONField(
        _("business types served"), default=list, blank=True, help_text=_("List of codes.")
    )
    counter = models.CharField(
        _("served at"),
        max_length=20,
        choices=[
            (ZoneKind.COUNTER_CASH, ZoneKind.COUNTER_CASH.label),
            (ZoneKind.COUNTER_NONCASH, ZoneKind.COUNTER_NONCASH.label),
        ],
        default=ZoneKind.COUNTER_CASH,
    )
    is_vip = models.BooleanField(_("VIP queue"), default=False)
    # The sequence lives on the queue row: issuing a ticket locks this row, so two
    # concurrent check-ins can never draw the same number (see lobby.services).
    last_number = models.PositiveIntegerField(default=0, editable=False)
    last_date = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket queue")
        verbose_name_plural = _("ticket queues")
        ordering = ["branch", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "prefix"], name="queue_prefix_once")
        ]

    def clean(self) -> None:
        if not (self.prefix.isascii() and self.prefix.isalpha() and self.prefix.isupper()):
            raise ValidationError({"prefix": _("Use one capital letter A–Z.")})
        unknown = set(self.business_types or []) - set(BusinessType.values)
        if unknown:
            raise ValidationError(
                {"business_types": _("Unknown business types: %s") % ", ".join(sorted(unknown))}
            )


class RoutingRule(models.Model):
    """Where a customer with this business and tier judgement goes by default."""

    branch = models.ForeignKey(Branch, models.CASCADE, related_name="routing_rules")
    business_type = models.CharField(
        _("business type"), max_length=24, choices=BusinessType.choices
    )
    prejudgement = models.CharField(
        _("tier judgement"), max_length=16, choices=Prejudgement.choices
    )
    destination = models.CharField(_("destination"), max_length=20, choices=ZoneKind.choices)
    queue = models.ForeignKey(
        TicketQueue,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("ticket queue"),
        help_text=_("Leave empty when no ticket is needed."),
    )
    needs_form = models.BooleanField(_("needs a form"), default=False)
    wealth_handoff = models.BooleanField(
        _("hand to a wealth manager"),
        default=False,
        help_text=_("Introduce the customer to a wealth manager on arrival."),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["branch", "business_type", "prejudgement"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "business_type", "prejudgement"], name="one_rule_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_business_type_display()} · {self.get_prejudgement_display()}"

    def clean(self) -> None:
        if self.queue is not None and self.queue.branch_id != self.branch_id:
            raise ValidationError({"queue": _("Pick a queue of the same branch.")})


class VisitQuerySet(models.QuerySet):
    def today(self, branch: Branch) -> VisitQuerySet:
        start = timezone.make_aware(dt.datetime.combine(branch.local_date(), dt.time.min))
        return self.filter(branch=branch, arrived_at__gte=start)


class Visit(models.Model):
    """One customer's visit. Holds no identity: a masked label at most, never an ID or balance."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the lobby")
        WAITING = "waiting", _("Waiting for a counter")
        SERVING = "serving", _("At a counter")
        DONE = "done", _("Done")
        DIVERTED = "diverted", _("Sent to self-service")
        LEFT = "left", _("Left")

    branch = models.ForeignKey(Branch, models.PROTECT, related_name="visits")
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now, db_index=True)
    checked_in_by = models.ForeignKey(
        Staff, models.PROTECT, related_name="check_ins", verbose_name=_("checked in by")
    )
    prejudgement = models.CharField(
        _("tier judgement"), max_length=16, choices=Prejudgement.choices
    )
    cues = models.JSONField(_("cues"), default=list, blank=True)
    business_types = models.JSONField(_("business"), default=list)
    label = models.CharField(_("masked label"), max_length=12, blank=True)
    destination = models.CharField(_("sent to"), max_length=20, choices=ZoneKind.choices)
    needs_form = models.BooleanField(_("needs a form"), default=False)
    marketing_stopped = models.BooleanField(_("stop marketing"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # The tablet sends a fresh token with every check-in form: a double tap or a
    # resubmitted form finds the first visit instead of making a second one.
    client_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at"]
        indexes = [
            models.Index(fields=["branch", "status", "arrived_at"]),
            # The reports read a branch's arrivals over a period, whatever their status.
            models.Index(fields=["branch", "arrived_at"], name="visit_branch_arrived"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """What a staff screen shows: the masked label, else the ticket number, else a stand-in."""
        if self.label:
            return self.label
        ticket = getattr(self, "ticket", None)
        return ticket.number_display if ticket else str(_("Customer"))

    @property
    def no_marketing(self) -> bool:
        return self.marketing_stopped or bool(NO_MARKETING_CUES & set(self.cues))


class TicketQuerySet(models.QuerySet):
    def waiting(self) -> TicketQuerySet:
        return self.filter(status=Ticket.Status.WAITING)

    def today(self, branch: Branch) -> TicketQuerySet:
        return self.filter(branch=branch, service_date=branch.local_date())

    def at_window(self) -> TicketQuerySet:
        """Called or being served: the customer a window is dealing with."""
        return self.filter(status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING])


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        PARKED = "parked", _("Parked")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("No-show")
        DIVERTED = "diverted", _("Diverted to self-service")

    branch = models.ForeignKey(Branch, models.PROTECT, related_name="tickets")
    queue = models.ForeignKey(TicketQueue, models.PROTECT, related_name="tickets")
    visit = models.OneToOneField(Visit, models.CASCADE, related_name="ticket")
    service_date = models.DateField()
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    issued_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the ticket joined the line it waits in: issued_at, unless a no-show was put back at
    # the end. Calling order reads this; reports read issued_at, which never changes.
    queued_at = models.DateTimeField(default=timezone.now)
    recalls = models.PositiveSmallIntegerField(default=0)
    # Where it is being (or was) served; for a waiting ticket transferred to one window, the only
    # window that may call it.
    window = models.ForeignKey(
        "Window", models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    for_window = models.ForeignKey(
        "Window", models.SET_NULL, null=True, blank=True, related_name="transferred_tickets"
    )
    # A ticket transferred to another queue waits there under its own number (A012 stays A012).
    for_queue = models.ForeignKey(
        TicketQueue, models.SET_NULL, null=True, blank=True, related_name="transferred_tickets"
    )
    business_done = models.JSONField(default=list, blank=True)
    served_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="served_tickets"
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "service_date", "number"], name="ticket_number_once_a_day"
            )
        ]
        indexes = [
            models.Index(fields=["branch", "status", "issued_at"]),
            # The reports read a branch's tickets over a period, whatever their status.
            models.Index(fields=["branch", "issued_at"], name="ticket_branch_issued"),
        ]

    def __str__(self) -> str:
        return self.number_display

    @property
    def number_display(self) -> str:
        return f"{self.queue.prefix}{self.number:03d}"

    @property
    def waited(self) -> dt.timedelta | None:
        """Issued → first call: the waiting time the reports measure."""
        return self.called_at - self.issued_at if self.called_at else None


class LiveSocketQuerySet(models.QuerySet):
    def online_by_role(self, branch: Branch) -> dict[str, int]:
        """How many distinct staff of each role have at least one open screen in the branch."""
        rows = (
            self.filter(staff__branch=branch)
            .values("staff__role")
            .annotate(people=models.Count("staff", distinct=True))
        )
        return {row["staff__role"]: row["people"] for row in rows}


class LiveSocket(models.Model):
    """One open websocket of a member of staff: "online" means having at least one.

    The consumer adds a row on connect and removes it on disconnect. A server that dies
    without closing its sockets leaves rows behind; `lobby.services.socket_opened` drops rows
    older than a working day so such leftovers fade instead of counting forever.
    """

    staff = models.ForeignKey(Staff, models.CASCADE, related_name="live_sockets")
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(default=timezone.now)

    objects = LiveSocketQuerySet.as_manager()

    class Meta:
        verbose_name = _("open screen")
        verbose_name_plural = _("open screens")

    def __str__(self) -> str:
        return f"{self.staff} · {self.channel_name}"


# ---------------------------------------------------------------------------------------------
# Counter: windows, their queues, the branch's calling settings, and the tickets' trail.


def new_display_token() -> str:
    return secrets.token_urlsafe(18)


class CallingSettings(models.Model):
    """How a branch calls tickets and what its public display does (one row per branch)."""

    class NoShowReturn(models.TextChoices):
        END = "end", _("At the end of the queue")
        PLACE = "place", _("At their old place")

    class SpokenLanguage(models.TextChoices):
        ZH = "zh", _("Chinese")
        EN = "en", _("English")

    branch = models.OneToOneField(Branch, models.CASCADE, related_name="calling")
    vip_streak_cap = models.PositiveSmallIntegerField(
        _("VIP tickets in a row at a shared window"),
        default=3,
        help_text=_(
            "At a window that serves normal queues too, after this many VIP tickets in a row the "
            "next call takes a normal ticket. 0 = no cap."
        ),
    )
    normal_max_wait_minutes = models.PositiveSmallIntegerField(
        _("normal ticket: call first after (minutes)"),
        default=30,
        help_text=_(
            "A normal ticket waiting longer than this is called before any VIP ticket. 0 = off."
        ),
    )
    no_show_return = models.CharField(
        _("a returning no-show goes back"),
        max_length=8,
        choices=NoShowReturn.choices,
        default=NoShowReturn.END,
    )
    display_token = models.CharField(
        _("display address key"),
        max_length=40,
        unique=True,
        default=new_display_token,
        help_text=_("Part of the public display's address; rotate it to lock out old screens."),
    )
    spoken_call = models.BooleanField(_("spoken call on the display"), default=True)
    spoken_language = models.CharField(
        _("language of the spoken call"),
        max_length=4,
        choices=SpokenLanguage.choices,
        default=SpokenLanguage.ZH,
    )

    class Meta:
        verbose_name = _("calling settings")
        verbose_name_plural = _("calling settings")

    def __str__(self) -> str:
        return str(self.branch)

    @classmethod
    def for_branch(cls, branch: Branch | int) -> CallingSettings:
        branch_id = branch if isinstance(branch, int) else branch.pk
        found, _created = cls.objects.get_or_create(branch_id=branch_id)
        return found


class Window(BilingualName):
    """A counter window; a teller opens it to call the tickets of its queues."""

    branch = models.ForeignKey(Branch, models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField(_("number"))
    zone = models.CharField(
        _("zone"),
        max_length=20,
        choices=[
            (ZoneKind.COUNTER_CASH, ZoneKind.COUNTER_CASH.label),
            (ZoneKind.COUNTER_NONCASH, ZoneKind.COUNTER_NONCASH.label),
            (ZoneKind.VIP_ROOM, ZoneKind.VIP_ROOM.label),
        ],
        default=ZoneKind.COUNTER_CASH,
    )
    queues = models.ManyToManyField(
        TicketQueue, through="WindowQueue", related_name="windows", verbose_name=_("queues")
    )
    active = models.BooleanField(_("in use"), default=True)
    # One teller per window and one window per teller: the unique column says both.
    teller = models.OneToOneField(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="window",
        verbose_name=_("open by"),
    )
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    # VIP tickets called here in a row (for the branch's cap); a normal ticket resets it.
    vip_streak = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["branch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "number"], name="window_number_once")
        ]

    def ordered_queues(self) -> list[TicketQueue]:
        """The queues this window serves, in its order of priority."""
        return [
            link.queue
            for link in self.queue_links.select_related("queue").order_by("priority", "pk")
        ]


class WindowQueue(models.Model):
    window = models.ForeignKey(Window, models.CASCADE, related_name="queue_links")
    queue = models.ForeignKey(TicketQueue, models.CASCADE, verbose_name=_("queue"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=1, help_text=_("1 is served first.")
    )

    class Meta:
        verbose_name = _("queue served")
        verbose_name_plural = _("queues served, in order")
        ordering = ["window", "priority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["window", "queue"], name="window_queue_once")
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.queue.prefix}"

    def clean(self) -> None:
        if self.queue_id and self.window_id and self.queue.branch_id != self.window.branch_id:
            raise ValidationError({"queue": _("Pick a queue of the same branch.")})


class TicketEvent(models.Model):
    """The trail of a ticket: every call, recall, no-show, park, transfer and completion."""

    class Action(models.TextChoices):
        CALL = "call", _("Called")
        CALL_NUMBER = "call_number", _("Called by number")
        RECALL = "recall", _("Called again")
        START = "start", _("Customer at the window")
        NO_SHOW = "no_show", _("No-show")
        RETURN = "return", _("Back in the queue")
        PARK = "park", _("Parked")
        RESUME = "resume", _("Resumed")
        TRANSFER = "transfer", _("Transferred")
        COMPLETE = "complete", _("Completed")

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(Staff, models.PROTECT, related_name="+", verbose_name=_("by"))
    window = models.ForeignKey(
        Window, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("window")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_action_display()}"
