"""Check-in, tickets and the waiting-zone verbs: rules, numbering, concurrency and pushes."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from lobby import live, services
from lobby.choices import Role, ZoneKind
from lobby.errors import NotFound
from lobby.models import LiveSocket, Ticket, TicketQueue, Visit
from lobby.services import LobbyError
from referrals.models import Referral
from tests.conftest import make_staff, make_visit
from tests.lobby.pushes import pushes_during

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("layer")]  # pushes: in memory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def lobby_group(staff):
    return live.role_group(staff.branch_id, Role.LOBBY_MANAGER)


# ---- tickets -----------------------------------------------------------------------------


def test_check_in_issues_the_next_number_in_the_queue(lobby_manager):
    first = make_visit(lobby_manager)
    second = make_visit(lobby_manager, business_types=["transfer_remit"])
    assert first.ticket.number_display == "A001"
    assert second.ticket.number_display == "A002"


def test_each_queue_counts_on_its_own(lobby_manager):
    make_visit(lobby_manager, business_types=["cash_large"])
    other = make_visit(lobby_manager, business_types=["card_account_open"])
    assert other.ticket.number_display == "B001"


def test_a_waiting_ticket_puts_the_visit_in_the_waiting_state(lobby_manager):
    visit = make_visit(lobby_manager)
    assert visit.status == Visit.Status.WAITING
    assert visit.ticket.status == Ticket.Status.WAITING
    assert visit.destination == ZoneKind.FORM_DESK


def test_self_service_at_the_door_issues_no_ticket_and_counts_as_diverted(lobby_manager):
    visit = make_visit(lobby_manager, business_types=["bill_payment"])
    assert not Ticket.objects.filter(visit=visit).exists()
    assert visit.status == Visit.Status.DIVERTED
    assert visit.destination == ZoneKind.SELF_SERVICE


def test_numbers_restart_at_the_branchs_local_midnight(lobby_manager, monkeypatch):
    before = dt.datetime(2025, 3, 3, 23, 50, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: before)
    make_visit(lobby_manager)
    late = make_visit(lobby_manager)
    assert late.ticket.number == 2
    # 00:10 in Shanghai is still 16:10 UTC of the day before: the local day decides.
    after = dt.datetime(2025, 3, 3, 16, 10, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: after)
    morning = make_visit(lobby_manager)
    assert morning.ticket.number == 1
    assert morning.ticket.service_date == dt.date(2025, 3, 4)
    assert late.ticket.service_date == dt.date(2025, 3, 3)


def test_numbers_continue_within_the_same_local_day(lobby_manager, monkeypatch):
    queue = TicketQueue.objects.get(branch=lobby_manager.branch, prefix="A")
    queue.last_number, queue.last_date = 37, lobby_manager.branch.local_date()
    queue.save()
    assert make_visit(lobby_manager).ticket.number == 38


def test_yesterdays_sequence_does_not_carry_over(lobby_manager):
    queue = TicketQueue.objects.get(branch=lobby_manager.branch, prefix="A")
    queue.last_number = 37
    queue.last_date = lobby_manager.branch.local_date() - dt.timedelta(days=1)
    queue.save()
    assert make_visit(lobby_manager).ticket.number == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_check_ins_never_share_a_number(branch):
    staff = [make_staff(branch, f"door{i}", Role.LOBBY_ASSISTANT) for i in range(8)]
    per_thread = 4
    errors: list[BaseException] = []
    start = threading.Barrier(len(staff))

    def work(actor):
        try:
            start.wait()
            for _ in range(per_thread):
                services.check_in(
                    actor=actor, prejudgement="regular", business_types=["cash_large"]
                )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a check-in never finished"
    assert errors == []
    numbers = list(
        Ticket.objects.filter(queue__prefix="A", branch=branch).values_list("number", flat=True)
    )
    assert sorted(numbers) == list(range(1, len(staff) * per_thread + 1))


# ---- idempotency and validation ----------------------------------------------------------


def test_submitting_the_same_form_twice_returns_the_first_visit(lobby_manager):
    token = uuid.uuid4()
    first = make_visit(lobby_manager, client_token=token)
    again = make_visit(lobby_manager, client_token=str(token))
    assert again.pk == first.pk
    assert Visit.objects.count() == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_at_the_same_instant_makes_one_visit(branch):
    actor = make_staff(branch, "door", Role.LOBBY_MANAGER)
    token = uuid.uuid4()
    results, start = [], threading.Barrier(4)

    def tap():
        try:
            start.wait()
            results.append(make_visit(actor, client_token=token).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a check-in never finished"
    assert len(set(results)) == 1 and len(results) == 4
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"business_types": []},
        {"business_types": ["teleport"]},
        {"prejudgement": "emperor"},
        {"prejudgement": ""},
        {"cues": ["large_idle_balance"]},  # a teller-only signal: never on the lobby tablet
        {"cues": ["nonsense"]},
        {"destination": "roof"},
        {"label": "王小明先生的身份证"},
        {"client_token": "not-a-uuid"},
    ],
)
def test_bad_check_in_is_refused_and_writes_nothing(lobby_manager, overrides):
    with pytest.raises(LobbyError) as exc:
        make_visit(lobby_manager, **overrides)
    assert exc.value.message
    assert not Visit.objects.exists()
    assert TicketQueue.objects.filter(last_number__gt=0).count() == 0


@pytest.mark.parametrize(
    "label", ["王先生", "李女士", "欧阳先生", "Mr Wang", "Ms. Li", "mrs zhang", ""]
)
def test_surname_and_title_labels_are_accepted(label):
    assert services.clean_label(label) == label


@pytest.mark.parametrize(
    "label",
    [
        "13800138000",
        "110101199003071234",
        "王先生138",
        "王小明",
        "Wang Xiaoming",
        "Mr Wang Xiaoming",
        "John",
        "先生",
        "Mr " + "A" * 20,
    ],
)
def test_names_ids_and_phone_numbers_are_refused_as_labels(label):
    with pytest.raises(LobbyError):
        services.clean_label(label)


def test_an_override_to_the_counters_issues_a_ticket_for_the_business(lobby_manager):
    visit = make_visit(
        lobby_manager, business_types=["cash_small"], destination=ZoneKind.COUNTER_CASH
    )
    assert visit.destination == ZoneKind.COUNTER_CASH
    assert visit.ticket.queue.prefix == "A"


def test_an_override_to_self_service_issues_no_ticket(lobby_manager):
    visit = make_visit(lobby_manager, destination=ZoneKind.SELF_SERVICE)
    assert not Ticket.objects.filter(visit=visit).exists()


def test_the_stop_asking_choice_at_the_door_is_kept_on_the_visit(lobby_manager):
    visit = make_visit(lobby_manager, stop_marketing=True)
    assert visit.no_marketing


def test_a_wealth_need_at_the_door_creates_a_first_referral(lobby_manager):
    visit = make_visit(
        lobby_manager,
        prejudgement="potential_vip",
        business_types=["wealth_consult"],
        cues=["browsing_brochure", "anxious"],
    )
    referral = Referral.objects.get(visit=visit)
    assert referral.stage == "first"
    assert referral.target_role == Role.WEALTH_MANAGER
    assert referral.signals == ["browsing_brochure"]
    assert referral.need == "wealth_consult"


# ---- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["teller_high", "wealth_manager", "branch_admin"])
def test_only_lobby_roles_check_customers_in(request, fixture):
    with pytest.raises(PermissionDenied):
        make_visit(request.getfixturevalue(fixture))
    assert not Visit.objects.exists()


def test_staff_of_another_branch_cannot_touch_our_customers(lobby_manager, outsider):
    visit = make_visit(lobby_manager)
    for verb in (services.divert_to_self_service, services.stop_marketing, services.mark_left):
        with pytest.raises(NotFound):
            verb(actor=outsider, visit_id=visit.pk)
    with pytest.raises(NotFound):
        services.hand_to_wealth_manager(actor=outsider, visit_id=visit.pk, stage="second")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.WAITING and not visit.marketing_stopped


# ---- the waiting zone --------------------------------------------------------------------


def test_diverting_to_self_service_takes_the_ticket_out_of_the_queue(lobby_manager):
    visit = make_visit(lobby_manager)
    services.divert_to_self_service(actor=lobby_manager, visit_id=visit.pk)
    visit.refresh_from_db()
    visit.ticket.refresh_from_db()
    assert visit.ticket.status == Ticket.Status.DIVERTED
    assert visit.status == Visit.Status.DIVERTED
    assert visit.destination == ZoneKind.SELF_SERVICE
    assert not Ticket.objects.waiting().exists()


def test_a_customer_handed_to_a_wealth_manager_keeps_their_ticket_and_place(lobby_assistant):
    visit = make_visit(lobby_assistant, prejudgement="vip", cues=["car_key", "anxious"])
    referral = services.hand_to_wealth_manager(
        actor=lobby_assistant, visit_id=visit.pk, stage="second"
    )
    assert referral.stage == "second"
    assert referral.ticket == visit.ticket
    assert referral.is_vip
    assert referral.signals == ["car_key"]
    visit.ticket.refresh_from_db()
    assert visit.ticket.status == Ticket.Status.WAITING


def test_no_second_referral_once_marketing_is_stopped(lobby_manager):
    visit = make_visit(lobby_manager)
    services.stop_marketing(actor=lobby_manager, visit_id=visit.pk)
    with pytest.raises(LobbyError):
        services.hand_to_wealth_manager(actor=lobby_manager, visit_id=visit.pk, stage="second")
    assert not Referral.objects.exists()


def test_a_cold_or_risk_cue_stops_marketing(lobby_manager):
    visit = make_visit(lobby_manager)
    visit = services.record_cue(actor=lobby_manager, visit_id=visit.pk, cue="cold_or_annoyed")
    assert visit.no_marketing


def test_the_latest_observed_behaviour_comes_last(lobby_manager):
    visit = make_visit(lobby_manager, cues=["looking_around"])
    services.record_cue(actor=lobby_manager, visit_id=visit.pk, cue="browsing_brochure")
    visit = services.record_cue(actor=lobby_manager, visit_id=visit.pk, cue="looking_around")
    assert visit.cues == ["browsing_brochure", "looking_around"]


def test_an_unknown_behaviour_is_refused(lobby_manager):
    visit = make_visit(lobby_manager)
    with pytest.raises(LobbyError):
        services.record_cue(actor=lobby_manager, visit_id=visit.pk, cue="large_account_swing")


def test_a_customer_who_left_loses_their_waiting_ticket(lobby_manager):
    visit = make_visit(lobby_manager)
    services.mark_left(actor=lobby_manager, visit_id=visit.pk)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.LEFT
    assert Ticket.objects.get(visit=visit).status == Ticket.Status.NO_SHOW


def test_a_customer_who_left_cannot_be_diverted(lobby_manager):
    visit = make_visit(lobby_manager)
    services.mark_left(actor=lobby_manager, visit_id=visit.pk)
    with pytest.raises(LobbyError):
        services.divert_to_self_service(actor=lobby_manager, visit_id=visit.pk)


# ---- pushes ------------------------------------------------------------------------------


def _count(lobby_manager, capture, action):
    def act():
        with capture(execute=True):
            return action()

    return pushes_during([lobby_group(lobby_manager)], act)


def test_check_in_pushes_once_to_the_lobby(lobby_manager, django_capture_on_commit_callbacks):
    _visit, messages = _count(
        lobby_manager, django_capture_on_commit_callbacks, lambda: make_visit(lobby_manager)
    )
    assert len(messages) == 1
    assert 'id="waiting-board"' in messages[0]["html"]["en"]
    assert "A001" in messages[0]["html"]["zh-hans"]


@pytest.mark.parametrize(
    ("verb", "extra"),
    [
        (services.divert_to_self_service, {}),
        (services.stop_marketing, {}),
        (services.record_cue, {"cue": "browsing_brochure"}),
        (services.mark_left, {}),
        (services.hand_to_wealth_manager, {"stage": "second"}),
    ],
)
def test_each_waiting_zone_verb_pushes_once_to_the_lobby(
    lobby_manager, django_capture_on_commit_callbacks, verb, extra
):
    visit = make_visit(lobby_manager)
    _result, messages = _count(
        lobby_manager,
        django_capture_on_commit_callbacks,
        lambda: verb(actor=lobby_manager, visit_id=visit.pk, **extra),
    )
    assert len(messages) == 1


def test_a_rolled_back_check_in_pushes_nothing(lobby_manager, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    def failing():
        with transaction.atomic():
            make_visit(lobby_manager)
            raise Boom

    result, messages = _count(lobby_manager, django_capture_on_commit_callbacks, failing)
    assert isinstance(result, Boom)
    assert messages == []
    assert not Visit.objects.exists()


def test_pushes_reach_both_lobby_roles_and_not_the_tellers(
    lobby_manager, django_capture_on_commit_callbacks
):
    branch_id = lobby_manager.branch_id
    groups = {
        role: live.role_group(branch_id, role) for role in (Role.LOBBY_ASSISTANT, Role.TELLER_HIGH)
    }

    def act():
        with django_capture_on_commit_callbacks(execute=True):
            make_visit(lobby_manager)

    _r, assistant = pushes_during([groups[Role.LOBBY_ASSISTANT]], act)
    _r, teller = pushes_during([groups[Role.TELLER_HIGH]], act)
    assert len(assistant) == 1
    assert teller == []


def test_an_opened_screen_counts_its_owner_online_and_tells_the_lobby(
    lobby_manager, wealth_manager, django_capture_on_commit_callbacks
):
    _r, messages = _count(
        lobby_manager,
        django_capture_on_commit_callbacks,
        lambda: services.socket_opened(staff=wealth_manager, channel_name="test!one"),
    )
    assert len(messages) == 1
    assert LiveSocket.objects.online_by_role(lobby_manager.branch) == {Role.WEALTH_MANAGER: 1}
    services.socket_closed(staff=wealth_manager, channel_name="test!one")
    assert LiveSocket.objects.online_by_role(lobby_manager.branch) == {}
