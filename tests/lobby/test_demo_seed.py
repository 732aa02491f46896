"""The demo seed: one branch with every zone, role, category and situation, seeded any number
of times."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lobby.choices import Role, ZoneKind
from lobby.demo_branch import DEMO_PASSWORD, ROSTER
from lobby.models import Branch, RoutingRule, Staff, TicketQueue, Zone
from products.choices import ProductCategory
from products.demo_catalogue import SITUATIONS
from products.models import Product, Script

pytestmark = pytest.mark.django_db


def _row_counts() -> list[int]:
    models = [Branch, Staff, Zone, TicketQueue, RoutingRule, Product, Script]
    return [model.objects.count() for model in models]


def test_seed_demo_twice_gives_one_branch_and_the_same_rows(capsys):
    call_command("seed_demo")
    counts = _row_counts()
    call_command("seed_demo")
    again = _row_counts()
    assert counts == again
    assert counts[0] == 1
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for person in ROSTER:
        assert person.username in out


def test_demo_branch_has_every_zone_role_category_and_situation():
    call_command("seed_demo")
    branch = Branch.objects.get(code="demo")
    assert set(branch.zones.values_list("kind", flat=True)) == set(ZoneKind.values)
    roles = set(Staff.objects.filter(branch=branch).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert set(Product.objects.values_list("category", flat=True)) == set(ProductCategory.values)
    assert {code for code, _zh, _en in SITUATIONS} <= set(
        Script.objects.values_list("situation", flat=True)
    )
    assert set(branch.queues.values_list("prefix", flat=True)) >= {"A", "B", "V", "Y"}


def test_demo_logins_work():
    call_command("seed_demo")
    from django.test import Client

    for person in ROSTER:
        assert Client().login(username=person.username, password=DEMO_PASSWORD), person.username


def test_demo_lobby_opens_with_customers_once_a_day():
    from lobby.demo_branch import MORNING
    from lobby.models import Ticket, Visit
    from referrals.models import Referral

    call_command("seed_demo")
    call_command("seed_demo")
    assert Visit.objects.count() == len(MORNING)
    assert Ticket.objects.filter(status=Ticket.Status.WAITING).count() >= 3
    assert Referral.objects.filter(status="created", target_role=Role.WEALTH_MANAGER).count() == 1
