"""The regulated rules as tables, without a database (pytest-django refuses any query here).

The expected table below is written out again from shared/domain.md ("Products and who may pitch
them"), cell by cell, so that a slip in referrals.rules.PERMISSIONS shows up as a failing cell.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lobby.choices import Role
from products.choices import ProductCategory
from referrals import rules
from referrals.rules import Action, Verdict

# p = pitch, r = refer, s = record a sale (or sign-up). Columns: lobby staff, high counter, low
# counter (without / with the sales qualification), wealth manager, branch admin.
DOMAIN_TABLE = {
    #                  lobby  high   low    low+q  wealth admin
    "channel": ("prs", "prs", "prs", "prs", "prs", "r"),
    "deposit": ("r", "r", "prs", "prs", "prs", "r"),
    "treasury_bond": ("r", "r", "prs", "prs", "prs", "r"),
    "wealth": ("r", "r", "r", "prs", "prs", "r"),
    "fund": ("r", "r", "r", "prs", "prs", "r"),
    "insurance": ("r", "r", "r", "prs", "prs", "r"),
    "precious_metal": ("r", "r", "r", "r", "prs", "r"),
    "loan": ("r", "r", "prs", "prs", "r", "r"),
}
LETTER = {Action.PITCH: "p", Action.REFER: "r", Action.RECORD: "s"}


def _column(role: str, qualified: bool) -> int:
    if role in (Role.LOBBY_MANAGER, Role.LOBBY_ASSISTANT):
        return 0
    if role == Role.TELLER_HIGH:
        return 1
    if role == Role.TELLER_LOW:
        return 3 if qualified else 2
    if role == Role.WEALTH_MANAGER:
        return 4
    return 5


CELLS = [
    (role, category, action, qualified)
    for role in Role.values
    for category in ProductCategory.values
    for action in Action
    for qualified in (False, True)
]


def test_the_expected_table_covers_every_category():
    assert set(DOMAIN_TABLE) == set(ProductCategory.values)


@pytest.mark.parametrize(
    "role, category, action, qualified",
    CELLS,
    ids=[f"{r}-{c}-{a}-{'q' if q else 'nq'}" for r, c, a, q in CELLS],
)
def test_who_may_do_what_matches_the_domain_table(role, category, action, qualified):
    expected = LETTER[action] in DOMAIN_TABLE[category][_column(role, qualified)]
    decision = rules.decide(role=role, category=category, action=action, qualified=qualified)
    assert decision.allowed is expected
    # A refusal always says why and who may do it instead; an allowance says nothing.
    assert bool(decision.reason) is not expected


def test_anyone_may_refer_any_product():
    for role in Role.values:
        for category in ProductCategory.values:
            assert rules.decide(role=role, category=category, action=Action.REFER).allowed


def test_a_high_counter_teller_pitches_channel_products_only():
    assert rules.pitchable_categories(Role.TELLER_HIGH, qualified=True) == {"channel"}


def test_a_high_counter_teller_records_channel_sign_ups_only():
    assert rules.recordable_categories(Role.TELLER_HIGH, qualified=True) == {"channel"}


def test_the_qualification_opens_funds_insurance_and_wealth_to_the_low_counter_only():
    without = rules.recordable_categories(Role.TELLER_LOW, qualified=False)
    with_it = rules.recordable_categories(Role.TELLER_LOW, qualified=True)
    assert with_it - without == {"wealth", "fund", "insurance"}
    for role in (Role.TELLER_HIGH, Role.LOBBY_MANAGER, Role.WEALTH_MANAGER, Role.BRANCH_ADMIN):
        assert rules.recordable_categories(role, qualified=True) == rules.recordable_categories(
            role, qualified=False
        )


def test_lobby_staff_record_channel_sign_ups_but_no_sales():
    for role in (Role.LOBBY_MANAGER, Role.LOBBY_ASSISTANT):
        assert rules.recordable_categories(role, qualified=True) == {"channel"}


def test_a_refused_deposit_sale_at_the_high_counter_names_who_may_record_it():
    decision = rules.decide(
        role=Role.TELLER_HIGH, category=ProductCategory.DEPOSIT, action=Action.RECORD
    )
    assert not decision.allowed
    assert "Low-counter teller" in decision.reason and "Wealth manager" in decision.reason
    assert "High-counter" not in decision.reason


def test_a_refused_fund_sale_says_the_low_counter_needs_the_qualification():
    decision = rules.decide(role=Role.TELLER_LOW, category=ProductCategory.FUND, action="record")
    assert "with the sales qualification" in decision.reason


def test_unknown_roles_and_categories_are_refused():
    assert not rules.decide(role="janitor", category="fund", action="refer").allowed
    assert not rules.decide(role=Role.WEALTH_MANAGER, category="crypto", action="refer").allowed


# ---- suitability ------------------------------------------------------------------------------

TODAY = dt.date(2026, 3, 15)
LAST_MONTH = dt.date(2026, 2, 15)


def _suit(**overrides) -> rules.Decision:
    values = {
        "product_risk": 3,
        "needs_suitability": True,
        "tolerance": 3,
        "assessment_date": LAST_MONTH,
        "today": TODAY,
        "recorded_confirmed": True,
    }
    values.update(overrides)
    return rules.suitability(**values)


@pytest.mark.parametrize(
    "overrides, code, blocked",
    [
        ({}, Verdict.OK, False),
        ({"tolerance": None}, Verdict.NO_ASSESSMENT, False),
        ({"assessment_date": None}, Verdict.NO_ASSESSMENT, False),
        ({"assessment_date": dt.date(2025, 3, 15)}, Verdict.STALE_ASSESSMENT, False),
        ({"assessment_date": dt.date(2026, 3, 16)}, Verdict.STALE_ASSESSMENT, False),
        ({"product_risk": None}, Verdict.NO_RISK_LEVEL, False),
        ({"product_risk": 4}, Verdict.UNSUITABLE, True),
        ({"recorded_confirmed": False}, Verdict.NOT_RECORDED, False),
        # A mismatch is the outcome even when the recording was not confirmed: the sale is off.
        ({"product_risk": 5, "recorded_confirmed": False}, Verdict.UNSUITABLE, True),
        # Missing input is asked for before anything is judged.
        ({"product_risk": 5, "tolerance": None}, Verdict.NO_ASSESSMENT, False),
    ],
    ids=[
        "ok",
        "no-tolerance",
        "no-date",
        "twelve-months-old",
        "dated-tomorrow",
        "no-risk-level",
        "R-above-C",
        "not-recorded",
        "R-above-C-and-not-recorded",
        "R-above-C-without-assessment",
    ],
)
def test_suitability_has_one_distinct_answer_per_case(overrides, code, blocked):
    decision = _suit(**overrides)
    assert decision.code == code
    assert decision.allowed is (code == Verdict.OK)
    assert decision.blocked is blocked
    assert bool(decision.reason) is (code != Verdict.OK)


@pytest.mark.parametrize("risk", [1, 2, 3, 4, 5], ids=lambda r: f"R{r}")
@pytest.mark.parametrize("tolerance", [1, 2, 3, 4, 5], ids=lambda c: f"C{c}")
def test_a_sale_is_suitable_only_when_risk_is_at_most_tolerance(risk, tolerance):
    decision = _suit(product_risk=risk, tolerance=tolerance)
    assert decision.allowed is (risk <= tolerance)
    assert decision.blocked is (risk > tolerance)


def test_a_product_without_suitability_needs_no_assessment_nor_recording():
    decision = _suit(
        needs_suitability=False,
        product_risk=None,
        tolerance=None,
        assessment_date=None,
        recorded_confirmed=False,
    )
    assert decision == rules.ALLOWED


@pytest.mark.parametrize(
    "signed, today, current",
    [
        (dt.date(2025, 3, 15), dt.date(2026, 3, 14), True),  # the last day
        (dt.date(2025, 3, 15), dt.date(2026, 3, 15), False),  # the anniversary
        (dt.date(2025, 3, 31), dt.date(2026, 2, 28), True),
        (dt.date(2025, 3, 31), dt.date(2026, 3, 30), True),
        (dt.date(2025, 3, 31), dt.date(2026, 3, 31), False),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), True),  # signed on a leap day
        (dt.date(2024, 2, 29), dt.date(2025, 3, 1), False),
        (dt.date(2025, 12, 31), dt.date(2026, 12, 30), True),  # across the year end
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31), False),
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15), True),  # signed today
        (dt.date(2026, 3, 16), dt.date(2026, 3, 15), False),  # dated in the future
    ],
)
def test_an_assessment_is_valid_for_twelve_months(signed, today, current):
    assert rules.assessment_is_current(signed, today) is current
    decision = _suit(assessment_date=signed, today=today)
    assert decision.allowed is current


def test_a_basket_is_refused_for_missing_input_before_a_mismatch_blocks_it():
    ok, blocked = _suit(), _suit(product_risk=5)
    missing, unrecorded = _suit(tolerance=None), _suit(recorded_confirmed=False)
    assert rules.basket([]) == rules.ALLOWED
    assert rules.basket([ok, ok]) == rules.ALLOWED
    assert rules.basket([ok, unrecorded, blocked]).code == Verdict.UNSUITABLE
    assert rules.basket([blocked, missing]).code == Verdict.NO_ASSESSMENT
    assert rules.basket([ok, unrecorded]).code == Verdict.NOT_RECORDED
