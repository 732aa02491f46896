"""The branch admin's reports in a real browser: history seeded, a period switched, charts and
tables on screen, both exports downloaded, and not one console error or failed request."""

from __future__ import annotations

import pytest

from referrals.reports.history import seed_history
from tests.browser.conftest import wait_live

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(branch, catalogue, lobby_manager, teller_high, teller_low, wealth_manager):
    seed_history(days=21, visits_per_day=60, branch_code=branch.code)
    return branch


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
    )
    return problems


def test_a_branch_admin_reads_the_reports_switches_the_period_and_downloads_them(
    open_screen, server_url, seeded, branch_admin
):
    page = open_screen(branch_admin, "/")
    problems = watch(page)
    page.goto(f"{server_url}/reports/")
    wait_live(page)
    page.click("button[data-period=week]")
    page.wait_for_selector("button[data-period=week].on")
    assert page.locator("svg.chart").count() >= 10
    assert page.locator("svg.chart.heat rect[fill]").count() > 20
    assert page.locator("table.figures[data-table=funnel] tbody tr").count() == 4
    assert "/reports/?" in page.url and "period=week" in page.url

    page.click("button[data-period=yesterday]")
    page.wait_for_selector("button[data-period=yesterday].on")
    assert page.locator("table.figures[data-table=service_level] tbody tr").count() >= 2
    assert page.locator("svg.chart").first.is_visible()

    with page.expect_download() as xlsx:
        page.click("a[data-export=xlsx]")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as csv:
        page.locator("a[data-export=csv]").first.click()
    assert csv.value.suggested_filename.endswith(".csv")
    with open(csv.value.path(), "rb") as downloaded:
        assert downloaded.read(3) == b"\xef\xbb\xbf"
    assert problems == []
