"""Forms of the sign-in pages: reset by email, and the lean office's choice of how an activation link goes out."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .accounts import Delivery, password_reset_recipient


class TenantPasswordResetForm(PasswordResetForm):
    """Django's reset form, asking for the enterprise code and the employee number (or email) instead of an email
    alone: people are known per tenant. It says the same whether or not the account exists."""

    field_order = ["tenant", "login"]

    tenant = forms.SlugField(label=_("Enterprise code"), max_length=60)
    login = forms.CharField(label=_("Employee number or email"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]
        self.fields["tenant"].widget.attrs.update(autocomplete="organization", autofocus=True)
        self.fields["login"].widget.attrs.update(autocomplete="username")

    def save(
        self,
        domain_override=None,
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.html",
        use_https=False,
        token_generator=default_token_generator,
        from_email=None,
        request=None,
        html_email_template_name=None,
        extra_email_context=None,
    ):
        recipient = password_reset_recipient(tenant_slug=self.cleaned_data["tenant"], login=self.cleaned_data["login"])
        if recipient is None:
            return
        user = recipient.membership.user
        context = {
            "email": recipient.email,
            "domain": domain_override or request.get_host(),
            "site_name": recipient.membership.tenant.name,
            "tenant": recipient.membership.tenant,
            "membership": recipient.membership,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": token_generator.make_token(user),
            "protocol": "https" if use_https else "http",
            **(extra_email_context or {}),
        }
        self.send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            recipient.email,
            html_email_template_name=html_email_template_name,
        )


class DeliveryForm(forms.Form):
    """How the lean office hands over an activation link."""

    delivery = forms.ChoiceField(
        label=_("How the person gets the link"),
        choices=[
            (Delivery.EMAIL, _("Send it by email")),
            (Delivery.SCREEN, _("Show it here with a QR code")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        if not self.is_bound:
            self.initial.setdefault("delivery", Delivery.EMAIL if access.email else Delivery.SCREEN)
