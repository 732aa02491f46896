"""What each referral action pushes, to whom, read off the in-memory channel layer."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.db import transaction
from django.utils import timezone

from lobby import live
from lobby.choices import Cue, Role
from referrals import services
from referrals.models import Referral, Stage, Status
from tests.lobby.pushes import Listener
from tests.referrals.conftest import drive_to, refer_to_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def screens(layer, branch, lobby_manager, wealth_manager, wealth_manager2):
    """One listener per kind of screen."""
    return {
        "pool": Listener(layer, live.role_group(branch.pk, Role.WEALTH_MANAGER)),
        "lobby": Listener(layer, live.role_group(branch.pk, Role.LOBBY_MANAGER)),
        "referrer": Listener(layer, live.staff_group(lobby_manager.pk)),
        "charlie": Listener(layer, live.staff_group(wealth_manager.pk)),
        "carol": Listener(layer, live.staff_group(wealth_manager2.pk)),
    }


def _html(message: dict, lang: str = "en") -> str:
    assert message["type"] == live.MESSAGE_TYPE
    return message["html"][lang]


def _counts(screens) -> dict[str, int]:
    return {name: len(listener.take()) for name, listener in screens.items()}


def _adds_card(html: str, pk: int) -> bool:
    """The pool push removes any old card of the referral, then appends its current one."""
    removal = f'<li id="pool-{pk}" hx-swap-oob="delete"></li>'
    append = '<ul hx-swap-oob="beforeend:#pool-list"><li class="rq-item'
    return (
        html.startswith(removal)
        and append in html
        and f'id="pool-{pk}" data-alert="referral-{pk}"' in html
    )


def _sets_sent_row(html: str, pk: int, status: str) -> bool:
    """The referrer's push replaces one row of their "sent" list, never the whole list."""
    return (
        html.startswith(f'<li id="sent-{pk}" hx-swap-oob="delete"></li>')
        and '<ul hx-swap-oob="beforeend:#sent-list">' in html
        and f'id="sent-{pk}" data-status="{status}"' in html
        and 'id="sent-referrals"' not in html
    )


def _removes_card(html: str, pk: int) -> bool:
    return html.strip() == f'<li id="pool-{pk}" hx-swap-oob="delete"></li>'


def test_a_pool_referral_reaches_every_wealth_manager_and_the_referrer(
    screens, lobby_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer_to_pool(lobby_manager)
    pool = screens["pool"].take()
    sent = screens["referrer"].take()
    assert len(pool) == 1 and len(sent) == 1
    html = _html(pool[0])
    assert _adds_card(html, referral.pk)
    assert set(pool[0]["html"]) == {"zh-hans", "en"}
    assert _adds_card(_html(pool[0], "zh-hans"), referral.pk)
    assert _sets_sent_row(_html(sent[0]), referral.pk, Status.CREATED)
    assert _sets_sent_row(_html(sent[0], "zh-hans"), referral.pk, Status.CREATED)
    assert _counts(screens) == {"pool": 0, "lobby": 0, "referrer": 0, "charlie": 0, "carol": 0}


def test_a_named_referral_goes_only_to_that_person(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.refer(
            actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager
        )
    charlie = screens["charlie"].take()
    assert len(charlie) == 1
    assert f'data-alert="referral-{referral.pk}"' in _html(charlie[0])
    assert _counts(screens) == {"pool": 0, "lobby": 0, "referrer": 1, "charlie": 0, "carol": 0}


def test_a_claim_leaves_the_pool_and_tells_the_referrer(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = refer_to_pool(lobby_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(referral_id=referral.pk, actor=wealth_manager)
    pool = screens["pool"].take()
    assert len(pool) == 1 and _removes_card(_html(pool[0]), referral.pk)
    mine = screens["charlie"].take()
    assert len(mine) == 1 and f'id="held-{referral.pk}"' in _html(mine[0])
    sent = screens["referrer"].take()
    assert len(sent) == 1
    assert _sets_sent_row(_html(sent[0]), referral.pk, Status.ACCEPTED)
    assert _counts(screens) == {"pool": 0, "lobby": 0, "referrer": 0, "charlie": 0, "carol": 0}


@pytest.mark.parametrize(
    "status", [Status.IN_CONSULTATION, Status.CONVERTED, Status.NOT_CONVERTED, Status.DECLINED]
)
def test_the_referrer_follows_every_step_to_the_outcome(
    screens, lobby_manager, wealth_manager, deposit, status, django_capture_on_commit_callbacks
):
    before = (
        Status.ACCEPTED
        if status in (Status.IN_CONSULTATION, Status.DECLINED)
        else (Status.IN_CONSULTATION)
    )
    referral = drive_to(before, referrer=lobby_manager, holder=wealth_manager)
    with django_capture_on_commit_callbacks(execute=True):
        if status == Status.IN_CONSULTATION:
            services.start_consultation(referral_id=referral.pk, actor=wealth_manager)
        else:
            services.close(
                referral_id=referral.pk,
                actor=wealth_manager,
                outcome=status,
                sales=[(deposit, "lt50k")] if status == Status.CONVERTED else [],
            )
    sent = screens["referrer"].take()
    assert len(sent) == 1
    assert _sets_sent_row(_html(sent[0]), referral.pk, status)
    # The holder's own regions follow too; the pool is untouched by a claimed referral's steps.
    assert len(screens["charlie"].take()) == 1
    assert screens["pool"].take() == []


def test_hand_back_returns_the_customer_to_every_pool_screen(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.hand_back(referral_id=referral.pk, actor=wealth_manager, reason="meeting")
    assert _adds_card(_html(screens["pool"].take()[0]), referral.pk)
    # The former holder's screen drops it.
    assert f'id="held-{referral.pk}"' not in _html(screens["charlie"].take()[0])


def test_account_signals_are_never_pushed_to_the_pool(
    screens, teller_high, wealth_manager, django_capture_on_commit_callbacks
):
    secret = str(Cue.LARGE_ACCOUNT_SWING.label)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer_to_pool(teller_high, stage=Stage.THIRD, signals=[Cue.LARGE_ACCOUNT_SWING])
    pool = screens["pool"].take()
    assert all(secret not in html for html in pool[0]["html"].values())
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(referral_id=referral.pk, actor=wealth_manager)
    assert secret in _html(screens["charlie"].take()[0])
    assert all(secret not in _html(m) for m in screens["pool"].take())


def test_overdue_alerts_the_lobby_managers(
    screens, lobby_manager, branch, django_capture_on_commit_callbacks
):
    referral = refer_to_pool(lobby_manager)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=branch.referral_expiry_seconds + 5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.tick()
    lobby = screens["lobby"].take()
    assert len(lobby) == 1
    html = _html(lobby[0])
    assert 'id="overdue-referrals" hx-swap-oob="innerHTML"' in html
    assert f'data-alert="overdue-{referral.pk}"' in html
    pool = screens["pool"].take()  # the card turns "overdue" on the pool too
    assert len(pool) == 1 and _adds_card(_html(pool[0]), referral.pk)
    assert 'class="rq-item overdue"' in _html(pool[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.tick()
    assert screens["lobby"].take() == []  # flagged once, alerted once


def test_a_rolled_back_referral_pushes_nothing(
    screens, lobby_manager, django_capture_on_commit_callbacks
):
    class Oops(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Oops),
        transaction.atomic(),
    ):
        refer_to_pool(lobby_manager)
        raise Oops
    assert callbacks == []
    assert not Referral.objects.exists()
    assert _counts(screens) == {"pool": 0, "lobby": 0, "referrer": 0, "charlie": 0, "carol": 0}


def test_a_refused_action_pushes_nothing(
    screens, lobby_manager, wealth_manager, wealth_manager2, django_capture_on_commit_callbacks
):
    referral = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.ReferralError),
    ):
        services.accept(referral_id=referral.pk, actor=wealth_manager2)
    assert callbacks == []
    assert _counts(screens) == {"pool": 0, "lobby": 0, "referrer": 0, "charlie": 0, "carol": 0}


def _pool_region(client, staff) -> str:
    client.force_login(staff.user)
    return client.get(
        "/wealth/", {"part": "pool"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()


def test_pushed_card_is_what_the_view_renders(
    screens, client, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer_to_pool(lobby_manager, note="same in both", is_vip=True)
    pushed = _html(screens["pool"].take()[0])
    card = pushed[pushed.index('<li class="rq-item') : pushed.rindex("</ul>")]
    assert f'id="pool-{referral.pk}"' in card and "same in both" in card
    assert card.strip() in _pool_region(client, wealth_manager)


def test_a_card_read_back_after_the_commit_matches_the_one_rendered_from_the_new_row(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    """refer renders the new card from the row it wrote; every later change reads it back."""
    from referrals import push

    with django_capture_on_commit_callbacks(execute=True):
        referral = refer_to_pool(lobby_manager, note="twice", is_vip=True)
    fresh = screens["pool"].take()[0]["html"]
    with django_capture_on_commit_callbacks(execute=True):
        push.push_pool_card(referral)
    assert screens["pool"].take()[0]["html"] == fresh


def test_a_cancelled_referral_leaves_every_pool_screen(
    screens, lobby_manager, django_capture_on_commit_callbacks
):
    referral = refer_to_pool(lobby_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(referral_id=referral.pk, actor=lobby_manager)
    pool = screens["pool"].take()
    assert len(pool) == 1 and _removes_card(_html(pool[0]), referral.pk)


def test_a_declined_named_referral_joins_the_pool_as_a_card(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(referral_id=referral.pk, actor=wealth_manager, reason="in a meeting")
    assert _adds_card(_html(screens["pool"].take()[0]), referral.pk)
    assert f'id="mine-{referral.pk}"' not in _html(screens["charlie"].take()[0])


def test_the_receivers_notice_leaves_before_the_referrers_panel(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        refer_to_pool(lobby_manager)
        services.refer(actor=lobby_manager, stage=Stage.FIRST, target_staff=wealth_manager)
    groups = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(live, "send_now", lambda g, html, urgent: groups.append((list(g), urgent)))
        for callback in callbacks:
            callback()
    pool = live.role_group(lobby_manager.branch_id, Role.WEALTH_MANAGER)
    referrer, charlie = live.staff_group(lobby_manager.pk), live.staff_group(wealth_manager.pk)
    assert groups == [([pool], True), ([referrer], False), ([charlie], True), ([referrer], False)]


def test_a_pool_card_is_pushed_in_queue_order_keys(
    screens, lobby_manager, django_capture_on_commit_callbacks
):
    """The screen sorts single cards by data-order; the keys sort as queue_order() does."""
    with django_capture_on_commit_callbacks(execute=True):
        first = refer_to_pool(lobby_manager)
        second = refer_to_pool(lobby_manager)
        vip = refer_to_pool(lobby_manager, is_vip=True)
    keys = {
        r.pk: r.queue_key for r in Referral.objects.filter(pk__in=[first.pk, second.pk, vip.pk])
    }
    in_queue_order = list(
        Referral.objects.in_pool(lobby_manager.branch_id, Role.WEALTH_MANAGER)
        .queue_order()
        .values_list("pk", flat=True)
    )
    assert sorted(keys, key=keys.get) == in_queue_order == [vip.pk, first.pk, second.pk]
    pushed = {}
    for message in screens["pool"].take():
        html = _html(message)
        [pk] = [pk for pk in keys if f'id="pool-{pk}" data-alert' in html]
        pushed[pk] = html
    assert set(pushed) == set(keys)  # one card per referral reached the pool
    assert all(f'data-order="{keys[pk]}"' in html for pk, html in pushed.items())


# ---- languages: rendered only for the screens listening (in-memory layer) ------------------


def test_a_push_is_rendered_only_in_the_languages_of_its_listeners(
    layer, lobby_manager, django_capture_on_commit_callbacks
):
    pool_group = live.role_group(lobby_manager.branch_id, Role.WEALTH_MANAGER)
    live.listening([pool_group], "en")
    english_only = Listener(layer)
    async_to_sync(layer.group_add)(pool_group, english_only.channel)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer_to_pool(lobby_manager)
    [message] = english_only.take()
    assert set(message["html"]) == {"en"} and _adds_card(message["html"]["en"], referral.pk)
    # Nobody listens on the referrer's screens: their row is neither rendered nor sent.
    assert live.languages_for([live.staff_group(lobby_manager.pk)]) == []


def test_a_screen_that_leaves_stops_counting(layer):
    live.listening(["g1", "g2"], "zh-hans")
    live.listening(["g1"], "en")
    assert live.languages_for(["g1"]) == ["zh-hans", "en"]
    live.stopped_listening(["g1", "g2"], "zh-hans")
    assert live.languages_for(["g1", "g2"]) == ["en"]
    live.stopped_listening(["g1"], "en")
    assert live.languages_for(["g1", "g2"]) == [] and live.listened_languages() == {}


def test_a_shared_layer_renders_every_language(settings, lobby_manager):
    """Other processes' screens are unknown here, so every language is rendered."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {}}
    }
    channel_layers.backends.clear()
    assert live.languages_for(["nobody.here"]) == ["zh-hans", "en"]


def test_a_referral_from_an_earlier_day_does_not_join_todays_list(
    screens, lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    referral = drive_to(Status.IN_CONSULTATION, referrer=lobby_manager, holder=wealth_manager)
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.close(referral_id=referral.pk, actor=wealth_manager, outcome=Status.NOT_CONVERTED)
    [sent] = screens["referrer"].take()
    assert _html(sent).strip() == f'<li id="sent-{referral.pk}" hx-swap-oob="delete"></li>'
