from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lean import periods
from lean.forms import StyledForm
from lean.models import Unit

from .models import Aggregation, Branch, Direction, Frequency, Shortfall, TargetTree


def unit_choices(field, queryset=None):
    field.queryset = queryset if queryset is not None else Unit.objects.filter(active=True).order_by("path")
    field.label_from_instance = lambda unit: f"{'— ' * unit.depth}{unit.name}"


class PeriodField(forms.Field):
    """A period typed as 2026-03, 2026-Q1 or 2026; cleans to a periods.Period."""

    widget = forms.TextInput(attrs={"placeholder": "2026-03 / 2026-Q1 / 2026", "maxlength": 10})

    def __init__(self, *args, kind=None, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return periods.parse(value, self.kind)
        except periods.PeriodError as error:
            raise forms.ValidationError(str(error)) from error

    def prepare_value(self, value):
        return str(value) if isinstance(value, periods.Period) else value


class TreeFilterForm(StyledForm):
    """The picker above the tree: year, period and unit."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    period = PeriodField(label=_("Period"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        unit_choices(self.fields["unit"])
        self.fields["unit"].empty_label = _("Whole enterprise")


class TreeForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    copy_from = forms.ModelChoiceField(
        label=_("Start as a copy of"),
        queryset=TargetTree.objects.none(),
        required=False,
        empty_label=_("An empty tree with the four branches"),
        help_text=_("Copies nodes, weights, owners, indicators and targets (moved one year on), not readings."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = TargetTree.objects.order_by("-year")


class NodeForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=pgettext_lazy("target node", "Name"), max_length=200)
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    weight = forms.DecimalField(
        label=_("Weight"), min_value=0.01, max_digits=7, decimal_places=2, help_text=_("Relative to its siblings.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices(self.fields["owner_unit"])


class IndicatorForm(NodeForm):
    measure_unit = forms.CharField(label=_("Unit of measure"), max_length=40)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    aggregation = forms.ChoiceField(
        label=_("Aggregation"),
        choices=Aggregation.choices,
        help_text=_("How months add up to a quarter or a year: totals are summed, rates averaged."),
    )
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=18, decimal_places=4, required=False)
    data_source = forms.CharField(label=_("Data source"), max_length=200, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Applies to units"), queryset=Unit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices(self.fields["units"])


class YearTargetForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("For unit"), queryset=Unit.objects.none(), required=False)
    value = forms.DecimalField(label=_("Target for the year"), max_digits=18, decimal_places=4)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices(self.fields["unit"], units)
        self.fields["unit"].empty_label = _("Every unit")


class ReadingEntryFilterForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    period = PeriodField(label=_("Period"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices(self.fields["unit"], units)


class ReadingForm(StyledForm):
    value = forms.DecimalField(label=_("Actual value"), max_digits=18, decimal_places=4)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ShortfallFilterForm(StyledForm):
    YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    branch = forms.ChoiceField(label=_("Branch"), choices=[("", _("Any"))] + Branch.choices, required=False)
    period = PeriodField(label=_("Period"), required=False)
    assessed = forms.ChoiceField(label=_("In the assessment"), choices=YES_NO, required=False)
    source = forms.ChoiceField(label=_("Found by"), choices=[("", _("Any"))] + Shortfall.Source.choices, required=False)
    uncovered = forms.BooleanField(label=_("Uncovered by a project"), required=False)
    resolved = forms.BooleanField(label=_("Include resolved"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        unit_choices(self.fields["unit"])
        self.fields["unit"].empty_label = _("Any")


class ShortfallForm(StyledForm):
    analysis = forms.CharField(
        label=_("Analysis"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    actions = forms.CharField(
        label=_("Improvement actions"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
