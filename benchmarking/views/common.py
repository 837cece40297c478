"""What the benchmarking pages share: the permission check and the period choices."""

from lean import periods

from .. import selectors

SHOWN_PERIODS = {periods.MONTH: 24, periods.QUARTER: 12, periods.YEAR: 6}


def picked_period(raw, kind: str) -> periods.Period:
    """The period of `kind` in the query string; a missing or bad one (or one of another kind) falls back to the
    last complete period."""
    try:
        return periods.parse(raw, kind)
    except periods.PeriodError:
        return selectors.latest_period(kind)


def period_options(kind: str, chosen: periods.Period) -> list[periods.Period]:
    """The periods a picker offers, newest first: the recent ones, and the chosen one wherever it is."""
    latest = selectors.latest_period(kind)
    options = list(reversed(periods.months_back(latest, SHOWN_PERIODS[kind])))
    if chosen not in options:
        options.append(chosen)
        options.sort(reverse=True)
    return options
