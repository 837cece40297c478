"""Input of the finance sign-off (财务核验) pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lean.forms import StyledForm


class SignoffForm(StyledForm):
    """Sign off: the amount typed again, the calculation basis, and the evidence (a new file or an attachment)."""

    amount = forms.DecimalField(
        label=_("Benefit signed off (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Type the verified benefit you checked; it has to match the team's figure."),
    )
    basis = forms.CharField(
        label=_("Calculation basis"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the figure was calculated: the quantities, prices and the period they cover."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, PNG, JPEG, text or CSV, at most 10 MB."),
    )
    evidence = forms.TypedChoiceField(label=_("Or one of the project's attachments"), coerce=int, required=False)

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [("", "—"), *[(a.pk, a.name) for a in attachments]]
        self.fields["evidence"].empty_value = None


class SignoffReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("What the team should correct"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
