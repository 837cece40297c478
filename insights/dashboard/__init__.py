"""The lean office's dashboard (数据中台: 指标进展一目了然): tiles of aggregate figures over the targets, benchmarking,
projects and innovation, each computed in the database in a fixed number of queries, each drilling down to the
list page behind its figures.

- `scope.py`: whose data a tile shows (the whole tenant, or a unit's subtree; a unit manager never more than
  their own subtree);
- `selectors/`: the figures of each tile (aggregate queries only), by the domain they read;
- `tiles/`: a tile's figures as a chart, a table and drill-down links, for the page and its JSON endpoint.
"""
