"""Sign-in and sign-out, each role's landing, and who is refused what screen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_renders_and_wrong_password_says_so(client, lobby_manager):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode() or "不匹配" in response.content.decode()


@pytest.mark.parametrize(
    ("fixture", "landing"),
    [
        ("lobby_manager", "lobby:tablet"),
        ("lobby_assistant", "lobby:tablet"),
        ("teller_high", "lobby:counter"),
        ("teller_low", "lobby:counter"),
        ("wealth_manager", "referrals:queue"),
        ("branch_admin", "reports:index"),
    ],
)
def test_each_role_lands_on_its_own_screen(client, request, fixture, landing):
    staff = request.getfixturevalue(fixture)
    response = client.post(
        reverse("login"), {"username": staff.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse(landing)
    assert client.get(response.url).status_code == 200


def test_teller_is_refused_the_reports_and_the_tablet(client, teller_high):
    client.force_login(teller_high.user)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("lobby:tablet")).status_code == 403


def test_user_without_a_role_gets_a_clear_page(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "branch admin" in response.content.decode() or "网点负责人" in response.content.decode()


def test_logout_signs_out(client, lobby_manager):
    client.force_login(lobby_manager.user)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("lobby:tablet")).status_code == 302


def test_health_check_needs_no_login(client):
    assert client.get("/healthz").content == b"ok"
