"""Nothing a user can type or click answers 500: every route, every role, garbage in every field."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from referrals import services as referral_services
from tests.conftest import make_visit

pytestmark = pytest.mark.django_db

GARBAGE = [
    "",
    "x",
    "-1",
    "0",
    "99999999999999999999",
    "<script>alert(1)</script>",
    "2026-13-45",
    "☃",
]
FIELDS = [
    "prejudgement",
    "business_types",
    "cues",
    "label",
    "destination",
    "client_token",
    "stop_marketing",
    "cue",
    "to",
    "stage",
    "need",
    "product",
    "note",
    "reason",
    "outcome",
    "risk_tolerance",
    "assessment_date",
    "recorded_confirmed",
    "quality",
    "due_date",
    "sale_product",
    "sale_amount",
    "part",
]
ROLES = [
    "lobby_manager",
    "lobby_assistant",
    "teller_high",
    "teller_low",
    "wealth_manager",
    "branch_admin",
    "outsider",
]


@pytest.fixture
def world(lobby_manager, wealth_manager, catalogue):
    visit = make_visit(lobby_manager, label="王先生")
    referral = referral_services.refer(
        actor=lobby_manager, stage="second", visit=visit, ticket=visit.ticket
    )
    return {"visit": visit.pk, "referral": referral.pk}


def _urls(world) -> list[str]:
    urls = [
        reverse(name)
        for name in (
            "home",
            "lobby:tablet",
            "lobby:route",
            "lobby:check_in",
            "lobby:board",
            "lobby:glance",
            "lobby:counter",
            "reports:index",
            "reports:xlsx",
            "reports:compare",
            "reports:compare_xlsx",
            "referrals:queue",
            "referrals:sent",
            "referrals:refer",
        )
    ]
    for pk in (world["referral"], 999_999_999):
        for name in (
            "claim",
            "start",
            "close",
            "hand_back",
            "decline",
            "cancel",
            "follow_up",
            "follow_up_done",
        ):
            urls.append(reverse(f"referrals:{name}", args=[pk]))
    for pk, action in itertools.product((world["visit"], 999_999_999), ("cue", "stop", "nonsense")):
        urls.append(reverse("lobby:visit_action", args=[pk, action]))
    return urls


def _payloads():
    for junk in GARBAGE[1::2]:
        yield {field: junk for field in FIELDS}
    yield {}
    yield {"business_types": ["cash_large", "nope"], "prejudgement": "vip", "cues": ["x"]}


@pytest.mark.parametrize("role", [*ROLES, None])
def test_no_route_answers_500_to_any_role_or_input(request, world, role):
    client = Client(raise_request_exception=False)
    if role is not None:
        client.force_login(request.getfixturevalue(role).user)
    failures = []
    for url in _urls(world):
        for htmx in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            for method, payload in [("get", {}), *(("post", p) for p in _payloads())]:
                if method == "get":
                    for junk in GARBAGE[1:2]:
                        response = client.get(url, {"part": junk, "q": junk}, **headers)
                        if response.status_code >= 500:
                            failures.append(("GET", url, junk, response.status_code))
                else:
                    response = client.post(url, payload, **headers)
                    if response.status_code >= 500:
                        failures.append(("POST", url, payload, response.status_code))
    assert failures == []
