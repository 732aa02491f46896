"""Bad input to the referral actions: a 400 with the form's message, and nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals.forms import CloseForm, ReferForm
from referrals.models import FollowUp, Referral, Sale, Status, Transition
from tests.referrals.conftest import drive_to, make_product, recent_assessment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def _refused(response, message: str) -> None:
    assert response.status_code == 400, response.status_code
    assert response["X-Refused"] == "1"
    assert message in response.content.decode()


# ---- refer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        ({"to": "role:janitor"}, "Choose who should take the customer."),
        ({"to": "staff:abc"}, "Choose who should take the customer."),
        ({"to": "staff:999999"}, "Choose a colleague of your branch."),
        ({"to": "nobody"}, "Choose who should take the customer."),
        ({"stage": "fourth"}, "Unknown referral stage."),
        ({"product": "no_such_product"}, "unknown or no longer on sale"),
        ({"visit": "x"}, "not in your branch"),
        ({"visit": "99999999999999999999"}, "not in your branch"),
        ({"visit": "424242"}, "not in your branch"),
        ({"signals": ["telepathy"]}, "not one we know"),
        ({"note": "n" * 201}, "200"),
    ],
    ids=[
        "unknown-role",
        "bad-staff-id",
        "unknown-colleague",
        "no-kind",
        "stage",
        "product",
        "visit-not-a-number",
        "visit-too-big",
        "visit-unknown",
        "signal",
        "note-too-long",
    ],
)
def test_bad_refer_input_is_a_400_and_makes_no_referral(client, lobby_manager, data, message):
    client.force_login(lobby_manager.user)
    _refused(client.post(reverse("referrals:refer"), data, **HTMX), message)
    assert not Referral.objects.exists()


def test_referring_a_colleague_of_another_branch_is_a_400(client, lobby_manager, outsider):
    client.force_login(lobby_manager.user)
    response = client.post(reverse("referrals:refer"), {"to": f"staff:{outsider.pk}"}, **HTMX)
    _refused(response, "Choose a colleague of your branch.")
    assert not Referral.objects.exists()


def test_a_product_no_longer_on_sale_cannot_be_referred(lobby_manager):
    gone = make_product("gone")
    gone.active = False
    gone.save()
    form = ReferForm({"product": "gone"}, staff=lobby_manager)
    assert not form.is_valid() and "product" in form.errors


def test_a_refusal_of_the_service_is_a_400_too(client, teller_high, lobby_manager):
    """Valid input that the domain refuses (referring oneself) answers like bad input."""
    client.force_login(teller_high.user)
    response = client.post(reverse("referrals:refer"), {"to": f"staff:{teller_high.pk}"}, **HTMX)
    _refused(response, "You cannot refer a customer to yourself.")
    assert not Referral.objects.exists()


def test_missing_target_goes_to_the_wealth_pool(lobby_manager):
    form = ReferForm({}, staff=lobby_manager)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["to"] == ("wealth_manager", None)
    assert form.cleaned_data["stage"] == "first"


# ---- close ---------------------------------------------------------------------------------


@pytest.fixture
def consulting(lobby_manager, wealth_manager) -> Referral:
    return drive_to(Status.IN_CONSULTATION, referrer=lobby_manager, holder=wealth_manager)


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose how the consultation ended."),
        ({"outcome": "won"}, "Choose how the consultation ended."),
        ({"outcome": "cancelled"}, "Choose how the consultation ended."),
        ({"outcome": "converted", "product_1": "nope", "band_1": "lt50k"}, "Unknown product."),
        ({"outcome": "converted", "product_1": "f"}, "Choose an amount band"),
        ({"outcome": "converted", "product_1": "f", "band_1": "lots"}, "Choose an amount band"),
        (
            {"outcome": "converted", "product_1": "f", "band_1": "lt50k", "product_2": "f"},
            "Choose an amount band",
        ),
        (
            {
                "outcome": "converted",
                **{"product_1": "f", "band_1": "lt50k", "product_2": "f", "band_2": "lt50k"},
            },
            "only once",
        ),
        ({"outcome": "not_converted", "risk_tolerance": "7"}, "between C1 and C5"),
        ({"outcome": "not_converted", "quality": "9"}, "from 1 to 5"),
        ({"outcome": "not_converted", "quality": "x"}, "from 1 to 5"),
        ({"outcome": "not_converted", "assessment_date": "2026-13-45"}, "YYYY-MM-DD"),
        ({"outcome": "not_converted", "follow_up_due": "tomorrow"}, "YYYY-MM-DD"),
        ({"outcome": "not_converted", "note": "n" * 201}, "200"),
    ],
    ids=[
        "no-outcome",
        "unknown-outcome",
        "not-an-outcome",
        "unknown-product",
        "no-band",
        "bad-band",
        "second-line-without-band",
        "duplicate",
        "tolerance",
        "quality-range",
        "quality-not-a-number",
        "assessment-date",
        "follow-up-date",
        "note-too-long",
    ],
)
def test_bad_close_input_is_a_400_and_changes_nothing(
    client, wealth_manager, consulting, data, message
):
    make_product("f")
    trail = Transition.objects.count()
    client.force_login(wealth_manager.user)
    _refused(client.post(reverse("referrals:close", args=[consulting.pk]), data, **HTMX), message)
    assert Referral.objects.get(pk=consulting.pk).status == Status.IN_CONSULTATION
    assert not Sale.objects.exists() and not FollowUp.objects.exists()
    assert Transition.objects.count() == trail


def test_the_close_form_hands_the_service_products_with_their_bands(db):
    fund = make_product("f")
    form = CloseForm(
        {
            "outcome": "converted",
            "product_1": "f",
            "band_1": "lt50k",
            "band_2": "gt1m",  # an amount without a product: an untouched row
            "risk_tolerance": "4",
            "assessment_date": recent_assessment().isoformat(),
            "recorded_confirmed": "1",
            "quality": "5",
        }
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["sales"] == [(fund, "lt50k")]
    assert (data["risk_tolerance"], data["quality"], data["recorded_confirmed"]) == (4, 5, True)


def test_a_closing_the_service_refuses_is_a_400_with_its_message(
    client, wealth_manager, consulting
):
    """The form is fine; the domain is not (converted needs a product): the same answer."""
    client.force_login(wealth_manager.user)
    response = client.post(
        reverse("referrals:close", args=[consulting.pk]), {"outcome": "converted"}, **HTMX
    )
    _refused(response, "at least one product")
    assert Referral.objects.get(pk=consulting.pk).status == Status.IN_CONSULTATION


# ---- reasons and follow-ups ----------------------------------------------------------------


def test_handing_back_without_a_reason_is_a_400(client, lobby_manager, wealth_manager):
    held = drive_to(Status.ACCEPTED, referrer=lobby_manager, holder=wealth_manager)
    client.force_login(wealth_manager.user)
    response = client.post(reverse("referrals:hand_back", args=[held.pk]), {"reason": " "}, **HTMX)
    _refused(response, "Say why you hand the customer back.")
    assert Referral.objects.get(pk=held.pk).status == Status.ACCEPTED


def test_declining_without_a_reason_is_a_400(client, lobby_manager, wealth_manager):
    from referrals import services

    named = services.refer(actor=lobby_manager, stage="first", target_staff=wealth_manager)
    client.force_login(wealth_manager.user)
    response = client.post(reverse("referrals:decline", args=[named.pk]), {}, **HTMX)
    _refused(response, "Say why you cannot take this customer.")
    assert Referral.objects.get(pk=named.pk).target_staff == wealth_manager


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose the day of the follow-up."),
        ({"due_date": "someday"}, "YYYY-MM-DD"),
        ({"due_date": "2020-01-01"}, "cannot be due in the past"),
    ],
    ids=["missing", "not-a-date", "past"],
)
def test_a_bad_follow_up_is_a_400_and_plans_nothing(
    client, lobby_manager, wealth_manager, data, message
):
    closed = drive_to(Status.NOT_CONVERTED, referrer=lobby_manager, holder=wealth_manager)
    client.force_login(wealth_manager.user)
    response = client.post(reverse("referrals:follow_up", args=[closed.pk]), data, **HTMX)
    _refused(response, message)
    assert not FollowUp.objects.exists()


def test_without_htmx_a_refusal_is_the_screen_with_the_message_and_a_400(
    client, wealth_manager, consulting
):
    client.force_login(wealth_manager.user)
    response = client.post(
        reverse("referrals:close", args=[consulting.pk]),
        {"outcome": "won"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose how the consultation ended." in html and 'id="pool-queue"' in html
