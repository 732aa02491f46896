"""Both languages: the browser's choice, and the switch that overrides it."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


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
