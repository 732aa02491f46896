"""What the lobby's regions show, built in lobby.screens (no HTTP)."""

from __future__ import annotations

import pytest

from lobby import screens, services
from referrals import services as referral_services
from tests.conftest import client_for, make_visit

pytestmark = pytest.mark.django_db


def _row(branch, visit):
    return next(r for r in screens.board_context(branch)["rows"] if r["visit"].pk == visit.pk)


def test_a_waiting_customer_with_no_referral_may_be_handed_on(branch, lobby_manager):
    visit = make_visit(lobby_manager)
    row = _row(branch, visit)
    assert row["may_refer"] and not row["ticket"].with_wealth


def test_a_waiting_customer_with_an_open_referral_is_shown_with_a_wealth_manager(
    branch, lobby_manager, wealth_manager
):
    visit = make_visit(lobby_manager)
    services.hand_to_wealth_manager(actor=lobby_manager, visit_id=visit.pk, stage="second")
    row = _row(branch, visit)
    assert row["ticket"].with_wealth and not row["may_refer"]


def test_a_closed_referral_no_longer_counts_as_with_a_wealth_manager(
    branch, lobby_manager, wealth_manager
):
    visit = make_visit(lobby_manager)
    referral = services.hand_to_wealth_manager(
        actor=lobby_manager, visit_id=visit.pk, stage="second"
    )
    referral_services.cancel(referral_id=referral.pk, actor=lobby_manager)
    row = _row(branch, visit)
    assert not row["ticket"].with_wealth and row["may_refer"]


def test_waiting_clocks_follow_the_branch_settings(branch, lobby_manager):
    branch.waiting_warn_minutes, branch.waiting_target_minutes = 5, 12
    branch.save()
    for context in (screens.board_context(branch), screens.glance_context(branch)):
        assert (context["waiting_warn"], context["waiting_late"]) == (300, 720)


def test_the_board_and_the_glance_render_the_branch_thresholds(client, branch, lobby_manager):
    branch.waiting_warn_minutes, branch.waiting_target_minutes = 7, 15
    branch.save()
    make_visit(lobby_manager)
    client_for(client, lobby_manager)
    html = client.get("/lobby/tablet/").content.decode()
    assert html.count('data-warn-after="420" data-late-after="900"') == 2  # board row, queue


def test_the_script_admin_offers_the_roles_to_pick(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin_user)
    html = client.get("/admin/products/script/add/").content.decode()
    assert 'name="roles" value="teller_high"' in html


def test_the_branch_admin_shows_the_waiting_thresholds(client, branch, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin_user)
    html = client.get(f"/admin/lobby/branch/{branch.pk}/change/").content.decode()
    assert 'name="waiting_warn_minutes"' in html and 'name="waiting_target_minutes"' in html
