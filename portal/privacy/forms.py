"""Forms of the privacy pages: the sign-up consent (allauth's ACCOUNT_SIGNUP_FORM_CLASS), the
profile correction and the deletion confirmation."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.privacy import services
from portal.privacy.models import CollectionPoint


class SignupConsentForm(forms.Form):
    """Added to allauth's sign-up form: the sign-up notice and its consent box."""

    consent = forms.BooleanField(
        label=_("I have read the personal-information notice and agree."),
        required=True,
        error_messages={"required": _("Please read the notice and tick the box to sign up.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notice = services.current_notice(CollectionPoint.SIGNUP)
        if notice is not None:
            self.fields["consent"].label = notice.agreement
            self.fields["consent"].help_text = notice.summary

    def signup(self, request, user):
        services.record_consent(CollectionPoint.SIGNUP, user=user)


class ProfileForm(forms.ModelForm):
    """Correction in place (PIPL Art. 46) of what the account holds besides the login
    identifiers (email and phone are changed, with verification, on their own pages)."""

    class Meta:
        model = get_user_model()
        fields = ["last_name", "first_name"]
        labels = {"last_name": _("Family name"), "first_name": _("Given name")}


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good, as described above."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )
