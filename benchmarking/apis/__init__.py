"""REST API of benchmarking, one module per sub-domain: benchmark indicators, outside peers, their values (one,
in bulk), comparisons (read-only) and the units' proposals. Thin doors onto benchmarking.selectors and
benchmarking.services; errors come out in lean.apis' stable shape.

The generic pieces (period and row fields, filters, paging) are the target tree API's (targets.apis.common).
References to tenant rows in filters and inputs are looked up inside the request's tenant scope, so another
tenant's id reads exactly like an unknown one.
"""
