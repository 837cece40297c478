"""The audit log's filters: kind of object, person (by employee number) and a range of days."""

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.audit.log import KINDS


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of object"), required=False)
    person = forms.CharField(label=_("Changed by (employee number)"), max_length=40, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *KINDS.items()]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            )
        self.fields["person"].widget.attrs.update(placeholder=_("Employee number"), autocomplete="off")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end comes before the start."))
        return data
