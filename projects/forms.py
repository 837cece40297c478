"""Input of the project pages: the filing steps, notes, attachments and lifecycle actions.

Forms check the shape of the input (types, required, dates in order); the rules (who, which state, team shares
adding up to 100%) are the services' and come back as ApplicationError, shown on the same form.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lean.forms import StyledForm
from lean.models import Membership

from .models import Tier

TEXTAREA = {"rows": 3}


def add_error(form, field, message) -> None:
    """form.add_error after validation, with the field drawn as invalid too (StyledForm marks only the errors
    found while cleaning)."""
    form.add_error(field, message)
    if field in form.fields:
        attrs = form.fields[field].widget.attrs
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def _unit_label(unit):
    return f"{'— ' * unit.depth}{unit.name}"


class BasicsForm(StyledForm):
    """Step 1: what the proposal is about, against which direction of the guide, and the unit's assessment."""

    title = forms.CharField(label=_("Title"), max_length=200)
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=Tier.choices,
        initial=Tier.UNIT,
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    direction = forms.TypedChoiceField(label=_("Guide direction"), coerce=int, required=False, empty_value=None)
    problem = forms.CharField(
        label=_("Problem statement"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("What goes wrong today, where, how much, since when."),
    )
    management_base = forms.CharField(
        label=_("Management base"), widget=forms.Textarea(attrs=TEXTAREA), required=False, max_length=3000
    )
    capability = forms.CharField(
        label=_("Capability"), widget=forms.Textarea(attrs=TEXTAREA), required=False, max_length=3000
    )
    expected_effect = forms.CharField(
        label=_("Expected effect"), widget=forms.Textarea(attrs=TEXTAREA), required=False, max_length=3000
    )

    def __init__(self, *args, units, years, directions, year_locked=False, **kwargs):
        """`directions`: the published guides' directions (with their guide); `year_locked` once the project
        exists (its code carries the year)."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = _unit_label
        self.fields["year"].choices = [(y, y) for y in years]
        if year_locked:
            self.fields["year"].disabled = True
        self.directions = {d.pk: d for d in directions}
        groups: dict[int, list] = {}
        for d in directions:
            groups.setdefault(d.guide.year, []).append((d.pk, f"{d.code} {d.title}"))
        self.fields["direction"].choices = [("", _("— no direction —"))] + [
            (str(year), options) for year, options in groups.items()
        ]
        self.fields["direction"].help_text = (
            _("The topic directions of the published improvement guide.")
            if directions
            else _("No improvement guide has been published yet.")
        )

    def clean_direction(self):
        pk = self.cleaned_data.get("direction")
        return self.directions.get(pk) if pk else None

    def clean(self):
        data = super().clean()
        direction, year = data.get("direction"), data.get("year")
        if direction is not None and year and direction.guide.year != year:
            self.add_error(
                "direction",
                _("This direction belongs to the %(year)s guide.") % {"year": direction.guide.year},
            )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "title",
                "tier",
                "unit",
                "direction",
                "problem",
                "management_base",
                "capability",
                "expected_effect",
            )
        }


class IndicatorRowForm(StyledForm):
    """One indicator the project attacks, with where it starts and where it aims."""

    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=18, decimal_places=4)
    goal = forms.DecimalField(label=_("Goal"), max_digits=18, decimal_places=4)

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        # One choice list for every row, built once by the formset (no query per row).
        self.indicators = indicators or {}
        self.fields["indicator"].choices = [("", _("— choose an indicator —"))] + [
            (pk, f"{i.node.code} {i.node.name} ({i.measure_unit})") for pk, i in self.indicators.items()
        ]
        for name in ("baseline", "goal"):
            self.fields[name].widget.attrs.update(inputmode="decimal", step="any")
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label

    def clean_indicator(self):
        return self.indicators[self.cleaned_data["indicator"]]


class BaseIndicatorFormSet(forms.BaseFormSet):
    def __init__(self, *args, indicators=None, **kwargs):
        self.indicators = indicators or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "indicators": self.indicators}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            indicators=self.indicators,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        if any(self.errors):
            return
        chosen = [f.cleaned_data["indicator"].pk for f in self.kept()]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("An indicator is listed twice."))

    def kept(self):
        return [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


IndicatorFormSet = forms.formset_factory(
    IndicatorRowForm, formset=BaseIndicatorFormSet, extra=1, can_delete=True, max_num=30, validate_max=True
)


class ShortfallPickForm(forms.Form):
    """The shortfalls of the unit the project attacks (the checkboxes are drawn by the template)."""

    shortfalls = forms.TypedMultipleChoiceField(label=_("Shortfalls it attacks"), coerce=int, required=False)

    def __init__(self, *args, shortfalls=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.by_id = {s.pk: s for s in shortfalls}
        self.fields["shortfalls"].choices = [(pk, pk) for pk in self.by_id]

    def chosen(self):
        return [self.by_id[pk] for pk in self.cleaned_data["shortfalls"]]


class TeamRowForm(StyledForm):
    """One person of the team, picked by employee number."""

    number = forms.CharField(label=_("Employee number"), max_length=40)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("leader", _("Leader")), ("member", _("Member"))], initial="member"
    )
    share = forms.DecimalField(
        label=_("Share (%)"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].widget.attrs.update(inputmode="decimal", step="any", **{"data-share": ""})
        self.fields["number"].widget.attrs.update(autocomplete="off", **{"data-number": ""})
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label


class BaseTeamFormSet(forms.BaseFormSet):
    def clean(self):
        """Resolve the employee numbers in one query; a number nobody has is an error on its row."""
        if any(self.errors):
            return
        rows = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        numbers = {f.cleaned_data["number"].strip() for f in rows}
        found = {
            m.employee_number: m
            for m in Membership.objects.filter(employee_number__in=numbers).select_related("user", "unit")
        }
        for form in rows:
            member = found.get(form.cleaned_data["number"].strip())
            if member is None:
                form.add_error("number", _("Nobody has this employee number."))
            form.cleaned_data["member"] = member
        if not rows:
            raise forms.ValidationError(_("A team needs at least its leader."))

    def kept(self):
        return [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


TeamFormSet = forms.formset_factory(
    TeamRowForm, formset=BaseTeamFormSet, extra=1, can_delete=True, max_num=40, validate_max=True
)


class PlanForm(StyledForm):
    """Step 4: planned dates, the PDCA plan and the estimated benefits."""

    planned_start = forms.DateField(label=_("Planned start"), widget=forms.DateInput(attrs={"type": "date"}))
    planned_end = forms.DateField(label=_("Planned end"), widget=forms.DateInput(attrs={"type": "date"}))
    pdca_plan = forms.CharField(
        label=_("Plan (P)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text=_("Causes, goal and the measures chosen."),
    )
    pdca_do = forms.CharField(
        label=_("Do (D)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text=_("How the measures are carried out, by whom, when."),
    )
    pdca_check = forms.CharField(
        label=_("Check (C)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text=_("How the effect is measured against the goal."),
    )
    pdca_act = forms.CharField(
        label=_("Act (A)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text=_("What becomes the standard, and what is left for the next cycle."),
    )
    estimated_benefit = forms.DecimalField(
        label=_("Estimated benefit (CNY)"), max_digits=14, decimal_places=2, min_value=0, initial=0
    )
    estimated_hours = forms.DecimalField(
        label=_("Estimated hours saved"), max_digits=10, decimal_places=1, min_value=0, initial=0
    )
    estimated_quality = forms.CharField(label=_("Expected quality gain"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end is before the planned start."))
        return data


class ClosingForm(StyledForm):
    """Closing data: what each indicator achieved, the verified benefits and the case summary."""

    verified_benefit = forms.DecimalField(
        label=_("Verified benefit (CNY)"), max_digits=14, decimal_places=2, min_value=0
    )
    verified_hours = forms.DecimalField(label=_("Verified hours saved"), max_digits=10, decimal_places=1, min_value=0)
    verified_quality = forms.CharField(label=_("Verified quality gain"), max_length=300, required=False)
    case_summary = forms.CharField(
        label=_("Case summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done and what it brought, for the case library."),
    )

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.links = list(links)
        for link in self.links:
            node = link.indicator.node
            self.fields[f"achieved_{link.pk}"] = forms.DecimalField(
                label=f"{node.code} {node.name}", max_digits=18, decimal_places=4
            )
            self.fields[f"achieved_{link.pk}"].widget.attrs.update(
                {"class": "form-control form-control-sm", "inputmode": "decimal", "step": "any"}
            )

    def achieved_fields(self):
        return [(link, self[f"achieved_{link.pk}"]) for link in self.links]

    def achieved(self) -> dict:
        return {link.pk: self.cleaned_data[f"achieved_{link.pk}"] for link in self.links}


class NoteForm(StyledForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint, PNG, JPEG, text or CSV, at most 10 MB."),
    )


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(required=False, max_length=5000)
    into = forms.IntegerField(required=False)
