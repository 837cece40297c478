"""Quartile, rank and gap arithmetic: both directions, ties, too few participants, missing values."""

from decimal import Decimal as D

import pytest

from benchmarking.comparison import compare, unit_values
from lean import periods
from lean.tenancy import tenant_scope
from targets.models import Direction
from tests.benchmarking.factories import make_benchmarking
from tests.targets.factories import make_targets, read

EIGHT = {f"p{i}": D(v) for i, v in enumerate([10, 20, 30, 40, 50, 60, 70, 80])}


def test_higher_is_better():
    result = compare(EIGHT, Direction.HIGHER)
    assert result.best == 80 and result.median == 45
    assert result.thresholds == (D("27.5"), D("45"), D("62.5"))
    quartiles = {k: p.quartile for k, p in result.positions.items()}
    assert quartiles == {"p7": 1, "p6": 1, "p5": 2, "p4": 2, "p3": 3, "p2": 3, "p1": 4, "p0": 4}
    p1 = result.positions["p1"]
    assert (p1.rank, p1.gap_to_best, p1.gap_to_median) == (7, 60, 25)
    assert result.positions["p7"].gap_to_median == -35  # better than the median


def test_lower_is_better_mirrors():
    result = compare(EIGHT, Direction.LOWER)
    assert result.best == 10
    quartiles = {k: p.quartile for k, p in result.positions.items()}
    assert quartiles == {"p0": 1, "p1": 1, "p2": 2, "p3": 2, "p4": 3, "p5": 3, "p6": 4, "p7": 4}
    p7 = result.positions["p7"]
    assert (p7.rank, p7.gap_to_best, p7.gap_to_median) == (8, 70, 35)
    assert result.band(Direction.LOWER) == (D("62.5"), D("27.5"))


def test_ties_share_rank_and_quartile():
    values = {"a": D(5), "b": D(5), "c": D(5), "d": D(1), "e": D(9)}
    result = compare(values, Direction.HIGHER)
    ranks = {k: p.rank for k, p in result.positions.items()}
    assert ranks == {"e": 1, "a": 2, "b": 2, "c": 2, "d": 5}
    assert len({result.positions[k].quartile for k in "abc"}) == 1
    assert result.positions["d"].quartile == 4


def test_a_value_on_the_threshold_is_not_in_the_worse_quartile():
    values = {"a": D(1), "b": D(2), "c": D(3), "d": D(4), "e": D(5)}  # 25th percentile is exactly 2
    result = compare(values, Direction.HIGHER)
    assert result.thresholds[0] == 2
    assert result.positions["b"].quartile == 3 and result.positions["a"].quartile == 4


def test_too_few_participants_give_ranks_but_no_quartile():
    result = compare({"a": D(1), "b": D(2), "c": D(3)}, Direction.HIGHER)
    assert result.thresholds is None and {p.quartile for p in result.positions.values()} == {None}
    assert result.positions["a"].rank == 3 and result.median == 2


def test_nothing_to_compare():
    result = compare({}, Direction.HIGHER)
    assert result.count == 0 and result.best is None


@pytest.fixture
def bench(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_benchmarking(tenant_a)
    return tenant_a


def test_unit_values_need_every_month_of_a_summed_quarter(bench):
    a = bench
    from targets import services as target_services

    with tenant_scope(a.tenant):
        total = target_services.indicator_create(
            parent=a.extra["goal"],
            code="A1.9",
            name="发电量",
            owner_unit=a.hq,
            measure_unit="万千瓦时",
            aggregation="sum",
            units=[a.unit, a.team],
        )
        target_services.target_set_year(indicator=total, value=1200)
        for month in ("01", "02", "03"):
            read(a.lean_office, total, a.unit, f"2025-{month}", 100)
        read(a.lean_office, total, a.team, "2025-01", 100)  # the team is missing two months
        from benchmarking.models import BenchmarkIndicator

        benchmark = BenchmarkIndicator(code="A1.9", direction="higher", aggregation="sum", frequency="quarter")
        benchmark.pk = 1
        q1 = periods.parse("2025-Q1")
        found = unit_values(benchmarks=[benchmark], start=q1.start, end=q1.end, kind="quarter")
    assert found == {(1, a.unit.pk, q1.start): D(300)}


def test_a_period_still_running_gives_no_value(bench):
    a = bench
    with tenant_scope(a.tenant):
        read(a.lean_office, a.extra["uptime"], a.unit, "2025-02", 96)  # January is there already: 2 of 3 months
        from benchmarking.models import BenchmarkIndicator

        benchmark = BenchmarkIndicator(code="A1.1", direction="higher", aggregation="average", frequency="quarter")
        benchmark.pk = 1
        q1 = periods.parse("2025-Q1")
        assert unit_values(benchmarks=[benchmark], start=q1.start, end=q1.end, kind="quarter") == {}
        read(a.lean_office, a.extra["uptime"], a.unit, "2025-03", 93)
        found = unit_values(benchmarks=[benchmark], start=q1.start, end=q1.end, kind="quarter")
    assert found == {(1, a.unit.pk, q1.start): D(93)}  # (90 + 96 + 93) / 3
