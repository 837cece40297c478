"""Shortfall reports (短板报告): for a month or quarter, one report per unit with readings — its target shortfalls,
its benchmark shortfalls (worst quartile), which are new since the unit's previous report, which no project
attacks, and the trend of each over the last periods — and a tenant-wide summary for the lean office.

Rules:
- A report of period P lists the unresolved shortfalls whose own period lies inside P (a quarter's report also
  lists the monthly shortfalls of its three months).
- "New": the shortfall's key (source and indicator code, so it carries across years' trees) was not in the
  unit's previous report of the same period kind. A unit's first report has everything new.
- "Uncovered": no approved or running project covers the shortfall's indicator and unit over its period
  (projects/selectors/coverage.py, through targets.selectors.uncovered_q).
- "Assessed": the shortfall's indicator (by code) and unit are in the performance assessment of its year
  (targets.models.Assessment). Kept in the report when it is made, and read again whenever a report is shown or
  downloaded (one query), since the lean office may decide after the report was made.
- Trend: the unit's actual and achievement of the indicator in each of the last TREND_PERIODS periods of the
  report's kind (readings combined by the indicator's aggregation; achievement only where every reading has a
  target).
- Benchmark rows: quartile 4, the peer median (the shortfall's target) and the gap to it; the best and the gap to
  it come from benchmarking's comparisons (two queries per comparison kind); without them the row says so.
- A period's reports are made once, all in one transaction, under an advisory lock on tenant and period: a second
  run, or one running at the same time, gets the same set back unchanged. Query count per unit is bounded;
  nothing runs per indicator.

Split by sub-domain, every public name importable from here: `content.py` (what the reports say), `making.py`
(made, saved and sent once), `reading.py` (who reads which report), `job.py` (the scheduled job).
"""

from .content import TREND_PERIODS, TRUNC, WORST
from .job import JOB, default_report_period, is_due, job_body, job_period
from .making import report_url, shortfall_reports_make
from .reading import report_get, report_list, report_periods, with_assessments

__all__ = [
    "TREND_PERIODS",
    "WORST",
    "TRUNC",
    "report_url",
    "shortfall_reports_make",
    "report_list",
    "report_periods",
    "report_get",
    "with_assessments",
    "JOB",
    "default_report_period",
    "job_period",
    "job_body",
    "is_due",
]
