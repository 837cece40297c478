"""Browser input of the lean office's pages: portfolio filters, review panels, scores and decisions, criteria,
the case library's search, guides and their directions."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lean.forms import StyledForm
from lean.models import Membership, Unit
from targets.models import Indicator

from .models import Complexity, Direction, Review, State, Tier


def _unit_field(field, units):
    field.queryset = units
    field.label_from_instance = lambda unit: f"{'— ' * unit.depth}{unit.name}"


class PortfolioFilterForm(StyledForm):
    """The filters of the portfolio board (year, tier, unit, direction)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("Both tiers")), *Tier.choices], required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    direction = forms.ModelChoiceField(label=_("Direction"), queryset=Direction.objects.none(), required=False)

    def __init__(self, *args, years=(), units=None, directions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in years]]
        _unit_field(self.fields["unit"], units if units is not None else Unit.objects.none())
        self.fields["unit"].empty_label = _("All units")
        self.fields["direction"].queryset = directions if directions is not None else Direction.objects.none()
        self.fields["direction"].label_from_instance = lambda d: f"{d.guide.year} · {d.code} {d.title}"
        self.fields["direction"].empty_label = _("All directions")

    def filters(self) -> dict:
        self.is_valid()  # a bad value drops that filter only: cleaned_data keeps the valid ones
        data = getattr(self, "cleaned_data", {})
        return {
            "year": data.get("year") or None,
            "tier": data.get("tier") or "",
            "unit": data.get("unit"),
            "direction": data.get("direction"),
        }


SORT_CHOICES = ["code", "title", "unit", "tier", "state", "year", "days"]


class PortfolioTableForm(PortfolioFilterForm):
    """The table adds the state, a text search on code and title, and the sort order."""

    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *State.choices], required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sort = forms.ChoiceField(
        choices=[(key, key) for name in SORT_CHOICES for key in (name, f"-{name}")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(placeholder=_("Code or title"), type="search")

    def filters(self) -> dict:
        self.is_valid()  # a bad value drops that filter only: cleaned_data keeps the valid ones
        data = getattr(self, "cleaned_data", {})
        return {**super().filters(), "state": data.get("state") or "", "q": data.get("q") or ""}

    def sort_key(self) -> str:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("sort") or "code"


# ---------------------------------------------------------------- reviews


class PanelForm(StyledForm):
    """The organiser names the panel, its chair and the date."""

    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=Membership.objects.none())
    scheduled_for = forms.DateField(
        label=_("Review date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reviewers", "chair"):
            self.fields[name].queryset = candidates
            self.fields[name].label_from_instance = lambda m: f"{m.user.display_name} · {m.unit.name}"
        self.fields["chair"].help_text = _("The chair is one of the reviewers and takes the decision.")
        self.fields["reviewers"].widget.attrs["class"] = "form-check-input"


class ScoreForm(StyledForm):
    """A panel member's scores: one 0–100 field per active criterion, and a comment."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, **kwargs):
        self.criteria = list(criteria)
        super().__init__(*args, **kwargs)
        fields = {}
        for criterion in self.criteria:
            field = forms.DecimalField(
                label=criterion.name,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                help_text=criterion.description,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": 100, "inputmode": "decimal"}),
            )
            field.widget.attrs["class"] = "form-control form-control-sm"
            fields[self.field_name(criterion)] = field
        self.fields = {**fields, "comment": self.fields["comment"]}

    @staticmethod
    def field_name(criterion) -> str:
        return f"c{criterion.pk}"

    def rows(self):
        """(criterion, bound field) for the template."""
        return [(c, self[self.field_name(c)]) for c in self.criteria]

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data[self.field_name(c)] for c in self.criteria}


class DecisionForm(StyledForm):
    """The chair's decision."""

    result = forms.ChoiceField(label=_("Result"), choices=Review.Result.choices, widget=forms.RadioSelect)
    conditions = forms.CharField(
        label=_("Conditions or reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a pass with conditions, and whenever the decision differs from the scores."),
    )
    excellent = forms.BooleanField(label=_("Mark as an excellent case for the case library"), required=False)
    complexity = forms.ChoiceField(
        label=_("Judged complexity"),
        choices=[("", "—"), *Complexity.choices],
        required=False,
        help_text=_("The panel's judgement of how complex the project was; with a pass it sets the team's points."),
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].widget.attrs["class"] = "form-check-input"
        if review.kind != Review.Kind.CLOSING:
            del self.fields["excellent"]
            del self.fields["complexity"]


class CriterionForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=20)
    name = forms.CharField(label=pgettext_lazy("review criterion", "Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    weight = forms.DecimalField(label=_("Weight"), min_value=0.01, max_digits=5, decimal_places=2)
    active = forms.BooleanField(label=_("Counts in the reviews"), required=False, initial=True)


# ---------------------------------------------------------------- the case library


class CaseFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none(), required=False)

    def __init__(self, *args, years=(), units=None, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(placeholder=_("Title, problem or summary"), type="search")
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in years]]
        _unit_field(self.fields["unit"], units if units is not None else Unit.objects.none())
        self.fields["unit"].empty_label = _("All units")
        self.fields["indicator"].queryset = indicators if indicators is not None else Indicator.objects.none()
        self.fields["indicator"].label_from_instance = lambda i: f"{i.node.tree.year} · {i.node.code} {i.node.name}"
        self.fields["indicator"].empty_label = _("All indicators")

    def filters(self) -> dict:
        self.is_valid()  # a bad value drops that filter only: cleaned_data keeps the valid ones
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "unit": data.get("unit"),
            "year": data.get("year") or None,
            "indicator": data.get("indicator"),
        }


# ---------------------------------------------------------------- guides


class GuideCreateForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Left empty: “<year> lean improvement guide”.")
    )
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GuideEditForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 5}))


class DirectionForm(StyledForm):
    """A direction of the guide; its sources are picked from the year's tree (annual-priority nodes and
    indicators with open shortfalls), rendered as two groups of check boxes by the template."""

    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    requirements = forms.CharField(label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sources = forms.TypedMultipleChoiceField(label=_("Comes from"), coerce=int, required=False)

    def __init__(self, *args, priorities=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {n.pk: n for n in [*priorities, *indicators]}
        self.priorities, self.indicators = list(priorities), list(indicators)
        self.fields["sources"].choices = [(pk, str(n)) for pk, n in self.nodes.items()]

    def chosen(self) -> set:
        """The node ids to show checked (what was posted, else the initial sources)."""
        if self.is_bound:
            return {int(v) for v in self.data.getlist("sources") if str(v).isdigit()}
        return set(self.initial.get("sources") or [])

    def source_nodes(self) -> list:
        return [self.nodes[pk] for pk in self.cleaned_data["sources"]]
