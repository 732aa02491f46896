"""Windows and ticket calling: every counter operation, its trail, the fairness rules, pushes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation

from lobby import live, push, screens, services
from lobby.choices import Role, ZoneKind
from lobby.errors import NotFound
from lobby.models import CallingSettings, Ticket, TicketEvent, Visit, Window
from lobby.screens import board_context, glance_context
from lobby.services import CounterError, WindowTaken
from tests.conftest import make_staff, make_visit
from tests.lobby.pushes import pushes_during

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_memory_layer(layer):
    """Pushes are counted off the in-memory layer (tests.lobby.pushes), also when the suite
    runs on Redis."""


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched in their English source text, whatever the catalogue holds."""
    with translation.override("en"):
        yield


CASH = {"business_types": ["cash_large"]}  # queue A
NONCASH = {"business_types": ["ebank_activation"]}  # queue B
VIP = {"prejudgement": "vip", "business_types": ["transfer_remit"]}  # queue V


def window(branch, number: int) -> Window:
    return Window.objects.get(branch=branch, number=number)


def opened(teller, number: int) -> Window:
    return services.open_window(actor=teller, window_id=window(teller.branch, number).pk)


def ticket(actor, **overrides) -> Ticket:
    return make_visit(actor, **overrides).ticket


def rules(branch, **values) -> CallingSettings:
    settings = CallingSettings.for_branch(branch)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def waited_since(t: Ticket, minutes: int) -> None:
    earlier = timezone.now() - dt.timedelta(minutes=minutes)
    Ticket.objects.filter(pk=t.pk).update(issued_at=earlier, queued_at=earlier)


def serve_and_complete(teller) -> Ticket:
    called = services.call_next(actor=teller)
    services.complete(actor=teller, ticket_id=called.pk, business_types=["cash_large"])
    return called


def actions(t: Ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=t).values_list("action", flat=True))


# ---- windows -----------------------------------------------------------------------------


def test_a_teller_opens_a_window(teller_high):
    w = opened(teller_high, 1)
    assert w.teller == teller_high and w.opened_at is not None


def test_a_window_open_by_one_teller_is_refused_to_another(teller_high, teller_low):
    opened(teller_high, 1)
    with pytest.raises(WindowTaken, match="Bob"):
        opened(teller_low, 1)


def test_opening_another_window_moves_the_teller(teller_high):
    opened(teller_high, 1)
    opened(teller_high, 2)
    assert window(teller_high.branch, 1).teller is None
    assert window(teller_high.branch, 2).teller == teller_high


def test_a_teller_cannot_move_while_a_customer_is_at_the_window(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    with pytest.raises(CounterError, match="A001"):
        opened(teller_high, 2)


def test_a_window_closes_only_once_its_customer_is_dealt_with(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    with pytest.raises(CounterError):
        services.close_window(actor=teller_high)
    services.complete(actor=teller_high, ticket_id=called.pk, business_types=["cash_large"])
    services.close_window(actor=teller_high)
    assert window(teller_high.branch, 1).teller is None


def test_only_tellers_open_windows(lobby_manager):
    with pytest.raises(PermissionDenied):
        opened(lobby_manager, 1)


def test_a_window_of_another_branch_cannot_be_opened(teller_high, other_branch):
    foreign = Window.objects.get(branch=other_branch, number=1)
    with pytest.raises(NotFound):
        services.open_window(actor=teller_high, window_id=foreign.pk)


# ---- call next ---------------------------------------------------------------------------


def test_call_next_calls_the_oldest_ticket_of_the_windows_queue(teller_high, lobby_manager):
    first = ticket(lobby_manager, **CASH)
    ticket(lobby_manager, **CASH)
    ticket(lobby_manager, **NONCASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    assert called.pk == first.pk
    assert called.status == Ticket.Status.CALLED
    assert called.called_at is not None
    assert called.window == window(teller_high.branch, 1)


def test_a_call_is_recorded_in_the_trail_with_who_and_where(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    w = opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    event = TicketEvent.objects.get(ticket=called)
    assert (event.action, event.actor, event.window) == ("call", teller_high, w)


def test_the_called_customers_visit_moves_to_the_counter(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    visit = Visit.objects.get(pk=called.visit_id)
    assert (visit.status, visit.destination) == (Visit.Status.SERVING, ZoneKind.COUNTER_CASH)


def test_call_next_with_nobody_waiting_says_so(teller_high):
    opened(teller_high, 1)
    with pytest.raises(CounterError, match="Nobody is waiting"):
        services.call_next(actor=teller_high)


def test_call_next_needs_an_open_window(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    with pytest.raises(CounterError, match="Open a window"):
        services.call_next(actor=teller_high)


def test_call_next_waits_until_the_current_customer_is_dealt_with(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    with pytest.raises(CounterError, match="A001"):
        services.call_next(actor=teller_high)


def test_a_window_never_calls_a_queue_it_does_not_serve(teller_high, lobby_manager):
    ticket(lobby_manager, **NONCASH)
    opened(teller_high, 1)
    with pytest.raises(CounterError):
        services.call_next(actor=teller_high)


def test_vip_tickets_go_before_normal_ones_at_the_vip_window(teller_low, lobby_manager):
    ticket(lobby_manager, **CASH)
    vip = ticket(lobby_manager, **VIP)
    opened(teller_low, 5)
    assert services.call_next(actor=teller_low).pk == vip.pk


def test_the_windows_order_of_queues_decides_between_normal_queues(teller_low, lobby_manager):
    noncash = ticket(lobby_manager, **NONCASH)
    waited_since(noncash, 5)
    cash = ticket(lobby_manager, **CASH)
    opened(teller_low, 5)  # V, then A, then B
    assert services.call_next(actor=teller_low).pk == cash.pk


def test_after_the_capped_vip_streak_a_normal_ticket_is_called(teller_low, lobby_manager):
    rules(lobby_manager.branch, vip_streak_cap=2, normal_max_wait_minutes=0)
    vips = [ticket(lobby_manager, **VIP) for _ in range(3)]
    normal = ticket(lobby_manager, **CASH)
    opened(teller_low, 5)
    called = [serve_and_complete(teller_low).pk for _ in range(4)]
    assert called == [vips[0].pk, vips[1].pk, normal.pk, vips[2].pk]


def test_without_a_cap_vips_are_called_while_any_wait(teller_low, lobby_manager):
    rules(lobby_manager.branch, vip_streak_cap=0, normal_max_wait_minutes=0)
    vips = [ticket(lobby_manager, **VIP) for _ in range(3)]
    normal = ticket(lobby_manager, **CASH)
    opened(teller_low, 5)
    called = [serve_and_complete(teller_low).pk for _ in range(4)]
    assert called == [*(v.pk for v in vips), normal.pk]


def test_a_normal_ticket_waiting_too_long_goes_before_any_vip(teller_low, lobby_manager):
    rules(lobby_manager.branch, normal_max_wait_minutes=10)
    normal = ticket(lobby_manager, **CASH)
    waited_since(normal, 11)
    ticket(lobby_manager, **VIP)
    opened(teller_low, 5)
    assert services.call_next(actor=teller_low).pk == normal.pk


def test_a_normal_ticket_within_the_limit_waits_behind_vips(teller_low, lobby_manager):
    rules(lobby_manager.branch, normal_max_wait_minutes=10)
    normal = ticket(lobby_manager, **CASH)
    waited_since(normal, 9)
    vip = ticket(lobby_manager, **VIP)
    opened(teller_low, 5)
    assert services.call_next(actor=teller_low).pk == vip.pk


def test_with_the_overdue_rule_off_vips_go_first_however_long_others_wait(
    teller_low, lobby_manager
):
    rules(lobby_manager.branch, normal_max_wait_minutes=0)
    normal = ticket(lobby_manager, **CASH)
    waited_since(normal, 120)
    vip = ticket(lobby_manager, **VIP)
    opened(teller_low, 5)
    assert services.call_next(actor=teller_low).pk == vip.pk


# ---- recall, call a number ----------------------------------------------------------------


def test_recall_counts_and_is_recorded(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    services.recall(actor=teller_high, ticket_id=called.pk)
    again = services.recall(actor=teller_high, ticket_id=called.pk)
    assert again.recalls == 2
    assert actions(called) == ["call", "recall", "recall"]


def test_a_customer_at_the_window_is_not_recalled(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    services.start_serving(actor=teller_high, ticket_id=called.pk)
    with pytest.raises(CounterError):
        services.recall(actor=teller_high, ticket_id=called.pk)


def test_another_windows_ticket_cannot_be_touched(teller_high, lobby_manager, branch):
    other = make_staff(branch, "bert", Role.TELLER_HIGH, "Bert")
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    opened(other, 2)
    called = services.call_next(actor=teller_high)
    with pytest.raises(CounterError):
        services.recall(actor=other, ticket_id=called.pk)


def test_call_a_number_calls_that_ticket_out_of_turn(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    later = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_number(actor=teller_high, number="a2")
    assert called.pk == later.pk
    assert actions(called) == ["call_number"]


def test_call_a_number_reaches_any_queue(teller_high, lobby_manager):
    other = ticket(lobby_manager, **NONCASH)
    opened(teller_high, 1)
    assert services.call_number(actor=teller_high, number="B001").pk == other.pk


@pytest.mark.parametrize("number", ["", "12", "AB1", "A-1", "A12345"])
def test_call_a_number_refuses_what_is_not_a_ticket_number(teller_high, number):
    opened(teller_high, 1)
    with pytest.raises(CounterError):
        services.call_number(actor=teller_high, number=number)


def test_call_a_number_refuses_a_ticket_that_is_not_waiting(teller_high, lobby_manager):
    t = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    serve_and_complete(teller_high)
    with pytest.raises(CounterError, match="not waiting"):
        services.call_number(actor=teller_high, number=t.number_display)


def test_call_a_number_that_was_not_issued_today_is_not_found(teller_high):
    opened(teller_high, 1)
    with pytest.raises(NotFound):
        services.call_number(actor=teller_high, number="A999")


# ---- no-show and return ------------------------------------------------------------------


def test_a_no_show_leaves_the_queue(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    gone = services.no_show(actor=teller_high, ticket_id=called.pk)
    assert gone.status == Ticket.Status.NO_SHOW and gone.completed_at is not None
    assert Visit.objects.get(pk=called.visit_id).status == Visit.Status.LEFT
    assert actions(called) == ["call", "no_show"]


def test_a_customer_already_at_the_window_is_no_no_show(teller_high, lobby_manager):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    services.start_serving(actor=teller_high, ticket_id=called.pk)
    with pytest.raises(CounterError):
        services.no_show(actor=teller_high, ticket_id=called.pk)


def _no_show_then_another(teller, lobby_manager) -> tuple[Ticket, Ticket]:
    first = ticket(lobby_manager, **CASH)
    second = ticket(lobby_manager, **CASH)
    opened(teller, 1)
    services.call_next(actor=teller)
    services.no_show(actor=teller, ticket_id=first.pk)
    return first, second


def test_a_returning_no_show_goes_to_the_end_by_default(teller_high, lobby_manager):
    first, second = _no_show_then_another(teller_high, lobby_manager)
    back = services.return_no_show(actor=lobby_manager, ticket_id=first.pk)
    assert back.status == Ticket.Status.WAITING and back.completed_at is None
    assert back.queued_at > second.queued_at
    assert serve_and_complete(teller_high).pk == second.pk
    assert actions(first) == ["call", "no_show", "return"]


def test_a_returning_no_show_can_keep_their_place(teller_high, lobby_manager):
    rules(lobby_manager.branch, no_show_return="place")
    first, _second = _no_show_then_another(teller_high, lobby_manager)
    services.return_no_show(actor=lobby_manager, ticket_id=first.pk)
    assert serve_and_complete(teller_high).pk == first.pk


def test_a_returned_no_show_keeps_its_first_call_time(teller_high, lobby_manager):
    first, _second = _no_show_then_another(teller_high, lobby_manager)
    first_call = Ticket.objects.get(pk=first.pk).called_at
    rules(lobby_manager.branch, no_show_return="place")
    services.return_no_show(actor=lobby_manager, ticket_id=first.pk)
    again = serve_and_complete(teller_high)
    assert again.pk == first.pk and again.called_at == first_call


def test_only_lobby_staff_put_a_no_show_back(teller_high, lobby_manager):
    first, _second = _no_show_then_another(teller_high, lobby_manager)
    with pytest.raises(PermissionDenied):
        services.return_no_show(actor=teller_high, ticket_id=first.pk)


def test_a_ticket_that_is_not_a_no_show_cannot_be_returned(lobby_manager):
    t = ticket(lobby_manager, **CASH)
    with pytest.raises(CounterError):
        services.return_no_show(actor=lobby_manager, ticket_id=t.pk)


# ---- park and resume ---------------------------------------------------------------------


def test_park_frees_the_window_and_resume_takes_the_customer_back(teller_high, lobby_manager):
    first = ticket(lobby_manager, **CASH)
    second = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    parked = services.park(actor=teller_high, ticket_id=first.pk)
    assert parked.status == Ticket.Status.PARKED
    assert Visit.objects.get(pk=first.visit_id).destination == ZoneKind.FORM_DESK
    assert serve_and_complete(teller_high).pk == second.pk
    back = services.resume(actor=teller_high, ticket_id=first.pk)
    assert back.status == Ticket.Status.SERVING
    assert actions(first) == ["call", "park", "resume"]


def test_resume_waits_until_the_current_customer_is_dealt_with(teller_high, lobby_manager):
    first = ticket(lobby_manager, **CASH)
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    services.park(actor=teller_high, ticket_id=first.pk)
    services.call_next(actor=teller_high)
    with pytest.raises(CounterError):
        services.resume(actor=teller_high, ticket_id=first.pk)


def test_a_parked_ticket_is_not_called_by_call_next(teller_high, lobby_manager):
    first = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    services.park(actor=teller_high, ticket_id=first.pk)
    with pytest.raises(CounterError, match="Nobody is waiting"):
        services.call_next(actor=teller_high)


# ---- transfer ----------------------------------------------------------------------------


def test_a_transfer_to_another_queue_keeps_number_issue_time_and_place(
    teller_high, teller_low, lobby_manager
):
    moved = ticket(lobby_manager, **CASH)
    issued = moved.issued_at
    waited_since(moved, 3)
    moved.refresh_from_db()
    issued = moved.issued_at
    ticket(lobby_manager, **NONCASH)  # already waiting in B, but issued later
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    b = moved.queue.branch.queues.get(prefix="B")
    services.transfer(actor=teller_high, ticket_id=moved.pk, queue_id=b.pk)
    opened(teller_low, 3)
    called = services.call_next(actor=teller_low)
    assert called.pk == moved.pk
    assert called.number_display == "A001" and called.issued_at == issued
    assert TicketEvent.objects.get(ticket=moved, action="transfer").detail == {"queue": "B"}


def test_a_transfer_to_a_window_is_called_there_first_and_nowhere_else(
    teller_high, teller_low, lobby_manager, branch
):
    bert = make_staff(branch, "bert", Role.TELLER_HIGH, "Bert")
    moved = ticket(lobby_manager, **CASH)
    other = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    opened(bert, 2)
    services.call_next(actor=teller_high)
    services.transfer(actor=teller_high, ticket_id=moved.pk, window_id=window(branch, 5).pk)
    assert services.call_next(actor=bert).pk == other.pk  # window 2 passes it over
    opened(teller_low, 5)
    assert services.call_next(actor=teller_low).pk == moved.pk


def test_a_transfer_puts_the_visit_back_in_the_waiting_zone(teller_high, lobby_manager, branch):
    moved = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    services.transfer(actor=teller_high, ticket_id=moved.pk, window_id=window(branch, 2).pk)
    visit = Visit.objects.get(pk=moved.visit_id)
    assert (visit.status, visit.destination) == (Visit.Status.WAITING, ZoneKind.WAITING)


def test_a_transfer_needs_exactly_one_target(teller_high, lobby_manager):
    moved = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    with pytest.raises(CounterError):
        services.transfer(actor=teller_high, ticket_id=moved.pk)


# ---- complete ----------------------------------------------------------------------------


def test_complete_records_what_was_done_and_who_served(teller_high, lobby_manager):
    t = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    done = services.complete(
        actor=teller_high, ticket_id=t.pk, business_types=["cash_large", "ebank_activation"]
    )
    assert done.status == Ticket.Status.DONE and done.completed_at is not None
    assert done.served_by == teller_high
    assert done.business_done == ["cash_large", "ebank_activation"]
    assert Visit.objects.get(pk=t.visit_id).status == Visit.Status.DONE
    event = TicketEvent.objects.get(ticket=t, action="complete")
    assert event.detail == {"business": ["cash_large", "ebank_activation"]}


def test_complete_needs_what_was_done(teller_high, lobby_manager):
    t = ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    with pytest.raises(services.LobbyError):
        services.complete(actor=teller_high, ticket_id=t.pk, business_types=[])


def test_issue_time_never_changes_and_call_time_is_the_first_call(
    teller_high, lobby_manager, branch
):
    t = ticket(lobby_manager, **CASH)
    issued = t.issued_at
    opened(teller_high, 1)
    first = services.call_next(actor=teller_high)
    services.transfer(actor=teller_high, ticket_id=t.pk, window_id=window(branch, 2).pk)
    services.close_window(actor=teller_high)
    opened(teller_high, 2)
    again = services.call_next(actor=teller_high)
    done = services.complete(actor=teller_high, ticket_id=t.pk, business_types=["cash_large"])
    assert again.pk == t.pk
    assert done.issued_at == issued and done.called_at == first.called_at
    assert done.completed_at >= done.called_at >= done.issued_at
    assert actions(t) == ["call", "transfer", "call", "complete"]


# ---- the lobby's view of it ----------------------------------------------------------------


def _zone(branch, kind: str) -> int:
    labels = dict(ZoneKind.choices)
    return dict(glance_context(branch)["zones"])[labels[kind]]


def test_the_glance_counts_a_called_customer_at_the_counter_and_a_done_one_nowhere(
    teller_high, lobby_manager, branch
):
    t = ticket(lobby_manager, business_types=["ebank_activation"])  # no form: waiting zone
    opened(teller_high, 5)
    assert _zone(branch, ZoneKind.WAITING) == 1
    services.call_next(actor=teller_high)
    assert _zone(branch, ZoneKind.WAITING) == 0
    assert _zone(branch, ZoneKind.VIP_ROOM) == 1
    services.complete(actor=teller_high, ticket_id=t.pk, business_types=["ebank_activation"])
    assert glance_context(branch)["in_lobby"] == 0


def test_the_waiting_board_drops_a_called_ticket(teller_high, lobby_manager, branch):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    assert len(board_context(branch)["rows"]) == 1
    services.call_next(actor=teller_high)
    assert board_context(branch)["rows"] == []


def test_the_current_panel_shows_the_stop_marketing_banner(teller_high, lobby_manager):
    ticket(lobby_manager, cues=["fraud_risk_instructed_by_phone"], **CASH)
    opened(teller_high, 1)
    services.call_next(actor=teller_high)
    context = screens.current_context(teller_high)
    assert context["no_marketing"] is True
    with translation.override("en"):
        assert [str(r) for r in context["risks"]] == ["Fraud risk: instructed by phone"]


# ---- pushes ------------------------------------------------------------------------------


def _groups(teller) -> dict[str, str]:
    branch_id = teller.branch_id
    return {
        "teller": live.staff_group(teller.pk),
        "lobby": live.role_group(branch_id, Role.LOBBY_MANAGER),
        "display": push.display_group(branch_id),
    }


def test_call_next_pushes_the_teller_the_lobby_and_the_display_once_each(
    teller_high, lobby_manager, django_capture_on_commit_callbacks
):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    groups = _groups(teller_high)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return services.call_next(actor=teller_high)

    _t, messages = pushes_during(groups.values(), act)
    html = [m["html"]["en"] for m in messages]
    assert sum('id="counter-current"' in h for h in html) == 1
    assert sum('id="waiting-board"' in h for h in html) == 1
    assert sum('id="display-board"' in h for h in html) == 1
    assert len(messages) == 3


def test_a_call_updates_the_queue_lengths_at_every_other_open_window(
    teller_high, lobby_manager, branch, django_capture_on_commit_callbacks
):
    bert = make_staff(branch, "bert", Role.TELLER_HIGH, "Bert")
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    opened(bert, 2)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return services.call_next(actor=teller_high)

    _t, messages = pushes_during([live.staff_group(bert.pk)], act)
    assert len(messages) == 1
    html = messages[0]["html"]["en"]
    assert 'id="counter-window"' in html and 'id="counter-current"' not in html


def test_a_check_in_updates_the_queue_lengths_at_open_windows_and_the_display(
    teller_high, lobby_manager, django_capture_on_commit_callbacks
):
    opened(teller_high, 1)
    groups = _groups(teller_high)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return ticket(lobby_manager, **CASH)

    _t, messages = pushes_during([groups["teller"], groups["display"]], act)
    assert len(messages) == 2


def test_opening_a_window_updates_every_tellers_picker(
    teller_high, teller_low, django_capture_on_commit_callbacks
):
    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return opened(teller_high, 1)

    group = live.role_group(teller_low.branch_id, Role.TELLER_LOW)
    _w, messages = pushes_during([group], act)
    assert len(messages) == 1
    assert "Open by Bob" in messages[0]["html"]["en"]


def test_a_recall_pushes_the_display_but_not_the_lobby(
    teller_high, lobby_manager, django_capture_on_commit_callbacks
):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    groups = _groups(teller_high)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return services.recall(actor=teller_high, ticket_id=called.pk)

    _r, lobby = pushes_during([groups["lobby"]], act)
    _r, display = pushes_during([groups["display"]], act)
    assert lobby == []
    assert len(display) == 1


@pytest.mark.parametrize(
    ("verb", "lobby_pushes"),
    [
        ("start_serving", 0),
        ("no_show", 1),
        ("park", 1),
        ("complete", 1),
        ("transfer", 1),
    ],
)
def test_each_operation_on_the_current_customer_pushes_once_per_screen(
    teller_high, lobby_manager, branch, django_capture_on_commit_callbacks, verb, lobby_pushes
):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    called = services.call_next(actor=teller_high)
    extra = {
        "complete": {"business_types": ["cash_large"]},
        "transfer": {"window_id": window(branch, 2).pk},
    }.get(verb, {})
    groups = _groups(teller_high)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(services, verb)(actor=teller_high, ticket_id=called.pk, **extra)

    _r, messages = pushes_during([groups["teller"], groups["lobby"]], act)
    html = [m["html"]["en"] for m in messages]
    assert sum('id="counter-current"' in h for h in html) == 1
    assert sum('id="waiting-board"' in h for h in html) == lobby_pushes


def test_a_refused_call_pushes_nothing(teller_high, django_capture_on_commit_callbacks):
    opened(teller_high, 1)
    groups = _groups(teller_high)

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            return services.call_next(actor=teller_high)

    result, messages = pushes_during(groups.values(), act)
    assert isinstance(result, CounterError)
    assert messages == []


def test_a_rolled_back_call_pushes_nothing(
    teller_high, lobby_manager, django_capture_on_commit_callbacks
):
    ticket(lobby_manager, **CASH)
    opened(teller_high, 1)
    groups = _groups(teller_high)

    class Boom(Exception):
        pass

    def act():
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            services.call_next(actor=teller_high)
            raise Boom

    result, messages = pushes_during(groups.values(), act)
    assert isinstance(result, Boom)
    assert messages == []
    assert Ticket.objects.get().status == Ticket.Status.WAITING
