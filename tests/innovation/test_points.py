"""The points arithmetic: every factor, every bound, award bonuses, tuning and the exact team split."""

import copy
from decimal import Decimal as D

import pytest

from innovation import points
from innovation.models import Level

RULES = points.validate_rules(points.DEFAULT_RULES, ["project", "qc", "one_page", "suggestion", "opl"])


def sample(type_code="qc", positioning="general", breadth="unit", complexity="low", award="none"):
    return points.Sample(type_code, positioning, breadth, complexity, award)


def test_base_times_the_three_factors_plus_the_award_bonus():
    total, breakdown = points.compute(RULES, sample("qc", "key", "cross_unit", "high", "provincial"))
    assert total == D("60") * D("1.2") * D("1.3") * D("1.5") + D("60") == D("200.40")
    assert breakdown["factors"]["breadth"] == {"level": "cross_unit", "value": "1.3", "from": "hq"}
    assert breakdown["award"] == {"level": "provincial", "bonus": "60"} and breakdown["points"] == "200.40"


@pytest.mark.parametrize("factor", points.FACTORS)
def test_every_level_of_every_factor_applies_its_value(factor):
    for level, _label in Level.FACTORS[factor]:
        levels = {"positioning": "general", "breadth": "unit", "complexity": "low", factor: level}
        total, _ = points.compute(RULES, points.Sample("one_page", award="none", **levels))
        expected = D(10) * D(RULES["factors"][factor][level]["value"])
        others = [f for f in points.FACTORS if f != factor]
        for other in others:
            expected *= D(RULES["factors"][other][levels[other]]["value"])
        assert total == expected.quantize(D("0.01"))


@pytest.mark.parametrize(
    ("award", "bonus"), [("none", 0), ("unit", 10), ("company", 30), ("provincial", 60), ("national", 100)]
)
def test_each_award_level_adds_its_bonus(award, bonus):
    total, _ = points.compute(RULES, sample("opl", award=award))
    assert total == D(8) + bonus


def test_rounding_is_half_up_to_the_cent():
    rules = copy.deepcopy(RULES)
    rules["base"]["opl"] = "3.333"
    rules["factors"]["breadth"]["unit"] = {"value": "1.5", "min": "1", "max": "2"}
    total, _ = points.compute(rules, sample("opl"))  # 3.333 × 1.5 = 4.9995
    assert total == D("5.00")


def test_a_factor_outside_its_bounds_is_refused_with_its_path():
    rules = copy.deepcopy(points.DEFAULT_RULES)
    rules["factors"]["complexity"]["high"]["value"] = "2.0"  # max 1.8
    rules["base"]["qc"] = "-1"
    rules["award"]["unit"] = "x"
    with pytest.raises(points.RulesError) as error:
        points.validate_rules(rules, ["qc"])
    assert set(error.value.errors) == {"factors.complexity.high.value", "base.qc", "award.unit"}


def test_bounds_themselves_must_be_ordered_and_every_type_needs_a_base():
    rules = copy.deepcopy(points.DEFAULT_RULES)
    rules["unit_base"] = {"min": "60", "max": "50"}
    with pytest.raises(points.RulesError) as error:
        points.validate_rules(rules, ["qc", "new-type"])
    assert set(error.value.errors) == {"unit_base.max", "base.new-type"}


def test_a_units_tuning_inside_the_bounds_replaces_hqs_value():
    factors, base = points.validate_tuning(RULES, {"complexity": {"high": "1.8", "low": ""}}, {"own": "50"}, ["own"])
    assert factors == {"complexity": {"high": "1.8"}} and base == {"own": "50"}
    total, breakdown = points.compute(RULES, sample("qc", complexity="high"), factors, base)
    assert total == D(60) * D("1.0") * D("1.0") * D("1.8") == D("108.00")
    assert breakdown["factors"]["complexity"]["from"] == "unit"
    own_total, own = points.compute(RULES, sample("own"), factors, base)
    assert own_total == D(50) and own["base_from"] == "unit"


@pytest.mark.parametrize(
    ("factors", "type_base", "path"),
    [
        ({"complexity": {"high": "1.81"}}, {}, "factors.complexity.high"),
        ({"breadth": {"team": "0.59"}}, {}, "factors.breadth.team"),
        ({}, {"own": "51"}, "type_base.own"),
        ({}, {"own": "0.5"}, "type_base.own"),
        ({"speed": {"x": "1"}}, {}, "factors.speed"),
    ],
)
def test_a_tuning_outside_hqs_bounds_is_refused(factors, type_base, path):
    with pytest.raises(points.RulesError) as error:
        points.validate_tuning(RULES, factors, {"own": "5", **type_base}, ["own"])
    assert path in error.value.errors


def test_a_tuning_that_newer_bounds_no_longer_allow_is_clamped_and_marked():
    rules = copy.deepcopy(RULES)
    rules["factors"]["complexity"]["high"] = {"value": "1.4", "min": "1.3", "max": "1.5"}
    total, breakdown = points.compute(rules, sample("qc", complexity="high"), {"complexity": {"high": "1.8"}})
    assert total == D("90.00") and breakdown["factors"]["complexity"] == {
        "level": "high",
        "value": "1.5",
        "from": "unit_clamped",
    }


@pytest.mark.parametrize(
    ("total", "shares"),
    [
        (D("100.00"), [D("33.33"), D("33.33"), D("33.34")]),
        (D("10.01"), [D(50), D(50)]),
        (D("0.01"), [D(60), D(40)]),
        (D("96.40"), [D("33.33"), D("33.33"), D("33.33"), D("0.01")]),
        (D("200.40"), [D(20)] * 5),
    ],
)
def test_a_team_split_adds_up_to_the_total_exactly(total, shares):
    parts = points.split(total, shares)
    assert sum(parts) == total
    assert all(p >= 0 and p.as_tuple().exponent == -2 for p in parts)
    for part, share in zip(parts, shares, strict=True):  # nobody is off by more than a cent
        assert abs(part - total * share / 100) < D("0.01")


def test_leftover_cents_go_to_the_largest_remainders_first():
    assert points.split(D("10.01"), [D(50), D(50)]) == [D("5.01"), D("5.00")]
    assert points.split(D("1.00"), [D("33.33"), D("33.34"), D("33.33")]) == [D("0.33"), D("0.34"), D("0.33")]
