"""Lobby verbs: check a customer in, route them, issue tickets, and the waiting-zone hand-offs.

Each verb is one keyword-only function in one transaction. Views and the consumer call these;
nothing else writes visits or tickets, and only these (through lobby.push) tell other screens.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lobby import push
from lobby.choices import (
    LOBBY_CUES,
    LOBBY_ROLES,
    OPPORTUNITY_CUES,
    WEALTH_NEEDS,
    BusinessType,
    Prejudgement,
    Role,
    ZoneKind,
)
from lobby.errors import DomainError, NotFound
from lobby.models import Branch, LiveSocket, RoutingRule, Staff, Ticket, TicketQueue, Visit
from products.models import Product

# The one import from lobby into referrals (apps import downward only: products <- lobby <-
# referrals). The hand-off to a wealth manager, at check-in and from the board, makes a referral
# through referrals' own verb; nothing else in lobby reads or writes referrals.
from referrals import services as referral_services


class LobbyError(DomainError):
    """Something the person at the tablet asked for that cannot be done; `message` says why."""


# ---------------------------------------------------------------------------------------------
# Routing


@dataclass(frozen=True)
class Route:
    destination: str
    queue: TicketQueue | None = None
    needs_form: bool = False
    wealth_handoff: bool = False

    @property
    def issues_ticket(self) -> bool:
        return self.queue is not None

    @property
    def destination_label(self) -> str:
        return str(ZoneKind(self.destination).label)


# When several businesses point to different places, the customer goes to the most
# attentive one first: VIP room > wealth > ticket (form desk / counters) > self-service > greeting.
_ZONE_RANK: dict[str, int] = {
    ZoneKind.VIP_ROOM: 5,
    ZoneKind.WEALTH: 4,
    ZoneKind.FORM_DESK: 3,
    ZoneKind.WAITING: 3,
    ZoneKind.COUNTER_CASH: 3,
    ZoneKind.COUNTER_NONCASH: 3,
    ZoneKind.SELF_SERVICE: 1,
    ZoneKind.GREETING: 0,
}
# Destinations where the customer waits for a counter, so a ticket is needed.
TICKET_ZONES = frozenset(
    {ZoneKind.FORM_DESK, ZoneKind.WAITING, ZoneKind.COUNTER_CASH, ZoneKind.COUNTER_NONCASH}
)
# Destinations where a counter ticket makes no sense.
NO_TICKET_ZONES = frozenset({ZoneKind.SELF_SERVICE, ZoneKind.GREETING})


def _clean_prejudgement(prejudgement: str) -> str:
    if prejudgement not in Prejudgement.values:
        raise LobbyError(_("Pick the customer's tier: VIP, potential VIP, regular or not sure."))
    return prejudgement


def _clean_business_types(business_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(b) for b in business_types or ()))
    if not chosen:
        raise LobbyError(_("Pick at least one business for the customer."))
    if any(b not in BusinessType.values for b in chosen):
        raise LobbyError(_("One of the chosen businesses is not one we know; pick again."))
    return chosen


def suggest_route(*, branch: Branch, prejudgement: str, business_types: Iterable[str]) -> Route:
    """Where the branch's routing table sends a customer with these businesses (no writes)."""
    prejudgement = _clean_prejudgement(prejudgement)
    chosen = _clean_business_types(business_types)
    rules = {
        rule.business_type: rule
        for rule in RoutingRule.objects.filter(
            branch=branch, prejudgement=prejudgement, business_type__in=chosen
        ).select_related("queue")
    }
    # A cell missing from a branch's table goes to the greeting desk: staff decide there.
    cells = [
        (
            rule.destination if rule else ZoneKind.GREETING,
            rule.queue if rule else None,
            bool(rule and rule.needs_form),
            bool(rule and rule.wealth_handoff),
        )
        for rule in (rules.get(b) for b in chosen)
    ]
    # Stable sort: among equal ranks the order the businesses were picked in wins.
    cells.sort(key=lambda cell: -_ZONE_RANK.get(cell[0], 0))
    destination = cells[0][0]
    queue = next((cell[1] for cell in cells if cell[1] is not None), None)
    needs_form = any(cell[2] for cell in cells)
    if destination in TICKET_ZONES and needs_form:
        destination = ZoneKind.FORM_DESK
    return Route(
        destination=destination,
        queue=queue,
        needs_form=needs_form,
        wealth_handoff=any(cell[3] for cell in cells),
    )


def _queue_for(branch: Branch, business_types: list[str], prejudgement: str) -> TicketQueue | None:
    """The queue for a ticket the routing table did not ask for (an override to the counters)."""
    queues = list(branch.queues.all())
    if prejudgement == Prejudgement.VIP:
        vip = [q for q in queues if q.is_vip]
        if vip:
            return vip[0]
    for business in business_types:
        for queue in queues:
            if business in (queue.business_types or []):
                return queue
    regular = [q for q in queues if not q.is_vip]
    candidates = regular or queues
    return candidates[0] if candidates else None


def _override(
    route: Route, *, branch: Branch, destination: str, business_types: list[str], prejudgement: str
) -> Route:
    if destination not in ZoneKind.values:
        raise LobbyError(_("That destination does not exist; pick one of the zones shown."))
    if destination == route.destination:
        return route
    queue = route.queue
    if destination in NO_TICKET_ZONES:
        queue = None
    elif destination in TICKET_ZONES and queue is None:
        queue = _queue_for(branch, business_types, prejudgement)
        if queue is None:
            raise LobbyError(_("This branch has no ticket queue set up; ask the branch admin."))
    wealth = destination in (ZoneKind.WEALTH, ZoneKind.VIP_ROOM)
    return Route(
        destination=destination,
        queue=queue,
        needs_form=route.needs_form and destination != ZoneKind.SELF_SERVICE,
        wealth_handoff=wealth or (route.wealth_handoff and destination not in NO_TICKET_ZONES),
    )


# ---------------------------------------------------------------------------------------------
# Masked labels

_HONORIFICS_ZH = "先生|女士|小姐|老师|阿姨|叔叔|大爷|大妈|奶奶|爷爷|老板|总|经理|师傅|同学"
_LABEL_ZH = re.compile(rf"^[\u4e00-\u9fff]{{1,2}}(?:{_HONORIFICS_ZH})$")
_LABEL_EN = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.? [A-Z][a-zA-Z'-]{1,12}$", re.IGNORECASE)
LABEL_MAX: int = Visit._meta.get_field("label").max_length  # type: ignore[assignment]  # a CharField: always set


def clean_label(label: str) -> str:
    """A masked label is a surname and a title (王先生, Mr Wang): never a name, ID or phone."""
    label = " ".join((label or "").split())
    if not label:
        return ""
    if any(ch.isdigit() for ch in label):
        raise LobbyError(
            _("No numbers in the label: never type an ID, phone or card number on a shared screen.")
        )
    if len(label) > LABEL_MAX or not (_LABEL_ZH.match(label) or _LABEL_EN.match(label)):
        raise LobbyError(_("Use a surname and a title only, for example 王先生 or Mr Wang."))
    return label


# ---------------------------------------------------------------------------------------------
# Check-in and tickets


def _require_lobby(actor: Staff) -> None:
    if actor is None or actor.role not in LOBBY_ROLES:
        raise PermissionDenied(_("Only the lobby manager or assistant can do this."))


def _issue_ticket(*, branch: Branch, queue: TicketQueue, visit: Visit, now: dt.datetime) -> Ticket:
    # The row lock serialises every check-in that draws from this queue (PostgreSQL: FOR UPDATE;
    # SQLite: the IMMEDIATE transaction already holds the database's write lock).
    locked = TicketQueue.objects.select_for_update().get(pk=queue.pk, branch=branch)
    today = branch.local_date(now)
    if locked.last_date != today:
        locked.last_number = 0
        locked.last_date = today
    locked.last_number += 1
    locked.save(update_fields=["last_number", "last_date"])
    return Ticket.objects.create(
        branch=branch,
        queue=locked,
        visit=visit,
        service_date=today,
        number=locked.last_number,
        issued_at=now,
    )


def check_in(
    *,
    actor: Staff,
    prejudgement: str,
    business_types: Iterable[str],
    cues: Iterable[str] = (),
    label: str = "",
    destination: str | None = None,
    client_token: uuid.UUID | str | None = None,
    stop_marketing: bool = False,
) -> Visit:
    """Record a customer at the door, route them, and issue a ticket when the route needs one.

    Submitting the same `client_token` twice returns the first visit: a double tap on the
    tablet never makes a second customer or a second ticket.
    """
    _require_lobby(actor)
    branch = actor.branch
    if client_token is not None and not isinstance(client_token, uuid.UUID):
        try:
            client_token = uuid.UUID(str(client_token))
        except ValueError:
            raise LobbyError(_("This form has expired; start the check-in again.")) from None
    if client_token is not None:
        existing = _visit_for_token(branch, client_token)
        if existing is not None:
            return existing
    prejudgement = _clean_prejudgement(prejudgement)
    chosen = _clean_business_types(business_types)
    cue_list = list(dict.fromkeys(str(c) for c in cues or ()))
    if any(c not in LOBBY_CUES for c in cue_list):
        raise LobbyError(_("One of the chosen cues is not one we know; pick again."))
    label = clean_label(label)
    route = suggest_route(branch=branch, prejudgement=prejudgement, business_types=chosen)
    if destination:
        route = _override(
            route,
            branch=branch,
            destination=destination,
            business_types=chosen,
            prejudgement=prejudgement,
        )
    try:
        with transaction.atomic():
            visit = _create_visit(
                actor=actor,
                route=route,
                prejudgement=prejudgement,
                business_types=chosen,
                cues=cue_list,
                label=label,
                client_token=client_token,
                stop_marketing=stop_marketing,
            )
    except IntegrityError:
        # The same form, submitted twice at the same instant: the other request won.
        existing = _visit_for_token(branch, client_token) if client_token else None
        if existing is None:
            raise
        return existing
    return visit


def _visit_for_token(branch: Branch, token: uuid.UUID) -> Visit | None:
    visit = Visit.objects.filter(client_token=token).select_related("ticket__queue").first()
    if visit is not None and visit.branch_id != branch.pk:
        raise LobbyError(_("This form has expired; start the check-in again."))
    return visit


def _create_visit(
    *,
    actor: Staff,
    route: Route,
    prejudgement: str,
    business_types: list[str],
    cues: list[str],
    label: str,
    client_token: uuid.UUID | None,
    stop_marketing: bool,
) -> Visit:
    now = timezone.now()
    branch = actor.branch
    status = Visit.Status.ACTIVE
    if route.issues_ticket:
        status = Visit.Status.WAITING
    elif route.destination == ZoneKind.SELF_SERVICE:
        status = Visit.Status.DIVERTED
    visit = Visit.objects.create(
        branch=branch,
        arrived_at=now,
        checked_in_by=actor,
        prejudgement=prejudgement,
        cues=cues,
        business_types=business_types,
        label=label,
        destination=route.destination,
        needs_form=route.needs_form,
        marketing_stopped=stop_marketing,
        status=status,
        client_token=client_token,
    )
    if route.queue is not None:
        _issue_ticket(branch=branch, queue=route.queue, visit=visit, now=now)
    if route.wealth_handoff:
        # The customer asked for wealth business: introducing a wealth manager is service, not
        # a sales prompt, so it happens even when marketing is stopped.
        _refer_to_wealth(actor=actor, visit=visit, stage="first", need=_wealth_need(visit))
    push.lobby_changed(branch.pk)
    return Visit.objects.select_related("ticket__queue", "checked_in_by").get(pk=visit.pk)


def _wealth_need(visit: Visit) -> str:
    return next((b for b in visit.business_types if b in WEALTH_NEEDS), "")


def _refer_to_wealth(
    *,
    actor: Staff,
    visit: Visit,
    stage: str,
    need: str = "",
    product: Product | None = None,
    note: str = "",
):
    ticket = Ticket.objects.filter(visit=visit).first()
    try:
        return referral_services.refer(
            actor=actor,
            stage=stage,
            target_role=Role.WEALTH_MANAGER,
            visit=visit,
            ticket=ticket,
            need=need,
            product=product,
            signals=[c for c in visit.cues if c in OPPORTUNITY_CUES],
            note=note,
            is_vip=visit.prejudgement == Prejudgement.VIP,
        )
    except referral_services.ReferralError as exc:
        raise LobbyError(exc.message) from exc


# ---------------------------------------------------------------------------------------------
# Waiting zone (second referral)


def _locked_visit(actor: Staff, visit_id: int) -> Visit:
    _require_lobby(actor)
    visit = Visit.objects.select_for_update().filter(pk=visit_id, branch_id=actor.branch_id).first()
    if visit is None:
        raise NotFound(_("That customer is not in your lobby."))
    return visit


def _waiting_ticket(visit: Visit) -> Ticket | None:
    return Ticket.objects.filter(visit=visit, status=Ticket.Status.WAITING).first()


def _still_here(visit: Visit) -> None:
    if visit.status not in (Visit.Status.ACTIVE, Visit.Status.WAITING):
        raise LobbyError(
            _("This customer is no longer waiting (%(status)s).")
            % {"status": visit.get_status_display()}
        )


@transaction.atomic
def divert_to_self_service(*, actor: Staff, visit_id: int) -> Visit:
    """Walk a waiting customer to the machines: their ticket leaves the queue as diverted."""
    visit = _locked_visit(actor, visit_id)
    _still_here(visit)
    now = timezone.now()
    ticket = _waiting_ticket(visit)
    if ticket is not None:
        ticket.status = Ticket.Status.DIVERTED
        ticket.completed_at = now
        ticket.save(update_fields=["status", "completed_at"])
    visit.status = Visit.Status.DIVERTED
    visit.destination = ZoneKind.SELF_SERVICE
    visit.save(update_fields=["status", "destination"])
    push.lobby_changed(visit.branch_id)
    return visit


@transaction.atomic
def hand_to_wealth_manager(
    *,
    actor: Staff,
    visit_id: int,
    stage: str,
    need: str = "",
    product: Product | None = None,
    note: str = "",
):
    """Refer the customer to the branch's wealth managers; they keep their ticket and place."""
    visit = _locked_visit(actor, visit_id)
    _still_here(visit)
    if stage not in ("first", "second"):
        raise LobbyError(_("The lobby refers customers at the door or in the waiting zone only."))
    if stage == "second" and visit.no_marketing:
        raise LobbyError(
            _("Marketing is stopped for this customer; no hand-off to a wealth manager.")
        )
    if need and need not in BusinessType.values:
        raise LobbyError(_("One of the chosen businesses is not one we know; pick again."))
    if product is not None and not product.active:
        raise LobbyError(_("That product is no longer on sale."))
    referral = _refer_to_wealth(
        actor=actor,
        visit=visit,
        stage=stage,
        need=need or _wealth_need(visit) or BusinessType.WEALTH_CONSULT,
        product=product,
        note=note,
    )
    push.lobby_changed(visit.branch_id)
    return referral


@transaction.atomic
def stop_marketing(*, actor: Staff, visit_id: int) -> Visit:
    """The customer declines: no more prompts, pitches or hand-offs for this visit."""
    visit = _locked_visit(actor, visit_id)
    if not visit.marketing_stopped:
        visit.marketing_stopped = True
        visit.save(update_fields=["marketing_stopped"])
        push.lobby_changed(visit.branch_id)
    return visit


@transaction.atomic
def record_cue(*, actor: Staff, visit_id: int, cue: str) -> Visit:
    """Note what staff see a waiting customer do; the board then suggests what to do about it."""
    if cue not in LOBBY_CUES:
        raise LobbyError(_("That behaviour is not one we know; pick one of those shown."))
    visit = _locked_visit(actor, visit_id)
    _still_here(visit)
    # The latest observation goes last: the board's suggestion follows it.
    visit.cues = [c for c in visit.cues if c != cue] + [cue]
    visit.save(update_fields=["cues"])
    push.lobby_changed(visit.branch_id)
    return visit


@transaction.atomic
def mark_left(*, actor: Staff, visit_id: int) -> Visit:
    """The customer went away before being served; a waiting ticket counts as a no-show."""
    visit = _locked_visit(actor, visit_id)
    _still_here(visit)
    ticket = _waiting_ticket(visit)
    if ticket is not None:
        ticket.status = Ticket.Status.NO_SHOW
        ticket.completed_at = timezone.now()
        ticket.save(update_fields=["status", "completed_at"])
    visit.status = Visit.Status.LEFT
    visit.save(update_fields=["status"])
    push.lobby_changed(visit.branch_id)
    return visit


# ---------------------------------------------------------------------------------------------
# Presence (who has a screen open), kept for the lobby-at-a-glance panel

STALE_SOCKET_AGE = dt.timedelta(hours=16)


@transaction.atomic
def socket_opened(*, staff: Staff, channel_name: str) -> None:
    LiveSocket.objects.filter(opened_at__lt=timezone.now() - STALE_SOCKET_AGE).delete()
    LiveSocket.objects.update_or_create(channel_name=channel_name, defaults={"staff": staff})
    push.lobby_changed(staff.branch_id)


@transaction.atomic
def socket_closed(*, staff: Staff, channel_name: str) -> None:
    deleted, _rows = LiveSocket.objects.filter(channel_name=channel_name).delete()
    if deleted:
        push.lobby_changed(staff.branch_id)


# ---------------------------------------------------------------------------------------------
# Retention: notes that could identify a person go; the anonymous facts stay for the reports.
# Each app purges its own rows; `manage.py purge_notes` (in referrals, the top app) calls both.


@transaction.atomic
def purge_personal_notes(*, older_than: dt.timedelta) -> dict[str, int]:
    """Blank the masked labels of visits older than `older_than`.

    Times, tiers, businesses, routes and tickets are kept, so reports still add up.
    """
    cutoff = timezone.now() - older_than
    return {
        "visits": Visit.objects.filter(arrived_at__lt=cutoff).exclude(label="").update(label=""),
    }
