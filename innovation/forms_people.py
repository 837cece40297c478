"""Input of the people-facing innovation pages: the archives' year filter, the online query of contributions,
recording one (with a team for managers), verifying, rejecting, re-scoring and objecting, and suggestions."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lean.forms import StyledForm
from lean.models import Membership, Unit

from .models import Contribution, Level, Suggestion
from .selectors import Period
from .services.contributions import Levels

EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 31)


def _unit_label(unit):
    return f"{'— ' * max(unit.depth, 0)}{unit.name}"


class YearForm(StyledForm):
    """The archives' year filter; `all_years` offers "all years" (a person's archive)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years, all_years=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(y, str(y)) for y in years]
        self.fields["year"].choices = [("", _("All years")), *choices] if all_years else choices
        self.default = None if all_years else (years[0] if years else timezone.localdate().year)

    def chosen(self) -> int | None:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"] is not None:
            return self.cleaned_data["year"]
        return self.default

    def period(self) -> Period | None:
        year = self.chosen()
        return Period.year(year) if year else None


class LevelsMixin(forms.Form):
    """The four levels that score a contribution."""

    positioning = forms.ChoiceField(label=_("Positioning"), choices=Level.POSITIONING, initial="general")
    breadth = forms.ChoiceField(label=_("Breadth"), choices=Level.BREADTH, initial="team")
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Level.COMPLEXITY, initial="low")
    award = forms.ChoiceField(label=_("Award"), choices=Level.AWARD, initial="none")

    def levels(self) -> Levels:
        data = self.cleaned_data
        return Levels(data["positioning"], data["breadth"], data["complexity"], data["award"])


class ContributionFilterForm(StyledForm):
    """The online query (在线查询): unit, person, type, period and status."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All units"))
    person = forms.CharField(label=_("Person"), required=False, max_length=100, help_text=_("Employee number or name"))
    type = forms.ModelChoiceField(label=_("Type"), queryset=None, required=False, empty_label=_("All types"))
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Contribution.Status.choices]
    )

    def __init__(self, *args, units, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = _unit_label
        self.fields["type"].queryset = types
        self.fields["person"].widget.attrs.update(placeholder=_("e.g. E00012 or 王"), autocomplete="off")

    def period(self) -> Period | None:
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start is None and end is None:
            return None
        return Period(start or EARLIEST, end or LATEST)


class ContributionForm(LevelsMixin, StyledForm):
    """Record a contribution. `units` is given to those who record for a unit of theirs (managers, the lean
    office); everyone else records for their own unit."""

    type = forms.ModelChoiceField(label=_("Type"), queryset=None, empty_label=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    field_order = ["type", "unit", "title", "occurred_on", "description", "positioning", "breadth", "complexity"]

    def __init__(self, *args, types, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
            self.fields["unit"].label_from_instance = _unit_label
            self.fields["unit"].required = True
        self.fields["occurred_on"].initial = timezone.localdate
        self.fields["title"].widget.attrs.update(autocomplete="off")

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return day


class TeamRowForm(StyledForm):
    """One person credited, by employee number, with their share."""

    number = forms.CharField(label=_("Employee number"), max_length=40)
    share = forms.DecimalField(
        label=_("Share (%)"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].widget.attrs.update(inputmode="decimal", step="any", **{"data-share": ""})
        self.fields["number"].widget.attrs.update(autocomplete="off")
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label


class BaseTeamFormSet(forms.BaseFormSet):
    """The people of a contribution: numbers resolved in one query among `people` (those the recorder may
    credit); an unknown number is an error on its row."""

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people if people is not None else Membership.objects.none()

    def clean(self):
        if any(self.errors):
            return
        rows = self.kept()
        numbers = {f.cleaned_data["number"].strip() for f in rows}
        found = {m.employee_number: m for m in self.people.filter(employee_number__in=numbers)}
        for form in rows:
            member = found.get(form.cleaned_data["number"].strip())
            if member is None:
                form.add_error("number", _("Nobody in your units has this employee number."))
            form.cleaned_data["member"] = member
        if not rows:
            raise forms.ValidationError(_("Name at least one person."))

    def kept(self):
        return [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def team(self) -> list[tuple[Membership, Decimal]]:
        return [(f.cleaned_data["member"], f.cleaned_data["share"]) for f in self.kept()]


TeamFormSet = forms.formset_factory(
    TeamRowForm, formset=BaseTeamFormSet, extra=0, can_delete=True, max_num=40, validate_max=True
)


class VerifyForm(LevelsMixin, StyledForm):
    """Verify, adjusting the levels if needed."""


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ObjectionForm(StyledForm):
    text = forms.CharField(label=_("What is wrong?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SuggestionForm(StyledForm):
    """A rationalization suggestion (合理化建议), short enough to write on a phone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(label=_("Current problem"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    proposal = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    expected_benefit = forms.CharField(
        label=_("Expected benefit"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update(autocomplete="off")


class SuggestionFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *Suggestion.State.choices]
    )
    # Set by the dashboard's drill-down links (the year submitted, a unit with its sub-units); kept hidden.
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.all()


class EvaluateForm(StyledForm):
    evaluation = forms.CharField(label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AdoptForm(LevelsMixin, StyledForm):
    """Adopt: the levels score the proposer's contribution."""


class NotAdoptForm(StyledForm):
    reason = forms.CharField(label=_("Why not adopted"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ImplementForm(StyledForm):
    note = forms.CharField(
        label=_("How it was implemented"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
