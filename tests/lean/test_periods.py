"""Periods: parsing, ends, splitting and containment at the edges of months, quarters and years."""

from datetime import date

import pytest

from lean import periods


@pytest.mark.parametrize(
    "text, kind, start, end",
    [
        ("2026-03", "month", date(2026, 3, 1), date(2026, 4, 1)),
        ("2026-12", "month", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026q4", "quarter", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026", "year", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_parse(text, kind, start, end):
    period = periods.parse(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert periods.parse(str(period)) == period


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "26-01", "", "March"])
def test_bad_periods_are_refused(text):
    with pytest.raises(periods.PeriodError):
        periods.parse(text)


def test_kind_must_match_when_asked():
    with pytest.raises(periods.PeriodError):
        periods.parse("2026-Q1", periods.MONTH)


def test_edges_belong_to_one_period_only():
    q1, q2 = periods.parse("2026-Q1"), periods.parse("2026-Q2")
    march, april = periods.parse("2026-03"), periods.parse("2026-04")
    assert q1.contains(march) and not q2.contains(march)
    assert q2.contains(april) and not q1.contains(april)
    assert not periods.parse("2026").contains(periods.parse("2027-01"))
    assert periods.parse("2026-01").previous() == periods.parse("2025-12")
    assert march.containing(periods.QUARTER) == q1 and march.containing(periods.YEAR) == periods.parse("2026")


def test_split_and_dates():
    year = periods.parse("2026")
    assert [str(p) for p in year.split(periods.QUARTER)] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert len(year.split(periods.MONTH)) == 12
    assert periods.parse(date(2026, 5, 17)) == periods.parse("2026-05")
    with pytest.raises(periods.PeriodError):
        periods.parse("2026-03").split(periods.YEAR)
