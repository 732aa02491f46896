"""The referral actions' input: shape and choices only; what may be done lives in services/rules.

A form that does not validate is answered 400 with its messages and nothing changed; a valid one
hands plain values (a Staff, a Product, a date) to one service call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lobby.choices import Cue, Role
from lobby.models import Staff, Visit
from products.choices import RiskTolerance
from products.models import Product
from referrals.models import OUTCOMES, AmountBand, Stage, Status

if TYPE_CHECKING:  # a lazy translation's type, known to django-stubs only
    from django.utils.functional import _StrOrPromise

# Largest id a database column holds: a bigger one is a forged request, not a customer.
MAX_ID = 2**63 - 1
# The closing form lists up to this many products sold (fields product_<n> / band_<n>).
SALE_LINES = 3
ISO_DATE = ["%Y-%m-%d"]  # what <input type="date"> sends, whatever the page's language

BAD_DATE = _("Enter the date as YYYY-MM-DD.")
UNKNOWN_PRODUCT = _("Unknown product.")


def form_message(form: forms.Form) -> str:
    """Every error of a form as one line for the person (the answer's message)."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class ReferForm(forms.Form):
    """Hand a customer on. `to` is "role:<role>" (that role's pool) or "staff:<id>" (a colleague
    of the sender's branch); missing, it is the wealth managers' pool."""

    to = forms.CharField(required=False, max_length=40)
    stage = forms.ChoiceField(
        choices=Stage.choices,
        required=False,
        error_messages={"invalid_choice": _("Unknown referral stage.")},
    )
    need = forms.CharField(required=False, max_length=24)
    product = forms.ModelChoiceField(
        # Anyone may refer any product on sale (rules: REFER is open to every role).
        queryset=Product.objects.active(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("That product is unknown or no longer on sale.")},
    )
    visit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": _("That customer is not in your branch."),
            "min_value": _("That customer is not in your branch."),
            "max_value": _("That customer is not in your branch."),
        },
    )
    signals = forms.MultipleChoiceField(
        choices=Cue.choices,
        required=False,
        error_messages={"invalid_choice": _("One of the signals is not one we know; pick again.")},
    )
    note = forms.CharField(required=False, max_length=200)
    vip = forms.BooleanField(required=False)

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean_to(self) -> tuple[str, Staff | None]:
        """The target as (role, named colleague or None)."""
        kind, _sep, value = (self.cleaned_data["to"] or "role:wealth_manager").partition(":")
        if kind == "role" and value in Role.values:
            return value, None
        if kind == "staff" and value.isdigit() and 0 < int(value) <= MAX_ID:
            colleague = Staff.objects.filter(branch_id=self.staff.branch_id, pk=int(value)).first()
            if colleague is not None:
                return colleague.role, colleague
            raise forms.ValidationError(_("Choose a colleague of your branch."))
        raise forms.ValidationError(_("Choose who should take the customer."))

    def clean_stage(self) -> str:
        return self.cleaned_data["stage"] or Stage.FIRST

    def clean_visit(self) -> Visit | None:
        pk = self.cleaned_data["visit"]
        if pk is None:
            return None
        visit = Visit.objects.filter(pk=pk, branch_id=self.staff.branch_id).first()
        if visit is None:
            raise forms.ValidationError(_("That customer is not in your branch."))
        return visit


class ReasonForm(forms.Form):
    """Why: a hand-back, a decline (required) or a cancel (optional). The message for a missing
    reason is the action's own question."""

    reason = forms.CharField(max_length=200)

    def __init__(self, *args: Any, missing: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        if missing is None:
            field.required = False
        else:
            field.error_messages["required"] = missing


class FollowUpForm(forms.Form):
    due_date = forms.DateField(
        input_formats=ISO_DATE,
        error_messages={"required": _("Choose the day of the follow-up."), "invalid": BAD_DATE},
    )
    note = forms.CharField(required=False, max_length=200)


def _optional_number(
    choices: list[tuple[int, str]], message: _StrOrPromise
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[("", "–"), *choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": message},
    )


class CloseForm(forms.Form):
    """Close with an outcome. Sales come as pairs product_<n> (code) / band_<n>, n = 1..3;
    `cleaned_data["sales"]` is the list of (Product, band) to hand to services.close."""

    outcome = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Status if s in OUTCOMES],
        error_messages={
            "required": _("Choose how the consultation ended."),
            "invalid_choice": _("Choose how the consultation ended."),
        },
    )
    risk_tolerance = _optional_number(
        RiskTolerance.choices, _("Risk tolerance must be between C1 and C5.")
    )
    assessment_date = forms.DateField(
        required=False, input_formats=ISO_DATE, error_messages={"invalid": BAD_DATE}
    )
    recorded_confirmed = forms.BooleanField(required=False)
    quality = _optional_number(
        [(n, str(n)) for n in range(1, 6)], _("Rate the referral from 1 to 5.")
    )
    note = forms.CharField(required=False, max_length=200)
    follow_up_due = forms.DateField(
        required=False, input_formats=ISO_DATE, error_messages={"invalid": BAD_DATE}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, SALE_LINES + 1):
            # Any product by code: one no longer on sale is refused by the service, by name.
            self.fields[f"product_{n}"] = forms.ModelChoiceField(
                queryset=Product.objects.all(),
                to_field_name="code",
                required=False,
                error_messages={"invalid_choice": UNKNOWN_PRODUCT},
            )
            self.fields[f"band_{n}"] = forms.ChoiceField(
                choices=AmountBand.choices,
                required=False,
                error_messages={
                    "invalid_choice": _("Choose an amount band for every product sold.")
                },
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        sales: list[tuple[Product, str]] = []
        for n in range(1, SALE_LINES + 1):
            product, band = data.get(f"product_{n}"), data.get(f"band_{n}")
            if product is None:
                continue  # an amount without a product is an untouched row
            if not band:
                raise forms.ValidationError(_("Choose an amount band for every product sold."))
            sales.append((product, band))
        if len({product.pk for product, _band in sales}) != len(sales):
            raise forms.ValidationError(_("Each product can be listed only once."))
        data["sales"] = sales
        return data
