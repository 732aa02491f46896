"""The product vocabulary (see shared/domain.md): categories, risk levels and client risk tolerance.

The bottom of the app stack: products imports nothing from lobby or referrals.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductCategory(models.TextChoices):
    CHANNEL = "channel", _("Channel")
    DEPOSIT = "deposit", _("Deposit")
    WEALTH = "wealth", _("Wealth management")
    FUND = "fund", _("Fund (agency)")
    INSURANCE = "insurance", _("Insurance (agency)")
    PRECIOUS_METAL = "precious_metal", _("Precious metals")
    TREASURY_BOND = "treasury_bond", _("Treasury bond")
    LOAN = "loan", _("Loan")


# Sold only by wealth staff, in the recorded wealth zone (双录), within suitability.
INVESTMENT_CATEGORIES = frozenset(
    {
        ProductCategory.WEALTH,
        ProductCategory.FUND,
        ProductCategory.INSURANCE,
        ProductCategory.PRECIOUS_METAL,
    }
)


class RiskLevel(models.IntegerChoices):
    R1 = 1, "R1"
    R2 = 2, "R2"
    R3 = 3, "R3"
    R4 = 4, "R4"
    R5 = 5, "R5"


class RiskTolerance(models.IntegerChoices):
    C1 = 1, "C1"
    C2 = 2, "C2"
    C3 = 3, "C3"
    C4 = 4, "C4"
    C5 = 5, "C5"
