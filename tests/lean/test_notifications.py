"""In-app notifications: the bell's count, one's own list, opening one, and nobody else's."""

from lean.models import Notification
from lean.tenancy import tenant_scope


def test_the_bell_counts_and_the_list_shows_only_ones_own(client, two_tenants, login):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        mine = list(Notification.objects.filter(recipient=a.lean_office))
        others = Notification.objects.exclude(recipient=a.lean_office).first()
    assert mine and others
    login(a.lean_office)
    home = client.get("/t/alpha/")
    assert home.context["unread_count"] == len(mine)
    page = client.get("/t/alpha/notifications/")
    assert {n.pk for n in page.context["page"]} == {n.pk for n in mine}
    # someone else's notification is not found, in this tenant too
    assert client.post(f"/t/alpha/notifications/{others.pk}/open/").status_code == 404


def test_opening_marks_read_and_goes_to_the_page(client, two_tenants, login):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        first = Notification.objects.filter(recipient=a.lean_office).first()
    login(a.lean_office)
    response = client.post(f"/t/alpha/notifications/{first.pk}/open/")
    assert response.status_code == 302 and response["Location"] == first.url
    with tenant_scope(a.tenant):
        first.refresh_from_db()
        assert first.read_at is not None
    client.post("/t/alpha/notifications/read/")
    assert client.get("/t/alpha/").context["unread_count"] == 0
