"""The demo routing table, cell by cell, and how several businesses combine."""

import pytest

from lobby.choices import BusinessType, Prejudgement, ZoneKind
from lobby.demo_branch import default_rule
from lobby.services import LobbyError, suggest_route

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prejudgement", Prejudgement.values)
@pytest.mark.parametrize("business", BusinessType.values)
def test_every_business_and_tier_follows_the_demo_routing_table(branch, business, prejudgement):
    expected = default_rule(business, prejudgement)
    route = suggest_route(branch=branch, prejudgement=prejudgement, business_types=[business])
    assert route.destination == expected["destination"]
    assert (route.queue.prefix if route.queue else None) == expected["queue"]
    assert route.needs_form == expected["needs_form"]
    assert route.wealth_handoff == expected.get("wealth_handoff", False)


def test_vip_with_wealth_and_cash_goes_to_the_vip_room_with_a_vip_ticket_and_a_hand_off(branch):
    route = suggest_route(
        branch=branch, prejudgement="vip", business_types=["cash_large", "wealth_consult"]
    )
    assert route.destination == ZoneKind.VIP_ROOM
    assert route.queue.prefix == "V"
    assert route.wealth_handoff


def test_wealth_need_outranks_a_counter_ticket_but_keeps_the_ticket(branch):
    route = suggest_route(
        branch=branch,
        prejudgement="potential_vip",
        business_types=["transfer_remit", "wealth_purchase"],
    )
    assert route.destination == ZoneKind.WEALTH
    assert route.queue.prefix == "A"
    assert route.wealth_handoff
    assert route.needs_form


def test_a_ticket_outranks_self_service(branch):
    route = suggest_route(
        branch=branch, prejudgement="regular", business_types=["bill_payment", "ebank_activation"]
    )
    assert route.destination == ZoneKind.WAITING
    assert route.queue.prefix == "B"


def test_any_business_needing_a_form_sends_the_ticket_via_the_form_desk(branch):
    route = suggest_route(
        branch=branch, prejudgement="regular", business_types=["ebank_activation", "cash_large"]
    )
    assert route.destination == ZoneKind.FORM_DESK
    assert route.needs_form
    assert route.queue.prefix == "B"  # the first business picked decides the queue


def test_self_service_outranks_the_greeting_desk(branch):
    route = suggest_route(
        branch=branch, prejudgement="regular", business_types=["complaint", "cash_small"]
    )
    assert route.destination == ZoneKind.SELF_SERVICE
    assert route.queue is None


def test_a_cell_missing_from_the_table_goes_to_the_greeting_desk(branch):
    branch.routing_rules.filter(business_type="fx_exchange", prejudgement="regular").delete()
    route = suggest_route(branch=branch, prejudgement="regular", business_types=["fx_exchange"])
    assert route.destination == ZoneKind.GREETING
    assert route.queue is None


def test_routing_reads_the_branchs_own_rules(branch):
    branch.routing_rules.filter(business_type="cash_small", prejudgement="regular").update(
        destination=ZoneKind.WAITING, queue=branch.queues.get(prefix="A")
    )
    route = suggest_route(branch=branch, prejudgement="regular", business_types=["cash_small"])
    assert route.destination == ZoneKind.WAITING
    assert route.queue.prefix == "A"


@pytest.mark.parametrize("business_types", [[], ["teleport"], ["cash_small", ""]])
def test_empty_or_unknown_business_is_refused_with_a_message(branch, business_types):
    with pytest.raises(LobbyError) as exc:
        suggest_route(branch=branch, prejudgement="regular", business_types=business_types)
    assert exc.value.message


def test_an_unknown_tier_is_refused_with_a_message(branch):
    with pytest.raises(LobbyError):
        suggest_route(branch=branch, prejudgement="platinum+", business_types=["cash_small"])
