"""The referral lifecycle: every legal move, every illegal one, suitability, follow-ups, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lobby.choices import Cue, Role
from products.choices import ProductCategory
from referrals import services
from referrals.models import (
    CLOSED_STATUSES,
    TRANSITIONS,
    FollowUp,
    Referral,
    Sale,
    Stage,
    Status,
    Transition,
)
from referrals.services import AlreadyClaimed, ReferralError
from tests.conftest import make_staff
from tests.referrals.conftest import drive_to, make_product, recent_assessment, refer_to_pool

pytestmark = pytest.mark.django_db

LEGAL = [(frm, to) for frm, tos in TRANSITIONS.items() for to in sorted(tos)]
ILLEGAL = [
    (frm, to)
    for frm in Status.values
    for to in Status.values
    if to not in TRANSITIONS.get(frm, ()) and to != frm
]


def _do(to: str, referral: Referral, *, referrer, holder, sale=None) -> Referral:
    """Ask the service that leads to `to` to move `referral` there."""
    pk = referral.pk
    actor = referral.claimed_by or holder
    if to == Status.ACCEPTED:
        return services.accept(referral_id=pk, actor=holder)
    if to == Status.IN_CONSULTATION:
        return services.start_consultation(referral_id=pk, actor=actor)
    if to == Status.CREATED:
        return services.hand_back(referral_id=pk, actor=actor, reason="called to a meeting")
    if to == Status.CANCELLED:
        return services.cancel(referral_id=pk, actor=referrer)
    if to == Status.EXPIRED:
        return services.expire(referral_id=pk)
    sales = [(sale, "lt50k")] if to == Status.CONVERTED else []
    return services.close(referral_id=pk, actor=actor, outcome=to, sales=sales)


# ---- refer ---------------------------------------------------------------------------------


def test_refer_to_the_pool_records_stage_referrer_and_first_trail_entry(lobby_manager):
    referral = refer_to_pool(
        lobby_manager, need="wealth_consult", signals=[Cue.ASKING_RATES], is_vip=True
    )
    assert referral.status == Status.CREATED
    assert referral.referrer_role == Role.LOBBY_MANAGER
    assert referral.target_staff is None
    trail = list(referral.transitions.values_list("from_status", "to_status", "actor"))
    assert trail == [("", Status.CREATED, lobby_manager.pk)]


def test_refer_to_a_named_colleague_takes_their_role(lobby_manager, wealth_manager):
    referral = services.refer(actor=lobby_manager, stage=Stage.SECOND, target_staff=wealth_manager)
    assert referral.target_role == Role.WEALTH_MANAGER
    assert referral.target_staff == wealth_manager


def test_refer_keeps_the_tablets_keyword_signature(lobby_manager, fund):
    referral = services.refer(
        actor=lobby_manager,
        stage="first",
        target_role=Role.WEALTH_MANAGER,
        visit=None,
        ticket=None,
        need="wealth_purchase",
        signals=["browsing_brochure"],
        is_vip=False,
        product=fund,
        note="asks about funds",
    )
    assert referral.product == fund


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stage": "fourth"}, "stage"),
        ({"target_role": "janitor"}, "role"),
    ],
)
def test_refer_refuses_bad_input(lobby_manager, kwargs, message):
    with pytest.raises(ReferralError, match=message):
        services.refer(actor=lobby_manager, **{"stage": Stage.FIRST, **kwargs})
    assert not Referral.objects.exists()


def test_cannot_refer_to_someone_in_another_branch(lobby_manager, outsider):
    with pytest.raises(ReferralError):
        services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=outsider)


def test_cannot_refer_to_oneself(wealth_manager):
    with pytest.raises(ReferralError):
        services.refer(actor=wealth_manager, stage=Stage.THIRD, target_staff=wealth_manager)


def test_only_a_teller_passes_on_account_signals(lobby_manager, teller_high):
    with pytest.raises(ReferralError):
        refer_to_pool(lobby_manager, signals=[Cue.LARGE_IDLE_BALANCE])
    referral = refer_to_pool(teller_high, stage=Stage.THIRD, signals=[Cue.LARGE_IDLE_BALANCE])
    assert referral.signals == [Cue.LARGE_IDLE_BALANCE]


# ---- every legal and illegal transition ----------------------------------------------------


@pytest.mark.parametrize("frm, to", LEGAL)
def test_every_legal_transition_is_done_and_trailed(
    frm, to, lobby_manager, wealth_manager, deposit
):
    referral = drive_to(frm, referrer=lobby_manager, holder=wealth_manager)
    before = referral.transitions.count()
    moved = _do(to, referral, referrer=lobby_manager, holder=wealth_manager, sale=deposit)
    moved.refresh_from_db()
    assert moved.status == to
    last = moved.transitions.last()
    assert (last.from_status, last.to_status) == (frm, to)
    assert moved.transitions.count() == before + 1
    if to in CLOSED_STATUSES:
        assert moved.closed_at is not None


@pytest.mark.parametrize("frm, to", ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_message(
    frm, to, lobby_manager, wealth_manager, deposit
):
    referral = drive_to(frm, referrer=lobby_manager, holder=wealth_manager, sale=deposit)
    trail = referral.transitions.count()
    with pytest.raises(ReferralError) as info:
        _do(to, referral, referrer=lobby_manager, holder=wealth_manager, sale=deposit)
    assert str(info.value)
    referral.refresh_from_db()
    assert referral.status == frm
    assert referral.transitions.count() == trail


def test_the_trail_cannot_be_skipped_a_created_referral_cannot_be_closed(
    lobby_manager, wealth_manager
):
    referral = refer_to_pool(lobby_manager)
    with pytest.raises(ReferralError):
        services.close(referral_id=referral.pk, actor=wealth_manager, outcome=Status.NOT_CONVERTED)


# ---- who may act ---------------------------------------------------------------------------


def test_claim_tells_the_loser_who_has_the_customer(lobby_manager, wealth_manager, wealth_manager2):
    referral = refer_to_pool(lobby_manager)
    services.accept(referral_id=referral.pk, actor=wealth_manager)
    with pytest.raises(AlreadyClaimed, match="Charlie"):
        services.accept(referral_id=referral.pk, actor=wealth_manager2)


def test_claiming_twice_says_you_already_have_it(lobby_manager, wealth_manager):
    referral = refer_to_pool(lobby_manager)
    services.accept(referral_id=referral.pk, actor=wealth_manager)
    with pytest.raises(ReferralError, match="already"):
        services.accept(referral_id=referral.pk, actor=wealth_manager)


@pytest.mark.parametrize("who", ["teller_high", "lobby_assistant", "branch_admin"])
def test_wrong_role_cannot_claim_a_wealth_pool_referral(request, lobby_manager, who):
    referral = refer_to_pool(lobby_manager)
    with pytest.raises(ReferralError, match="not addressed to you"):
        services.accept(referral_id=referral.pk, actor=request.getfixturevalue(who))
    assert Referral.objects.get(pk=referral.pk).status == Status.CREATED


def test_a_wealth_manager_of_another_branch_cannot_claim(lobby_manager, other_branch):
    stranger = make_staff(other_branch, "frank", Role.WEALTH_MANAGER, "Frank")
    referral = refer_to_pool(lobby_manager)
    with pytest.raises(ReferralError):
        services.accept(referral_id=referral.pk, actor=stranger)


def test_a_named_referral_is_claimed_only_by_that_person(
    lobby_manager, wealth_manager, wealth_manager2
):
    referral = services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)
    with pytest.raises(ReferralError):
        services.accept(referral_id=referral.pk, actor=wealth_manager2)
    assert (
        services.accept(referral_id=referral.pk, actor=wealth_manager).claimed_by == wealth_manager
    )


@pytest.mark.parametrize(
    "action",
    [
        lambda pk, actor: services.start_consultation(referral_id=pk, actor=actor),
        lambda pk, actor: services.hand_back(referral_id=pk, actor=actor, reason="x"),
        lambda pk, actor: services.close(referral_id=pk, actor=actor, outcome=Status.DECLINED),
    ],
    ids=["start", "hand_back", "close"],
)
def test_only_the_holder_can_move_a_claimed_referral(
    action, lobby_manager, wealth_manager, wealth_manager2, outsider
):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    for intruder in (wealth_manager2, lobby_manager, outsider):
        with pytest.raises(ReferralError):
            action(referral.pk, intruder)
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_cancel_by_referrer_or_lobby_manager_only(
    lobby_assistant, lobby_manager, wealth_manager, teller_high, outsider
):
    referral = refer_to_pool(lobby_assistant)
    for intruder in (wealth_manager, teller_high, outsider):
        with pytest.raises(ReferralError):
            services.cancel(referral_id=referral.pk, actor=intruder)
    services.cancel(referral_id=referral.pk, actor=lobby_manager, reason="customer left")
    assert Referral.objects.get(pk=referral.pk).status == Status.CANCELLED


def test_hand_back_needs_a_reason_and_returns_the_customer_to_the_pool(
    lobby_manager, wealth_manager
):
    referral = services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)
    services.accept(referral_id=referral.pk, actor=wealth_manager)
    with pytest.raises(ReferralError):
        services.hand_back(referral_id=referral.pk, actor=wealth_manager, reason="  ")
    back = services.hand_back(referral_id=referral.pk, actor=wealth_manager, reason="meeting")
    assert (back.status, back.claimed_by, back.target_staff) == (Status.CREATED, None, None)
    assert back.transitions.last().reason == "meeting"


def test_a_named_receiver_can_decline_to_the_pool_with_a_reason(
    lobby_manager, wealth_manager, wealth_manager2
):
    referral = services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)
    with pytest.raises(ReferralError):
        services.decline(referral_id=referral.pk, actor=wealth_manager, reason="")
    with pytest.raises(ReferralError):
        services.decline(referral_id=referral.pk, actor=wealth_manager2, reason="busy")
    services.decline(referral_id=referral.pk, actor=wealth_manager, reason="with a client")
    referral.refresh_from_db()
    assert referral.target_staff is None and referral.status == Status.CREATED
    assert services.accept(referral_id=referral.pk, actor=wealth_manager2).claimed_by_id == (
        wealth_manager2.pk
    )


def test_a_pool_referral_cannot_be_declined(lobby_manager, wealth_manager):
    referral = refer_to_pool(lobby_manager)
    with pytest.raises(ReferralError):
        services.decline(referral_id=referral.pk, actor=wealth_manager, reason="busy")


# ---- closing: sales, suitability, 双录, quality ---------------------------------------------


def _in_consultation(lobby_manager, holder) -> Referral:
    return drive_to(Status.IN_CONSULTATION, referrer=lobby_manager, holder=holder)


@pytest.mark.parametrize("risk", [1, 2, 3, 4, 5], ids=lambda r: f"R{r}")
@pytest.mark.parametrize("tolerance", [1, 2, 3, 4, 5], ids=lambda c: f"C{c}")
def test_suitability_for_every_product_risk_and_customer_tolerance(
    risk, tolerance, lobby_manager, wealth_manager
):
    product = make_product(f"fund_r{risk}", category=ProductCategory.FUND, risk=risk)
    referral = _in_consultation(lobby_manager, wealth_manager)
    closed = services.close(
        referral_id=referral.pk,
        actor=wealth_manager,
        outcome=Status.CONVERTED,
        sales=[(product, "50k_200k")],
        risk_tolerance=tolerance,
        assessment_date=recent_assessment(),
        recorded_confirmed=True,
        quality=4,
    )
    if risk <= tolerance:
        assert closed.status == Status.CONVERTED
        assert Sale.objects.filter(referral=closed, product=product).count() == 1
    else:
        assert closed.status == Status.BLOCKED_SUITABILITY
        assert not Sale.objects.filter(referral=closed).exists()
        assert f"R{risk}" in closed.transitions.last().reason


def test_a_mismatch_blocks_the_whole_basket(lobby_manager, wealth_manager, deposit):
    risky = make_product("fund_r5", risk=5)
    referral = _in_consultation(lobby_manager, wealth_manager)
    closed = services.close(
        referral_id=referral.pk,
        actor=wealth_manager,
        outcome=Status.CONVERTED,
        sales=[(deposit, "lt50k"), (risky, "lt50k")],
        risk_tolerance=2,
        assessment_date=recent_assessment(),
        recorded_confirmed=True,
    )
    assert closed.status == Status.BLOCKED_SUITABILITY
    assert not Sale.objects.exists()


def test_an_assessment_older_than_12_months_is_refused(lobby_manager, wealth_manager, fund):
    referral = _in_consultation(lobby_manager, wealth_manager)
    old = timezone.localdate() - dt.timedelta(days=366)
    with pytest.raises(ReferralError, match="12 months"):
        services.close(
            referral_id=referral.pk,
            actor=wealth_manager,
            outcome=Status.CONVERTED,
            sales=[(fund, "lt50k")],
            risk_tolerance=5,
            assessment_date=old,
            recorded_confirmed=True,
        )
    referral.refresh_from_db()
    assert referral.status == Status.IN_CONSULTATION
    assert not Sale.objects.exists()


def test_an_investment_sale_needs_an_assessment(lobby_manager, wealth_manager, fund):
    referral = _in_consultation(lobby_manager, wealth_manager)
    with pytest.raises(ReferralError, match="risk tolerance"):
        services.close(
            referral_id=referral.pk,
            actor=wealth_manager,
            outcome=Status.CONVERTED,
            sales=[(fund, "lt50k")],
            recorded_confirmed=True,
        )


def test_an_investment_sale_needs_the_recording_confirmation(lobby_manager, wealth_manager, fund):
    referral = _in_consultation(lobby_manager, wealth_manager)
    with pytest.raises(ReferralError, match="双录"):
        services.close(
            referral_id=referral.pk,
            actor=wealth_manager,
            outcome=Status.CONVERTED,
            sales=[(fund, "lt50k")],
            risk_tolerance=4,
            assessment_date=recent_assessment(),
        )
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_CONSULTATION


@pytest.mark.parametrize("teller", ["teller_high", "teller_low"])
def test_a_teller_cannot_record_an_investment_sale(request, lobby_manager, teller, fund):
    staff = request.getfixturevalue(teller)
    referral = services.refer(actor=lobby_manager, stage=Stage.SECOND, target_staff=staff)
    services.accept(referral_id=referral.pk, actor=staff)
    services.start_consultation(referral_id=referral.pk, actor=staff)
    with pytest.raises(ReferralError, match="Wealth manager"):
        services.close(
            referral_id=referral.pk,
            actor=staff,
            outcome=Status.CONVERTED,
            sales=[(fund, "lt50k")],
            risk_tolerance=5,
            assessment_date=recent_assessment(),
            recorded_confirmed=True,
        )
    assert not Sale.objects.exists()


def test_a_high_counter_teller_can_record_a_channel_product(lobby_manager, teller_high):
    app = make_product("app", category=ProductCategory.CHANNEL, risk=1)
    referral = services.refer(actor=lobby_manager, stage=Stage.SECOND, target_staff=teller_high)
    services.accept(referral_id=referral.pk, actor=teller_high)
    services.start_consultation(referral_id=referral.pk, actor=teller_high)
    closed = services.close(
        referral_id=referral.pk, actor=teller_high, outcome=Status.CONVERTED, sales=[(app, "lt50k")]
    )
    assert closed.status == Status.CONVERTED


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"outcome": "won"}, "ended"),
        ({"outcome": Status.CONVERTED}, "at least one product"),
        ({"outcome": Status.NOT_CONVERTED, "quality": 6}, "1 to 5"),
        ({"outcome": Status.NOT_CONVERTED, "quality": 0}, "1 to 5"),
        ({"outcome": Status.CANCELLED}, "ended"),
    ],
)
def test_close_refuses_bad_input(lobby_manager, wealth_manager, kwargs, message):
    referral = _in_consultation(lobby_manager, wealth_manager)
    with pytest.raises(ReferralError, match=message):
        services.close(referral_id=referral.pk, actor=wealth_manager, **kwargs)


def test_products_only_with_a_converted_outcome(lobby_manager, wealth_manager, deposit):
    referral = _in_consultation(lobby_manager, wealth_manager)
    with pytest.raises(ReferralError):
        services.close(
            referral_id=referral.pk,
            actor=wealth_manager,
            outcome=Status.NOT_CONVERTED,
            sales=[(deposit, "lt50k")],
        )


def test_close_stores_quality_assessment_and_recording(lobby_manager, wealth_manager, fund):
    referral = _in_consultation(lobby_manager, wealth_manager)
    signed = recent_assessment()
    closed = services.close(
        referral_id=referral.pk,
        actor=wealth_manager,
        outcome=Status.CONVERTED,
        sales=[(fund, "200k_1m")],
        risk_tolerance=3,
        assessment_date=signed,
        recorded_confirmed=True,
        quality=5,
        note="bought for a grandchild",
    )
    closed.refresh_from_db()
    assert (closed.quality, closed.risk_tolerance, closed.assessment_date) == (5, 3, signed)
    assert closed.recorded_confirmed
    assert closed.sales.get().sold_by == wealth_manager
    assert closed.transitions.last().reason == "bought for a grandchild"


# ---- follow-ups ----------------------------------------------------------------------------


def test_close_can_plan_a_follow_up(lobby_manager, wealth_manager, deposit):
    referral = _in_consultation(lobby_manager, wealth_manager)
    due = timezone.localdate() + dt.timedelta(days=7)
    services.close(
        referral_id=referral.pk,
        actor=wealth_manager,
        outcome=Status.CONVERTED,
        sales=[(deposit, "lt50k")],
        follow_up_due=due,
    )
    assert FollowUp.objects.get().due_date == due


def test_follow_ups_are_planned_and_done_by_their_owner(
    lobby_manager, wealth_manager, wealth_manager2
):
    referral = drive_to(Status.NOT_CONVERTED, referrer=lobby_manager, holder=wealth_manager)
    today = timezone.localdate()
    with pytest.raises(ReferralError):
        services.schedule_follow_up(referral_id=referral.pk, actor=wealth_manager2, due_date=today)
    with pytest.raises(ReferralError):
        services.schedule_follow_up(
            referral_id=referral.pk, actor=wealth_manager, due_date=today - dt.timedelta(days=1)
        )
    follow_up = services.schedule_follow_up(
        referral_id=referral.pk, actor=wealth_manager, due_date=today, note="call back"
    )
    with pytest.raises(ReferralError):
        services.complete_follow_up(follow_up_id=follow_up.pk, actor=wealth_manager2)
    services.complete_follow_up(follow_up_id=follow_up.pk, actor=wealth_manager)
    with pytest.raises(ReferralError):
        services.complete_follow_up(follow_up_id=follow_up.pk, actor=wealth_manager)
    assert not FollowUp.objects.pending().exists()


def test_no_follow_up_for_a_customer_never_served(lobby_manager, wealth_manager):
    referral = drive_to(Status.CANCELLED, referrer=lobby_manager, holder=wealth_manager)
    with pytest.raises(ReferralError):
        services.schedule_follow_up(
            referral_id=referral.pk, actor=wealth_manager, due_date=timezone.localdate()
        )


# ---- overdue and expiry --------------------------------------------------------------------


def _age(referral: Referral, seconds: int) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_an_unclaimed_referral_past_the_limit_is_flagged_overdue_once(lobby_manager, branch):
    fresh = refer_to_pool(lobby_manager)
    old = refer_to_pool(lobby_manager)
    _age(old, branch.referral_expiry_seconds + 1)
    assert services.tick() == ([old.pk], [])
    assert services.tick() == ([], [])
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.overdue_at is not None and old.status == Status.CREATED
    assert fresh.overdue_at is None


def test_an_overdue_referral_can_still_be_claimed(lobby_manager, wealth_manager, branch):
    referral = refer_to_pool(lobby_manager)
    _age(referral, branch.referral_expiry_seconds + 1)
    services.tick()
    assert services.accept(referral_id=referral.pk, actor=wealth_manager).status == Status.ACCEPTED


def test_the_branch_limit_is_used(lobby_manager, branch):
    branch.referral_expiry_seconds = 30
    branch.save()
    referral = refer_to_pool(lobby_manager)
    _age(referral, 31)
    assert services.flag_overdue() == [referral.pk]


def test_still_unclaimed_after_the_second_limit_it_expires(lobby_manager, branch):
    referral = refer_to_pool(lobby_manager)
    claimed = refer_to_pool(lobby_manager)
    limit = branch.referral_expiry_seconds
    _age(referral, limit * services.EXPIRE_FACTOR + 1)
    _flagged, expired = services.tick()
    assert expired == [referral.pk]
    referral.refresh_from_db()
    assert referral.status == Status.EXPIRED
    assert referral.transitions.last().actor is None
    assert Referral.objects.get(pk=claimed.pk).status == Status.CREATED


def test_a_claimed_referral_never_expires(lobby_manager, wealth_manager, branch):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    _age(referral, branch.referral_expiry_seconds * 100)
    assert services.tick() == ([], [])


def test_the_trail_records_every_move_in_order(lobby_manager, wealth_manager):
    referral = drive_to(Status.IN_CONSULTATION, referrer=lobby_manager, holder=wealth_manager)
    assert list(
        Transition.objects.filter(referral=referral).values_list("to_status", flat=True)
    ) == [Status.CREATED, Status.ACCEPTED, Status.IN_CONSULTATION]
