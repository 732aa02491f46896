"""Twenty tellers tap "call next" at the same instant on one queue: twenty different tickets."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from lobby import services
from lobby.choices import Role
from lobby.models import Ticket, TicketEvent, TicketQueue, Window, WindowQueue
from tests.conftest import make_staff, make_visit

CALLERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_calls_get_twenty_different_tickets(branch, lobby_manager):
    queue = TicketQueue.objects.get(branch=branch, prefix="A")
    tellers = []
    for i in range(CALLERS):
        teller = make_staff(branch, f"t{i}", Role.TELLER_HIGH, f"Teller {i}")
        window = Window.objects.create(
            branch=branch, number=100 + i, name_zh=f"{100 + i}号窗口", name_en=f"Window {100 + i}"
        )
        WindowQueue.objects.create(window=window, queue=queue)
        services.open_window(actor=teller, window_id=window.pk)
        tellers.append(teller)
    for _ in range(CALLERS + 5):
        make_visit(lobby_manager, business_types=["cash_large"])
    start = threading.Barrier(CALLERS, timeout=30)
    results: dict[int, object] = {}

    def call(teller) -> None:
        try:
            start.wait()
            results[teller.pk] = services.call_next(actor=teller)
        except Exception as exc:  # the assertions below show it
            results[teller.pk] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(t,)) for t in tellers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    called = [r for r in results.values() if isinstance(r, Ticket)]
    assert len(called) == CALLERS, [r for r in results.values() if not isinstance(r, Ticket)]
    assert len({t.pk for t in called}) == CALLERS
    assert len({t.window_id for t in called}) == CALLERS
    # The oldest twenty were taken; five wait.
    assert sorted(t.number for t in called) == list(range(1, CALLERS + 1))
    assert Ticket.objects.filter(status=Ticket.Status.WAITING).count() == 5
    assert TicketEvent.objects.filter(action="call").count() == CALLERS
    assert connection.vendor in ("sqlite", "postgresql")
