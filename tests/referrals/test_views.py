"""The wealth manager's queue, the sent panel and the actions, over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lobby.choices import Cue, Role
from referrals import services
from referrals.models import FollowUp, Referral, Stage, Status
from tests.conftest import make_staff
from tests.referrals.conftest import drive_to, make_product, recent_assessment, refer_to_pool

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def wm_client(client, wealth_manager):
    client.force_login(wealth_manager.user)
    return client


def _queue(client, **params):
    return client.get(
        reverse("referrals:queue"), params, HTTP_ACCEPT_LANGUAGE="en", **HTMX if params else {}
    )


def test_queue_page_shows_pool_and_my_customers(wm_client, lobby_manager, wealth_manager):
    refer_to_pool(lobby_manager, note="asks about gold", is_vip=True)
    held = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    page = wm_client.get(reverse("referrals:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="pool-queue"' in page and 'id="my-referrals"' in page
    assert "asks about gold" in page
    assert f'id="held-{held.pk}"' in page
    assert 'id="mute-toggle"' in page
    assert "lobby/queue.css" in page


def test_queue_part_answers_only_that_region_for_htmx(wm_client, lobby_manager):
    referral = refer_to_pool(lobby_manager)
    response = wm_client.get(reverse("referrals:queue"), {"part": "pool"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and f'id="pool-{referral.pk}"' in html
    assert wm_client.get(reverse("referrals:queue"), {"part": "bogus"}, **HTMX).status_code == 400


def test_pool_lists_vip_first_then_longest_waiting(wm_client, lobby_manager):
    first = refer_to_pool(lobby_manager)
    second = refer_to_pool(lobby_manager)
    vip = refer_to_pool(lobby_manager, is_vip=True)
    html = wm_client.get(reverse("referrals:queue"), {"part": "pool"}, **HTMX).content.decode()
    order = [html.index(f'id="pool-{r.pk}"') for r in (vip, first, second)]
    assert order == sorted(order)


def test_pool_row_carries_an_ageing_clock_from_the_branch_limit(wm_client, lobby_manager, branch):
    branch.referral_expiry_seconds = 120
    branch.save()
    refer_to_pool(lobby_manager)
    html = wm_client.get(reverse("referrals:queue"), {"part": "pool"}, **HTMX).content.decode()
    assert 'data-warn-after="60"' in html and 'data-late-after="120"' in html
    assert "data-since=" in html and "data-alert=" in html


@pytest.mark.parametrize("who", ["lobby_manager", "teller_high", "branch_admin"])
def test_only_wealth_managers_open_the_queue(client, request, who):
    client.force_login(request.getfixturevalue(who).user)
    assert client.get(reverse("referrals:queue")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(reverse("referrals:queue")).status_code == 302
    assert client.get(reverse("referrals:sent")).status_code == 302


def test_account_signals_stay_off_the_shared_pool_but_reach_the_holder(
    wm_client, teller_high, wealth_manager
):
    referral = refer_to_pool(
        teller_high, stage=Stage.THIRD, signals=[Cue.LARGE_IDLE_BALANCE, Cue.ASKING_RATES]
    )
    secret = str(Cue.LARGE_IDLE_BALANCE.label)
    pool = wm_client.get(
        reverse("referrals:queue"), {"part": "pool"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX
    ).content.decode()
    assert str(Cue.ASKING_RATES.label) in pool and secret not in pool
    services.accept(referral_id=referral.pk, actor=wealth_manager)
    mine = wm_client.get(
        reverse("referrals:queue"), {"part": "mine"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX
    ).content.decode()
    assert secret in mine


def test_sent_panel_never_shows_account_signals(client, teller_high):
    refer_to_pool(teller_high, stage=Stage.THIRD, signals=[Cue.LARGE_ACCOUNT_SWING])
    client.force_login(teller_high.user)
    html = client.get(reverse("referrals:sent"), HTTP_ACCEPT_LANGUAGE="en", **HTMX).content.decode()
    assert str(Cue.LARGE_ACCOUNT_SWING.label) not in html


def test_masked_label_from_the_visit_is_what_screens_show(wm_client, lobby_manager):
    from lobby.models import Visit

    visit = Visit.objects.create(
        branch=lobby_manager.branch,
        checked_in_by=lobby_manager,
        prejudgement="vip",
        business_types=["wealth_consult"],
        label="王先生",
        destination="wealth",
    )
    refer_to_pool(lobby_manager, visit=visit)
    html = wm_client.get(reverse("referrals:queue"), {"part": "pool"}, **HTMX).content.decode()
    assert "王先生" in html


def _many(lobby_manager, wealth_manager, n: int) -> None:
    product = make_product(f"dep_many_{n}", category="deposit", risk=1)
    for i in range(n):
        refer_to_pool(lobby_manager, is_vip=bool(i % 2), product=product, note=f"n{i}")
    for status in (Status.ACCEPTED, Status.IN_CONSULTATION, Status.CONVERTED):
        for _ in range(n // 3):
            drive_to(status, referrer=lobby_manager, holder=wealth_manager, sale=product)
    for referral in Referral.objects.filter(status=Status.CONVERTED):
        services.schedule_follow_up(
            referral_id=referral.pk, actor=wealth_manager, due_date=timezone.localdate()
        )
    services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)


@pytest.mark.parametrize("n", [3, 15])
def test_queue_page_runs_a_constant_number_of_queries(
    wm_client, lobby_manager, wealth_manager, catalogue, n, django_assert_max_num_queries
):
    _many(lobby_manager, wealth_manager, n)
    with django_assert_max_num_queries(14):
        response = wm_client.get(reverse("referrals:queue"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 15])
def test_sent_panel_runs_a_constant_number_of_queries(
    client, lobby_manager, wealth_manager, n, django_assert_max_num_queries
):
    _many(lobby_manager, wealth_manager, n)
    Referral.objects.filter(status=Status.CREATED).update(overdue_at=timezone.now())
    client.force_login(lobby_manager.user)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("referrals:sent"), **HTMX)
    assert response.status_code == 200


# ---- actions -------------------------------------------------------------------------------


def test_claim_over_htmx_moves_the_customer_to_me(wm_client, lobby_manager, wealth_manager):
    referral = refer_to_pool(lobby_manager)
    response = wm_client.post(reverse("referrals:claim", args=[referral.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert 'id="my-referrals" hx-swap-oob="innerHTML"' in html
    assert f'id="held-{referral.pk}"' in html and f'id="pool-{referral.pk}"' not in html
    assert Referral.objects.get(pk=referral.pk).claimed_by == wealth_manager


def test_a_late_claim_is_told_who_has_the_customer(
    client, lobby_manager, wealth_manager, wealth_manager2
):
    referral = refer_to_pool(lobby_manager)
    services.accept(referral_id=referral.pk, actor=wealth_manager)
    client.force_login(wealth_manager2.user)
    response = client.post(
        reverse("referrals:claim", args=[referral.pk]), HTTP_ACCEPT_LANGUAGE="en", **HTMX
    )
    assert response.status_code == 409 and response["X-Refused"] == "1"
    html = response.content.decode()
    assert "Charlie has already taken this customer." in html
    assert 'class="notice error' in html


def test_a_referral_of_another_branch_is_not_found(client, other_branch, lobby_manager):
    stranger = make_staff(other_branch, "frank", Role.WEALTH_MANAGER, "Frank")
    referral = refer_to_pool(lobby_manager)
    client.force_login(stranger.user)
    for name in ("claim", "start", "close", "hand_back", "cancel", "decline", "follow_up"):
        assert (
            client.post(reverse(f"referrals:{name}", args=[referral.pk]), **HTMX).status_code == 404
        )
    assert Referral.objects.get(pk=referral.pk).status == Status.CREATED


def test_a_teller_cannot_claim_a_wealth_referral_over_http(client, lobby_manager, teller_low):
    referral = refer_to_pool(lobby_manager)
    client.force_login(teller_low.user)
    response = client.post(
        reverse("referrals:claim", args=[referral.pk]), HTTP_ACCEPT_LANGUAGE="en", **HTMX
    )
    assert response.status_code == 400
    assert "not addressed to you" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.CREATED


def test_actions_need_post(wm_client, lobby_manager):
    referral = refer_to_pool(lobby_manager)
    assert wm_client.get(reverse("referrals:claim", args=[referral.pk])).status_code == 405


def test_without_htmx_an_action_redirects_with_a_message(wm_client, lobby_manager):
    referral = refer_to_pool(lobby_manager)
    response = wm_client.post(reverse("referrals:claim", args=[referral.pk]))
    assert response.status_code == 302 and response.url == reverse("referrals:queue")


def test_full_flow_start_and_close_with_an_investment_sale(
    wm_client, lobby_manager, wealth_manager, fund
):
    referral = refer_to_pool(lobby_manager)
    wm_client.post(reverse("referrals:claim", args=[referral.pk]), **HTMX)
    html = wm_client.post(reverse("referrals:start", args=[referral.pk]), **HTMX).content.decode()
    assert f'id="close-{referral.pk}"' in html  # the closing form shows in consultation
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    wm_client.post(
        reverse("referrals:close", args=[referral.pk]),
        {
            "outcome": "converted",
            "product_1": fund.code,
            "band_1": "50k_200k",
            "risk_tolerance": "4",
            "assessment_date": recent_assessment().isoformat(),
            "recorded_confirmed": "1",
            "quality": "5",
            "follow_up_due": due,
        },
        **HTMX,
    )
    referral.refresh_from_db()
    assert referral.status == Status.CONVERTED and referral.quality == 5
    assert FollowUp.objects.get().due_date.isoformat() == due


def test_close_with_an_unsuitable_product_says_it_was_blocked(
    wm_client, lobby_manager, wealth_manager
):
    risky = make_product("fund_r5", risk=5)
    referral = drive_to(Status.IN_CONSULTATION, referrer=lobby_manager, holder=wealth_manager)
    html = wm_client.post(
        reverse("referrals:close", args=[referral.pk]),
        {
            "outcome": "converted",
            "product_1": risky.code,
            "band_1": "lt50k",
            "risk_tolerance": "2",
            "assessment_date": recent_assessment().isoformat(),
            "recorded_confirmed": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        **HTMX,
    ).content.decode()
    assert "blocked by suitability" in html
    assert Referral.objects.get(pk=referral.pk).status == Status.BLOCKED_SUITABILITY


def test_close_with_bad_date_is_a_400_with_the_message_not_a_crash(
    wm_client, lobby_manager, wealth_manager
):
    referral = drive_to(Status.IN_CONSULTATION, referrer=lobby_manager, holder=wealth_manager)
    response = wm_client.post(
        reverse("referrals:close", args=[referral.pk]),
        {"outcome": "not_converted", "assessment_date": "yesterday", "quality": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
        **HTMX,
    )
    assert response.status_code == 400 and response["X-Refused"] == "1"
    assert "YYYY-MM-DD" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_CONSULTATION


def test_hand_back_and_decline_over_http(wm_client, lobby_manager, wealth_manager):
    named = services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)
    wm_client.post(reverse("referrals:decline", args=[named.pk]), {"reason": "busy"}, **HTMX)
    assert Referral.objects.get(pk=named.pk).target_staff is None
    held = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    wm_client.post(reverse("referrals:hand_back", args=[held.pk]), {"reason": "lunch"}, **HTMX)
    assert Referral.objects.get(pk=held.pk).status == Status.CREATED


def test_follow_up_due_today_list_and_done(wm_client, lobby_manager, wealth_manager):
    referral = drive_to(Status.NOT_CONVERTED, referrer=lobby_manager, holder=wealth_manager)
    today = timezone.localdate().isoformat()
    wm_client.post(
        reverse("referrals:follow_up", args=[referral.pk]),
        {"due_date": today, "note": "rates"},
        **HTMX,
    )
    follow_up = FollowUp.objects.get()
    html = wm_client.get(
        reverse("referrals:queue"), {"part": "follow_ups"}, **HTMX
    ).content.decode()
    assert f'id="follow-{follow_up.pk}"' in html and "rates" in html
    wm_client.post(reverse("referrals:follow_up_done", args=[follow_up.pk]), **HTMX)
    assert FollowUp.objects.get().done_at is not None


def test_overdue_follow_ups_show_in_the_due_today_list(wm_client, lobby_manager, wealth_manager):
    referral = drive_to(Status.NOT_CONVERTED, referrer=lobby_manager, holder=wealth_manager)
    late = FollowUp.objects.create(
        referral=referral,
        owner=wealth_manager,
        due_date=timezone.localdate() - dt.timedelta(days=2),
    )
    html = wm_client.get(
        reverse("referrals:queue"), {"part": "follow_ups"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX
    ).content.decode()
    assert f'id="follow-{late.pk}" class="late"' in html and "overdue since" in html


def test_my_numbers_today(wm_client, lobby_manager, wealth_manager, deposit):
    drive_to(Status.CONVERTED, referrer=lobby_manager, holder=wealth_manager, sale=deposit)
    drive_to(Status.NOT_CONVERTED, referrer=lobby_manager, holder=wealth_manager)
    drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    response = wm_client.get(reverse("referrals:queue"), {"part": "numbers"}, **HTMX)
    numbers = response.context["numbers"]
    assert (numbers["taken"], numbers["closed"], numbers["converted"], numbers["rate"]) == (
        3,
        2,
        1,
        50,
    )


# ---- sent panel and the refer endpoint ----------------------------------------------------


def test_sent_lists_my_referrals_today_with_status(client, lobby_manager, wealth_manager):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    client.force_login(lobby_manager.user)
    html = client.get(reverse("referrals:sent"), HTTP_ACCEPT_LANGUAGE="en", **HTMX).content.decode()
    assert f'id="sent-{referral.pk}" data-status="accepted"' in html
    assert "Charlie" in html and "<html" not in html


def test_sent_full_page_has_a_refer_form(client, teller_high):
    client.force_login(teller_high.user)
    html = client.get(reverse("referrals:sent")).content.decode()
    assert 'id="refer-form"' in html and 'id="sent-referrals"' in html


def test_lobby_staff_see_overdue_referrals_in_the_sent_panel(
    client, lobby_manager, lobby_assistant
):
    referral = refer_to_pool(lobby_assistant)
    Referral.objects.filter(pk=referral.pk).update(overdue_at=timezone.now())
    client.force_login(lobby_manager.user)
    html = client.get(reverse("referrals:sent"), **HTMX).content.decode()
    assert f'data-alert="overdue-{referral.pk}"' in html


def test_refer_endpoint_creates_a_pool_referral(client, lobby_manager, catalogue):
    client.force_login(lobby_manager.user)
    response = client.post(
        reverse("referrals:refer"),
        {
            "to": "role:wealth_manager",
            "stage": "second",
            "product": "large_cd",
            "note": "n",
            "vip": "1",
        },
        **HTMX,
    )
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert (referral.stage, referral.is_vip, referral.product.code) == ("second", True, "large_cd")
    html = response.content.decode()
    # The answer is the new row for the referrer's list and the message, not the whole list.
    assert f'<li id="sent-{referral.pk}" hx-swap-oob="delete">' in html
    assert f'id="sent-{referral.pk}" data-status="created"' in html
    assert 'id="sent-referrals"' not in html and 'id="queue-flash"' in html


def test_cancelling_from_the_overdue_box_answers_with_the_box(
    client, lobby_manager, lobby_assistant
):
    referral = refer_to_pool(lobby_assistant)
    Referral.objects.filter(pk=referral.pk).update(overdue_at=timezone.now())
    client.force_login(lobby_manager.user)
    html = client.post(
        reverse("referrals:cancel", args=[referral.pk]), {"reason": "overdue"}, **HTMX
    ).content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.CANCELLED
    # Not Alice's referral: no row joins her list, but her overdue box is re-read without it.
    assert 'id="overdue-referrals" hx-swap-oob="innerHTML"' in html
    assert f"overdue-{referral.pk}" not in html and "data-status" not in html


def test_refer_endpoint_refuses_a_colleague_of_another_branch(client, lobby_manager, outsider):
    client.force_login(lobby_manager.user)
    response = client.post(
        reverse("referrals:refer"), {"to": f"staff:{outsider.pk}", "stage": "first"}, **HTMX
    )
    assert response.status_code == 400
    assert not Referral.objects.exists()
