"""The bureau's form for adding an enterprise account (the rules are ``enterprises.accounts``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountAddForm(forms.Form):
    email = forms.EmailField(
        label=pgettext_lazy("enterprise account", "Email address"),
        max_length=254,
        help_text=_(
            "The address the enterprise gives for its filer. A new address gets a new account "
            "and an invitation to set a password; an address an account has confirmed is "
            "linked to that account."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        required=False,
        help_text=_("For a new account only; an existing account keeps its own name."),
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
