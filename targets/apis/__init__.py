"""REST API of the target tree, one module per sub-domain: trees with their roll-up, indicators, readings (one,
in bulk, corrections) and shortfalls. Thin doors onto targets.selectors and targets.services; errors come out in
lean.apis' stable shape.

References to tenant rows in filters and inputs are looked up inside the request's tenant scope, so another
tenant's id reads exactly like an unknown one.
"""
