"""The tablet's check-in form: shape and choices only; the rules live in lobby.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lobby.choices import LOBBY_CUES, BusinessType, Cue, Prejudgement, ZoneKind

PICK_TIER = _("Pick the customer's tier: VIP, potential VIP, regular or not sure.")
PICK_BUSINESS = _("Pick at least one business for the customer.")
UNKNOWN_BUSINESS = _("One of the chosen businesses is not one we know; pick again.")

LOBBY_CUE_CHOICES = [(value, label) for value, label in Cue.choices if value in LOBBY_CUES]


class CheckInForm(forms.Form):
    prejudgement = forms.ChoiceField(
        choices=Prejudgement.choices,
        error_messages={"required": PICK_TIER, "invalid_choice": PICK_TIER},
    )
    business_types = forms.MultipleChoiceField(
        choices=BusinessType.choices,
        error_messages={"required": PICK_BUSINESS, "invalid_choice": UNKNOWN_BUSINESS},
    )
    cues = forms.MultipleChoiceField(
        choices=LOBBY_CUE_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("One of the chosen cues is not one we know; pick again.")
        },
    )
    label = forms.CharField(required=False, max_length=40)
    destination = forms.ChoiceField(
        choices=[("", _("As suggested")), *ZoneKind.choices],
        required=False,
        error_messages={
            "invalid_choice": _("That destination does not exist; pick one of the zones shown.")
        },
    )
    stop_marketing = forms.BooleanField(required=False)
    client_token = forms.UUIDField(
        required=False,
        error_messages={"invalid": _("This form has expired; start the check-in again.")},
    )
