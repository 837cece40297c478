"""Contribution pages: the online query (who sees what, filters, htmx, pages), recording one (types per role,
a team with shares for managers, the points preview, bad input → 400 with nothing stored), the contribution's
page and its POST-only actions: verify (with levels), reject, re-score, object."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from innovation.models import Contribution, ContributionType, Credit, Objection, Rescore
from innovation.services import listings
from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from tests.factories import make_member

from .factories import kind, make_innovation, make_opl

D = Decimal
BASE = "/t/alpha/innovation/contributions/"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages asserted in English, whatever the translations say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world(tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_innovation(ts)
        other = unit_create(name="甲公司二分公司", code="U2", parent=ts.hq)
        ts.extra["other_unit"] = other
        ts.extra["other_manager"] = make_member(other, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="U2-UM")
        ts.extra["other_employee"] = make_member(other, [Role.EMPLOYEE], number="U2-EM", name="赵二")
        ts.extra["other_opl"] = make_opl(ts, ts.extra["other_employee"], title="二分公司一点课")
    return ts


def url(contribution, action=""):
    return f"{BASE}{contribution.pk}/{action + '/' if action else ''}"


def count(ts, model=Contribution, **filters):
    with tenant_scope(ts.tenant):
        return model.objects.filter(**filters).count()


# --- the online query


@pytest.mark.parametrize(
    "role,expected",
    [
        ("employee", {"点检标准化一点课", "降低磨煤机故障率QC小组", "皮带机加装清扫器"}),
        ("other_employee", {"二分公司一点课"}),
    ],
)
def test_an_employee_finds_only_their_own(client, world, login, role, expected):
    login(getattr(world, role) if hasattr(world, role) else world.extra[role])
    response = client.get(BASE)
    assert response.status_code == 200
    assert {c.title for c in response.context["page"]} == expected


def test_a_manager_finds_their_subtree_and_the_lean_office_everything(client, world, login):
    login(world.manager)
    titles = {c.title for c in client.get(BASE).context["page"]}
    assert "二分公司一点课" not in titles and "降低磨煤机故障率QC小组" in titles
    login(world.lean_office)
    assert client.get(BASE).context["page"].paginator.count == 4


def test_filters_and_htmx_partial(client, world, login):
    ts = world
    login(ts.lean_office)
    get = lambda **params: {c.title for c in client.get(BASE, params).context["page"]}  # noqa: E731
    assert get(unit=ts.extra["other_unit"].pk) == {"二分公司一点课"}
    assert get(person="赵二") == {"二分公司一点课"}
    assert get(person="u2-em") == {"二分公司一点课"}
    assert get(person=ts.manager.employee_number) == {"降低磨煤机故障率QC小组"}
    with tenant_scope(ts.tenant):
        qc = ContributionType.objects.get(code="qc")
    assert get(type=qc.pk) == {"降低磨煤机故障率QC小组"}
    assert get(status="submitted") == {"二分公司一点课"}
    assert get(start="2025-04-01", end="2025-04-30") == {"降低磨煤机故障率QC小组"}
    assert get(start="2025-04-01") == {"降低磨煤机故障率QC小组", "皮带机加装清扫器"}
    assert get(end="2025-03-31") == {"点检标准化一点课", "二分公司一点课"}
    assert len(get(start="not a date")) == 4  # a bad filter shows everything, never an error
    response = client.get(BASE, {"status": "submitted"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="contribution-table"' in body and "二分公司一点课" in body
    assert response["Vary"].startswith("HX-Request")


def test_waiting_for_verification_preset_for_managers(client, world, login):
    with tenant_scope(world.tenant):
        make_opl(world, title="待审核的一点课")
    login(world.manager)
    response = client.get(BASE)
    assert response.context["waiting"] == 1 and 'id="waiting-preset"' in response.content.decode()
    login(world.employee)
    assert 'id="waiting-preset"' not in client.get(BASE).content.decode()


def test_pages_of_fifty(client, world, login):
    from tests.innovation.test_archive_pages import bulk_contributions

    with tenant_scope(world.tenant):
        bulk_contributions(world, 120, member=world.employee, unit=world.team)
    login(world.employee)
    page = client.get(BASE).context["page"]
    assert page.paginator.count == 123 and len(page.object_list) == 50
    assert client.get(BASE, {"page": 3}).context["page"].number == 3


# --- recording


def form_data(ts, code="opl", **extra):
    with tenant_scope(ts.tenant):
        type_id = ContributionType.objects.get(code=code).pk
    return {
        "type": type_id,
        "title": "换型作业一点课",
        "occurred_on": "2025-05-06",
        "description": "快速换型要点",
        "positioning": "general",
        "breadth": "team",
        "complexity": "low",
        "award": "none",
        **extra,
    }


def test_the_types_each_role_may_record(client, world, login):
    def codes(response):
        with tenant_scope(world.tenant):
            return {t.code for t in response.context["form"].fields["type"].queryset}

    login(world.employee)
    response = client.get(f"{BASE}new/")
    assert response.status_code == 200
    assert {"opl", "one_page"} <= codes(response) and not {"qc", "project", "suggestion"} & codes(response)
    assert world.extra["own_type"].code in codes(response)  # the unit's own type, for the team below it
    assert response.context["formset"] is None
    login(world.manager)
    response = client.get(f"{BASE}new/")
    assert "qc" in codes(response) and "suggestion" not in codes(response)
    assert response.context["formset"] is not None
    login(world.extra["other_employee"])
    assert world.extra["own_type"].code not in codes(client.get(f"{BASE}new/"))


def test_an_employee_records_an_opl_and_the_manager_verifies_it_with_other_levels(client, world, login):
    ts = world
    login(ts.employee)
    response = client.post(f"{BASE}new/", form_data(ts))
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        opl = Contribution.objects.get(title="换型作业一点课")
        assert opl.status == Contribution.Status.SUBMITTED and opl.points == D("6.40")  # 8 × 1 × 0.8 × 1
        assert [(c.member, c.share) for c in opl.credits.all()] == [(ts.employee, D(100))]
    assert response["Location"] == url(opl)
    page = client.get(url(opl))
    assert page.status_code == 200 and not page.context["may_verify"]
    assert client.post(url(opl, "verify"), {}).status_code == 403  # not theirs to verify
    assert client.get(url(opl, "verify")).status_code == 405

    login(ts.manager)
    page = client.get(url(opl))
    assert page.context["may_verify"] and 'data-action="verify"' in page.content.decode()
    levels = {"positioning": "key", "breadth": "unit", "complexity": "medium", "award": "none"}
    assert client.post(url(opl, "verify"), levels).status_code == 302
    with tenant_scope(ts.tenant):
        opl.refresh_from_db()
        assert opl.status == Contribution.Status.VERIFIED and opl.points == D("11.52")  # 8 × 1.2 × 1 × 1.2
        assert opl.credits.get().points == D("11.52")
    body = client.get(url(opl)).content.decode()
    assert "11.52" in body and "v1" in body and "data-formula" in body


@pytest.mark.parametrize(
    "change,field",
    [
        ({"title": ""}, "title"),
        ({"occurred_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "occurred_on"),
        ({"positioning": "cosmic"}, "positioning"),
        ({"type": "999999"}, "type"),
    ],
)
def test_bad_input_rerenders_400_and_stores_nothing(client, world, login, change, field):
    login(world.employee)
    before = count(world)
    response = client.post(f"{BASE}new/", form_data(world, **change))
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert count(world) == before


def test_an_employee_may_not_record_a_qc_activity(client, world, login):
    login(world.employee)
    before = count(world)
    response = client.post(f"{BASE}new/", form_data(world, code="qc"))
    assert response.status_code == 400 and "type" in response.context["form"].errors
    assert count(world) == before


def team(rows):
    data = {"team-TOTAL_FORMS": str(len(rows)), "team-INITIAL_FORMS": "0"}
    for i, (number, share) in enumerate(rows):
        data[f"team-{i}-number"], data[f"team-{i}-share"] = number, share
    return data


def test_a_manager_records_a_qc_activity_for_a_team(client, world, login):
    ts = world
    login(ts.manager)
    data = form_data(ts, code="qc", title="降低漏煤QC小组", unit=ts.team.pk, positioning="key")
    response = client.post(
        f"{BASE}new/", {**data, **team([(ts.manager.employee_number, "30"), (ts.employee.employee_number, "70")])}
    )
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        qc = Contribution.objects.get(title="降低漏煤QC小组")
        assert qc.status == Contribution.Status.VERIFIED and qc.unit == ts.team
        credits = {c.member: c.points for c in qc.credits.all()}
        assert sum(credits.values()) == qc.points and credits[ts.employee] > credits[ts.manager]


@pytest.mark.parametrize(
    "rows,message",
    [
        ([("UM", "60"), ("EM", "30")], "90"),  # shares add up to 90
        ([("UM", "60"), ("NOBODY", "40")], "Nobody"),
        ([("UM", "60"), ("U2-EM", "40")], "Nobody"),  # outside the manager's units
        ([], "at least one"),
    ],
)
def test_a_bad_team_is_refused_with_nothing_stored(client, world, login, rows, message):
    ts = world
    numbers = {"UM": ts.manager.employee_number, "EM": ts.employee.employee_number}
    login(ts.manager)
    before = count(ts), count(ts, Credit)
    data = form_data(ts, code="qc", title="坏团队QC", unit=ts.unit.pk)
    response = client.post(f"{BASE}new/", {**data, **team([(numbers.get(n, n), s) for n, s in rows])})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (count(ts), count(ts, Credit)) == before


def test_the_points_preview_follows_the_levels(client, world, login):
    login(world.employee)
    page = client.get(f"{BASE}new/")
    preview = page.context["preview"]
    assert preview["kind"].code == "one_page" and preview["points"] == D("8.00")  # the first type: 10 × 0.8
    params = {**form_data(world), "preview": "1", "positioning": "strategic", "award": "unit"}
    response = client.get(f"{BASE}new/", params, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "<html" not in body
        and "data-preview-card" in body
        and 'id="points-preview"' not in body
    )
    assert response.context["preview"]["points"] == D("19.60")  # 8 × 1.5 × 0.8 × 1 + 10
    params["title"] = ""  # an incomplete form still previews
    assert client.get(f"{BASE}new/", params, HTTP_HX_REQUEST="true").context["preview"]["points"] == D("19.60")


# --- the contribution page and its actions


def test_who_opens_a_contribution(client, world, login):
    ts = world
    opl, other = ts.extra["opl"], ts.extra["other_opl"]
    login(ts.employee)
    assert client.get(url(opl)).status_code == 200
    assert client.get(url(other)).status_code == 404  # another unit's, not listed
    assert client.post(url(other, "reject"), {"reject-reason": "x"}).status_code == 404
    login(ts.extra["other_employee"])
    assert client.get(url(ts.extra["qc"])).status_code == 200  # on the public listing: everyone sees it
    login(ts.manager)
    assert client.get(url(other)).status_code == 404
    login(ts.lean_office)
    response = client.get(url(ts.extra["qc"]))
    assert response.status_code == 200
    context = response.context
    assert len(context["rescores"]) == 1 and len(context["objections"]) == 1 and context["history"]
    assert context["may_rescore"] and context["may_object"]


def test_reject_needs_a_reason(client, world, login):
    ts = world
    other = ts.extra["other_opl"]
    login(ts.extra["other_manager"])
    response = client.post(url(other, "reject"), {"reject-reason": "  "})
    assert response.status_code == 400 and response.context["reject_form"].errors
    assert count(ts, status="rejected") == 0
    assert client.post(url(other, "reject"), {"reject-reason": "与岗位无关"}).status_code == 302
    with tenant_scope(ts.tenant):
        other.refresh_from_db()
        assert other.status == Contribution.Status.REJECTED and other.rejection_reason == "与岗位无关"
    response = client.post(
        url(other, "verify"), {"positioning": "general", "breadth": "team", "complexity": "low", "award": "none"}
    )
    assert response.status_code == 400  # already decided: the page says so, nothing changes
    assert "already decided" in response.content.decode()  # shown although the verify form is gone


def test_rescore_by_the_lean_office_only_and_never_when_final(client, world, login):
    ts = world
    opl = ts.extra["opl"]
    login(ts.manager)
    assert client.post(url(opl, "rescore"), {"rescore-reason": "复核"}).status_code == 403
    login(ts.lean_office)
    response = client.post(url(opl, "rescore"), {"rescore-reason": ""})
    assert response.status_code == 400
    assert count(ts, Rescore, contribution=opl) == 0
    assert client.post(url(opl, "rescore"), {"rescore-reason": "规则复核"}).status_code == 302
    assert count(ts, Rescore, contribution=opl) == 1
    with tenant_scope(ts.tenant):
        listing = ts.extra["listing"]
        Objection.objects.filter(listing=listing).update(state=Objection.State.DISMISSED)
        listings.listing_finalize(actor=ts.lean_office, listing=listing, now=timezone.now() + timedelta(days=30))
    response = client.post(url(opl, "rescore"), {"rescore-reason": "再次复核"})
    assert response.status_code == 400 and "final" in str(response.context["rescore_form"].non_field_errors())
    assert count(ts, Rescore, contribution=opl) == 1
    page = client.get(url(opl))
    assert not page.context["may_rescore"] and "data-final" in page.content.decode()


def test_raise_an_objection_on_a_listed_contribution(client, world, login):
    ts = world
    qc = ts.extra["qc"]
    login(ts.extra["other_employee"])
    before = count(ts, Objection)
    assert client.post(url(qc, "object"), {"text": ""}).status_code == 400
    assert client.post(url(qc, "object"), {"text": "分值偏高"}).status_code == 302
    assert count(ts, Objection) == before + 1
    # not on a listing: refused with the reason
    with tenant_scope(ts.tenant):
        fresh = make_opl(ts, ts.extra["other_employee"], title="未公示的一点课")
    response = client.post(url(fresh, "object"), {"text": "有误"})
    assert response.status_code == 400 and count(ts, Objection) == before + 1


def test_empty_posts_never_fail(client, world, login):
    login(world.lean_office)
    for contribution in (world.extra["opl"], world.extra["other_opl"], world.extra["qc"]):
        for action in ("verify", "reject", "rescore", "object"):
            assert client.post(url(contribution, action), {}).status_code in (302, 400), (contribution, action)
    assert client.post(f"{BASE}new/", {}).status_code == 400


def test_kind_helper_is_the_tenants(world):
    with tenant_scope(world.tenant):
        assert kind("opl").tenant == world.tenant
