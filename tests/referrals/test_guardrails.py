"""The role guardrails, enforced by the services and answered over HTTP.

Every cell of referrals.rules.PERMISSIONS for recording and referring is driven through the
services; a few representative cells per role go through HTTP, including the high-counter
deposit sale that close() used to accept.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from lobby.choices import Role
from lobby.models import Staff
from products.choices import INVESTMENT_CATEGORIES, ProductCategory
from products.models import Product
from referrals import rules, services
from referrals.models import Referral, Sale, Stage, Status
from referrals.services import ReferralError
from tests.conftest import make_staff
from tests.referrals.conftest import make_product, recent_assessment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
INVESTMENT_RISK = 3
# Who closes: every role, and the low counter with and without the sales qualification.
CLOSERS = [
    "lobby_manager",
    "lobby_assistant",
    "teller_high",
    "teller_low",
    "qualified_teller_low",
    "wealth_manager",
    "branch_admin",
]


@pytest.fixture
def qualified_teller_low(branch) -> Staff:
    return make_staff(
        branch, "bella", Role.TELLER_LOW, "Bella", station="W6", sells_investments=True
    )


def _product(category: str) -> Product:
    risk = INVESTMENT_RISK if category in INVESTMENT_CATEGORIES else 1
    return make_product(f"p_{category}", category=category, risk=risk)


def _held_by(holder: Staff, referrer: Staff) -> Referral:
    """A referral addressed to `holder` by name, which they have taken and sat down with."""
    referral = services.refer(actor=referrer, stage=Stage.SECOND, target_staff=holder)
    services.accept(referral_id=referral.pk, actor=holder)
    services.start_consultation(referral_id=referral.pk, actor=holder)
    return referral


def _sell(holder: Staff, referral: Referral, product: Product) -> Referral:
    return services.close(
        referral_id=referral.pk,
        actor=holder,
        outcome=Status.CONVERTED,
        sales=[(product, "lt50k")],
        risk_tolerance=5,
        assessment_date=recent_assessment(),
        recorded_confirmed=True,
    )


# ---- through the services: every role × category, recording and referring -----------------


# One test per role, each walking every category (the cast is costly to set up per cell).


@pytest.mark.parametrize("closer", CLOSERS)
def test_a_sale_is_recorded_only_where_the_table_allows(request, closer, wealth_manager2):
    holder = request.getfixturevalue(closer)
    for category in ProductCategory.values:
        referral = _held_by(holder, wealth_manager2)
        product = _product(category)
        allowed = rules.decide(
            role=holder.role,
            category=category,
            action=rules.Action.RECORD,
            qualified=holder.sells_investments,
        ).allowed
        if allowed:
            assert _sell(holder, referral, product).status == Status.CONVERTED, category
            assert Sale.objects.get(referral=referral).sold_by == holder, category
        else:
            with pytest.raises(ReferralError, match="Refer the customer to them instead"):
                _sell(holder, referral, product)
            assert Referral.objects.get(pk=referral.pk).status == Status.IN_CONSULTATION, category
            assert not Sale.objects.filter(referral=referral).exists(), category


@pytest.mark.parametrize("referrer", CLOSERS)
def test_anyone_may_refer_any_product(request, referrer):
    actor = request.getfixturevalue(referrer)
    for category in ProductCategory.values:
        referral = services.refer(actor=actor, stage=Stage.THIRD, product=_product(category))
        assert referral.status == Status.CREATED and referral.product.category == category


def test_the_table_leaves_every_role_something_to_record_but_the_branch_admin():
    """A positive control for the loop above: it does exercise both answers."""
    for role in Role.values:
        recordable = rules.recordable_categories(role, qualified=True)
        assert bool(recordable) is (role != Role.BRANCH_ADMIN)
        assert recordable != set(ProductCategory.values)


def test_a_high_counter_teller_cannot_record_a_deposit_bond_or_loan_sale(
    teller_high, wealth_manager
):
    for category in (ProductCategory.DEPOSIT, ProductCategory.TREASURY_BOND, ProductCategory.LOAN):
        referral = _held_by(teller_high, wealth_manager)
        with pytest.raises(ReferralError, match="Low-counter teller"):
            _sell(teller_high, referral, _product(category))
    assert not Sale.objects.exists()


def test_a_qualified_low_counter_teller_is_held_to_suitability_like_a_wealth_manager(
    qualified_teller_low, wealth_manager
):
    risky = make_product("fund_r5", category=ProductCategory.FUND, risk=5)
    referral = _held_by(qualified_teller_low, wealth_manager)
    closed = services.close(
        referral_id=referral.pk,
        actor=qualified_teller_low,
        outcome=Status.CONVERTED,
        sales=[(risky, "lt50k")],
        risk_tolerance=2,
        assessment_date=recent_assessment(),
        recorded_confirmed=True,
    )
    assert closed.status == Status.BLOCKED_SUITABILITY and not Sale.objects.exists()


def test_a_qualified_low_counter_teller_must_confirm_the_recording(
    qualified_teller_low, wealth_manager
):
    referral = _held_by(qualified_teller_low, wealth_manager)
    with pytest.raises(ReferralError, match="双录"):
        services.close(
            referral_id=referral.pk,
            actor=qualified_teller_low,
            outcome=Status.CONVERTED,
            sales=[(_product(ProductCategory.FUND), "lt50k")],
            risk_tolerance=5,
            assessment_date=recent_assessment(),
        )


# ---- structured deposits: a deposit sold like an investment --------------------------------


@pytest.fixture
def structured(db) -> Product:
    return Product.objects.create(
        code="structured",
        name_zh="结构性存款",
        name_en="Structured deposit",
        category=ProductCategory.DEPOSIT,
        risk_level=2,
        structured=True,
    )


def test_a_structured_deposit_needs_an_assessment(teller_low, wealth_manager, structured):
    referral = _held_by(teller_low, wealth_manager)
    with pytest.raises(ReferralError, match="risk tolerance"):
        services.close(
            referral_id=referral.pk,
            actor=teller_low,
            outcome=Status.CONVERTED,
            sales=[(structured, "lt50k")],
            recorded_confirmed=True,
        )


def test_a_structured_deposit_above_the_tolerance_is_blocked(
    teller_low, wealth_manager, structured
):
    referral = _held_by(teller_low, wealth_manager)
    closed = services.close(
        referral_id=referral.pk,
        actor=teller_low,
        outcome=Status.CONVERTED,
        sales=[(structured, "lt50k")],
        risk_tolerance=1,
        assessment_date=recent_assessment(),
        recorded_confirmed=True,
    )
    assert closed.status == Status.BLOCKED_SUITABILITY


def test_a_structured_deposit_sale_is_recorded_with_its_recording(
    teller_low, wealth_manager, structured
):
    referral = _held_by(teller_low, wealth_manager)
    closed = _sell(teller_low, referral, structured)
    assert closed.status == Status.CONVERTED and closed.recorded_confirmed


def test_a_plain_deposit_needs_no_assessment(teller_low, wealth_manager, deposit):
    referral = _held_by(teller_low, wealth_manager)
    closed = services.close(
        referral_id=referral.pk,
        actor=teller_low,
        outcome=Status.CONVERTED,
        sales=[(deposit, "lt50k")],
    )
    assert closed.status == Status.CONVERTED and not closed.recorded_confirmed


# ---- through HTTP: representative cells per role -------------------------------------------


def _close_over_http(client, holder: Staff, referral: Referral, product: Product):
    client.force_login(holder.user)
    return client.post(
        reverse("referrals:close", args=[referral.pk]),
        {
            "outcome": "converted",
            "product_1": product.code,
            "band_1": "lt50k",
            "risk_tolerance": "5",
            "assessment_date": recent_assessment().isoformat(),
            "recorded_confirmed": "1",
        },
        **HTMX,
    )


@pytest.mark.parametrize(
    "closer, category, allowed",
    [
        ("teller_high", "deposit", False),  # the bug this table fixes
        ("teller_high", "treasury_bond", False),
        ("teller_high", "loan", False),
        ("teller_high", "fund", False),
        ("teller_high", "channel", True),
        ("lobby_manager", "deposit", False),
        ("lobby_manager", "wealth", False),
        ("lobby_assistant", "channel", True),
        ("teller_low", "fund", False),
        ("teller_low", "loan", True),
        ("teller_low", "precious_metal", False),
        ("qualified_teller_low", "fund", True),
        ("qualified_teller_low", "insurance", True),
        ("wealth_manager", "precious_metal", True),
        ("wealth_manager", "loan", False),
        ("branch_admin", "channel", False),
    ],
)
def test_recording_a_sale_over_http_follows_the_table(
    client, request, closer, category, allowed, wealth_manager2
):
    holder = request.getfixturevalue(closer)
    referral = _held_by(holder, wealth_manager2)
    response = _close_over_http(client, holder, referral, _product(category))
    status = Referral.objects.get(pk=referral.pk).status
    if allowed:
        assert response.status_code == 200
        assert status == Status.CONVERTED
    else:
        assert response.status_code == 400 and response["X-Refused"] == "1"
        assert "Refer the customer to them instead" in response.content.decode()
        assert status == Status.IN_CONSULTATION and not Sale.objects.exists()


@pytest.mark.parametrize("referrer", ["teller_high", "lobby_assistant", "branch_admin"])
def test_referring_an_investment_product_over_http_is_open_to_every_role(client, request, referrer):
    actor = request.getfixturevalue(referrer)
    fund = _product(ProductCategory.FUND)
    client.force_login(actor.user)
    response = client.post(
        reverse("referrals:refer"), {"to": "role:wealth_manager", "product": fund.code}, **HTMX
    )
    assert response.status_code == 200
    assert Referral.objects.get().product == fund


@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("teller_high", {"channel"}),
        ("lobby_manager", {"channel"}),
        ("teller_low", {"channel", "deposit", "treasury_bond", "loan"}),
        (
            "qualified_teller_low",
            {"channel", "deposit", "treasury_bond", "loan", "wealth", "fund", "insurance"},
        ),
        ("wealth_manager", set(ProductCategory.values) - {"loan"}),
        ("branch_admin", set()),
    ],
)
def test_the_refer_page_offers_only_what_the_role_may_pitch(
    client, request, catalogue, fixture, expected
):
    client.force_login(request.getfixturevalue(fixture).user)
    response = client.get(reverse("referrals:sent"))
    offered = {p.category for p in response.context["refer_products"]}
    assert offered == expected
