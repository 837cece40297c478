from tests.lean.test_probe import fill, ids_in, not_404, probe, tenant_routes  # noqa: F401

MINE = ("rules", "types/", "tuning", "listings", "objections/", "incentives", "studios")


def mine():
    for route, kwargs in tenant_routes():
        if "innovation/" in route and any(m in route.split("innovation/", 1)[1] for m in MINE):
            yield route, kwargs


def test_probe_mine(probe):
    a, b, client = probe
    failures = []
    seen = []
    for route, kwargs in mine():
        seen.append(route)
        own = fill(route, a.tenant.slug, ids_in(a.tenant, kwargs))
        if kwargs:
            failures += not_404(client, fill(route, a.tenant.slug, ids_in(b.tenant, kwargs)), own_url=own)
        failures += not_404(client, fill(route, b.tenant.slug, ids_in(b.tenant, kwargs)), own_url=own)
        assert client.get(own).status_code in (200, 302, 403, 405), own
        assert client.post(own).status_code < 500, own
    print(seen)
    assert failures == []
