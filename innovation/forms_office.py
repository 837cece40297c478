"""Input of the lean office's pages of innovation: the rules editor, types, unit tuning, listings and their
settings, objections' resolution, incentives and studios.

The rules and tuning editors have one input per number, named by its path in the rules JSON
("factors.breadth.team.value"), so the services' field errors land on the right input without translation.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lean.forms import StyledForm

from .models import ContributionType, Incentive, Level
from .points import DEFAULT_BANDS, FACTORS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FACTOR_LABELS = {"positioning": _("Positioning"), "breadth": _("Breadth"), "complexity": _("Complexity")}
BOUNDS = (("value", _("Value")), ("min", _("Lowest a unit may set")), ("max", _("Highest a unit may set")))


def add_error(form, field, message) -> None:
    """form.add_error after validation, with the input drawn as invalid too."""
    form.add_error(field, message)
    if field in form.fields:
        attrs = form.fields[field].widget.attrs
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def _number(label, initial=None, placeholder=""):
    attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "form-control form-control-sm lean-num"}
    if placeholder:
        attrs["placeholder"] = placeholder
    attrs["aria-label"] = str(label)
    return forms.CharField(label=label, required=False, max_length=20, initial=initial, widget=forms.TextInput(attrs))


def unit_label(unit) -> str:
    return f"{'— ' * unit.depth}{unit.name}"


class SampleMixin:
    """The sample contribution of a preview: a type and the four levels."""

    def add_sample_fields(self, types, initial_type=""):
        choices = [(t.code, t.name) for t in types]
        codes = {code for code, _label in choices}
        self.fields["sample_type"] = forms.ChoiceField(
            label=_("Type"), choices=choices, required=False, initial=initial_type if initial_type in codes else None
        )
        defaults = {"positioning": "key", "breadth": "unit", "complexity": "medium", "award": "unit"}
        for name, label, levels in (
            ("positioning", _("Positioning"), Level.POSITIONING),
            ("breadth", _("Breadth"), Level.BREADTH),
            ("complexity", _("Complexity"), Level.COMPLEXITY),
            ("award", _("Award"), Level.AWARD),
        ):
            self.fields[f"sample_{name}"] = forms.ChoiceField(
                label=label, choices=levels, required=False, initial=defaults[name]
            )
        for name in ("sample_type", "sample_positioning", "sample_breadth", "sample_complexity", "sample_award"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def sample_fields(self):
        return [self[name] for name in self.fields if name.startswith("sample_")]

    def sample(self):
        """The points.Sample chosen, or None when a choice is missing or unknown."""
        from .points import Sample

        data = {}
        for name in ("type", "positioning", "breadth", "complexity", "award"):
            field = self.fields[f"sample_{name}"]
            value = self.data.get(f"sample_{name}") if self.is_bound else field.initial
            if value is None or not field.valid_value(value):
                return None
            data[name] = value
        return Sample(data["type"], data["positioning"], data["breadth"], data["complexity"], data["award"])


class RulesForm(SampleMixin, StyledForm):
    """The rules editor: a new version of HQ's rules, prefilled from the one in force."""

    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, rules: dict, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.hq_types = list(types)
        for kind in self.hq_types:
            label = _("Base points · %(type)s") % {"type": kind.name}
            self.fields[f"base.{kind.code}"] = _number(label, rules.get("base", {}).get(kind.code))
        for factor in FACTORS:
            table = rules.get("factors", {}).get(factor, {})
            for level, label in Level.FACTORS[factor]:
                row = table.get(level, {})
                for key, key_label in BOUNDS:
                    self.fields[f"factors.{factor}.{level}.{key}"] = _number(
                        f"{FACTOR_LABELS[factor]} · {label} · {key_label}", row.get(key)
                    )
        for level, label in Level.AWARD:
            self.fields[f"award.{level}"] = _number(
                _("Award bonus · %(level)s") % {"level": label}, rules.get("award", {}).get(level)
            )
        unit_base = rules.get("unit_base", {})
        self.fields["unit_base.min"] = _number(_("Lowest base of a unit's own type"), unit_base.get("min"))
        self.fields["unit_base.max"] = _number(_("Highest base of a unit's own type"), unit_base.get("max"))
        bands = rules.get("benefit_bands") or DEFAULT_BANDS
        self.fields["benefit_bands.key"] = _number(_("Key positioning from (CNY signed off)"), bands.get("key"))
        self.fields["benefit_bands.strategic"] = _number(
            _("Strategic positioning from (CNY signed off)"), bands.get("strategic")
        )
        self.add_sample_fields(self.hq_types, "qc")

    def value(self, name):
        if self.is_bound:
            return (self.data.get(name) or "").strip()
        return self.fields[name].initial

    def rules(self) -> dict:
        """The rules dict as typed (strings); the service checks every number."""
        out = {"base": {}, "factors": {}, "award": {}, "unit_base": {}}
        for kind in self.hq_types:
            out["base"][kind.code] = self.value(f"base.{kind.code}")
        for factor in FACTORS:
            out["factors"][factor] = {
                level: {key: self.value(f"factors.{factor}.{level}.{key}") for key, _label in BOUNDS}
                for level, _label in Level.FACTORS[factor]
            }
        out["award"] = {level: self.value(f"award.{level}") for level, _label in Level.AWARD}
        out["unit_base"] = {key: self.value(f"unit_base.{key}") for key in ("min", "max")}
        out["benefit_bands"] = {key: self.value(f"benefit_bands.{key}") for key in ("key", "strategic")}
        return out

    # The layout the template walks: one row per type, level and award, each with its inputs.
    def base_rows(self):
        return [{"type": kind, "field": self[f"base.{kind.code}"]} for kind in self.hq_types]

    def factor_tables(self):
        tables = []
        for factor in FACTORS:
            rows = []
            for level, label in Level.FACTORS[factor]:
                row = {"level": level, "label": label}
                for key, _key_label in BOUNDS:
                    row[key] = self[f"factors.{factor}.{level}.{key}"]
                rows.append(row)
            tables.append({"factor": factor, "label": FACTOR_LABELS[factor], "rows": rows})
        return tables

    def unit_base_fields(self):
        return [self["unit_base.min"], self["unit_base.max"]]

    def benefit_band_fields(self):
        return [self["benefit_bands.key"], self["benefit_bands.strategic"]]

    def award_rows(self):
        return [{"level": level, "label": label, "field": self[f"award.{level}"]} for level, label in Level.AWARD]


class TuningForm(SampleMixin, StyledForm):
    """A unit's tuning (丰富和微调): a value per factor level inside HQ's bounds (blank: HQ's value) and the base of
    the unit's own types."""

    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, rules: dict, own_types, sample_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.hq_rules = rules
        self.own_types = list(own_types)
        for factor in FACTORS:
            for level, label in Level.FACTORS[factor]:
                row = rules["factors"][factor].get(level, {})
                self.fields[f"factors.{factor}.{level}"] = _number(
                    f"{FACTOR_LABELS[factor]} · {label}", placeholder=row.get("value", "")
                )
        for kind in self.own_types:
            self.fields[f"type_base.{kind.code}"] = _number(_("Base points · %(type)s") % {"type": kind.name})
        self.add_sample_fields(sample_types, self.own_types[0].code if self.own_types else "qc")

    def value(self, name):
        if self.is_bound:
            return (self.data.get(name) or "").strip()
        return self.initial.get(name, "")

    def factors(self) -> dict:
        return {
            factor: {level: self.value(f"factors.{factor}.{level}") for level, _label in Level.FACTORS[factor]}
            for factor in FACTORS
        }

    def type_base(self) -> dict:
        return {kind.code: self.value(f"type_base.{kind.code}") for kind in self.own_types}

    def factor_tables(self):
        tables = []
        for factor in FACTORS:
            rows = []
            for level, label in Level.FACTORS[factor]:
                hq = self.hq_rules["factors"][factor].get(level, {})
                rows.append({"level": level, "label": label, "hq": hq, "field": self[f"factors.{factor}.{level}"]})
            tables.append({"factor": factor, "label": FACTOR_LABELS[factor], "rows": rows})
        return tables

    def base_rows(self):
        return [{"type": kind, "field": self[f"type_base.{kind.code}"]} for kind in self.own_types]


class TypeForm(StyledForm):
    """A new contribution type: HQ's (no unit; the lean office) or a unit's own (its manager or the lean office)."""

    name = forms.CharField(label=_("Type name"), max_length=100)
    unit = forms.ModelChoiceField(label=_("Whose type"), queryset=None, required=False)
    base = forms.DecimalField(label=_("Base points"), max_digits=10, decimal_places=4, min_value=0)
    recorded_by = forms.ChoiceField(
        label=_("Recorded by"),
        choices=[c for c in ContributionType.RecordedBy.choices if c[0] != ContributionType.RecordedBy.SYSTEM],
    )
    code = forms.SlugField(
        label=_("Code"), max_length=40, required=False, help_text=_("Optional: made from the name when left blank.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, hq_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.hq_allowed = hq_allowed
        field = self.fields["unit"]
        field.queryset = units
        field.label_from_instance = unit_label
        field.required = not hq_allowed
        field.empty_label = _("HQ: a type for the whole enterprise") if hq_allowed else None


class ListingOpenForm(StyledForm):
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Optional: named after the period when blank.")
    )


class SettingsForm(StyledForm):
    objection_days = forms.IntegerField(
        label=_("Objection window (days)"),
        help_text=_("How long a new listing stays open for objections: 1 to 60 days."),
    )


class ResolveForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("dismiss", _("Dismiss: the points stand")), ("uphold", _("Uphold: take it off the listing"))],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class IncentiveFilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Incentive.Kind.choices], required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All units"))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = unit_label
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]


def _member_label(member) -> str:
    return f"{member.user.display_name} ({member.employee_number}) · {member.unit.name}"


class IncentiveForm(StyledForm):
    member = forms.ModelChoiceField(label=_("Person"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Incentive.Kind.choices)
    name = forms.CharField(
        label=_("Incentive name"), max_length=200, help_text=_("The honour or title, e.g. “Innovation star 2025”.")
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    awarded_on = forms.DateField(label=_("Awarded on"), widget=DATE, initial=timezone.localdate)
    bonus_points = forms.DecimalField(
        label=_("Bonus points"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("For performance bonus points (sent to HR)."),
    )
    studio = forms.ModelChoiceField(
        label=_("Studio"), queryset=None, required=False, help_text=_("For a place in an innovation studio.")
    )

    def __init__(self, *args, members, studios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = _member_label
        self.fields["studio"].queryset = studios
        self.fields["bonus_points"].widget.attrs["inputmode"] = "decimal"


class StudioForm(StyledForm):
    name = forms.CharField(label=_("Studio name"), max_length=200, help_text=_("e.g. “Liu Siyuan innovation studio”."))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    leader = forms.ModelChoiceField(label=_("Named after"), queryset=None)
    established_on = forms.DateField(label=_("Established"), widget=DATE, initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = unit_label
        self.fields["leader"].queryset = members
        self.fields["leader"].label_from_instance = _member_label
