"""Referral helpers: a product per need, referrals driven into any state through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from lobby.choices import Role
from lobby.models import Staff
from products.choices import ProductCategory
from products.models import Product
from referrals import services
from referrals.models import Referral, Stage, Status


def make_product(code: str, *, category: str = ProductCategory.FUND, risk: int = 3) -> Product:
    return Product.objects.create(
        code=code, name_zh=code, name_en=code, category=category, risk_level=risk
    )


@pytest.fixture
def fund(db) -> Product:
    return make_product("test_fund_r3", category=ProductCategory.FUND, risk=3)


@pytest.fixture
def deposit(db) -> Product:
    return make_product("test_deposit", category=ProductCategory.DEPOSIT, risk=1)


def refer_to_pool(referrer: Staff, **kw) -> Referral:
    kw.setdefault("stage", Stage.FIRST)
    kw.setdefault("target_role", Role.WEALTH_MANAGER)
    return services.refer(actor=referrer, **kw)


def recent_assessment() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=30)


def drive_to(
    status: str, *, referrer: Staff, holder: Staff, sale: Product | None = None
) -> Referral:
    """A referral from `referrer` to the pool, brought to `status` the legal way by `holder`."""
    referral = refer_to_pool(referrer)
    pk = referral.pk
    if status == Status.CREATED:
        return referral
    if status == Status.CANCELLED:
        return services.cancel(referral_id=pk, actor=referrer)
    if status == Status.EXPIRED:
        return services.expire(referral_id=pk)
    services.accept(referral_id=pk, actor=holder)
    if status == Status.ACCEPTED:
        return Referral.objects.get(pk=pk)
    services.start_consultation(referral_id=pk, actor=holder)
    if status == Status.IN_CONSULTATION:
        return Referral.objects.get(pk=pk)
    if status == Status.CONVERTED:
        product = sale or make_product(f"dep_{pk}", category=ProductCategory.DEPOSIT, risk=1)
        return services.close(
            referral_id=pk, actor=holder, outcome=status, sales=[(product, "lt50k")]
        )
    return services.close(referral_id=pk, actor=holder, outcome=status)


@pytest.fixture(autouse=True)
def _english():
    """Service messages are matched in their English source text."""
    with translation.override("en"):
        yield
