"""The reports page and its exports: a branch admin's own branch; a superuser's comparison.

/reports/                        the branch admin's page (period in the query string)
/reports/csv/<table>/            one table as CSV
/reports/xlsx/                   every table as one workbook
/reports/compare/ (+ csv/, xlsx/) the same for a superuser, over chosen branches
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lobby.access import HtmxRequest, StaffRequest, require_roles, staff_of
from lobby.choices import Role
from lobby.models import Branch
from referrals.reports import export, screens
from referrals.reports.forms import PERIODS, CompareForm, PeriodForm
from referrals.reports.queries import REPORTS, TABLES, Scope, build


def superuser_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Comparing branches is for a superuser (who usually has no staff record)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _compare_scope(request: HttpRequest) -> tuple[CompareForm, Scope | None]:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return form, None
    branches = tuple(form.cleaned_data["branch"]) or tuple(Branch.objects.order_by("code"))
    return form, Scope(branches, form.period_value())


def _own_scope(request: StaffRequest) -> tuple[PeriodForm, Scope | None]:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, Scope((request.staff.branch,), form.period_value())


def _render(
    request: HtmxRequest, form: PeriodForm, scope: Scope | None, *, compare: bool
) -> HttpResponse:
    names = (
        ("reports:compare", "reports:compare_csv", "reports:compare_xlsx")
        if compare
        else ("reports:index", "reports:csv", "reports:xlsx")
    )
    query = request.GET.urlencode()
    context: dict[str, Any] = {
        "form": form,
        "periods": PERIODS,
        "compare": compare,
        "page_url": reverse(names[0]),
        "query": query,
        "admin_url": reverse("admin:index"),
        "xlsx_url": reverse(names[2]) + (f"?{query}" if query else ""),
        "may_compare": request.user.is_superuser,
        "own_url": reverse("reports:index")
        if (staff := staff_of(request)) and staff.role == Role.BRANCH_ADMIN
        else "",
        "compare_url": reverse("reports:compare"),
    }
    status = 200
    if scope is None:
        status = 400
    else:
        context.update(screens.page(scope))
        context["scope"] = scope
        for section in context["sections"]:
            for shown in section["tables"]:
                key = shown.table.key
                shown.csv_url = reverse(names[1], args=[key]) + (f"?{query}" if query else "")
    template = "reports/page.html#reports" if request.htmx else "reports/page.html"
    return render(request, template, context, status=status)


@require_safe
@require_roles(Role.BRANCH_ADMIN)
def index(request: StaffRequest) -> HttpResponse:
    form, scope = _own_scope(request)
    return _render(request, form, scope, compare=False)


@require_safe
@superuser_only
def compare(request: HtmxRequest) -> HttpResponse:
    form, scope = _compare_scope(request)
    return _render(request, form, scope, compare=True)


def _filename(scope: Scope, what: str, ext: str) -> str:
    code = scope.branches[0].code if len(scope.branches) == 1 else "branches"
    period = scope.period
    days = f"{period.first:%Y%m%d}" + (f"-{period.last:%Y%m%d}" if period.days > 1 else "")
    return f"{code}-{what}-{days}.{ext}"


def _csv(scope: Scope | None, table_key: str) -> HttpResponseBase:
    if table_key not in TABLES:
        raise Http404
    if scope is None:
        return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain")
    tables = {t.key: t for t in REPORTS[TABLES[table_key]](scope)}
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in export.csv_chunks(tables[table_key])),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(scope, table_key.replace("_", "-"), "csv")}"'
    )
    return response


def _xlsx(scope: Scope | None) -> HttpResponseBase:
    if scope is None:
        return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain")
    tables = list(build(scope).values())
    period = scope.period
    about = [
        (_("Branch"), ", ".join(str(b.name) for b in scope.branches)),
        (_("First day"), period.first.isoformat()),
        (_("Last day"), period.last.isoformat()),
        (_("Made at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    book = export.workbook(tables, about_title=_("About"), about=about)
    return FileResponse(
        book,
        as_attachment=True,
        filename=_filename(scope, "reports", "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_safe
@require_roles(Role.BRANCH_ADMIN)
def export_csv(request: StaffRequest, table: str) -> HttpResponseBase:
    return _csv(_own_scope(request)[1], table)


@require_safe
@require_roles(Role.BRANCH_ADMIN)
def export_xlsx(request: StaffRequest) -> HttpResponseBase:
    return _xlsx(_own_scope(request)[1])


@require_safe
@superuser_only
def compare_csv(request: HttpRequest, table: str) -> HttpResponseBase:
    return _csv(_compare_scope(request)[1], table)


@require_safe
@superuser_only
def compare_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _xlsx(_compare_scope(request)[1])
