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


# ---- counter ---------------------------------------------------------------------------------


class OpenWindowForm(forms.Form):
    window = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _("Choose a window."),
            "invalid": _("Choose a window."),
            "min_value": _("Choose a window."),
            "max_value": _("Choose a window."),
        },
    )


class CallNumberForm(forms.Form):
    number = forms.RegexField(
        regex=r"^\s*[A-Za-z]\s*\d{1,4}\s*$",
        max_length=8,
        error_messages={
            "required": _("Type a ticket number such as A012."),
            "invalid": _("Type a ticket number such as A012."),
            "max_length": _("Type a ticket number such as A012."),
        },
    )


class TransferForm(forms.Form):
    """`to` is "queue:<id>" or "window:<id>"."""

    to = forms.RegexField(
        regex=r"^(queue|window):\d{1,18}$",
        error_messages={
            "required": _("Choose one queue or one window to transfer to."),
            "invalid": _("Choose one queue or one window to transfer to."),
        },
    )

    def target(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["to"].partition(":")
        return kind, int(pk)


class CompleteForm(forms.Form):
    business_types = forms.MultipleChoiceField(
        choices=BusinessType.choices,
        error_messages={"required": PICK_BUSINESS, "invalid_choice": UNKNOWN_BUSINESS},
    )
