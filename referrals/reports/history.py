"""Realistic history for the reports (`manage.py seed_history`): bulk inserts, no services.

This is demo and benchmark data, written straight into the tables in batches: going through the
services (one transaction, audit row and push per change) would take hours for a million
referrals. What it writes follows the services' rules (the lifecycle's timestamps, who may sell
what, ticket numbers once a day per queue); it writes no audit trail (`Transition`) and sends no
pushes.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
import typing
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from lobby.choices import TELLER_ROLES, Cue, Prejudgement, Role, ZoneKind
from lobby.choices import BusinessType as B
from lobby.demo_branch import ROSTER, default_rule, seed_branch, seed_catalogue, seed_demo
from lobby.models import Branch, Staff, Ticket, TicketQueue, Visit
from products.choices import INVESTMENT_CATEGORIES, ProductCategory
from products.models import Product
from referrals.models import AmountBand, FollowUp, Referral, Sale, Stage, Status

OPEN_MINUTE, CLOSE_MINUTE = 9 * 60, 17 * 60
# Arrival curve: a morning peak, a lunch-break peak and a gentler afternoon (minute of day, spread,
# weight). Weekends are quieter.
PEAKS = [(10 * 60 + 15, 50, 0.45), (12 * 60 + 40, 30, 0.25), (15 * 60 + 10, 70, 0.30)]
WEEKDAY_LOAD = [1.1, 1.0, 0.95, 1.0, 1.15, 0.7, 0.5]
PREJUDGEMENTS = [
    (Prejudgement.VIP, 0.10),
    (Prejudgement.POTENTIAL_VIP, 0.12),
    (Prejudgement.REGULAR, 0.68),
    (Prejudgement.UNKNOWN, 0.10),
]
BUSINESSES = [
    (B.CASH_SMALL, 0.14),
    (B.BILL_PAYMENT, 0.07),
    (B.PASSBOOK_UPDATE, 0.06),
    (B.CASH_LARGE, 0.13),
    (B.TRANSFER_REMIT, 0.10),
    (B.FX_EXCHANGE, 0.03),
    (B.CARD_ACCOUNT_OPEN, 0.09),
    (B.LOSS_REPORT_PASSWORD, 0.06),
    (B.EBANK_ACTIVATION, 0.06),
    (B.LOAN_CONSULT, 0.05),
    (B.CORPORATE, 0.03),
    (B.WEALTH_CONSULT, 0.10),
    (B.WEALTH_PURCHASE, 0.06),
    (B.COMPLAINT, 0.02),
]
# Mean minutes at the counter per business.
SERVICE_MINUTES = {
    B.CASH_LARGE: 7,
    B.TRANSFER_REMIT: 6,
    B.FX_EXCHANGE: 9,
    B.CARD_ACCOUNT_OPEN: 12,
    B.LOSS_REPORT_PASSWORD: 8,
    B.EBANK_ACTIVATION: 5,
    B.LOAN_CONSULT: 15,
    B.CORPORATE: 14,
}
OPPORTUNITY = [Cue.BROWSING_BROCHURE, Cue.ASKING_RATES, Cue.DEPOSIT_MATURING, Cue.CAR_KEY]
STOP_CUES = [Cue.COLD_OR_ANNOYED, Cue.ANXIOUS, Cue.ANGRY]
# How referrals end, for referrals older than a day (today's may still be open).
OUTCOMES = [
    (Status.CONVERTED, 0.30),
    (Status.NOT_CONVERTED, 0.24),
    (Status.DECLINED, 0.12),
    (Status.BLOCKED_SUITABILITY, 0.05),
    (Status.CANCELLED, 0.05),
    (Status.EXPIRED, 0.06),
    # Closed some days later, after a second meeting.
    ("converted_later", 0.18),
]
AMOUNTS = [
    (AmountBand.UNDER_50K, 0.35),
    (AmountBand.FROM_50K, 0.38),
    (AmountBand.FROM_200K, 0.20),
    (AmountBand.OVER_1M, 0.07),
]


def pick[T](rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    r = rng.random() * sum(w for _, w in weighted)
    for value, weight in weighted:
        r -= weight
        if r <= 0:
            return value
    return weighted[-1][0]


@dataclass
class Cast:
    """Who works in the seeded branch, by role, and what they can be referred to."""

    branch: Branch
    queues: dict[str, TicketQueue]
    by_role: dict[str, list[Staff]]
    products: dict[str, list[Product]]

    def anyone(self, rng: random.Random, *roles: str) -> Staff:
        people = [s for role in roles for s in self.by_role.get(role, [])]
        return rng.choice(people)


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, None)
    return None


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """One multi-row insert per model and batch (executemany over prepared tuples).

    `bulk_create` spends most of its time building model instances and preparing each field
    (about 4,000 rows a second here); rows as plain dicts adapted per column type go ten times
    faster, which is what makes a million referrals a matter of minutes."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields]
    # A concrete field always has a column (only relations without one, like many-to-many, don't).
    columns = ", ".join(connection.ops.quote_name(typing.cast(str, f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    plan = [(f.attname, f.get_default(), _adapter(f)) for f in fields]
    values = []
    for row in rows:
        record = []
        for name, default, adapt in plan:
            value = row.get(name, default)
            record.append(adapt(value) if adapt is not None and value is not None else value)
        values.append(record)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])


@dataclass
class Batch:
    visits: list[dict] = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    sales: list[dict] = field(default_factory=list)
    follow_ups: list[dict] = field(default_factory=list)

    def save(self) -> None:
        with transaction.atomic():
            for model, rows in (
                (Visit, self.visits),
                (Ticket, self.tickets),
                (Referral, self.referrals),
                (Sale, self.sales),
                (FollowUp, self.follow_ups),
            ):
                insert_rows(model, rows)


@dataclass
class Counts:
    visits: int = 0
    tickets: int = 0
    referrals: int = 0
    sales: int = 0
    follow_ups: int = 0


class Ids:
    """Primary keys handed out here, so a batch's rows can point at each other before insert."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}
        for model in (Visit, Ticket, Referral, Sale, FollowUp):
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next[model] = (last or 0) + 1

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def load_cast(branch: Branch) -> Cast:
    by_role: dict[str, list[Staff]] = defaultdict(list)
    for member in Staff.objects.in_branch(branch):
        by_role[member.role].append(member)
    missing = [
        r
        for r in (Role.LOBBY_MANAGER, Role.TELLER_HIGH, Role.TELLER_LOW, Role.WEALTH_MANAGER)
        if not by_role.get(r)
    ]
    if missing:
        raise ValueError(f"branch {branch.code} has nobody in roles: {', '.join(missing)}")
    products: dict[str, list[Product]] = defaultdict(list)
    for product in Product.objects.active():
        products[product.category].append(product)
    queues = {q.prefix: q for q in branch.queues.all()}
    return Cast(branch=branch, queues=queues, by_role=dict(by_role), products=dict(products))


def arrival_minute(rng: random.Random) -> float:
    centre, spread, _ = pick(rng, [((c, s, w), w) for c, s, w in PEAKS])
    return min(max(rng.gauss(centre, spread), OPEN_MINUTE), CLOSE_MINUTE - 5)


class Generator:
    def __init__(self, cast: Cast, *, seed: int = 11) -> None:
        self.cast = cast
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.counts = Counts()
        self.now = timezone.now()
        # Ticket numbers already drawn (a second run, or today's demo morning), per day and queue.
        self.taken: dict[dt.date, dict[str, int]] = defaultdict(dict)
        rows = (
            Ticket.objects.filter(branch=cast.branch)
            .values("service_date", "queue__prefix")
            .annotate(last=models.Max("number"))
        )
        for row in rows:
            self.taken[row["service_date"]][row["queue__prefix"]] = row["last"]
        self.last_numbers: dict[dt.date, dict[str, int]] = {}

    def day(self, date: dt.date, visits_per_day: int, batch: Batch) -> None:
        rng = self.rng
        load = WEEKDAY_LOAD[date.weekday()] * rng.uniform(0.85, 1.15)
        n = max(1, round(visits_per_day * load))
        midnight = dt.datetime.combine(date, dt.time.min, tzinfo=self.tz)
        minutes = sorted(arrival_minute(rng) for _ in range(n))
        per_hour: dict[int, int] = defaultdict(int)
        for m in minutes:
            per_hour[int(m // 60)] += 1
        busiest = max(per_hour.values())
        numbers: dict[str, int] = defaultdict(int)
        numbers.update(self.taken.get(date, {}))
        for minute in minutes:
            arrived = midnight + dt.timedelta(minutes=minute)
            if arrived > self.now:
                break
            self.visit(batch, date, arrived, per_hour[int(minute // 60)] / busiest, numbers)
        self.last_numbers[date] = dict(numbers)

    def visit(
        self,
        batch: Batch,
        date: dt.date,
        arrived: dt.datetime,
        load: float,
        numbers: dict[str, int],
    ) -> None:
        rng, cast = self.rng, self.cast
        prejudgement = pick(rng, PREJUDGEMENTS)
        business = pick(rng, BUSINESSES)
        rule = default_rule(business, prejudgement)
        cues: list[str] = []
        if rng.random() < 0.25:
            cues.append(rng.choice(OPPORTUNITY))
        stopped = rng.random() < 0.06
        if stopped:
            cues.append(rng.choice(STOP_CUES))
        at_door = cast.anyone(rng, Role.LOBBY_MANAGER, Role.LOBBY_ASSISTANT)
        visit = {
            "id": self.ids.take(Visit),
            "branch_id": cast.branch.pk,
            "arrived_at": arrived,
            "checked_in_by_id": at_door.pk,
            "prejudgement": prejudgement,
            "cues": cues,
            "business_types": [business],
            "destination": rule["destination"],
            "needs_form": rule["needs_form"],
            "marketing_stopped": stopped,
            "status": Visit.Status.DONE,
        }
        batch.visits.append(visit)
        self.counts.visits += 1
        if rule["destination"] == ZoneKind.SELF_SERVICE:
            visit["status"] = Visit.Status.DIVERTED
            return
        ticket = None
        if rule["queue"]:
            ticket = self.ticket(batch, date, visit, cast.queues[rule["queue"]], load, numbers)
        if stopped:
            return
        # First referral, at the door: wealth needs and likely VIPs go to a wealth manager.
        wealthy = prejudgement in (Prejudgement.VIP, Prejudgement.POTENTIAL_VIP)
        if rule.get("wealth_handoff") or (wealthy and rng.random() < 0.35):
            self.referral(batch, visit, None, Stage.FIRST, at_door, arrived, business)
        if ticket is None:
            return
        # Second referral, on rounds in the waiting zone.
        if ticket["called_at"] and rng.random() < 0.16:
            waited = ticket["called_at"] - ticket["issued_at"]
            at = ticket["issued_at"] + waited * rng.uniform(0.2, 0.9)
            who = cast.anyone(rng, Role.LOBBY_MANAGER, Role.LOBBY_ASSISTANT)
            self.referral(batch, visit, ticket, Stage.SECOND, who, at, business)
        # Third referral, at the counter.
        teller = ticket.pop("_teller", None)
        if teller is not None and ticket["status"] == Ticket.Status.DONE:
            rate = 0.14 if teller.role == Role.TELLER_HIGH else 0.09
            if rng.random() < rate + (0.15 if wealthy else 0):
                at = ticket["completed_at"] - dt.timedelta(seconds=rng.uniform(10, 90))
                self.referral(batch, visit, ticket, Stage.THIRD, teller, at, business)

    def ticket(
        self,
        batch: Batch,
        date: dt.date,
        visit: dict,
        queue: TicketQueue,
        load: float,
        numbers: dict[str, int],
    ) -> dict:
        rng = self.rng
        numbers[queue.prefix] += 1
        issued = visit["arrived_at"] + dt.timedelta(
            seconds=rng.uniform(60, 240) if visit["needs_form"] else rng.uniform(5, 40)
        )
        # The wait grows with the hour's load; the VIP queue moves faster.
        mean_wait = (2 if queue.is_vip else 3) + (6 if queue.is_vip else 14) * load**2
        wait = dt.timedelta(minutes=rng.expovariate(1 / mean_wait))
        service = dt.timedelta(
            minutes=rng.lognormvariate(
                math.log(SERVICE_MINUTES.get(visit["business_types"][0], 8)), 0.45
            )
        )
        role = Role.TELLER_HIGH if queue.counter == ZoneKind.COUNTER_CASH else Role.TELLER_LOW
        teller = self.cast.anyone(rng, role)
        ticket: dict = {
            "id": self.ids.take(Ticket),
            "branch_id": self.cast.branch.pk,
            "queue_id": queue.pk,
            "visit_id": visit["id"],
            "service_date": date,
            "number": numbers[queue.prefix],
            "issued_at": issued,
            "called_at": None,
            "completed_at": None,
            "window": teller.station,
        }
        r = rng.random()
        called = issued + wait
        if r < 0.025:
            # Tired of waiting, sent to the machines before being called.
            ticket["status"] = Ticket.Status.DIVERTED
            ticket["completed_at"] = issued + wait * 0.6
            visit["status"] = Visit.Status.DIVERTED
        elif called > self.now:
            ticket["status"] = Ticket.Status.WAITING
            visit["status"] = Visit.Status.WAITING
        elif r < 0.075:
            ticket["status"] = Ticket.Status.NO_SHOW
            ticket["called_at"] = called
            ticket["completed_at"] = called + dt.timedelta(minutes=2)
            visit["status"] = Visit.Status.LEFT
        else:
            ticket["called_at"] = called
            ticket["served_by_id"] = teller.pk
            ticket["_teller"] = teller
            if called + service > self.now:
                ticket["status"] = Ticket.Status.SERVING
                visit["status"] = Visit.Status.SERVING
            else:
                ticket["status"] = Ticket.Status.DONE
                ticket["completed_at"] = called + service
        batch.tickets.append(ticket)
        self.counts.tickets += 1
        return ticket

    def product_for(self, target_role: str, business: str) -> Product | None:
        rng, products = self.rng, self.cast.products
        if target_role == Role.TELLER_LOW:
            category = ProductCategory.LOAN if business == B.LOAN_CONSULT else "deposit"
        elif target_role == Role.WEALTH_MANAGER:
            category = pick(
                rng,
                [
                    (ProductCategory.WEALTH, 0.35),
                    (ProductCategory.FUND, 0.2),
                    (ProductCategory.INSURANCE, 0.15),
                    (ProductCategory.PRECIOUS_METAL, 0.08),
                    (ProductCategory.DEPOSIT, 0.12),
                    (ProductCategory.TREASURY_BOND, 0.10),
                ],
            )
        else:
            category = ProductCategory.CHANNEL
        choices = products.get(str(category))
        if not choices or rng.random() < 0.15:
            return None
        return rng.choice(choices)

    def referral(
        self,
        batch: Batch,
        visit: dict,
        ticket: dict | None,
        stage: str,
        referrer: Staff,
        at: dt.datetime,
        business: str,
    ) -> None:
        rng, cast = self.rng, self.cast
        if stage == Stage.FIRST or business.startswith("wealth") or rng.random() < 0.8:
            target_role = Role.WEALTH_MANAGER
        elif business == B.LOAN_CONSULT and referrer.role != Role.TELLER_LOW:
            target_role = Role.TELLER_LOW
        else:
            target_role = (
                Role.LOBBY_MANAGER if referrer.role in TELLER_ROLES else Role.WEALTH_MANAGER
            )
        receiver = cast.anyone(rng, target_role)
        product = self.product_for(target_role, business)
        referral: dict = {
            "id": self.ids.take(Referral),
            "branch_id": cast.branch.pk,
            "visit_id": visit["id"],
            "ticket_id": ticket["id"] if ticket else None,
            "stage": stage,
            "referrer_id": referrer.pk,
            "referrer_role": referrer.role,
            "target_role": target_role,
            "target_staff_id": receiver.pk if rng.random() < 0.1 else None,
            "need": business,
            "product_id": product.pk if product else None,
            "signals": visit["cues"],
            "is_vip": visit["prejudgement"] == Prejudgement.VIP,
            "created_at": at,
        }
        batch.referrals.append(referral)
        self.counts.referrals += 1
        outcome = pick(rng, OUTCOMES)
        accept = at + dt.timedelta(seconds=rng.lognormvariate(math.log(75), 0.7))
        start = accept + dt.timedelta(seconds=rng.uniform(30, 300))
        close = start + dt.timedelta(minutes=rng.uniform(8, 40))
        if outcome == "converted_later":
            outcome = Status.CONVERTED
            close = close + dt.timedelta(days=rng.choice([1, 2, 3, 5, 7, 10, 14]))
        if outcome == Status.EXPIRED:
            close = at + dt.timedelta(minutes=5)
            referral["overdue_at"] = at + dt.timedelta(minutes=3)
        elif outcome == Status.CANCELLED:
            close = at + dt.timedelta(minutes=2)
        else:
            referral["claimed_by_id"], referral["accepted_at"] = receiver.pk, accept
            if outcome == Status.DECLINED:
                close = accept + dt.timedelta(minutes=rng.uniform(1, 5))
            else:
                referral["started_at"] = start
            if rng.random() < 0.8:
                bases: dict[str, float] = {Status.CONVERTED: 4.2, Status.NOT_CONVERTED: 3.4}
                base = bases.get(outcome, 2.8)
                referral["quality"] = min(5, max(1, round(rng.gauss(base, 0.9))))
        referral["status"], referral["closed_at"] = outcome, close
        if close <= self.now:
            if outcome == Status.CONVERTED:
                self.sale(batch, referral, receiver, product, close)
            return
        # What would end after now is still under way at this moment.
        referral["closed_at"] = referral["quality"] = None
        if referral.get("started_at") and referral["started_at"] <= self.now:
            referral["status"] = Status.IN_CONSULTATION
        elif referral.get("accepted_at") and referral["accepted_at"] <= self.now:
            referral["status"], referral["started_at"] = Status.ACCEPTED, None
        else:
            referral["status"] = Status.CREATED
            referral["started_at"] = referral["accepted_at"] = None
            referral["claimed_by_id"] = referral["overdue_at"] = None

    def sale(
        self,
        batch: Batch,
        referral: dict,
        seller: Staff,
        product: Product | None,
        at: dt.datetime,
    ) -> None:
        rng = self.rng
        if product is None or (
            product.category in INVESTMENT_CATEGORIES
            and not (seller.role == Role.WEALTH_MANAGER or seller.sells_investments)
        ):
            product = rng.choice(
                self.cast.products.get(
                    ProductCategory.WEALTH
                    if seller.role == Role.WEALTH_MANAGER
                    else ProductCategory.CHANNEL
                )
                or [p for ps in self.cast.products.values() for p in ps]
            )
        batch.sales.append(
            {
                "id": self.ids.take(Sale),
                "referral_id": referral["id"],
                "product_id": product.pk,
                "amount_band": pick(rng, AMOUNTS),
                "sold_by_id": seller.pk,
                "at": at,
            }
        )
        self.counts.sales += 1
        if product.category not in INVESTMENT_CATEGORIES:
            return
        due = timezone.localdate(at) + dt.timedelta(days=rng.choice([3, 7, 14, 30]))
        due_end = dt.datetime.combine(due, dt.time(17), tzinfo=self.tz)
        r = rng.random()
        done = (
            due_end - dt.timedelta(days=rng.uniform(0, 2))
            if r < 0.72
            else due_end + dt.timedelta(days=rng.uniform(1, 6))
            if r < 0.86
            else None
        )
        batch.follow_ups.append(
            {
                "id": self.ids.take(FollowUp),
                "referral_id": referral["id"],
                "owner_id": seller.pk,
                "due_date": due,
                "done_at": done if done and done <= self.now else None,
                "created_at": at,
            }
        )
        self.counts.follow_ups += 1


def analyze() -> None:
    """Fresh planner statistics after a bulk load: without them PostgreSQL guesses a month of
    tickets at a few rows and plans for that."""
    tables = [m._meta.db_table for m in (Visit, Ticket, Referral, Sale, FollowUp)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("ANALYZE")


def reset_sequences() -> None:
    """Explicit ids skip PostgreSQL's sequences: move them past what was written."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Visit, Ticket, Referral, Sale, FollowUp]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def progress_bar(out=sys.stderr) -> Callable[[int, int, Counts], None]:
    started = time.monotonic()

    def show(done: int, total: int, counts: Counts) -> None:
        if done != total and done % max(1, total // 100):
            return  # about a hundred updates, whatever the number of days
        width = 30
        filled = round(width * done / total)
        elapsed = time.monotonic() - started
        out.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} days · "
            f"{counts.visits:,} visits · {counts.tickets:,} tickets · "
            f"{counts.referrals:,} referrals · {elapsed:.0f}s"
        )
        if done == total:
            out.write("\n")
        out.flush()

    return show


def ensure_branch(code: str) -> Branch:
    """The branch to write history for: the demo branch (`seed_demo`) or one made like it, with
    the demo roster under prefixed user names that cannot sign in."""
    branch = Branch.objects.filter(code=code).first()
    if branch is not None:
        return branch
    if code == "demo":
        return seed_demo()[0]
    seed_catalogue()
    branch = seed_branch(code)
    User = get_user_model()
    for person in ROSTER:
        user = User(username=f"{code}-{person.username}")
        user.set_unusable_password()
        user.save()
        Staff.objects.create(
            user=user,
            branch=branch,
            role=person.role,
            display_name=person.display_name,
            station=person.station,
        )
    return branch


def seed_history(
    *,
    days: int,
    visits_per_day: int,
    branch_code: str = "demo",
    end: dt.date | None = None,
    seed: int = 11,
    batch_visits: int = 20_000,
    progress: Callable[[int, int, Counts], None] | None = None,
) -> Counts:
    """Write `days` days of history ending on `end` (default today, up to now) for a branch."""
    branch = ensure_branch(branch_code)
    generator = Generator(load_cast(branch), seed=seed)
    end = end or timezone.localdate()
    batch = Batch()
    for index in range(days):
        date = end - dt.timedelta(days=days - 1 - index)
        generator.day(date, visits_per_day, batch)
        if len(batch.visits) >= batch_visits or index == days - 1:
            batch.save()
            batch = Batch()
        if progress:
            progress(index + 1, days, generator.counts)
    reset_sequences()
    analyze()
    # Today's next ticket continues after the seeded ones.
    for prefix, last in generator.last_numbers.get(timezone.localdate(), {}).items():
        TicketQueue.objects.filter(branch=branch, prefix=prefix).update(
            last_number=last, last_date=timezone.localdate()
        )
    return generator.counts
