"""Input of the benchmarking pages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lean.forms import StyledForm
from lean.models import Unit
from targets.forms import PeriodField, unit_choices
from targets.models import Frequency, Indicator

from .models import BenchmarkIndicator, Confidence, Peer


class BenchmarkAddForm(StyledForm):
    ORIGINS = [
        (BenchmarkIndicator.Origin.SHORTFALL, BenchmarkIndicator.Origin.SHORTFALL.label),
        (BenchmarkIndicator.Origin.LEAN_OFFICE, BenchmarkIndicator.Origin.LEAN_OFFICE.label),
    ]

    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    frequency = forms.ChoiceField(label=_("Compared per"), choices=Frequency.choices, initial=Frequency.QUARTER)
    origin = forms.ChoiceField(choices=ORIGINS, initial=BenchmarkIndicator.Origin.LEAN_OFFICE, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.select_related("node")


class BenchmarkEditForm(StyledForm):
    frequency = forms.ChoiceField(
        label=_("Compared per"),
        choices=Frequency.choices,
        help_text=_("Fixed once outside values were entered: they are entered per this period."),
    )
    active = forms.BooleanField(label=_("Active (shown on the board)"), required=False)


class PeerForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("peer", "Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Peer.Kind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    active = forms.BooleanField(label=_("Active (its values are compared)"), required=False, initial=True)


class ValueForm(StyledForm):
    """One outside figure; the value entry page shows several of these."""

    benchmark = forms.ModelChoiceField(label=_("Benchmark indicator"), queryset=BenchmarkIndicator.objects.none())
    peer = forms.ModelChoiceField(label=_("Peer"), queryset=Peer.objects.none())
    period = PeriodField(label=_("Period"))
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=4)
    source = forms.CharField(label=_("Source"), max_length=200)
    source_date = forms.DateField(
        label=_("Date of the figure"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confidence = forms.ChoiceField(label=_("Confidence"), choices=Confidence.choices, initial=Confidence.MEDIUM)

    def __init__(self, *args, benchmarks=None, peers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benchmark"].queryset = benchmarks if benchmarks is not None else BenchmarkIndicator.objects.none()
        self.fields["peer"].queryset = peers if peers is not None else Peer.objects.none()
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label  # the table's header is the visible label


ValueFormSet = forms.formset_factory(ValueForm, extra=5, max_num=50)


class ProposalDecisionForm(StyledForm):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")], widget=forms.HiddenInput)
    frequency = forms.ChoiceField(
        label=_("Compared per"), choices=Frequency.choices, initial=Frequency.QUARTER, required=False
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ProposalForm(StyledForm):
    indicator = forms.ModelChoiceField(label=_("Indicator of your unit"), queryset=Indicator.objects.none())
    reason = forms.CharField(
        label=_("Why benchmark it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What gap you suspect and what you hope to learn."),
    )
    suggested_peers = forms.CharField(
        label=_("Suggested peers"),
        max_length=300,
        required=False,
        help_text=_("Enterprises or units you would compare with, if you know some."),
    )

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators if indicators is not None else Indicator.objects.none()
        self.fields["indicator"].label_from_instance = lambda i: f"{i.node.code} {i.node.name}"


class PracticeForm(StyledForm):
    """A practice learned from a better peer; the peer is an outside one ("peer-<id>") or a unit ("unit-<id>")."""

    benchmark = forms.ModelChoiceField(label=_("Benchmark indicator"), queryset=BenchmarkIndicator.objects.none())
    unit = forms.ModelChoiceField(label=_("Learning unit"), queryset=Unit.objects.none())
    better_peer = forms.ChoiceField(label=_("Learned from"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What they do"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    source = forms.CharField(
        label=_("Source"), max_length=200, required=False, help_text=_("A report, a visit, a meeting…")
    )
    met_on = forms.DateField(
        label=_("Visit or meeting date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units=None, peers=(), peer_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benchmark"].queryset = BenchmarkIndicator.objects.filter(active=True)
        unit_choices(self.fields["unit"], units)
        self.fields["better_peer"].choices = [
            ("", "---------"),
            (_("Outside peers"), [(f"peer-{p.pk}", p.name) for p in peers]),
            (_("Our units"), [(f"unit-{u.pk}", u.name) for u in peer_units]),
        ]

    def better(self, peers, peer_units):
        """(peer, peer_unit) named by the chosen value."""
        kind, _sep, pk = self.cleaned_data["better_peer"].partition("-")
        pool = peers if kind == "peer" else peer_units
        found = next((x for x in pool if str(x.pk) == pk), None)
        return (found, None) if kind == "peer" else (None, found)
