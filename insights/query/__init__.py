"""The dynamic query (动态查询/组合): a measure grouped and filtered by the lean office or a unit manager, shown
as a table and a chart, saved and shared by link, exported as xlsx or CSV."""
