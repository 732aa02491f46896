"""The tablet, the waiting board and the glance over HTTP: pages, partials, bad input, access."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from lobby import errors, services
from lobby.models import Ticket, Visit
from referrals.models import Referral
from tests.conftest import client_for, make_visit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PAGES = ["lobby:tablet", "lobby:board", "lobby:glance"]


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def manager_client(client, lobby_manager, catalogue):
    return client_for(client, lobby_manager)


def post_check_in(client, htmx=True, **data):
    values = {"prejudgement": "regular", "business_types": ["cash_large"]}
    values.update(data)
    return client.post(reverse("lobby:check_in"), values, **(HTMX if htmx else {}))


# ---- full pages and partials -------------------------------------------------------------


def test_tablet_page_has_the_check_in_board_glance_and_sent_referrals(manager_client):
    html = _html(manager_client.get(reverse("lobby:tablet")))
    for region in ('id="checkin"', 'id="waiting-board"', 'id="glance"', 'id="sent-referrals"'):
        assert region in html
    assert "<html" in html
    assert "tablet.css" in html


def test_tablet_partial_is_a_fresh_check_in_form_only(manager_client):
    html = _html(manager_client.get(reverse("lobby:tablet"), **HTMX))
    assert html.lstrip().startswith('<section id="checkin"')
    assert "<html" not in html
    assert 'name="client_token"' in html


@pytest.mark.parametrize("name", ["lobby:board", "lobby:glance"])
def test_board_and_glance_have_a_page_of_their_own(manager_client, name):
    response = manager_client.get(reverse(name))
    assert response.status_code == 200
    assert "<html" in _html(response)


@pytest.mark.parametrize(
    ("name", "region"), [("lobby:board", "waiting-board"), ("lobby:glance", "glance")]
)
def test_board_and_glance_partials_are_their_regions_content_only(manager_client, name, region):
    # The region's element stays on the page (it carries the re-read triggers); only its
    # content is swapped.
    html = _html(manager_client.get(reverse(name), **HTMX))
    assert html.lstrip().startswith("<h2>")
    assert f'id="{region}"' not in html
    assert "<html" not in html


def test_route_partial_shows_the_suggestion_for_what_is_ticked(manager_client):
    response = manager_client.get(
        reverse("lobby:route"), {"prejudgement": "vip", "business_types": "wealth_consult"}, **HTMX
    )
    html = _html(response)
    # The content of #route only: the element itself, which listens for the form's changes, stays.
    assert html.lstrip().startswith('<div class="route-line">') and 'id="route"' not in html
    assert 'value="vip_room"' not in html  # the suggestion itself is not offered as an override
    assert "data-confirm" in html


def test_route_partial_with_an_unknown_business_says_so(manager_client):
    response = manager_client.get(
        reverse("lobby:route"), {"prejudgement": "regular", "business_types": "teleport"}, **HTMX
    )
    assert response.status_code == 200
    assert 'class="error"' in _html(response)


# ---- check-in ----------------------------------------------------------------------------


def test_check_in_shows_the_ticket_huge_with_the_script(manager_client):
    html = _html(post_check_in(manager_client))
    assert 'class="ticket-no huge" data-ticket>A001<' in html
    assert 'class="script"' in html
    assert "stop" in html  # the stop-asking button stays on the result


def test_the_script_is_in_the_ui_language(manager_client):
    manager_client.cookies["django_language"] = "en"
    html = _html(post_check_in(manager_client, business_types=["ebank_activation"]))
    assert "Here is your ticket" in html
    manager_client.cookies["django_language"] = "zh-hans"
    html = _html(post_check_in(manager_client, business_types=["ebank_activation"]))
    assert "这是您的号" in html


def test_the_label_fills_the_scripts_blank(manager_client):
    manager_client.cookies["django_language"] = "en"
    html = _html(post_check_in(manager_client, prejudgement="vip", label="Mr Wang"))
    assert "Mr Wang" in html
    assert "{label}" not in html


def test_a_plain_form_post_redirects_back_to_the_tablet(manager_client):
    response = post_check_in(manager_client, htmx=False)
    assert response.status_code == 302
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"business_types": []},
        {"business_types": ["teleport"]},
        {"prejudgement": "emperor"},
        {"prejudgement": ""},
        {"label": "13800138000"},
        {"label": "王小明"},
        {"cues": ["large_account_swing"]},
        {"destination": "roof"},
        {"client_token": "x' OR 1=1"},
    ],
)
def test_bad_check_in_is_a_400_showing_a_message_and_writes_nothing(manager_client, data):
    response = post_check_in(manager_client, **data)
    assert response.status_code == 400
    assert response["X-Refused"] == "1"  # the page swaps it in (static/lobby/app.js)
    assert "data-error" in _html(response)
    assert not Visit.objects.exists()


def test_bad_plain_form_post_is_a_400_with_the_message(manager_client):
    response = post_check_in(manager_client, htmx=False, business_types=[])
    assert response.status_code == 400
    assert "data-error" in _html(response)


def test_a_refused_check_in_keeps_what_was_ticked(manager_client):
    html = _html(post_check_in(manager_client, label="13800138000", business_types=["fx_exchange"]))
    assert 'value="fx_exchange" checked' in html
    assert 'value="regular" checked' in html


def test_a_double_submitted_check_in_makes_one_ticket(manager_client):
    token = str(uuid.uuid4())
    first = _html(post_check_in(manager_client, client_token=token))
    second = _html(post_check_in(manager_client, client_token=token))
    assert Visit.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert "A001" in first and "A001" in second


def test_check_in_refuses_get(manager_client):
    assert manager_client.get(reverse("lobby:check_in")).status_code == 405


# ---- the waiting board's actions ---------------------------------------------------------


def action_url(visit_id, action):
    return reverse("lobby:visit_action", args=[visit_id, action])


def test_the_board_lists_every_waiting_ticket_with_a_live_clock_and_tier(
    manager_client, lobby_manager
):
    make_visit(lobby_manager, prejudgement="potential_vip", label="王先生")
    make_visit(lobby_manager, business_types=["ebank_activation"])
    html = _html(manager_client.get(reverse("lobby:board"), **HTMX))
    assert "A001" in html and "B001" in html
    assert "王先生" in html
    assert html.count("data-since=") == 2
    assert 'class="badge vip"' in html


def test_observing_a_behaviour_shows_the_suggestion_and_script(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    manager_client.cookies["django_language"] = "en"
    response = manager_client.post(
        action_url(visit.pk, "cue"), {"cue": "browsing_brochure"}, **HTMX
    )
    html = _html(response)
    assert html.lstrip().startswith("<h2>") and 'id="waiting-board"' not in html
    assert "wealth manager" in html
    assert 'class="script"' in html


def test_handing_to_a_wealth_manager_from_the_board(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    response = manager_client.post(action_url(visit.pk, "wealth"), **HTMX)
    assert response.status_code == 200
    referral = Referral.objects.get(visit=visit)
    assert referral.stage == "second"
    assert 'data-action="wealth"' not in _html(response)  # already with a wealth manager


def test_sending_to_self_service_from_the_board_removes_the_row(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    html = _html(manager_client.post(action_url(visit.pk, "self-service"), **HTMX))
    assert f'id="visit-{visit.pk}"' not in html
    assert Ticket.objects.get(visit=visit).status == Ticket.Status.DIVERTED


def test_stop_asking_from_the_result_panel_answers_with_the_result(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    response = manager_client.post(action_url(visit.pk, "stop"), **HTMX, HTTP_HX_TARGET="checkin")
    html = _html(response)
    assert html.lstrip().startswith('<section id="checkin" class="card result"')
    assert 'class="badge stop"' in html
    visit.refresh_from_db()
    assert visit.marketing_stopped


def test_a_customer_who_left_drops_off_the_board(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    html = _html(manager_client.post(action_url(visit.pk, "left"), **HTMX))
    assert f'id="visit-{visit.pk}"' not in html


def test_a_refused_action_is_a_400_showing_its_reason_on_the_board(manager_client, lobby_manager):
    visit = make_visit(lobby_manager, stop_marketing=True)
    response = manager_client.post(action_url(visit.pk, "wealth"), **HTMX)
    assert response.status_code == 400
    assert response["X-Refused"] == "1"
    assert "data-error" in _html(response)
    assert not Referral.objects.exists()


def test_an_unknown_behaviour_is_a_400_with_a_message(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    response = manager_client.post(action_url(visit.pk, "cue"), {"cue": "<script>"})
    assert response.status_code == 400
    assert "data-error" in _html(response)


@pytest.mark.parametrize(
    ("error", "status"),
    [(errors.DomainError, 400), (errors.Conflict, 409), (errors.NotFound, 404)],
)
def test_a_refusal_is_answered_with_its_status_and_message_on_the_board(
    manager_client, lobby_manager, monkeypatch, error, status
):
    visit = make_visit(lobby_manager)

    def refuse(**kwargs):
        raise error("Someone else is looking after this customer.")

    monkeypatch.setattr(services, "mark_left", refuse)
    response = manager_client.post(action_url(visit.pk, "left"), **HTMX)
    assert response.status_code == status
    assert response["X-Refused"] == "1"
    assert "Someone else is looking after this customer." in _html(response)
    assert 'id="waiting-board"' not in _html(response)  # the board's content, for its element


def test_a_refusal_on_a_plain_post_is_the_board_page_with_the_message(
    manager_client, lobby_manager, monkeypatch
):
    visit = make_visit(lobby_manager)

    def refuse(**kwargs):
        raise errors.Conflict("Someone else is looking after this customer.")

    monkeypatch.setattr(services, "mark_left", refuse)
    response = manager_client.post(action_url(visit.pk, "left"))
    assert response.status_code == 409
    assert "<html" in _html(response)
    assert "Someone else is looking after this customer." in _html(response)


@pytest.mark.parametrize("visit_id", [0, 999999, 2**70])
def test_garbage_visit_ids_are_404(manager_client, visit_id):
    response = manager_client.post(f"/lobby/visit/{visit_id}/stop/", **HTMX)
    assert response.status_code == 404


def test_non_numeric_ids_and_unknown_actions_are_404(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    assert manager_client.post("/lobby/visit/abc/stop/").status_code == 404
    assert manager_client.post(action_url(visit.pk, "explode")).status_code == 404


def test_actions_refuse_get(manager_client, lobby_manager):
    visit = make_visit(lobby_manager)
    assert manager_client.get(action_url(visit.pk, "stop")).status_code == 405


# ---- who may see and act -----------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["teller_high", "wealth_manager", "branch_admin"])
@pytest.mark.parametrize("name", PAGES)
def test_non_lobby_staff_are_refused_the_lobby_screens(client, request, fixture, name):
    client_for(client, request.getfixturevalue(fixture))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("fixture", ["teller_high", "wealth_manager"])
def test_non_lobby_staff_cannot_check_in_or_act(client, request, lobby_manager, fixture):
    visit = make_visit(lobby_manager)
    client_for(client, request.getfixturevalue(fixture))
    assert post_check_in(client).status_code == 403
    assert client.post(action_url(visit.pk, "self-service"), **HTMX).status_code == 403
    assert Visit.objects.count() == 1


def test_another_branch_sees_none_of_our_customers(client, lobby_manager, outsider):
    make_visit(lobby_manager, label="王先生")
    client_for(client, outsider)
    html = _html(client.get(reverse("lobby:board"), **HTMX))
    assert "王先生" not in html and "A001" not in html


def test_another_branch_cannot_act_on_our_customers(client, lobby_manager, outsider):
    visit = make_visit(lobby_manager)
    client_for(client, outsider)
    assert client.post(action_url(visit.pk, "self-service"), **HTMX).status_code == 404
    assert Ticket.objects.get(visit=visit).status == Ticket.Status.WAITING


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("lobby:tablet"))
    assert response.status_code == 302
    assert reverse("login") in response.url


# ---- constant queries --------------------------------------------------------------------


def _fill(lobby_manager, n):
    for i in range(n):
        visit = make_visit(
            lobby_manager,
            prejudgement="vip" if i % 3 == 0 else "regular",
            business_types=["cash_large"] if i % 2 else ["ebank_activation"],
            cues=["browsing_brochure"],
        )
        if i % 4 == 0:
            Referral.objects.create(
                branch=lobby_manager.branch,
                visit=visit,
                stage="second",
                referrer=lobby_manager,
                referrer_role=lobby_manager.role,
                target_role="wealth_manager",
            )


@pytest.mark.parametrize("name", PAGES)
def test_pages_use_a_constant_number_of_queries(
    manager_client, lobby_manager, django_assert_max_num_queries, name
):
    _fill(lobby_manager, 2)
    with django_assert_max_num_queries(14) as few:
        manager_client.get(reverse(name))
    _fill(lobby_manager, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(reverse(name))
    assert response.status_code == 200
