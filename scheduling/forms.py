"""Input of the lean office's job pages: when each scheduled job runs, the runs' filter and a manual run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lean.forms import StyledForm
from scheduling.models import Cadence, JobRun


def _day(label):
    return forms.IntegerField(label=label, min_value=1, max_value=28, help_text=_("1 to 28, so every month has it."))


def _hour(label):
    return forms.IntegerField(label=label, min_value=0, max_value=23, help_text=_("0 to 23, in your time zone."))


class ScheduleForm(StyledForm):
    """When one scheduled job runs; one form per job on the schedule page, prefixed with the job's name."""

    cadence = forms.ChoiceField(label=_("Runs"), choices=Cadence.choices)
    day = _day(_("On day"))
    hour = _hour(_("At hour"))

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, prefix=job.name, **kwargs)
        self.job = job


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
