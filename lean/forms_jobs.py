"""Input of the lean office's job pages: when the scheduled jobs run, the runs' filter and a manual run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import StyledForm
from .models import JobRun, JobSettings


def _day(label):
    return forms.IntegerField(label=label, min_value=1, max_value=28, help_text=_("1 to 28, so every month has it."))


def _hour(label):
    return forms.IntegerField(label=label, min_value=0, max_value=23, help_text=_("0 to 23, in your time zone."))


class JobSettingsForm(StyledForm):
    report_cadence = forms.ChoiceField(label=_("Shortfall reports"), choices=JobSettings.Cadence.choices)
    report_day = _day(_("On day"))
    report_hour = _hour(_("At hour"))
    listing_cadence = forms.ChoiceField(label=_("Public innovation listings"), choices=JobSettings.Cadence.choices)
    listing_day = _day(_("On day"))
    listing_hour = _hour(_("At hour"))
    objection_days = forms.IntegerField(
        label=_("Objection window (days)"),
        min_value=1,
        max_value=60,
        help_text=_("How long a new listing stays open for objections: 1 to 60 days."),
    )

    JOB_FIELDS = ("report_cadence", "report_day", "report_hour", "listing_cadence", "listing_day", "listing_hour")

    def job_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.JOB_FIELDS}


class RunFilterForm(forms.Form):
    job = forms.ChoiceField(label=_("Job"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *JobRun.Status.choices], required=False
    )

    def __init__(self, *args, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = [("", _("All jobs")), *labels.items()]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm w-auto"


class RunNowForm(StyledForm):
    prefix = "run"

    job = forms.ChoiceField(label=_("Job"))
    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        required=False,
        help_text=_("A month (2026-10) or a quarter (2026-Q3); empty: the last complete one."),
    )

    def __init__(self, *args, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = list(labels.items())
        self.fields["period"].widget.attrs.update(placeholder="2026-Q3", autocomplete="off")
