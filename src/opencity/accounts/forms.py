from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0905 123 456"}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OtpForm(forms.Form):
    token = forms.CharField(label=_("6-digit code from your authenticator app"), max_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class SignupPhoneForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0905 123 456"}))


class SignupForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code we sent by SMS"), max_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    full_name = forms.CharField(label=_("Full name"), max_length=120,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail (optional, for notifications)"), required=False)
    password = forms.CharField(label=_("Password (at least 8 characters)"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class NewPasswordMixin:
    """Two password boxes that must match; the strength rules are Django's validators, applied
    by the service (one place)."""

    def clean(self):
        data = super().clean()
        first, second = data.get("password"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    return (
        forms.CharField(label=_("New password (at least 8 characters)"), max_length=128, strip=False,
                        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})),
        forms.CharField(label=_("New password again"), max_length=128, strip=False,
                        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})),
    )


class PasswordResetForm(NewPasswordMixin, forms.Form):
    """Forgotten password, second step: the code sent by SMS and the new password."""

    phone = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code we sent by SMS"), max_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    password, password2 = _new_password_fields()


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    """Signed in: the current password, the code sent by SMS, the new password."""

    current_password = forms.CharField(label=_("Current password"), max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label=_("Code we sent by SMS"), max_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    password, password2 = _new_password_fields()


class WardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ProfileForm(forms.Form):
    """Name, e-mail and language. Checks beyond the field types are the service's."""

    full_name = forms.CharField(label=_("Full name"), max_length=120,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail (optional, for notifications)"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    preferred_language = forms.ChoiceField(label=_("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")],
                                           help_text=_("For the pages, your notifications and e-mails."))


class HomeAreaForm(forms.Form):
    """The home ward, one of the city's wards and communes."""

    home_area = WardChoiceField(label=_("Home ward/commune"), queryset=None, required=False,
                                empty_label=_("— Not set —"))

    def __init__(self, *args, can_change_home_area: bool = True, **kwargs):
        from opencity.geo.selectors import wards

        super().__init__(*args, **kwargs)
        field = self.fields["home_area"]
        field.queryset = wards().only("pk", "name")
        if not can_change_home_area:
            field.disabled = True
            field.help_text = _("Your ward is the ward you work in: an administrator sets it.")
