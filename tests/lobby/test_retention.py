import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lobby import services as lobby_services
from lobby.models import Visit
from referrals import services as referral_services
from referrals.models import Referral
from tests.conftest import make_visit

pytestmark = pytest.mark.django_db


def _age(visit: Visit, days: int) -> None:
    then = timezone.now() - dt.timedelta(days=days)
    Visit.objects.filter(pk=visit.pk).update(arrived_at=then)
    Referral.objects.filter(visit=visit).update(created_at=then)


def test_old_labels_and_notes_are_blanked_and_recent_ones_kept(lobby_manager, wealth_manager):
    old = make_visit(lobby_manager, label="王先生")
    referral_services.refer(actor=lobby_manager, stage="second", visit=old, note="likes gold")
    recent = make_visit(lobby_manager, label="李女士")
    _age(old, 40)

    call_command("purge_notes", "--days", "30")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.label == ""
    assert Referral.objects.get(visit=old).note == ""
    assert recent.label == "李女士"


def test_purging_keeps_the_anonymous_facts_for_reports(lobby_manager, wealth_manager):
    visit = make_visit(lobby_manager, label="王先生", prejudgement="potential_vip")
    referral_services.refer(actor=lobby_manager, stage="second", visit=visit, note="x")
    _age(visit, 40)

    call_command("purge_notes", "--days", "30")

    visit.refresh_from_db()
    assert (visit.prejudgement, visit.business_types) == ("potential_vip", ["cash_large"])
    assert visit.ticket.number_display == "A001"
    assert Referral.objects.filter(visit=visit, stage="second").count() == 1


def test_each_app_purges_only_its_own_rows(lobby_manager, wealth_manager):
    visit = make_visit(lobby_manager, label="王先生")
    referral_services.refer(actor=lobby_manager, stage="second", visit=visit, note="likes gold")
    _age(visit, 40)

    assert lobby_services.purge_personal_notes(older_than=dt.timedelta(days=30)) == {"visits": 1}
    assert Referral.objects.get(visit=visit).note == "likes gold"
    purged = referral_services.purge_personal_notes(older_than=dt.timedelta(days=30))
    assert purged["referrals"] == 1
    assert Referral.objects.get(visit=visit).note == ""


def test_old_transition_reasons_are_blanked_and_the_trail_kept(lobby_manager, wealth_manager):
    visit = make_visit(lobby_manager)
    referral = referral_services.refer(actor=lobby_manager, stage="second", visit=visit)
    referral_services.cancel(referral_id=referral.pk, actor=lobby_manager, reason="王先生 left")
    _age(visit, 40)

    call_command("purge_notes", "--days", "30")

    trail = list(referral.transitions.values_list("to_status", "reason"))
    assert trail == [("created", ""), ("cancelled", "")]
