"""Real screens: daphne serving the app in its own process, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from functools import partial

import pytest
from channels.testing.live import make_application, set_database_connection
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from lobby.models import CallingSettings
from tests.conftest import PASSWORD, skip_or_fail

# Playwright's sync API keeps an event loop running in this thread; the test's own ORM calls
# (creating the cast) are still plain synchronous code, so Django's async guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Module scope: Playwright's event loop stops between modules, so the async tests that follow
# (websocket consumers) get a thread with no loop running, as they expect.
@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Python playwright is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server_url(transactional_db) -> Iterator[str]:
    """The real ASGI app (HTTP + websockets) on daphne, over the test database."""
    process = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=set_database_connection,
    )
    process.start()
    if not process.ready.wait(timeout=20):
        process.terminate()
        raise RuntimeError("daphne did not start")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join(timeout=20)
    if process.is_alive():  # never leave a server behind, nor wait for ever on one
        process.kill()
        process.join(timeout=5)


@pytest.fixture
def open_screen(browser, server_url):
    """open_screen(staff, path, lang="en") → a signed-in page in its own browser context."""
    contexts = []

    def open_(staff, path: str = "/", lang: str = "en"):
        context = browser.new_context(
            locale=lang, viewport={"width": 1180, "height": 820}, has_touch=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server_url}/login/")
        page.fill("input[name=username]", staff.user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(lambda url: "/login/" not in url)
        if path != "/":
            page.goto(f"{server_url}{path}")
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_live(page) -> None:
    """Wait until the page's websocket is open (the header's dot turns green)."""
    page.wait_for_selector("#conn-state[data-state=open]")


TV = {"width": 1920, "height": 1080}


def watch(page) -> list[str]:
    """Every console error, page error, failed request or error answer the page meets."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"console: {m.text} {m.location}"),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    return problems


@pytest.fixture
def open_display(browser, server_url):
    """open_display(branch, lang) → the branch's public display on a TV-sized screen, no sign-in."""
    contexts = []

    def open_(branch, lang: str = "en", init_script: str = ""):
        context = browser.new_context(locale=lang, viewport=TV, has_touch=True)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems = watch(page)
        token = CallingSettings.for_branch(branch).display_token
        page.goto(f"{server_url}/display/{token}/")
        return page, problems

    yield open_
    for context in contexts:
        context.close()
