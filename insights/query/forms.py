"""The dynamic query's input: measure, grouping, scope and filters, checked against what the measure allows and
against the viewer's scope (a unit manager can only pick units of their own subtree)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovation.models import ContributionType
from insights.query import measures as m
from lean import periods
from lean.access import within
from lean.models import Membership, Unit
from projects.models import State, Tier
from targets.models import Branch, Shortfall

BLANK = [("", gettext_lazy("All"))]
FILTER_NAMES = (m.FILTER_BRANCH, m.FILTER_SOURCE, m.FILTER_TYPE, m.FILTER_TIER, m.FILTER_STATE)
PARAM_NAMES = ("measure", "group_by", "unit", "period_from", "period_to", *FILTER_NAMES)
DEFAULTS = {"measure": "achievement", "group_by": m.UNIT}


def visible_units(viewer: Membership):
    return within(Unit.objects.order_by("path"), viewer, field="", subtree=True)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * max(obj.depth, 0) + obj.name


class QueryForm(forms.Form):
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=m.MEASURE_CHOICES)
    group_by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=m.GROUPINGS)
    unit = UnitChoiceField(
        label=gettext_lazy("Unit (with the units below it)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my units"),
    )
    period_from = forms.CharField(
        label=gettext_lazy("Period from"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "2025-01"}),
    )
    period_to = forms.CharField(
        label=gettext_lazy("Period to"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "2025-12"}),
    )
    branch = forms.ChoiceField(label=gettext_lazy("Branch"), choices=BLANK + Branch.choices, required=False)
    source = forms.ChoiceField(
        label=gettext_lazy("Shortfall source"), choices=BLANK + Shortfall.Source.choices, required=False
    )
    contribution_type = forms.ModelChoiceField(
        label=gettext_lazy("Contribution type"),
        queryset=ContributionType.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    tier = forms.ChoiceField(label=gettext_lazy("Project tier"), choices=BLANK + Tier.choices, required=False)
    state = forms.ChoiceField(label=gettext_lazy("Project state"), choices=BLANK + State.choices, required=False)

    def __init__(self, data=None, *, viewer: Membership, **kwargs):
        super().__init__(data, **kwargs)
        self.viewer = viewer
        self.fields["unit"].queryset = visible_units(viewer)
        self.fields["contribution_type"].queryset = ContributionType.objects.order_by("position", "pk")
        applies = {name: [k for k, measure in m.MEASURES.items() if name in measure.filters] for name in FILTER_NAMES}
        for name, field in self.fields.items():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
            if name in applies:
                field.widget.attrs["data-measures"] = " ".join(applies[name])

    def _period(self, name):
        text = self.cleaned_data.get(name)
        if not text:
            return None
        try:
            return periods.parse(text)
        except periods.PeriodError:
            raise forms.ValidationError(
                _("Write a month (2025-03), a quarter (2025-Q1) or a year (2025)."), code="period"
            ) from None

    def clean_period_from(self):
        return self._period("period_from")

    def clean_period_to(self):
        return self._period("period_to")

    def clean(self):
        data = super().clean()
        measure = m.MEASURES.get(data.get("measure"))
        if measure is None:
            return data
        grouping = data.get("group_by")
        if grouping and grouping not in measure.groupings:
            allowed = ", ".join(str(m.GROUPING_LABELS[g]) for g in measure.groupings)
            self.add_error(
                "group_by",
                _("%(measure)s cannot be grouped by %(grouping)s. It can be grouped by: %(allowed)s.")
                % {"measure": measure.label, "grouping": m.GROUPING_LABELS[grouping], "allowed": allowed},
            )
        for name in FILTER_NAMES:
            if data.get(name) not in (None, "") and name not in measure.filters:
                self.add_error(
                    name,
                    _("This filter does not apply to %(measure)s; leave it at “All”.") % {"measure": measure.label},
                )
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start.start >= end.end:
            self.add_error("period_to", _("The end of the period range comes before its start."))
        return data

    @property
    def chosen_measure(self) -> m.Measure:
        return m.MEASURES[self.cleaned_data["measure"]]

    def query_kwargs(self, *, root_default: Unit | None) -> dict:
        """The arguments of selectors.query_run: the unit picked (already inside the viewer's scope), else the
        viewer's default root."""
        data = self.cleaned_data
        measure = self.chosen_measure
        return {
            "measure": measure,
            "grouping": data["group_by"],
            "root": data.get("unit") or root_default,
            "period_from": data.get("period_from"),
            "period_to": data.get("period_to"),
            "filters": {name: _filter_value(data.get(name)) for name in measure.filters},
        }

    def params(self) -> dict:
        """The valid query as plain strings (to save it, or to put it in a link)."""
        out = {}
        for name in PARAM_NAMES:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            out[name] = str(value.pk if hasattr(value, "pk") else value)
        return out


def measure_groupings() -> dict:
    """For the page's script: the groupings each measure allows."""
    return {key: list(measure.groupings) for key, measure in m.MEASURES.items()}


def _filter_value(value):
    return value.pk if hasattr(value, "pk") else value


class SaveQueryForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the query"),
        max_length=100,
        error_messages={"required": gettext_lazy("Give the query a name to save it.")},
    )
