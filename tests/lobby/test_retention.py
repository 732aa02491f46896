import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

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
