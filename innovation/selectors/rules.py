"""Reads for the lean office's points rules: the rule versions with their authors, the unit tunings in force and
a unit's own, the units a viewer may tune, and the preview of a tuning being edited."""

from datetime import date

from lean.access import units_in_reach
from lean.models import Membership, Unit

from .. import points
from ..models import ContributionType, RuleVersion, UnitTuning
from ._common import reach


def rule_versions() -> list:
    """Every rule version, newest first, each with `author`: the user who saved it, read off its audit history
    (the version itself does not keep it). Two queries."""
    versions = list(RuleVersion.objects.order_by("-effective_from", "-number"))
    authors = {
        record.id: record.history_user
        for record in RuleVersion.history.filter(history_type="+", id__in=[v.pk for v in versions]).select_related(
            "history_user"
        )
    }
    for version in versions:
        version.author = authors.get(version.pk)
    return versions


def tunings_in_force(*, day: date) -> list:
    """Per unit, the tuning of its own in force on `day` (sub-units inherit it unless they have their own), in
    tree order. One query."""
    rows = (
        UnitTuning.objects.filter(effective_from__lte=day)
        .select_related("unit", "created_by__user")
        .order_by("unit_id", "-effective_from", "-id")
        .distinct("unit_id")
    )
    return sorted(rows, key=lambda t: t.unit.path)


def unit_tunings(*, unit: Unit) -> list:
    """A unit's own tunings, newest first (those from a future date included). One query."""
    return list(UnitTuning.objects.filter(unit=unit).select_related("created_by__user"))


def managed_units(*, viewer: Membership):
    """The units the viewer manages, whose points they may tune and whose people they may give incentives: every
    unit for the lean office, their subtree for a unit manager, none for anyone else."""
    return units_in_reach(viewer, **reach(viewer))


def tuning_preview(*, unit: Unit, day: date, factors: dict, type_base: dict, sample):
    """Points a sample contribution of `unit` would get with a tuning being edited (nothing is stored). Raises
    points.RulesError when the tuning breaks HQ's bounds or the type has no base."""
    from ..services.scoring import rule_version_for

    version = rule_version_for(day)
    own = ContributionType.objects.filter(unit=unit).values_list("code", flat=True)
    clean_factors, clean_base = points.validate_tuning(version.rules, factors, type_base, list(own))
    return points.compute(version.rules, sample, clean_factors, clean_base)
