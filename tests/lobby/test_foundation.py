"""Sign-in, each role's landing, the admin, the demo seed and both languages."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from lobby.choices import Role, ZoneKind
from lobby.demo_branch import DEMO_PASSWORD, ROSTER
from lobby.models import Branch, RoutingRule, Staff, TicketQueue, Zone
from products.choices import ProductCategory
from products.demo_catalogue import SITUATIONS
from products.models import Product, Script
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _row_counts() -> list[int]:
    models = [Branch, Staff, Zone, TicketQueue, RoutingRule, Product, Script]
    return [model.objects.count() for model in models]


def test_seed_demo_twice_gives_one_branch_and_the_same_rows(capsys):
    call_command("seed_demo")
    counts = _row_counts()
    call_command("seed_demo")
    again = _row_counts()
    assert counts == again
    assert counts[0] == 1
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for person in ROSTER:
        assert person.username in out


def test_demo_branch_has_every_zone_role_category_and_situation():
    call_command("seed_demo")
    branch = Branch.objects.get(code="demo")
    assert set(branch.zones.values_list("kind", flat=True)) == set(ZoneKind.values)
    roles = set(Staff.objects.filter(branch=branch).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert set(Product.objects.values_list("category", flat=True)) == set(ProductCategory.values)
    assert {code for code, _zh, _en in SITUATIONS} <= set(
        Script.objects.values_list("situation", flat=True)
    )
    assert set(branch.queues.values_list("prefix", flat=True)) >= {"A", "B", "V", "Y"}


def test_demo_logins_work():
    call_command("seed_demo")
    from django.test import Client

    for person in ROSTER:
        assert Client().login(username=person.username, password=DEMO_PASSWORD), person.username


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


def test_teller_is_refused_the_admin_pages(client, teller_high):
    client.force_login(teller_high.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url
    assert client.get(reverse("admin:lobby_branch_changelist")).status_code == 302


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


def test_every_admin_page_loads(client, branch_admin, catalogue):
    client.force_login(branch_admin.user)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        if model_admin.has_add_permission(_request_for(branch_admin.user)):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add
        first = model.objects.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_page_is_chinese_for_a_browser_that_asks_for_it(client, lobby_manager):
    client.force_login(lobby_manager.user)
    html = client.get(reverse("lobby:tablet"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content
    text = html.decode()
    assert 'lang="zh-hans"' in text
    assert "退出" in text  # "Sign out"


def test_page_is_english_for_a_browser_that_asks_for_it(client, lobby_manager):
    client.force_login(lobby_manager.user)
    text = client.get(
        reverse("lobby:tablet"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"
    ).content.decode()
    assert 'lang="en"' in text
    assert "Sign out" in text


def test_the_switch_overrides_the_browser(client, lobby_manager):
    client.force_login(lobby_manager.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("lobby:tablet"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in text


def test_the_switch_works_before_signing_in(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert "Sign in" in client.get(reverse("login")).content.decode()


def test_health_check_needs_no_login(client):
    assert client.get("/healthz").content == b"ok"


def test_demo_lobby_opens_with_customers_once_a_day():
    from lobby.demo_branch import MORNING
    from lobby.models import Ticket, Visit
    from referrals.models import Referral

    call_command("seed_demo")
    call_command("seed_demo")
    assert Visit.objects.count() == len(MORNING)
    assert Ticket.objects.filter(status=Ticket.Status.WAITING).count() >= 3
    assert Referral.objects.filter(status="created", target_role=Role.WEALTH_MANAGER).count() == 1
