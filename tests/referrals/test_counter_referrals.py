"""The counter's referral button and a receiving screen for every target (issue 9, points 3–4):
services, pushes and HTTP."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lobby import live
from lobby.choices import Cue, Role
from lobby.models import Staff, Ticket
from products.choices import ProductCategory
from referrals import screens, services
from referrals.models import Referral, Stage, Status, Target
from referrals.services import AlreadyClaimed, ReferralError
from tests.conftest import make_staff, make_visit
from tests.lobby.pushes import Listener
from tests.test_no_server_errors import ROLES as NO_500_ROLES
from tests.test_no_server_errors import _payloads as no_500_payloads

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
SECRET_SIGNALS = (Cue.LARGE_ACCOUNT_SWING, Cue.LARGE_IDLE_BALANCE)


@pytest.fixture
def vip_manager(wealth_manager) -> Staff:
    """Charlie serves the VIP room; Carol (when cast) does not."""
    wealth_manager.serves_vip_room = True
    wealth_manager.save(update_fields=["serves_vip_room"])
    return wealth_manager


@pytest.fixture
def visit(lobby_manager):
    return make_visit(lobby_manager, label="王先生")


def counter_refer(teller: Staff, visit, **kw) -> Referral:
    kw.setdefault("signals", [Cue.LARGE_IDLE_BALANCE])
    return services.refer(actor=teller, stage=Stage.THIRD, visit=visit, ticket=visit.ticket, **kw)


def _secret_labels() -> set[str]:
    labels = set()
    for code in ("en", "zh-hans"):
        with translation.override(code):
            labels.update(str(Cue(c).label) for c in SECRET_SIGNALS)
    return labels


def _texts(messages: list[dict]) -> list[str]:
    return [html for m in messages for html in m["html"].values()]


# ---- services: the new targets ---------------------------------------------------------------


def test_a_counter_referral_to_the_low_counter_is_tied_to_the_visit_and_its_ticket(
    teller_high, teller_low, visit
):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    assert (referral.stage, referral.target_role, referral.visit, referral.ticket) == (
        Stage.THIRD,
        Role.TELLER_LOW,
        visit,
        visit.ticket,
    )
    assert Ticket.objects.get(pk=visit.ticket.pk).status == Ticket.Status.WAITING


def test_a_referral_to_the_low_counter_is_refused_when_no_low_counter_teller_works_here(
    teller_high, visit
):
    with pytest.raises(ReferralError, match="Nobody else in your branch works as"):
        counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    assert not Referral.objects.exists()


def test_the_only_low_counter_teller_cannot_refer_to_the_low_counter(teller_low, visit):
    with pytest.raises(ReferralError, match="Nobody else"):
        counter_refer(teller_low, visit, target_role=Role.TELLER_LOW)


def test_a_referral_to_the_lobby_manager_is_refused_without_an_active_lobby_manager(
    teller_high, lobby_assistant
):
    visit = make_visit(lobby_assistant)
    with pytest.raises(ReferralError, match="Nobody else"):
        counter_refer(teller_high, visit, target_role=Role.LOBBY_MANAGER)


def test_an_inactive_lobby_manager_does_not_count_as_a_receiver(teller_high, lobby_manager, visit):
    lobby_manager.user.is_active = False
    lobby_manager.user.save()
    with pytest.raises(ReferralError, match="Nobody else"):
        counter_refer(teller_high, visit, target_role=Role.LOBBY_MANAGER)


@pytest.mark.parametrize("role", [Role.TELLER_HIGH, Role.LOBBY_ASSISTANT, Role.BRANCH_ADMIN])
def test_a_referral_to_a_role_with_no_receiving_screen_is_refused(
    teller_low, visit, lobby_assistant, branch_admin, role
):
    make_staff(visit.branch, "bert", Role.TELLER_HIGH)
    with pytest.raises(ReferralError, match="no screen to receive them"):
        counter_refer(teller_low, visit, target_role=role)


def test_a_vip_room_referral_is_refused_when_no_wealth_manager_serves_the_room(
    teller_low, wealth_manager, visit
):
    with pytest.raises(ReferralError, match="VIP room"):
        counter_refer(teller_low, visit, to_vip_room=True)


def test_a_vip_room_referral_goes_to_the_wealth_managers_pool_of_the_room(
    teller_low, vip_manager, visit
):
    referral = counter_refer(teller_low, visit, to_vip_room=True)
    assert (referral.target_role, referral.to_vip_room, referral.target_staff) == (
        Role.WEALTH_MANAGER,
        True,
        None,
    )


def test_only_a_wealth_manager_serving_the_vip_room_can_claim_its_referral(
    teller_low, vip_manager, wealth_manager2, visit
):
    referral = counter_refer(teller_low, visit, to_vip_room=True)
    with pytest.raises(ReferralError, match="not addressed to you"):
        services.accept(referral_id=referral.pk, actor=wealth_manager2)
    services.accept(referral_id=referral.pk, actor=vip_manager)
    assert Referral.objects.get(pk=referral.pk).claimed_by == vip_manager


def test_the_vip_room_pool_is_apart_from_the_ordinary_wealth_pool(
    teller_low, vip_manager, wealth_manager2, visit, branch
):
    vip = counter_refer(teller_low, visit, to_vip_room=True)
    ordinary = counter_refer(teller_low, visit, target_role=Role.WEALTH_MANAGER)
    assert [r.pk for r in screens.pool_context(branch)["pool"]] == [ordinary.pk]
    assert [r.pk for r in screens.vip_pool_context(vip_manager)["vip_pool"]] == [vip.pk]
    assert screens.vip_pool_context(wealth_manager2)["vip_pool"] == []


def test_a_vip_room_referral_handed_back_returns_to_the_vip_room_pool(
    teller_low, vip_manager, visit
):
    referral = counter_refer(teller_low, visit, to_vip_room=True)
    services.accept(referral_id=referral.pk, actor=vip_manager)
    services.hand_back(referral_id=referral.pk, actor=vip_manager, reason="called away")
    assert [r.pk for r in screens.vip_pool_context(vip_manager)["vip_pool"]] == [referral.pk]


def test_the_vip_room_and_a_named_colleague_cannot_both_be_the_target(
    teller_low, vip_manager, visit
):
    with pytest.raises(ReferralError, match="not both"):
        counter_refer(teller_low, visit, to_vip_room=True, target_staff=vip_manager)


def test_a_low_counter_teller_takes_serves_and_closes_a_counter_referral(
    teller_high, teller_low, visit
):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    services.accept(referral_id=referral.pk, actor=teller_low)
    services.start_consultation(referral_id=referral.pk, actor=teller_low)
    closed = services.close(referral_id=referral.pk, actor=teller_low, outcome=Status.NOT_CONVERTED)
    assert (closed.status, closed.claimed_by) == (Status.NOT_CONVERTED, teller_low)


def test_two_low_counter_tellers_claiming_at_once_cannot_both_hold_the_customer(
    teller_high, teller_low, visit
):
    other = make_staff(visit.branch, "bella", Role.TELLER_LOW, "Bella")
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    services.accept(referral_id=referral.pk, actor=teller_low)
    with pytest.raises(AlreadyClaimed):
        services.accept(referral_id=referral.pk, actor=other)


# ---- services: a customer whose marketing is stopped -------------------------------------------


def test_a_no_marketing_customer_is_referred_without_sales_signals(teller_high, lobby_manager):
    visit = make_visit(lobby_manager, stop_marketing=True)
    with pytest.raises(ReferralError, match="Marketing is stopped"):
        counter_refer(teller_high, visit, target_role=Role.LOBBY_MANAGER)


def test_a_risk_cue_still_lets_the_counter_call_the_lobby_manager(teller_high, lobby_manager):
    visit = make_visit(lobby_manager, cues=[Cue.FRAUD_RISK_INSTRUCTED_BY_PHONE])
    referral = counter_refer(teller_high, visit, target_role=Role.LOBBY_MANAGER, signals=[])
    assert referral.target_role == Role.LOBBY_MANAGER


def test_a_no_marketing_customer_goes_to_a_wealth_manager_only_for_wealth_business(
    teller_high, lobby_manager, wealth_manager
):
    cash = make_visit(lobby_manager, stop_marketing=True)
    with pytest.raises(ReferralError, match="unless they came for wealth business"):
        counter_refer(teller_high, cash, target_role=Role.WEALTH_MANAGER, signals=[])


# ---- what the button offers --------------------------------------------------------------------


def test_the_button_offers_only_targets_with_someone_to_receive_them(teller_high, visit):
    assert [t.value for t in screens.counter_targets(teller_high, visit)] == [Target.LOBBY]


def test_the_button_offers_every_target_when_each_has_a_receiver(
    teller_high, teller_low, vip_manager, wealth_manager2, visit
):
    values = [t.value for t in screens.counter_targets(teller_high, visit)]
    assert values == [
        Target.LOBBY,
        Target.WEALTH,
        f"staff:{wealth_manager2.pk}",
        f"staff:{vip_manager.pk}",
        Target.VIP_ROOM,
        Target.LOW_COUNTER,
    ]


def test_a_no_marketing_customer_is_offered_only_the_service_targets(
    teller_high, teller_low, vip_manager, lobby_manager
):
    visit = make_visit(lobby_manager, stop_marketing=True)
    values = [t.value for t in screens.counter_targets(teller_high, visit)]
    assert values == [Target.LOBBY, Target.LOW_COUNTER]


def test_a_high_counter_teller_is_offered_channel_products_only_each_with_its_pitch(
    teller_high, catalogue
):
    pitches = screens.pitch_products(teller_high)
    assert pitches
    assert {p.category for p in pitches} == {ProductCategory.CHANNEL}
    assert all(p.pitch for p in pitches)


def test_teller_only_chips_are_offered_at_a_counter_only(teller_high, lobby_manager):
    assert {c for c, _l in screens.signal_choices(teller_high)} >= set(SECRET_SIGNALS)
    assert not {c for c, _l in screens.signal_choices(lobby_manager)} & set(SECRET_SIGNALS)


# ---- pushes ------------------------------------------------------------------------------------


@pytest.fixture
def listeners(layer, branch, teller_high, teller_low, lobby_manager, vip_manager, wealth_manager2):
    shared = [live.role_group(branch.pk, r) for r in Role.values]
    return {
        "shared": Listener(layer, *shared),
        "low_counter": Listener(layer, live.role_group(branch.pk, Role.TELLER_LOW)),
        "lobby": Listener(layer, live.role_group(branch.pk, Role.LOBBY_MANAGER)),
        "wealth": Listener(layer, live.role_group(branch.pk, Role.WEALTH_MANAGER)),
        "bob": Listener(layer, live.staff_group(teller_high.pk)),
        "betty": Listener(layer, live.staff_group(teller_low.pk)),
        "charlie": Listener(layer, live.staff_group(vip_manager.pk)),
        "carol": Listener(layer, live.staff_group(wealth_manager2.pk)),
    }


def _counts(listeners, *names) -> dict[str, int]:
    return {name: len(listeners[name].take()) for name in names}


def test_a_low_counter_referral_pushes_one_card_to_the_low_counter_and_tells_the_teller(
    listeners, teller_high, teller_low, visit, django_capture_on_commit_callbacks
):
    listeners["shared"].take()
    with django_capture_on_commit_callbacks(execute=True):
        referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    card = listeners["low_counter"].take()
    assert len(card) == 1
    assert '<ul hx-swap-oob="beforeend:#inbox-pool-list">' in card[0]["html"]["en"]
    assert f'id="inbox-{referral.pk}"' in card[0]["html"]["en"]
    bob = listeners["bob"].take()
    # The teller's "sent" row and the visit's list on their panel.
    assert len(bob) == 2
    assert any(f'id="visit-referrals-{visit.pk}"' in html for html in _texts(bob))
    assert _counts(listeners, "lobby", "wealth", "betty", "charlie", "carol") == dict.fromkeys(
        ("lobby", "wealth", "betty", "charlie", "carol"), 0
    )


def test_a_vip_room_referral_reaches_only_the_wealth_managers_who_serve_the_room(
    listeners, teller_low, visit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = counter_refer(teller_low, visit, to_vip_room=True)
    charlie = listeners["charlie"].take()
    assert len(charlie) == 1
    assert '<ul hx-swap-oob="beforeend:#vip-pool-list">' in charlie[0]["html"]["en"]
    assert f'id="pool-{referral.pk}"' in charlie[0]["html"]["en"]
    assert _counts(listeners, "carol", "wealth") == {"carol": 0, "wealth": 0}


def test_a_referral_to_the_lobby_manager_reaches_the_lobby_managers_inbox(
    listeners, teller_high, visit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = counter_refer(teller_high, visit, target_role=Role.LOBBY_MANAGER)
    lobby = listeners["lobby"].take()
    assert len(lobby) == 1 and f'id="inbox-{referral.pk}"' in lobby[0]["html"]["en"]


@pytest.mark.parametrize(
    "target",
    [
        {"target_role": Role.WEALTH_MANAGER},
        {"target_role": Role.TELLER_LOW},
        {"target_role": Role.LOBBY_MANAGER},
        {"to_vip_room": True},
    ],
)
def test_teller_only_signals_never_reach_a_shared_screen(
    listeners, teller_high, visit, target, django_capture_on_commit_callbacks
):
    listeners["shared"].take()
    with django_capture_on_commit_callbacks(execute=True):
        counter_refer(teller_high, visit, signals=list(SECRET_SIGNALS), **target)
    pushed = _texts(listeners["shared"].take() + listeners["charlie"].take())
    assert pushed  # a card did go out
    assert not any(label in html for html in pushed for label in _secret_labels())


def test_the_low_counter_teller_who_takes_the_customer_sees_the_account_signals(
    listeners, teller_high, teller_low, visit, django_capture_on_commit_callbacks
):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    for listener in listeners.values():
        listener.take()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(referral_id=referral.pk, actor=teller_low)
    betty = listeners["betty"].take()
    assert len(betty) == 1
    assert 'id="inbox-mine" hx-swap-oob="innerHTML"' in betty[0]["html"]["en"]
    assert str(Cue.LARGE_IDLE_BALANCE.label) in betty[0]["html"]["en"]
    card = listeners["low_counter"].take()
    assert len(card) == 1 and card[0]["html"]["en"].strip() == (
        f'<li id="inbox-{referral.pk}" hx-swap-oob="delete"></li>'
    )


def test_the_referring_teller_sees_the_claim_on_the_visit_panel(
    listeners, teller_high, teller_low, visit, django_capture_on_commit_callbacks
):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    listeners["bob"].take()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(referral_id=referral.pk, actor=teller_low)
    panel = [h for h in _texts(listeners["bob"].take()) if "visit-referrals" in h]
    assert len(panel) == 2  # one per language
    english = next(h for h in panel if "Accepted" in h)
    assert f'id="vr-{referral.pk}" data-status="accepted"' in english
    assert "Betty" in english


def test_a_rolled_back_counter_referral_pushes_nothing(
    listeners, teller_high, teller_low, visit, django_capture_on_commit_callbacks
):
    class Oops(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Oops),
        transaction.atomic(),
    ):
        counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
        raise Oops
    assert callbacks == []
    assert all(listener.take() == [] for listener in listeners.values())


# ---- HTTP: the panel ---------------------------------------------------------------------------


def _panel(client, staff, visit, **extra):
    client.force_login(staff.user)
    return client.get(reverse("referrals:visit_panel", args=[visit.pk]), **extra)


def _refer(client, staff, visit, data):
    client.force_login(staff.user)
    return client.post(reverse("referrals:visit_refer", args=[visit.pk]), data, **HTMX)


def test_the_panel_page_shows_the_chips_the_targets_and_the_pitch_list(
    client, teller_high, teller_low, visit, catalogue
):
    page = _panel(client, teller_high, visit, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<html" in page and 'id="counter-referrals"' in page
    assert 'value="large_account_swing"' in page
    assert 'data-target="low_counter"' in page and 'data-target="lobby"' in page
    assert 'data-target="vip_room"' not in page  # nobody serves the VIP room
    assert "You may mention" in page


def test_the_panel_answers_htmx_with_its_partial_alone(client, teller_high, visit):
    page = _panel(client, teller_high, visit, **HTMX).content.decode()
    assert "<html" not in page and f'id="visit-panel-{visit.pk}"' in page


def test_a_no_marketing_panel_shows_a_banner_and_no_chips_or_pitches(
    client, teller_high, lobby_manager, catalogue
):
    visit = make_visit(lobby_manager, stop_marketing=True)
    page = _panel(client, teller_high, visit, **HTMX).content.decode()
    assert "data-no-marketing" in page
    assert 'name="signals"' not in page and "You may mention" not in page
    assert 'data-target="lobby"' in page


def test_the_panel_of_another_branchs_visit_is_not_found(client, teller_high, outsider):
    visit = make_visit(outsider)
    assert _panel(client, teller_high, visit).status_code == 404


def test_a_wealth_manager_does_not_open_a_visit_panel(client, wealth_manager, visit):
    assert _panel(client, wealth_manager, visit).status_code == 403


def test_referring_from_the_panel_makes_a_third_stage_referral(
    client, teller_high, teller_low, visit
):
    response = _refer(
        client, teller_high, visit, {"signals": ["large_idle_balance"], "to": "low_counter"}
    )
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert (referral.stage, referral.target_role, referral.signals) == (
        Stage.THIRD,
        Role.TELLER_LOW,
        ["large_idle_balance"],
    )
    assert f'id="vr-{referral.pk}"' in response.content.decode()


def test_referring_to_a_named_wealth_manager_from_the_panel(
    client, teller_high, wealth_manager, visit
):
    _refer(client, teller_high, visit, {"to": f"staff:{wealth_manager.pk}"})
    assert Referral.objects.get().target_staff == wealth_manager


def test_a_target_not_offered_answers_400_with_a_message(client, teller_high, visit):
    response = _refer(client, teller_high, visit, {"to": "vip_room"})
    assert response.status_code == 400
    assert response["X-Refused"] == "1"
    assert "choose another target" in response.content.decode()
    assert not Referral.objects.exists()


def test_an_unknown_signal_answers_400(client, teller_high, lobby_manager, visit):
    response = _refer(client, teller_high, visit, {"to": "lobby", "signals": ["x' or 1=1"]})
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_a_no_marketing_customer_referred_with_a_product_answers_400(
    client, teller_high, teller_low, lobby_manager, catalogue
):
    visit = make_visit(lobby_manager, stop_marketing=True)
    response = _refer(client, teller_high, visit, {"to": "low_counter", "product": "nonsense"})
    assert response.status_code == 400


def test_referring_a_visit_of_another_branch_is_not_found(client, teller_high, outsider):
    visit = make_visit(outsider)
    assert _refer(client, teller_high, visit, {"to": "lobby"}).status_code == 404


# ---- HTTP: the inbox and the VIP room's pool ---------------------------------------------------


def test_the_low_counter_inbox_lists_its_pool_without_account_signals(
    client, teller_high, teller_low, visit
):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    client.force_login(teller_low.user)
    page = client.get(reverse("referrals:inbox"), **HTMX).content.decode()
    assert f'id="inbox-{referral.pk}"' in page
    assert str(Cue.LARGE_IDLE_BALANCE.label) not in page


def test_taking_and_closing_from_the_inbox(client, teller_high, teller_low, visit):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    client.force_login(teller_low.user)
    for name, data in (
        ("referrals:inbox_claim", {}),
        ("referrals:inbox_start", {}),
        ("referrals:inbox_close", {"outcome": "not_converted"}),
    ):
        response = client.post(reverse(name, args=[referral.pk]), data, **HTMX)
        assert response.status_code == 200, response.content
    referral.refresh_from_db()
    assert (referral.status, referral.claimed_by) == (Status.NOT_CONVERTED, teller_low)
    assert f'id="inbox-closed-{referral.pk}"' in response.content.decode()


def test_a_late_claim_from_the_inbox_answers_409_with_who_took_it(
    client, teller_high, teller_low, visit
):
    other = make_staff(visit.branch, "bella", Role.TELLER_LOW, "Bella")
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    services.accept(referral_id=referral.pk, actor=other)
    client.force_login(teller_low.user)
    response = client.post(reverse("referrals:inbox_claim", args=[referral.pk]), **HTMX)
    assert response.status_code == 409
    assert "Bella has already taken this customer." in response.content.decode()


def test_a_bad_outcome_from_the_inbox_answers_400(client, teller_high, teller_low, visit):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    services.accept(referral_id=referral.pk, actor=teller_low)
    client.force_login(teller_low.user)
    response = client.post(
        reverse("referrals:inbox_close", args=[referral.pk]), {"outcome": "won"}, **HTMX
    )
    assert response.status_code == 400 and response["X-Refused"] == "1"


def test_an_inbox_action_on_another_branchs_referral_is_not_found(
    client, teller_high, teller_low, visit, other_branch
):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    stranger = make_staff(other_branch, "tom", Role.TELLER_LOW)
    client.force_login(stranger.user)
    response = client.post(reverse("referrals:inbox_claim", args=[referral.pk]), **HTMX)
    assert response.status_code == 404


def test_a_wealth_manager_does_not_open_the_inbox(client, wealth_manager):
    client.force_login(wealth_manager.user)
    assert client.get(reverse("referrals:inbox")).status_code == 403


def test_the_cash_counter_may_embed_the_inbox(client, teller_high):
    client.force_login(teller_high.user)
    page = client.get(reverse("referrals:inbox"), **HTMX)
    assert page.status_code == 200 and 'id="inbox-pool-list"' not in page.content.decode()


def test_the_lobby_managers_tablet_embeds_the_inbox(client, lobby_manager):
    client.force_login(lobby_manager.user)
    page = client.get(reverse("lobby:tablet")).content.decode()
    assert f'hx-get="{reverse("referrals:inbox")}"' in page


def test_the_queue_of_a_vip_room_wealth_manager_embeds_the_vip_room_pool(
    client, vip_manager, teller_low, visit
):
    referral = counter_refer(teller_low, visit, to_vip_room=True)
    client.force_login(vip_manager.user)
    queue = client.get(reverse("referrals:queue")).content.decode()
    assert 'id="vip-pool"' in queue
    pool = client.get(reverse("referrals:vip_pool"), **HTMX).content.decode()
    assert f'id="pool-{referral.pk}"' in pool
    assert str(Cue.LARGE_IDLE_BALANCE.label) not in pool


def test_the_queue_of_another_wealth_manager_has_no_vip_room_pool(client, wealth_manager2):
    client.force_login(wealth_manager2.user)
    assert 'id="vip-pool"' not in client.get(reverse("referrals:queue")).content.decode()


def test_the_panels_live_list_re_reads_itself_alone(client, teller_high, teller_low, visit):
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    client.force_login(teller_high.user)
    url = reverse("referrals:visit_panel", args=[visit.pk])
    page = client.get(url, {"part": "referrals"}, **HTMX).content.decode()
    assert f'id="vr-{referral.pk}"' in page and 'name="to"' not in page


# ---- nothing answers 500 -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*NO_500_ROLES, None])
def test_no_counter_referral_route_answers_500_to_any_role_or_input(
    request, role, lobby_manager, teller_high, teller_low, vip_manager, catalogue
):
    visit = make_visit(lobby_manager, label="王先生")
    referral = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    urls = [reverse("referrals:inbox"), reverse("referrals:vip_pool")]
    for pk in (visit.pk, 999_999_999):
        urls += [reverse(f"referrals:{name}", args=[pk]) for name in ("visit_panel", "visit_refer")]
    for pk in (referral.pk, 999_999_999):
        urls += [
            reverse(f"referrals:inbox_{name}", args=[pk]) for name in ("claim", "start", "close")
        ]
    client = Client(raise_request_exception=False)
    if role is not None:
        client.force_login(request.getfixturevalue(role).user)
    payloads = [
        # The shared garbage, but only its first and last kinds: each request renders a screen.
        *itertools.islice(no_500_payloads(), 0, 1),
        {},
        {"signals": ["large_idle_balance", "x"], "to": "staff:x", "band": "☃"},
        {"to": "staff:999999999"},
        {"to": "low_counter", "signals": ["fraud_risk_instructed_by_phone"]},
        {"outcome": "converted", "product": "x", "band": "lt50k", "assessment_date": "x"},
    ]
    failures = []
    for url in urls:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, {"part": "☃"}, **headers)
            if response.status_code >= 500:
                failures.append(("GET", url, response.status_code))
            for payload in payloads:
                response = client.post(url, payload, **headers)
                if response.status_code >= 500:
                    failures.append(("POST", url, payload, response.status_code))
    assert failures == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **HTMX).status_code == 200
    return len(queries)


def test_the_panel_and_the_inbox_run_a_constant_number_of_queries(
    client, teller_high, teller_low, lobby_manager, visit
):
    panel = reverse("referrals:visit_panel", args=[visit.pk])
    inbox = reverse("referrals:inbox")
    counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    client.force_login(teller_low.user)
    one_inbox = _queries(client, inbox)
    client.force_login(teller_high.user)
    one_panel = _queries(client, panel)
    for _ in range(3):
        counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    held = counter_refer(teller_high, visit, target_role=Role.TELLER_LOW)
    services.accept(referral_id=held.pk, actor=teller_low)
    assert _queries(client, panel) == one_panel
    client.force_login(teller_low.user)
    assert _queries(client, inbox) <= one_inbox + 1  # the held list's close form products


def test_the_referrers_list_says_a_referral_went_to_the_vip_room(
    client, teller_low, vip_manager, visit
):
    counter_refer(teller_low, visit, to_vip_room=True)
    client.force_login(teller_low.user)
    page = client.get(reverse("referrals:sent"), **HTMX).content.decode()
    assert "VIP room" in page
