from innovation.models import Contribution, Credit
from lean.tenancy import tenant_scope


def test_every_tenant_has_innovation_rows(two_tenants):
    a, b = two_tenants
    for ts in (a, b):
        with tenant_scope(ts.tenant):
            assert Contribution.objects.count() == 3
            assert Credit.objects.count() == 4
