"""The regulated rules, as tables and pure functions: values in, a decision and its reason out.

Two rules a regulator (or the branch) would recognise live here and nowhere else:

- who may pitch, refer or record a sale of which product category (the table in
  shared/domain.md, "Products and who may pitch them"), and
- suitability (适当性): the customer's tolerance C must cover the product's risk R, on a risk
  assessment signed within 12 months, and the sale must be audio-video recorded (双录).

Nothing here reads or writes the database: services ask these functions and write; screens ask
them what to offer. The tests read the same table (tests/referrals/test_rules.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lobby.choices import LOBBY_ROLES, Role
from products.choices import ProductCategory


class Action(StrEnum):
    PITCH = "pitch"  # say it to the customer (for a high counter: the one-sentence pitch)
    REFER = "refer"  # hand the customer on to someone who serves it
    RECORD = "record"  # record the sale (or, for channel products, the sign-up)


@dataclass(frozen=True)
class Decision:
    """`allowed`, or not and `reason` says why in plain words (translated, for the person).

    `blocked` marks the one refusal that is an outcome rather than bad input: a product above the
    customer's risk tolerance (the referral closes as blocked by suitability). `code` names which
    rule answered, for callers and tests that must tell refusals apart.
    """

    allowed: bool
    reason: str = ""
    blocked: bool = False
    code: str = "ok"


ALLOWED = Decision(True)

# ---- who may do what -----------------------------------------------------------------------

_ALL = frozenset(Action)
_REFER = frozenset({Action.REFER})
C = ProductCategory

# The table of shared/domain.md, row by row. Columns: lobby staff (manager and assistant), high
# counter, low counter, wealth manager. A branch admin runs the branch and refers only.
_TABLE: dict[str, tuple[frozenset[Action], ...]] = {
    C.CHANNEL: (_ALL, _ALL, _ALL, _ALL),
    C.DEPOSIT: (_REFER, _REFER, _ALL, _ALL),
    C.TREASURY_BOND: (_REFER, _REFER, _ALL, _ALL),
    C.WEALTH: (_REFER, _REFER, _ALL, _ALL),
    C.FUND: (_REFER, _REFER, _ALL, _ALL),
    C.INSURANCE: (_REFER, _REFER, _ALL, _ALL),
    C.PRECIOUS_METAL: (_REFER, _REFER, _REFER, _ALL),
    C.LOAN: (_REFER, _REFER, _ALL, _REFER),
}
_COLUMNS: tuple[frozenset[str], ...] = (
    LOBBY_ROLES,
    frozenset({Role.TELLER_HIGH}),
    frozenset({Role.TELLER_LOW}),
    frozenset({Role.WEALTH_MANAGER}),
)

PERMISSIONS: dict[tuple[str, str], frozenset[Action]] = {
    **{
        (role, category): actions
        for category, row in _TABLE.items()
        for roles, actions in zip(_COLUMNS, row, strict=True)
        for role in roles
    },
    **{(Role.BRANCH_ADMIN, category): _REFER for category in _TABLE},
}

# A low-counter teller markets and sells funds, insurance and bank wealth products only while
# their staff record holds the qualification for it (Staff.sells_investments); both the pitch
# and the recorded sale need it, since marketing these products is itself a licensed activity.
NEEDS_QUALIFICATION: frozenset[tuple[str, str, Action]] = frozenset(
    (Role.TELLER_LOW, category, action)
    for category in (C.WEALTH, C.FUND, C.INSURANCE)
    for action in (Action.PITCH, Action.RECORD)
)


def _may(role: str, category: str, action: Action, qualified: bool) -> bool:
    if action not in PERMISSIONS.get((role, category), frozenset()):
        return False
    return qualified or (role, category, action) not in NEEDS_QUALIFICATION


def _who_may(category: str, action: Action) -> str:
    """The roles that may do it, in words ("Wealth manager, Low-counter teller (qualified)")."""
    names = []
    for role in Role:
        if _may(role, category, action, qualified=True):
            name = str(role.label)
            if (role, category, action) in NEEDS_QUALIFICATION:
                name = _("%(role)s with the sales qualification") % {"role": name}
            names.append(name)
    # Chinese lists take 、 between items: the separator is translated.
    return pgettext("list separator", ", ").join(names)


def decide(*, role: str, category: str, action: str, qualified: bool = False) -> Decision:
    """May someone of `role` (holding the sales qualification or not) do `action` on `category`?"""
    if role not in Role.values:
        return Decision(False, _("Unknown role."), code="unknown")
    if category not in C.values:
        return Decision(False, _("Unknown product category."), code="unknown")
    action = Action(action)
    if _may(role, category, action, qualified):
        return ALLOWED
    values = {"category": C(category).label, "roles": _who_may(category, action)}
    if action == Action.PITCH:
        reason = _(
            "Only these colleagues offer “%(category)s” products: %(roles)s. "
            "Refer the customer to them instead."
        )
    else:
        reason = _(
            "Only these colleagues record a sale of “%(category)s”: %(roles)s. "
            "Refer the customer to them instead."
        )
    return Decision(False, reason % values, code="role")


def categories_for(role: str, action: str, *, qualified: bool) -> frozenset[str]:
    """Every category on which `role` may do `action`."""
    return frozenset(c for c in C.values if _may(role, c, Action(action), qualified))


def pitchable_categories(role: str, *, qualified: bool) -> frozenset[str]:
    """What a role may pitch (a high-counter teller: channel products only)."""
    return categories_for(role, Action.PITCH, qualified=qualified)


def recordable_categories(role: str, *, qualified: bool) -> frozenset[str]:
    """What a role may record a sale (or sign-up) of."""
    return categories_for(role, Action.RECORD, qualified=qualified)


# ---- suitability (适当性) -------------------------------------------------------------------

# A signed risk assessment is valid for 12 months (regulation).
ASSESSMENT_VALID_MONTHS = 12


class Verdict(StrEnum):
    OK = "ok"
    NO_ASSESSMENT = "no_assessment"  # refused: enter the tolerance and the assessment date
    STALE_ASSESSMENT = "stale_assessment"  # refused: assess the customer again
    NO_RISK_LEVEL = "no_risk_level"  # refused: the product has no risk level to compare
    UNSUITABLE = "unsuitable"  # an outcome: the referral closes as blocked by suitability
    NOT_RECORDED = "not_recorded"  # refused: confirm the audio-video recording


def assessment_is_current(assessment_date: dt.date, today: dt.date) -> bool:
    """A signed assessment counts for 12 months: until the day before its anniversary.

    Signed on 15 March, it counts up to 14 March of the next year; signed on 29 February, up to
    28 February. One dated after today counts for nothing (a typing error, or worse).
    """
    if assessment_date > today:
        return False
    months = (today.year - assessment_date.year) * 12 + (today.month - assessment_date.month)
    if today.day < assessment_date.day:
        months -= 1
    return months < ASSESSMENT_VALID_MONTHS


def suitability(
    *,
    product_risk: int | None,
    needs_suitability: bool,
    tolerance: int | None,
    assessment_date: dt.date | None,
    today: dt.date,
    recorded_confirmed: bool,
) -> Decision:
    """May this product be sold to this customer now? One product; see `basket` for several.

    Missing or out-of-date input is refused (the consultation stays open to be completed); a
    product above the customer's tolerance is `blocked`, which closes the referral as such.
    """
    if not needs_suitability:
        return ALLOWED
    if tolerance is None or assessment_date is None:
        return Decision(
            False,
            _("Enter the customer's risk tolerance (C1–C5) and the date of the assessment."),
            code=Verdict.NO_ASSESSMENT,
        )
    if not assessment_is_current(assessment_date, today):
        return Decision(
            False,
            _(
                "The risk assessment is older than 12 months (or dated in the future): "
                "the customer must be assessed again before buying."
            ),
            code=Verdict.STALE_ASSESSMENT,
        )
    if product_risk is None:
        return Decision(
            False,
            _("This product has no risk level; ask the branch admin to set one before selling."),
            code=Verdict.NO_RISK_LEVEL,
        )
    if int(product_risk) > int(tolerance):
        return Decision(
            False,
            _("Product risk R%(risk)s is above the customer's tolerance C%(tolerance)s.")
            % {"risk": product_risk, "tolerance": tolerance},
            blocked=True,
            code=Verdict.UNSUITABLE,
        )
    if not recorded_confirmed:
        return Decision(
            False,
            _("Investment products are sold only with audio-video recording (双录): confirm it."),
            code=Verdict.NOT_RECORDED,
        )
    return ALLOWED


# Which answer wins when the products of one sale get different ones: input that is missing or
# out of date first (nothing can be judged without it), then a mismatch (the sale is off, so
# whether it was recorded no longer matters), then the rest.
_PRECEDENCE: dict[str, int] = {
    code: rank
    for rank, code in enumerate(
        (
            Verdict.NO_ASSESSMENT,
            Verdict.STALE_ASSESSMENT,
            Verdict.NO_RISK_LEVEL,
            Verdict.UNSUITABLE,
            Verdict.NOT_RECORDED,
        )
    )
}


def basket(decisions: Iterable[Decision]) -> Decision:
    """One answer for a sale of several products (any refusal refuses, any mismatch blocks)."""
    refused = [d for d in decisions if not d.allowed]
    if not refused:
        return ALLOWED
    return min(refused, key=lambda d: _PRECEDENCE.get(d.code, len(_PRECEDENCE)))


__all__ = [
    "ALLOWED",
    "ASSESSMENT_VALID_MONTHS",
    "NEEDS_QUALIFICATION",
    "PERMISSIONS",
    "Action",
    "Decision",
    "Verdict",
    "assessment_is_current",
    "basket",
    "categories_for",
    "decide",
    "pitchable_categories",
    "recordable_categories",
    "suitability",
]
