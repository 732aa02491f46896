"""The admin: every page loads for the branch admin; a teller is kept out."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_teller_is_refused_the_admin_pages(client, teller_high):
    client.force_login(teller_high.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url
    assert client.get(reverse("admin:lobby_branch_changelist")).status_code == 302


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
