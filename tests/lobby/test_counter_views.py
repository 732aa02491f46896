"""The counter screen over HTTP: one tap per operation, refusals as 4xx with the reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lobby import services
from lobby.choices import TELLER_ROLES
from lobby.models import Ticket, Window
from tests.conftest import make_visit
from tests.test_no_server_errors import GARBAGE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def as_(staff) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(staff.user)
    return client


def window(branch, number: int) -> Window:
    return Window.objects.get(branch=branch, number=number)


def post(client, name: str, *args, data=None, htmx=True):
    url = reverse(name, args=args)
    return client.post(url, data or {}, **(HTMX if htmx else {}))


@pytest.fixture
def at_window_1(teller_high, branch):
    services.open_window(actor=teller_high, window_id=window(branch, 1).pk)
    return as_(teller_high)


def test_a_teller_without_a_window_sees_the_windows_to_open(teller_high):
    html = as_(teller_high).get(reverse("lobby:counter")).content.decode()
    assert 'id="counter-windows"' in html and 'data-window="1"' in html
    assert 'id="counter-inbox"' in html


def test_the_counter_is_for_tellers_only(lobby_manager, wealth_manager):
    assert as_(lobby_manager).get(reverse("lobby:counter")).status_code == 403
    assert as_(wealth_manager).get(reverse("lobby:counter")).status_code == 403


def test_one_tap_opens_a_window(teller_high, branch):
    response = post(
        as_(teller_high), "lobby:counter_action", "open", data={"window": window(branch, 1).pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-open="{window(branch, 1).pk}"' in html and "is open" in html


def test_a_window_open_by_someone_else_answers_409_with_who(teller_high, teller_low, branch):
    services.open_window(actor=teller_high, window_id=window(branch, 1).pk)
    response = post(
        as_(teller_low), "lobby:counter_action", "open", data={"window": window(branch, 1).pk}
    )
    assert response.status_code == 409
    assert "Bob" in response.content.decode()


def test_one_tap_calls_the_next_customer_into_the_panel(at_window_1, lobby_manager):
    make_visit(lobby_manager, label="王先生")
    response = post(at_window_1, "lobby:counter_action", "call-next")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-ticket="A001"' in html and "王先生" in html


def test_the_counter_embeds_the_referral_panel_of_the_customer_at_the_window(
    at_window_1, lobby_manager
):
    visit = make_visit(lobby_manager, label="王先生")
    page = at_window_1.get(reverse("lobby:counter")).content.decode()
    assert f'hx-get="{reverse("referrals:counter_panel")}"' in page
    assert at_window_1.get(reverse("referrals:counter_panel"), **HTMX).content == b""
    post(at_window_1, "lobby:counter_action", "call-next")
    panel = at_window_1.get(reverse("referrals:counter_panel"), **HTMX).content.decode()
    assert f'id="visit-panel-{visit.pk}"' in panel and "王先生" in panel


def test_calling_with_nobody_waiting_answers_400_with_the_reason(at_window_1):
    response = post(at_window_1, "lobby:counter_action", "call-next")
    assert response.status_code == 400
    assert "Nobody is waiting" in response.content.decode()


def test_a_mistyped_number_is_a_form_error(at_window_1):
    response = post(at_window_1, "lobby:counter_action", "call-number", data={"number": "12"})
    assert response.status_code == 400
    assert "A012" in response.content.decode()


def test_call_a_number_over_http(at_window_1, lobby_manager):
    make_visit(lobby_manager)
    make_visit(lobby_manager)
    response = post(at_window_1, "lobby:counter_action", "call-number", data={"number": "a002"})
    assert response.status_code == 200
    assert Ticket.objects.get(number=2).status == Ticket.Status.CALLED


def _call(client, lobby_manager, **visit) -> Ticket:
    make_visit(lobby_manager, **visit)
    post(client, "lobby:counter_action", "call-next")
    return Ticket.objects.get(status=Ticket.Status.CALLED)


def test_the_panel_shows_the_banner_for_a_customer_not_to_be_marketed_to(
    at_window_1, lobby_manager
):
    _call(at_window_1, lobby_manager, cues=["fraud_risk_large_withdrawal_elderly"])
    html = at_window_1.get(reverse("lobby:counter")).content.decode()
    assert "data-no-marketing" in html and "Fraud risk: elderly, large withdrawal" in html


@pytest.mark.parametrize("action", ["recall", "start", "no-show", "park"])
def test_each_one_tap_operation_answers_with_the_panel(at_window_1, lobby_manager, action):
    called = _call(at_window_1, lobby_manager)
    response = post(at_window_1, "lobby:counter_ticket", called.pk, action)
    assert response.status_code == 200
    assert 'id="counter-current"' in response.content.decode()


def test_complete_with_the_business_done(at_window_1, lobby_manager):
    called = _call(at_window_1, lobby_manager)
    response = post(
        at_window_1,
        "lobby:counter_ticket",
        called.pk,
        "complete",
        data={"business_types": ["cash_large", "ebank_activation"]},
    )
    assert response.status_code == 200
    called.refresh_from_db()
    assert called.status == Ticket.Status.DONE
    assert called.business_done == ["cash_large", "ebank_activation"]


def test_complete_without_the_business_done_is_refused(at_window_1, lobby_manager):
    called = _call(at_window_1, lobby_manager)
    response = post(at_window_1, "lobby:counter_ticket", called.pk, "complete")
    assert response.status_code == 400


def test_transfer_to_a_queue_over_http(at_window_1, lobby_manager, branch):
    called = _call(at_window_1, lobby_manager)
    b = branch.queues.get(prefix="B")
    response = post(
        at_window_1, "lobby:counter_ticket", called.pk, "transfer", data={"to": f"queue:{b.pk}"}
    )
    assert response.status_code == 200
    called.refresh_from_db()
    assert (called.status, called.for_queue) == (Ticket.Status.WAITING, b)


def test_without_htmx_an_operation_redirects_back_to_the_counter(at_window_1, lobby_manager):
    make_visit(lobby_manager)
    response = post(at_window_1, "lobby:counter_action", "call-next", htmx=False)
    assert response.status_code == 302 and response["Location"] == reverse("lobby:counter")


def test_a_region_is_read_on_its_own_for_a_resync(at_window_1):
    response = at_window_1.get(reverse("lobby:counter"), {"part": "window"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="counter-window"')


def test_an_unknown_region_is_a_bad_request(at_window_1):
    response = at_window_1.get(reverse("lobby:counter"), {"part": "nope"}, **HTMX)
    assert response.status_code == 400


def test_lobby_staff_put_a_no_show_back_from_their_list(at_window_1, lobby_manager):
    called = _call(at_window_1, lobby_manager)
    post(at_window_1, "lobby:counter_ticket", called.pk, "no-show")
    lobby = as_(lobby_manager)
    assert 'data-no-show="A001"' in lobby.get(reverse("lobby:no_shows"), **HTMX).content.decode()
    response = post(lobby, "lobby:return_no_show", called.pk)
    assert response.status_code == 200
    called.refresh_from_db()
    assert called.status == Ticket.Status.WAITING


def test_tellers_do_not_put_no_shows_back(at_window_1, lobby_manager):
    called = _call(at_window_1, lobby_manager)
    post(at_window_1, "lobby:counter_ticket", called.pk, "no-show")
    assert post(at_window_1, "lobby:return_no_show", called.pk).status_code == 403


@pytest.mark.parametrize(
    "role", ["teller_high", "teller_low", "lobby_manager", "wealth_manager", "outsider", None]
)
def test_no_counter_route_answers_500_to_any_role_or_input(request, lobby_manager, branch, role):
    visit = make_visit(lobby_manager)
    client = Client(raise_request_exception=False)
    if role is not None:
        staff = request.getfixturevalue(role)
        client.force_login(staff.user)
        if staff.role in TELLER_ROLES:
            services.open_window(actor=staff, window_id=window(branch, 5).pk)
    urls = [
        reverse("lobby:counter_action", args=[a])
        for a in ("open", "close", "call-next", "call-number", "nonsense")
    ]
    for pk in (visit.ticket.pk, 999_999_999):
        for action in ("recall", "start", "no-show", "park", "resume", "transfer", "complete"):
            urls.append(reverse("lobby:counter_ticket", args=[pk, action]))
        urls.append(reverse("lobby:return_no_show", args=[pk]))
    urls += [reverse("lobby:no_shows"), reverse("lobby:counter"), reverse("display", args=["x"])]
    fields = ["window", "number", "to", "business_types"]
    failures = []
    for url in urls:
        for junk in GARBAGE:
            for headers in ({}, HTMX):
                response = client.post(url, {f: junk for f in fields}, **headers)
                if response.status_code >= 500:
                    failures.append((url, junk, response.status_code))
        response = client.get(url, {"part": "☃"}, **HTMX)
        if response.status_code >= 500:
            failures.append((url, "GET", response.status_code))
    assert failures == []
