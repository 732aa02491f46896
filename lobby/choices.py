"""The domain's enumerations (see shared/domain.md), with translated labels.

Codes are stable identifiers kept in the database and used in URLs and tests;
labels are for people.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LOBBY_MANAGER = "lobby_manager", _("Lobby manager")
    LOBBY_ASSISTANT = "lobby_assistant", _("Lobby assistant")
    TELLER_HIGH = "teller_high", _("High-counter teller (cash)")
    TELLER_LOW = "teller_low", _("Low-counter teller (non-cash)")
    WEALTH_MANAGER = "wealth_manager", _("Wealth manager")
    BRANCH_ADMIN = "branch_admin", _("Branch admin")


LOBBY_ROLES = frozenset({Role.LOBBY_MANAGER, Role.LOBBY_ASSISTANT})
TELLER_ROLES = frozenset({Role.TELLER_HIGH, Role.TELLER_LOW})


class ZoneKind(models.TextChoices):
    GREETING = "greeting", _("Greeting & enquiries (zone 1)")
    WAITING = "waiting", _("Waiting zone (zone 2)")
    FORM_DESK = "form_desk", _("Form desk")
    SELF_SERVICE = "self_service", _("Self-service machines")
    COUNTER_CASH = "counter_cash", _("Cash counters (high)")
    COUNTER_NONCASH = "counter_noncash", _("Non-cash counters (low)")
    WEALTH = "wealth", _("Wealth area (recorded sales)")
    VIP_ROOM = "vip_room", _("VIP wealth room")


class Prejudgement(models.TextChoices):
    """The lobby staff's first-glance judgement of a customer's tier."""

    VIP = "vip", _("VIP")
    POTENTIAL_VIP = "potential_vip", _("Potential VIP")
    REGULAR = "regular", _("Regular")
    UNKNOWN = "unknown", _("Not sure")


class BusinessType(models.TextChoices):
    CASH_SMALL = "cash_small", _("Small cash deposit/withdrawal")
    BILL_PAYMENT = "bill_payment", _("Bill payment")
    PASSBOOK_UPDATE = "passbook_update", _("Passbook update")
    CASH_LARGE = "cash_large", _("Large cash deposit/withdrawal")
    TRANSFER_REMIT = "transfer_remit", _("Transfer / remittance")
    FX_EXCHANGE = "fx_exchange", _("Foreign exchange")
    CARD_ACCOUNT_OPEN = "card_account_open", _("Open card / account")
    LOSS_REPORT_PASSWORD = "loss_report_password", _("Report loss / reset password")
    EBANK_ACTIVATION = "ebank_activation", _("Activate e-banking")
    LOAN_CONSULT = "loan_consult", _("Loans")
    CORPORATE = "corporate", _("Corporate business")
    WEALTH_CONSULT = "wealth_consult", _("Wealth advice")
    WEALTH_PURCHASE = "wealth_purchase", _("Buy wealth/fund/insurance/gold")
    COMPLAINT = "complaint", _("Complaint")


WEALTH_NEEDS = frozenset({BusinessType.WEALTH_CONSULT, BusinessType.WEALTH_PURCHASE})


class Cue(models.TextChoices):
    # Opportunity cues.
    VIP_CARD_SHOWN = "vip_card_shown", _("Shows a VIP card")
    PREMIUM_APPEARANCE = "premium_appearance", _("Premium appearance")
    CAR_KEY = "car_key", _("Holds a car key")
    BROWSING_BROCHURE = "browsing_brochure", _("Browsing leaflets")
    ASKING_RATES = "asking_rates", _("Asks about rates")
    DEPOSIT_MATURING = "deposit_maturing", _("Deposit maturing")
    LARGE_CASH = "large_cash", _("Large cash")
    NEW_GOLD_CARD = "new_gold_card", _("Just opened a gold card")
    NEAR_VIP_THRESHOLD = "near_vip_threshold", _("Close to VIP threshold")
    ASKS_LOANS = "asks_loans", _("Asks about loans")
    ASKS_INSURANCE = "asks_insurance", _("Asks about insurance")
    # Seen in the account at the counter: never on a shared screen.
    LARGE_ACCOUNT_SWING = "large_account_swing", _("Large recent account swings")
    LARGE_IDLE_BALANCE = "large_idle_balance", _("Large idle demand balance")
    # Service state.
    SMALL_CASH_OR_CARD_ONLY = "small_cash_or_card_only", _("Card or little cash only")
    LOOKING_AROUND = "looking_around", _("Looking around")
    ANXIOUS = "anxious", _("Anxious / in a hurry")
    COLD_OR_ANNOYED = "cold_or_annoyed", _("Cold or annoyed")
    ANGRY = "angry", _("Angry")
    ELDERLY_NEEDS_HELP = "elderly_needs_help", _("Elderly, needs help")
    DISABILITY_HELP = "disability_help", _("Needs accessibility help")
    MISSING_DOCUMENTS = "missing_documents", _("Missing documents")
    LONG_WAIT = "long_wait", _("Long wait")
    # Risk: suppresses every marketing prompt for the visit.
    FRAUD_RISK_LARGE_WITHDRAWAL_ELDERLY = (
        "fraud_risk_large_withdrawal_elderly",
        _("Fraud risk: elderly, large withdrawal"),
    )
    FRAUD_RISK_INSTRUCTED_BY_PHONE = (
        "fraud_risk_instructed_by_phone",
        _("Fraud risk: instructed by phone"),
    )
    VULNERABLE_CUSTOMER = "vulnerable_customer", _("Vulnerable customer")


OPPORTUNITY_CUES = frozenset(
    {
        Cue.VIP_CARD_SHOWN,
        Cue.PREMIUM_APPEARANCE,
        Cue.CAR_KEY,
        Cue.BROWSING_BROCHURE,
        Cue.ASKING_RATES,
        Cue.DEPOSIT_MATURING,
        Cue.LARGE_CASH,
        Cue.NEW_GOLD_CARD,
        Cue.NEAR_VIP_THRESHOLD,
        Cue.ASKS_LOANS,
        Cue.ASKS_INSURANCE,
    }
)
TELLER_ONLY_CUES = frozenset({Cue.LARGE_ACCOUNT_SWING, Cue.LARGE_IDLE_BALANCE})
SERVICE_CUES = frozenset(
    {
        Cue.SMALL_CASH_OR_CARD_ONLY,
        Cue.LOOKING_AROUND,
        Cue.ANXIOUS,
        Cue.COLD_OR_ANNOYED,
        Cue.ANGRY,
        Cue.ELDERLY_NEEDS_HELP,
        Cue.DISABILITY_HELP,
        Cue.MISSING_DOCUMENTS,
        Cue.LONG_WAIT,
    }
)
RISK_CUES = frozenset(
    {
        Cue.FRAUD_RISK_LARGE_WITHDRAWAL_ELDERLY,
        Cue.FRAUD_RISK_INSTRUCTED_BY_PHONE,
        Cue.VULNERABLE_CUSTOMER,
    }
)
# Cues after which staff stop asking and selling for this visit.
NO_MARKETING_CUES = RISK_CUES | {Cue.COLD_OR_ANNOYED, Cue.ANGRY}
# Cues a lobby tablet may record (teller-only account signals are excluded).
LOBBY_CUES = OPPORTUNITY_CUES | SERVICE_CUES | RISK_CUES
