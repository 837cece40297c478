"""The tenancy core's API: session access, stable JSON errors, permissions."""


def test_units_list(client, tenant_a, login):
    login(tenant_a.employee)
    data = client.get("/t/alpha/api/v1/units/").json()
    assert [u["code"] for u in data["results"]] == ["HQ", "U1", "U1-T1"]


def test_members_list_needs_the_permission(client, tenant_a, login):
    login(tenant_a.employee)
    response = client.get("/t/alpha/api/v1/members/")
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "field_errors"}
    login(tenant_a.lean_office)
    numbers = [m["employee_number"] for m in client.get("/t/alpha/api/v1/members/").json()["results"]]
    assert len(numbers) == 4


def test_not_found_has_the_stable_shape(client, tenant_a, login):
    login(tenant_a.lean_office)
    response = client.get("/t/alpha/api/v1/members/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_api_call_is_404_not_a_redirect(client, tenant_a):
    assert client.get("/t/alpha/api/v1/units/").status_code == 404


def test_every_operation_documents_its_scope_and_no_code_docstring(client, tenant_a, login, settings):
    login(tenant_a.lean_office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    schema = client.get("/t/alpha/api/v1/schema/?format=json").json()
    operations = [op for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(operations) > 50
    for operation in operations:
        scope = operation["security"][0]["apiKey"][0]
        assert f"API key scope: {scope}" in operation["description"], operation["operationId"]
        assert "required_perm" not in operation["description"], operation["operationId"]
        assert {"401", "429"} <= set(operation["responses"]), operation["operationId"]
