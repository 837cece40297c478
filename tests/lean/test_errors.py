"""The one way of each: refusing (lean.permissions.require and lean.errors.Forbidden → a 403 page, or 403 from the
API, with the reason), a service's error on the form it re-renders (lean.forms.apply_error), and a batch with bad
rows (lean.errors.BatchRejected: every bad row listed, nothing stored)."""

import json

import pytest
from django import forms
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from lean.apis import exception_handler
from lean.errors import NO_REASON, ApplicationError, BadRow, BatchRejected, Forbidden
from lean.forms import StyledForm, apply_error, flash_error
from lean.models import Membership, Unit
from lean.permissions import require
from lean.tenancy import tenant_scope
from tests.integrations.test_hr_api import api, key_for, post_json

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "field_errors"}


def in_language_of(response, text) -> str:
    with translation.override(response["Content-Language"]):
        return str(text)


# ---------------------------------------------------------------- refusing


def test_a_forbidden_is_a_broken_rule_and_a_permission_denied():
    from django.core.exceptions import PermissionDenied

    refusal = Forbidden("Only the lean office.")
    assert isinstance(refusal, ApplicationError) and isinstance(refusal, PermissionDenied)
    assert (refusal.code, str(refusal), refusal.reason) == (
        "permission_denied",
        "Only the lean office.",
        "Only the lean office.",
    )
    bare = Forbidden()
    assert str(bare) == str(NO_REASON) and bare.reason == ""


@pytest.mark.parametrize(
    "role, expected",
    [("lean_office", None), ("manager", Forbidden), ("employee", Forbidden)],
)
def test_require_takes_a_member_or_a_request(tenant_a, role, expected):
    member = getattr(tenant_a, role)
    request = RequestFactory().get("/")
    request.membership = member
    for actor in (member, request):
        if expected is None:
            require(actor, "audit.view")
        else:
            with pytest.raises(expected):
                require(actor, "audit.view")
    with pytest.raises(Forbidden) as refusal:
        require(tenant_a.employee, "audit.view", message="Only the lean office reads the log.")
    assert str(refusal.value) == "Only the lean office reads the log."


@pytest.mark.parametrize(
    "role, expected", [("lean_office", 200), ("manager", 403), ("reviewer", 403), ("employee", 403)]
)
def test_require_answers_a_page_with_403_and_says_why(tenant_a, login, role, expected):
    response = login(getattr(tenant_a, role)).get(f"/t/{tenant_a.tenant.slug}/audit/")
    assert response.status_code == expected
    if expected == 403:
        body = response.content.decode()
        assert 'id="refusal"' in body and in_language_of(response, NO_REASON) in body


def test_the_403_page_shows_a_services_reason():
    request = RequestFactory().get("/")
    response = defaults.permission_denied(request, Forbidden("You filed this project, so you cannot score it."))
    assert response.status_code == 403
    assert "You filed this project, so you cannot score it." in response.content.decode()


def test_forbidden_answers_403_in_the_stable_error_shape():
    response = exception_handler(Forbidden("Only the lean office re-scores."), {})
    assert response.status_code == 403
    assert response.data == {
        "code": "permission_denied",
        "message": "Only the lean office re-scores.",
        "field_errors": {},
    }
    rule = exception_handler(ApplicationError("Write something first.", field_errors={"text": []}), {})
    assert rule.status_code == 400 and rule.data["code"] == "invalid"


def test_an_api_operation_refuses_with_403_and_a_message(tenant_a, login):
    """The operation's required_perm goes through require: the same 403 and shape as a service's refusal."""
    response = post_json(login(tenant_a.employee), f"/t/{tenant_a.tenant.slug}/api/v1/hr/sync/", {"units": []})
    assert response.status_code == 403
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == "permission_denied"
    assert body["message"] == in_language_of(response, NO_REASON) and body["field_errors"] == {}


# ---------------------------------------------------------------- a service's error on the form


class NoteForm(StyledForm):
    title = forms.CharField()
    evidence_file = forms.CharField(required=False)


def bound_form():
    form = NoteForm({"title": "x", "evidence_file": ""})
    assert form.is_valid()
    return form


def test_apply_error_puts_each_message_on_its_field_and_the_rest_on_top():
    form = bound_form()
    apply_error(
        form,
        ApplicationError(
            "The note is wrong.", field_errors={"title": ["Too short."], "evidence": [], "team.2": ["Twice."]}
        ),
        aliases={"evidence": "evidence_file"},
    )
    assert form.errors["title"] == ["Too short."]
    assert form.errors["evidence_file"] == ["The note is wrong."]  # no message of its own: the error's
    assert form.non_field_errors() == ["Twice."]  # a path the form has no field for
    assert "is-invalid" in form.fields["title"].widget.attrs["class"]


def test_apply_error_without_a_field_goes_on_top_or_on_the_fallback():
    form = bound_form()
    apply_error(form, ApplicationError("Choose pass or fail."))
    assert form.non_field_errors() == ["Choose pass or fail."]
    form = bound_form()
    apply_error(form, ApplicationError("Already there.", code="duplicate"), fallback="title")
    assert form.errors["title"] == ["Already there."] and not form.non_field_errors()


def test_apply_error_as_a_summary_puts_the_message_on_top_and_marks_the_fields():
    form = bound_form()
    apply_error(form, ApplicationError("Give a reason.", field_errors={"title": ["x"]}), summary=True)
    assert form.non_field_errors() == ["Give a reason."] and "title" not in form.errors
    assert "is-invalid" in form.fields["title"].widget.attrs["class"]


def test_a_refusal_is_no_form_error_but_the_403_page():
    form = bound_form()
    with pytest.raises(Forbidden):
        apply_error(form, Forbidden("Only the lean office."))
    assert not form.errors
    with pytest.raises(Forbidden):
        flash_error(RequestFactory().post("/"), Forbidden())


def test_a_services_error_appears_on_the_re_rendered_form(tenant_a, login):
    a = tenant_a
    url = f"/t/{a.tenant.slug}/members/{a.lean_office.pk}/edit/"
    response = login(a.lean_office).post(url, {"unit": a.hq.pk, "roles": ["employee"], "active": "on"})
    assert response.status_code == 400
    form = response.context["form"]
    with translation.override(response["Content-Language"]):
        message = str(translation.gettext("You cannot remove your own lean office role or deactivate yourself."))
    assert form.non_field_errors() == [message] and message in response.content.decode()
    assert form["roles"].value() == ["employee"]  # what was typed stays
    with tenant_scope(a.tenant):
        assert "lean_office" in Membership.objects.get(pk=a.lean_office.pk).roles


# ---------------------------------------------------------------- a batch with bad rows


def test_batch_rejected_lists_every_bad_row_by_its_place():
    error = BatchRejected(
        [
            BadRow(3, ["Not a number."], cells=("M1", "U1", "2024-01", "x")),
            BadRow("employees.12", ["No unit has code ZZ."], field="unit_code"),
            BadRow("employees.12", ["Required."], field="name"),
        ],
        columns=[("Indicator", False), ("Unit", False), ("Period", False), ("Value", True)],
    )
    assert isinstance(error, ApplicationError) and error.code == "invalid_rows"
    assert error.field_errors == {
        "3": ["Not a number."],
        "employees.12.unit_code": ["No unit has code ZZ."],
        "employees.12.name": ["Required."],
    }
    assert error.problems[1] == {"row": "employees.12", "field": "unit_code", "message": "No unit has code ZZ."}
    assert error.table[0]["cells"][3] == {"text": "x", "numeric": True}
    with translation.override("en"):
        assert str(BatchRejected([BadRow(1, ["x"]), BadRow(2, ["y"])]).message) == (
            "Nothing was stored: 2 item(s) have errors."
        )
        assert (
            str(BatchRejected([BadRow(7, ["x"])], total=9).message) == "Nothing was imported: 1 of 9 rows has problems."
        )
    response = exception_handler(error, {})
    assert response.status_code == 400 and set(response.data) == ERROR_KEYS
    assert response.data["field_errors"] == error.field_errors


def test_a_bulk_write_with_bad_rows_lists_every_one_and_stores_nothing(tenant_a):
    a = tenant_a
    client = api(key_for(a, ["hr:write"]))
    batch = {
        "units": [{"code": "U7", "name": "七分公司", "parent_code": "U1"}, {"code": "U8", "name": ""}],
        "employees": [
            {"employee_number": "N1", "name": "好", "unit_code": "U7"},
            {"employee_number": "N2", "name": "坏", "unit_code": "ZZ"},
        ],
    }
    response = post_json(client, f"/t/{a.tenant.slug}/api/v1/hr/sync/", batch)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == "invalid_batch"
    assert set(body["field_errors"]) == {"units.1.name", "units.1.parent_code", "employees.1.unit_code"}
    with tenant_scope(a.tenant):  # the good rows were not stored either
        assert not Unit.objects.filter(code__in=["U7", "U8"]).exists()
        assert not Membership.objects.filter(employee_number__in=["N1", "N2"]).exists()
    assert json.loads(response.content)["message"]
