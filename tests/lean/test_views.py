"""Pages of the tenancy core: who may open what, what they see, and bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean.tenancy import tenant_scope
from tests.factories import make_member

# role × page → expected status (taiga-back style permission table)
PAGES = ["/", "/units/", "/units/{unit}/", "/members/", "/members/{employee}/", "/members/{employee}/edit/"]
EXPECTED = {
    "lean_office": [200, 200, 200, 200, 200, 200],
    "manager": [200, 200, 200, 200, 200, 403],
    "reviewer": [200, 200, 200, 403, 404, 404],
    "employee": [200, 200, 200, 403, 200, 403],
}


@pytest.mark.parametrize("role", EXPECTED)
def test_role_page_table(client, two_tenants, login, role):
    a, _b = two_tenants
    member = {
        "lean_office": a.lean_office,
        "manager": a.manager,
        "reviewer": a.reviewer,
        "employee": a.employee,
    }[role]
    login(member)
    for page, expected in zip(PAGES, EXPECTED[role], strict=True):
        url = "/t/alpha" + page.format(unit=a.unit.pk, employee=a.employee.pk)
        assert client.get(url).status_code == expected, (role, url)


def test_navigation_shows_each_role_what_it_may_use(client, tenant_a, login):
    login(tenant_a.employee)
    page = client.get("/t/alpha/").content.decode()
    assert 'href="/t/alpha/units/"' in page and 'href="/t/alpha/members/"' not in page
    login(tenant_a.lean_office)
    assert 'href="/t/alpha/members/"' in client.get("/t/alpha/").content.decode()


def test_manager_sees_only_their_subtree(client, tenant_a, login):
    login(tenant_a.manager)
    numbers = {m.employee_number for m in client.get("/t/alpha/members/").context["page"]}
    assert numbers == {tenant_a.manager.employee_number, tenant_a.employee.employee_number}


def test_member_filters_and_htmx_partial(client, tenant_a, login):
    login(tenant_a.lean_office)
    response = client.get("/t/alpha/members/", {"role": "reviewer"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="member-table"' in body
    assert tenant_a.reviewer.employee_number in body and tenant_a.employee.employee_number not in body
    assert "HX-Request" in response["Vary"]
    by_unit = client.get("/t/alpha/members/", {"unit": tenant_a.unit.pk}).context["page"]
    assert {m.employee_number for m in by_unit} == {
        tenant_a.manager.employee_number,
        tenant_a.employee.employee_number,
    }


def test_edit_member_saves_and_keeps_history(client, tenant_a, login):
    login(tenant_a.lean_office)
    url = f"/t/alpha/members/{tenant_a.employee.pk}/edit/"
    response = client.post(
        url, {"unit": tenant_a.hq.pk, "roles": ["employee", "reviewer"], "position": "专家", "active": "on"}
    )
    assert response.status_code == 302
    detail = client.get(f"/t/alpha/members/{tenant_a.employee.pk}/")
    history = list(detail.context["history"])
    assert len(history) == 2
    assert history[0].history_user == tenant_a.lean_office.user
    assert history[0].roles == ["employee", "reviewer"] and history[1].roles == ["employee"]
    assert "员工、评审专家" in detail.content.decode()


def test_edit_member_bad_input_rerenders_and_changes_nothing(client, tenant_a, login):
    login(tenant_a.lean_office)
    url = f"/t/alpha/members/{tenant_a.employee.pk}/edit/"
    response = client.post(url, {"unit": tenant_a.hq.pk, "roles": [], "position": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["roles"]
    own = client.post(
        f"/t/alpha/members/{tenant_a.lean_office.pk}/edit/",
        {"unit": tenant_a.hq.pk, "roles": ["employee"], "active": "on"},
    )
    assert own.status_code == 400
    with tenant_scope(tenant_a.tenant):
        tenant_a.employee.refresh_from_db()
        tenant_a.lean_office.refresh_from_db()
    assert tenant_a.employee.roles == ["employee"] and tenant_a.employee.position == "工程师"
    assert "lean_office" in tenant_a.lean_office.roles


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/t/alpha/",
        "/t/alpha/units/",
        "/t/alpha/members/",
        "/t/alpha/api/v1/units/",
        "/t/alpha/api/v1/members/",
        "/t/alpha/units/{unit}/",
    ],
)
def test_query_count_does_not_grow_with_data(client, tenant_a, login, url):
    from lean.services import unit_create

    login(tenant_a.lean_office)
    url = url.format(unit=tenant_a.unit.pk)
    small = queries_for(client, url)
    with tenant_scope(tenant_a.tenant):
        for i in range(15):
            extra_unit = unit_create(name=f"分公司{i}", code=f"X{i}", parent=tenant_a.hq)
            for _ in range(3):
                make_member(extra_unit, ["employee"])
            make_member(tenant_a.unit, ["employee"])
    assert queries_for(client, url) == small


def test_lean_office_adds_a_unit_under_a_parent(client, tenant_a, login):
    login(tenant_a.lean_office)
    response = client.post(
        "/t/alpha/units/", {"name": "二分公司", "code": "U2", "kind": "unit", "parent": tenant_a.hq.pk}
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        from lean.models import Unit

        unit = Unit.objects.get(code="U2")
        assert unit.parent == tenant_a.hq and unit.path.startswith(tenant_a.hq.path)


def test_adding_a_unit_with_a_taken_code_rerenders_and_stores_nothing(client, tenant_a, login):
    login(tenant_a.lean_office)
    response = client.post("/t/alpha/units/", {"name": "重复", "code": "U1", "kind": "unit", "parent": tenant_a.hq.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    with tenant_scope(tenant_a.tenant):
        from lean.models import Unit

        assert Unit.objects.filter(code="U1").count() == 1


def test_only_the_lean_office_may_add_units(client, tenant_a, login):
    login(tenant_a.manager)
    assert (
        client.post("/t/alpha/units/", {"name": "x", "code": "X", "kind": "unit", "parent": tenant_a.hq.pk}).status_code
        == 403
    )
    assert 'name="code"' not in client.get("/t/alpha/units/").content.decode()


def test_a_reused_connection_carries_no_tenant_after_a_request(client, tenant_a, login):
    login(tenant_a.employee)
    assert client.get("/t/alpha/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] in ("", None)
