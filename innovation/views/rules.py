"""The points rules (积分制): the rules in force with their versions, the types and the units' tunings; the lean
office's editor of a new version with a live preview of a sample's points; one version read-only; adding a type;
and a unit's tuning (丰富和微调) within HQ's bounds."""

from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovation.forms_office import FACTOR_LABELS, RulesForm, TuningForm, TypeForm
from lean.errors import ApplicationError, Forbidden
from lean.forms import apply_error, submitted
from lean.models import Unit
from lean.permissions import can, require

from .. import points, selectors
from ..models import ContributionType, Level, RuleVersion
from ..points import DEFAULT_BANDS, FACTORS
from ..services import scoring


def _flat(rules: dict) -> dict:
    """The rules as {path: value}, to tell what a version changed."""
    out = {f"base.{code}": value for code, value in rules.get("base", {}).items()}
    for factor, table in rules.get("factors", {}).items():
        for level, row in table.items():
            out.update({f"factors.{factor}.{level}.{key}": value for key, value in row.items()})
    out.update({f"award.{level}": value for level, value in rules.get("award", {}).items()})
    out.update({f"unit_base.{key}": value for key, value in rules.get("unit_base", {}).items()})
    out.update({f"benefit_bands.{key}": value for key, value in rules.get("benefit_bands", {}).items()})
    return out


def rules_layout(rules: dict, names: dict, changed=frozenset()) -> dict:
    """What the read-only tables show: base per type (in the order of `names`, code → name), the factor tables
    with their bounds, the award bonus and the bounds of a unit's own type's base; `changed` paths are marked."""
    factors = []
    for factor in FACTORS:
        table = rules.get("factors", {}).get(factor, {})
        rows = []
        for level, label in Level.FACTORS[factor]:
            row = table.get(level, {})
            prefix = f"factors.{factor}.{level}"
            rows.append(
                {
                    "label": label,
                    "value": row.get("value"),
                    "min": row.get("min"),
                    "max": row.get("max"),
                    "changed": any(f"{prefix}.{key}" in changed for key in ("value", "min", "max")),
                }
            )
        factors.append({"factor": factor, "label": FACTOR_LABELS[factor], "rows": rows})
    order = {code: index for index, code in enumerate(names)}
    base = sorted(rules.get("base", {}).items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    return {
        "base": [
            {"name": names.get(code, code), "code": code, "value": value, "changed": f"base.{code}" in changed}
            for code, value in base
        ],
        "factors": factors,
        "award": [
            {"label": label, "value": rules.get("award", {}).get(level), "changed": f"award.{level}" in changed}
            for level, label in Level.AWARD
        ],
        "unit_base": rules.get("unit_base", {}),
        "unit_base_changed": any(path.startswith("unit_base.") for path in changed),
        "benefit_bands": rules.get("benefit_bands") or DEFAULT_BANDS,
        "benefit_bands_changed": any(path.startswith("benefit_bands.") for path in changed),
    }


def _level_labels() -> dict:
    return {factor: dict(Level.FACTORS[factor]) for factor in FACTORS}


def _tuning_rows(tuning, names: dict) -> dict:
    """A tuning's changes as labelled lines."""
    labels = _level_labels()
    factors = [
        {"factor": FACTOR_LABELS[factor], "level": labels[factor].get(level, level), "value": value}
        for factor in FACTORS
        for level, value in tuning.factors.get(factor, {}).items()
    ]
    bases = [{"name": names.get(code, code), "value": value} for code, value in tuning.type_base.items()]
    return {"factors": factors, "bases": bases}


def preview_context(total, breakdown, compare=None, compare_label="") -> dict:
    """A computed sample as the preview shows it: base × factors + bonus = points."""
    labels = _level_labels()
    factors = []
    for factor in FACTORS:
        row = breakdown["factors"][factor]
        factors.append(
            {
                "label": FACTOR_LABELS[factor],
                "level": labels[factor].get(row["level"], row["level"]),
                "value": row["value"],
                "source": row["from"],
            }
        )
    return {
        "base": breakdown["base"],
        "base_from": breakdown["base_from"],
        "factors": factors,
        "award": dict(Level.AWARD).get(breakdown["award"]["level"]),
        "bonus": breakdown["award"]["bonus"],
        "points": total,
        "compare": compare,
        "compare_label": compare_label,
    }


def _compute_or_none(rules, sample):
    try:
        return points.compute(rules, sample)[0]
    except points.RulesError:
        return None


def _rules_preview(form: RulesForm, current: RuleVersion) -> dict:
    sample = form.sample()
    if sample is None:
        return {"error": _("Choose a type and the four levels.")}
    try:
        total, breakdown = scoring.rules_preview(rules=form.rules(), sample=sample)
    except ApplicationError as error:
        return {"error": error.message, "problems": _problems(form, error.field_errors)}
    return preview_context(
        total, breakdown, _compute_or_none(current.rules, sample), _("Under the rules in force today:")
    )


def _problems(form, errors: dict) -> list[dict]:
    """Field errors with the label of their input, for the preview (it cannot mark the inputs themselves)."""
    rows = []
    for path, texts in errors.items():
        name = "sample_type" if path == "type" else path
        label = form.fields[name].label if name in form.fields else path
        rows.append({"label": label, "text": " ".join(map(str, texts or []))})
    return rows


def _hq_types():
    return list(ContributionType.objects.filter(unit__isnull=True).order_by("position", "id"))


def rules_view(request, tenant_slug):
    """The rules in force today, every version, the types and the units' tunings. Every member may read them."""
    require(request, "innovation.view")
    member = request.membership
    today = timezone.localdate()
    current = scoring.rule_version_for(today)
    types = list(
        ContributionType.objects.select_related("unit").order_by(
            F("unit__path").asc(nulls_first=True), "position", "id"
        )
    )
    names = {kind.code: kind.name for kind in types}
    tunings = selectors.tunings_in_force(day=today)
    for tuning in tunings:
        tuning.rows = _tuning_rows(tuning, names)
    context = {
        "current": current,
        "layout": rules_layout(current.rules, names),
        "versions": selectors.rule_versions(),
        "today": today,
        "types": types,
        "tunings": tunings,
        "may_manage": can(member, "innovation.rules.manage"),
        "may_add_type": can(member, "innovation.rules.manage") or can(member, "innovation.tuning.any"),
        "tunable": list(selectors.managed_units(viewer=member)),
    }
    return render(request, "innovation/rules.html", context)


def rule_version_new_view(request, tenant_slug):
    """The editor of a new version, prefilled from the version in force, with a live preview of a sample."""
    require(request, "innovation.rules.manage")
    today = timezone.localdate()
    current = scoring.rule_version_for(today)
    form = RulesForm(
        request.POST if request.method == "POST" else None,
        rules=current.rules,
        types=_hq_types(),
        initial={"effective_from": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = scoring.rule_version_create(
                actor=request.membership, rules=form.rules(), effective_from=data["effective_from"], note=data["note"]
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("Rules version %(number)s is saved, in force from %(date)s. Points already awarded keep theirs.")
                % {"number": version.number, "date": version.effective_from},
            )
            return redirect("innovation-rule-version", tenant_slug=tenant_slug, ruleversion_id=version.pk)
    context = {"form": form, "current": current, "preview": _rules_preview(form, current)}
    return render(request, "innovation/rules_new.html", context, status=400 if request.method == "POST" else 200)


@require_POST
def rules_preview_view(request, tenant_slug):
    """The editor's preview (htmx): the whole editor form in, the sample's points under the rules as typed out.
    Always 200, so htmx swaps it in, problems included."""
    require(request, "innovation.rules.manage")
    current = scoring.rule_version_for(timezone.localdate())
    form = RulesForm(request.POST, rules=current.rules, types=_hq_types())
    return render(request, "innovation/rules_preview.html", {"preview": _rules_preview(form, current)})


def rule_version_view(request, tenant_slug, ruleversion_id):
    """One version, read-only, with what it changed from the version before it."""
    require(request, "innovation.view")
    version = get_object_or_404(RuleVersion, pk=ruleversion_id)
    previous = RuleVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    changed = frozenset()
    if previous is not None:
        before, after = _flat(previous.rules), _flat(version.rules)
        changed = frozenset(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    names = dict(ContributionType.objects.order_by("position", "id").values_list("code", "name"))
    created = version.history.filter(history_type="+").select_related("history_user").first()
    in_force = scoring.rule_version_for(timezone.localdate())
    context = {
        "version": version,
        "previous": previous,
        "layout": rules_layout(version.rules, names, changed),
        "changed_count": len(changed),
        "author": created.history_user if created else None,
        "in_force": in_force.pk == version.pk,
        "scheduled": version.effective_from > timezone.localdate(),
    }
    return render(request, "innovation/rule_version.html", context)


def type_new_view(request, tenant_slug):
    """Add a type: the lean office adds HQ's types (base in a new rule version) or a unit's; a unit manager adds
    a type of a unit they manage (base in the unit's tuning, within HQ's bounds)."""
    member = request.membership
    hq_allowed = can(member, "innovation.rules.manage")
    if not (hq_allowed or can(member, "innovation.tuning.any")):
        raise Forbidden
    current = scoring.rule_version_for(timezone.localdate())
    form = TypeForm(
        request.POST if request.method == "POST" else None,
        units=selectors.managed_units(viewer=member),
        hq_allowed=hq_allowed,
        initial={"recorded_by": ContributionType.RecordedBy.SELF, "unit": None if hq_allowed else member.unit_id},
    )
    kind = submitted(
        request,
        form,
        scoring.type_create,
        actor=member,
        aliases=lambda path: "base" if path.startswith(("base.", "type_base.")) else None,
    )
    if kind is not None:
        messages.success(request, _("The type “%(name)s” was added.") % {"name": kind.name})
        if kind.unit_id:
            return redirect("innovation-tuning", tenant_slug=tenant_slug, unit_id=kind.unit_id)
        return redirect("innovation-rules", tenant_slug=tenant_slug)
    context = {"form": form, "unit_base": current.rules["unit_base"], "hq_allowed": hq_allowed}
    return render(request, "innovation/type_new.html", context, status=400 if request.method == "POST" else 200)


def _tuning_preview(form: TuningForm, unit: Unit, rules: dict) -> dict:
    sample = form.sample()
    if sample is None:
        return {"error": _("Choose a type and the four levels.")}
    day = form.cleaned_data.get("effective_from") if hasattr(form, "cleaned_data") else None
    try:
        total, breakdown = selectors.tuning_preview(
            unit=unit,
            day=day or timezone.localdate(),
            factors=form.factors(),
            type_base=form.type_base(),
            sample=sample,
        )
    except points.RulesError as error:
        problems = {path: [text] for path, text in error.errors.items()}
        return {"error": _("These values are outside what HQ allows."), "problems": _problems(form, problems)}
    return preview_context(total, breakdown, _compute_or_none(rules, sample), _("With HQ's figures, untuned:"))


def tuning_view(request, tenant_slug, unit_id):
    """A unit's tuning editor for its manager or the lean office: each factor level with HQ's value and bounds and
    the unit's own value (blank: HQ's), the base of the unit's own types, and the date it applies from."""
    unit = get_object_or_404(Unit, pk=unit_id)
    require(request, "innovation.tuning.manage", unit)
    today = timezone.localdate()
    version = scoring.rule_version_for(today)
    in_force = scoring.tuning_for(unit, today)
    own_types = list(ContributionType.objects.filter(unit=unit).order_by("position", "id"))
    sample_types = _hq_types() + own_types
    initial = {"effective_from": today}
    if in_force is not None:
        for factor, levels in in_force.factors.items():
            initial.update({f"factors.{factor}.{level}": value for level, value in levels.items()})
        initial.update({f"type_base.{code}": value for code, value in in_force.type_base.items()})
    form = TuningForm(
        request.POST if request.method == "POST" else None,
        rules=version.rules,
        own_types=own_types,
        sample_types=sample_types,
        initial=initial,
    )
    if request.method == "POST" and request.POST.get("preview"):
        form.is_valid()
        return render(request, "innovation/rules_preview.html", {"preview": _tuning_preview(form, unit, version.rules)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scoring.tuning_create(
                actor=request.membership,
                unit=unit,
                factors=form.factors(),
                type_base=form.type_base(),
                effective_from=data["effective_from"],
                note=data["note"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("The tuning of %(unit)s is saved, in force from %(date)s.")
                % {"unit": unit.name, "date": data["effective_from"]},
            )
            return redirect("innovation-tuning", tenant_slug=tenant_slug, unit_id=unit.pk)
    names = {kind.code: kind.name for kind in sample_types}
    history = selectors.unit_tunings(unit=unit)
    for tuning in history:
        tuning.rows = _tuning_rows(tuning, names)
    context = {
        "unit": unit,
        "form": form,
        "version": version,
        "in_force": in_force,
        "inherited": in_force is not None and in_force.unit_id != unit.pk,
        "history": history,
        "preview": _tuning_preview(form, unit, version.rules),
        "today": today,
    }
    return render(request, "innovation/tuning.html", context, status=400 if request.method == "POST" else 200)
