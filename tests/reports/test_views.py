"""Who sees which reports, the period form, and what the exports hold."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from lobby.choices import Role
from tests.conftest import make_staff
from tests.reports.conftest import D

pytestmark = pytest.mark.django_db

DAY = {"period": "custom", "start": D.isoformat(), "end": D.isoformat()}


@pytest.fixture
def plain_admin(branch):
    """A branch admin who is not a superuser."""
    return make_staff(branch, "pat", Role.BRANCH_ADMIN, "Pat")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password="x-pass-123")


def test_branch_admin_sees_the_reports_of_their_branch(client, history, plain_admin):
    client.force_login(plain_admin.user)
    response = client.get(reverse("reports:index"), DAY)
    assert response.status_code == 200
    tables = response.context["tables"]
    assert {r["branch_id"] for r in tables["diversion"].rows} == {history.pk}
    assert tables["diversion"].rows[0]["arrivals"] == 8
    assert b"<svg" in response.content
    assert reverse("admin:index").encode() in response.content


@pytest.mark.parametrize("role", ["lobby_manager", "teller_high", "teller_low", "wealth_manager"])
def test_other_roles_are_refused_the_reports(client, request, branch, role):
    client.force_login(request.getfixturevalue(role).user)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:xlsx")).status_code == 403
    assert client.get(reverse("reports:csv", args=["funnel"])).status_code == 403


def test_an_admin_of_another_branch_sees_only_theirs(client, history, other_branch):
    theirs = make_staff(other_branch, "olga", Role.BRANCH_ADMIN, "Olga")
    client.force_login(theirs.user)
    response = client.get(reverse("reports:index"), {**DAY, "branch": [history.pk]})
    assert response.status_code == 200
    rows = response.context["tables"]["diversion"].rows
    assert [(r["branch_id"], r["arrivals"]) for r in rows] == [(other_branch.pk, 0)]


def test_comparing_branches_is_for_superusers_only(client, history, plain_admin):
    client.force_login(plain_admin.user)
    assert client.get(reverse("reports:compare")).status_code == 403
    assert client.get(reverse("reports:compare_xlsx")).status_code == 403


def test_a_superuser_without_a_staff_record_compares_branches(
    client, history, other_branch, superuser
):
    client.force_login(superuser)
    response = client.get(reverse("reports:compare"), DAY)
    assert response.status_code == 200
    rows = response.context["tables"]["diversion"].rows
    assert {r["branch_id"] for r in rows} == {history.pk, other_branch.pk}
    chosen = client.get(reverse("reports:compare"), {**DAY, "branch": [other_branch.pk]})
    assert [r["branch_id"] for r in chosen.context["tables"]["diversion"].rows] == [other_branch.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-03-05", "end": "2026-03-01"},
        {"period": "custom"},
        {"period": "custom", "start": "2026-13-45"},
        {"period": "fortnight"},
        {"period": "custom", "start": "2020-01-01", "end": "2026-01-01"},
    ],
)
def test_a_bad_period_is_a_400_with_the_form_not_a_500(client, branch_admin, query):
    client.force_login(branch_admin.user)
    response = client.get(reverse("reports:index"), query)
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert client.get(reverse("reports:xlsx"), query).status_code == 400


def test_an_unknown_table_is_404(client, branch_admin):
    client.force_login(branch_admin.user)
    assert client.get(reverse("reports:csv", args=["salaries"])).status_code == 404


def test_switching_the_period_with_htmx_returns_only_the_reports(client, branch_admin):
    client.force_login(branch_admin.user)
    response = client.get(reverse("reports:index"), {"period": "week"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="reports"')
    assert b"<html" not in response.content


def test_reports_are_read_only(client, branch_admin):
    client.force_login(branch_admin.user)
    assert client.post(reverse("reports:index")).status_code == 405


def test_csv_starts_with_a_byte_order_mark_and_holds_the_figures(client, history, branch_admin):
    client.force_login(branch_admin.user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:csv", args=["funnel"]), DAY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4  # header, three stages, all stages
    made = rows[0].index("Made")
    assert [row[made] for row in rows[1:]] == ["2", "2", "3", "7"]
    conversion = rows[0].index("Conversion (%)")
    assert rows[-1][conversion] == "28.6"


def test_csv_labels_are_in_the_chosen_language(client, history, branch_admin):
    client.force_login(branch_admin.user)
    client.cookies["django_language"] = "zh-hans"
    body = b"".join(client.get(reverse("reports:csv", args=["funnel"]), DAY).streaming_content)
    assert "第一次转介" in body.decode("utf-8-sig")


def test_xlsx_has_a_sheet_per_report_with_the_figures(client, history, branch_admin):
    client.force_login(branch_admin.user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:xlsx"), DAY)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(book.sheetnames) == 1 + 10  # "about" and one per table
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    about = sheets[book.sheetnames[0]]
    assert (D.isoformat(),) == tuple(v for k, v in about if v == D.isoformat())[:1]
    service = next(rows for rows in sheets.values() if rows and rows[0][0] == "Queue")
    total = service[-1]
    assert total[1:4] == (6, 5, 4)
    funnel = next(rows for rows in sheets.values() if rows and rows[0][0] == "Stage")
    assert funnel[-1][1] == 7
