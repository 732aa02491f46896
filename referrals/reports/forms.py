"""What the reports page accepts: a period, and for a superuser the branches to compare."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lobby.models import Branch
from referrals.reports.queries import Period

PERIODS = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("custom", _("Choose dates")),
]
# A custom range longer than this is refused: it is a slow page and nobody reads it.
MAX_DAYS = 366 * 2


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key = data.get("period") or ("custom" if data.get("start") else "today")
        data["period"] = key
        if key != "custom":
            return data
        start, end = data.get("start"), data.get("end") or data.get("start")
        if start is None:
            raise forms.ValidationError(_("Choose the first day of the period."))
        if end < start:
            raise forms.ValidationError(_("The last day comes before the first."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        data["end"] = end
        return data

    def period_value(self, today: dt.date | None = None) -> Period:
        """The chosen period (call after is_valid())."""
        data = self.cleaned_data
        if data["period"] == "custom":
            return Period("custom", data["start"], data["end"])
        return Period.named(data["period"], today or timezone.localdate())


class CompareForm(PeriodForm):
    branch = forms.ModelMultipleChoiceField(
        label=_("Branches"),
        queryset=Branch.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
