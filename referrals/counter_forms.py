"""Input of the counter's referral button and of the inbox's close form (see counter_views).

A value that does not parse, or a target the button did not offer, is a form error (400 with the
message); what the services refuse is a ReferralError.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lobby.choices import Role
from lobby.models import Staff, Visit
from products.choices import RiskTolerance
from products.models import Product
from referrals import screens
from referrals.models import OUTCOMES, AmountBand, Status, Target


class ProductCodeField(forms.CharField):
    """A product of the catalogue, given by its code; empty means none."""

    default_error_messages = {"unknown": _("Unknown product.")}

    def clean(self, value: Any) -> Product | None:
        code = super().clean(value)
        if not code:
            return None
        product = Product.objects.filter(code=code).first()
        if product is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return product


class CounterReferralForm(forms.Form):
    """Two taps: the signal chips seen (any number), then one target button (`to`)."""

    signals = forms.MultipleChoiceField(required=False)
    to = forms.ChoiceField(error_messages={"required": _("Choose who should take the customer.")})
    product = ProductCodeField(required=False, max_length=40)
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, staff: Staff, visit: Visit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.targets = screens.counter_targets(staff, visit)
        cast(forms.ChoiceField, self.fields["signals"]).choices = screens.signal_choices(staff)
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (t.value, t.label) for t in self.targets
        ]
        self.fields["to"].error_messages["invalid_choice"] = _(
            "Nobody can take the customer there now: choose another target."
        )

    def clean_to(self) -> dict[str, Any]:
        """The button's value as refer()'s target arguments."""
        value = self.cleaned_data["to"]
        if value.startswith("staff:"):
            person = Staff.objects.select_related("user").get(
                pk=int(value.removeprefix("staff:")), branch_id=self.staff.branch_id
            )
            return {"target_role": person.role, "target_staff": person}
        role = {
            Target.LOBBY: Role.LOBBY_MANAGER,
            Target.WEALTH: Role.WEALTH_MANAGER,
            Target.VIP_ROOM: Role.WEALTH_MANAGER,
            Target.LOW_COUNTER: Role.TELLER_LOW,
        }[Target(value)]
        return {"target_role": role, "to_vip_room": value == Target.VIP_ROOM}


class InboxCloseForm(forms.Form):
    """The outcome of a referral taken in the inbox, with at most one product recorded."""

    outcome = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Status if s in OUTCOMES],
        error_messages={"required": _("Choose how it ended.")},
    )
    product = ProductCodeField(required=False, max_length=40)
    band = forms.ChoiceField(choices=[("", "–"), *AmountBand.choices], required=False)
    risk_tolerance = forms.TypedChoiceField(
        choices=[("", "–"), *RiskTolerance.choices], coerce=int, required=False, empty_value=None
    )
    assessment_date = forms.DateField(required=False)
    recorded_confirmed = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("product") is not None and not data.get("band"):
            self.add_error("band", _("Choose an amount band for the product sold."))
        return data

    def close_arguments(self) -> dict[str, Any]:
        """services.close()'s keyword arguments, from the valid form."""
        data = self.cleaned_data
        product = data["product"]
        return {
            "outcome": data["outcome"],
            "sales": [(product, data["band"])] if product is not None else [],
            "risk_tolerance": data["risk_tolerance"],
            "assessment_date": data["assessment_date"],
            "recorded_confirmed": data["recorded_confirmed"],
            "note": data["note"],
        }
