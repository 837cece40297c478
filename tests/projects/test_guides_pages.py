"""The guide pages: list and create, a guide with its directions, editing while a draft, publishing (read-only
afterwards), directions with their sources, and a direction drafted from a shortfall."""

import pytest

from lean.tenancy import tenant_scope
from projects import guides
from projects.models import Direction, Guide
from targets import services as target_services
from targets.models import Branch, Shortfall
from tests.targets.factories import branch, make_targets

from .factories import make_guide, make_project


@pytest.fixture
def data(tenant_a):
    """The 2025 tree with a priority goal, a draft 2025 guide with D01 (from the uptime indicator) and a project
    of the unit filed against it."""
    with tenant_scope(tenant_a.tenant):
        tree = make_targets(tenant_a)
        x = tenant_a.extra
        x["priority"] = target_services.node_create(
            parent=branch(tree, Branch.PRIORITY), code="P1", name="数字化转型", owner_unit=tenant_a.hq
        )
        x["guide"], x["direction"] = make_guide(tenant_a)
        x["project"] = make_project(tenant_a, direction=x["direction"])
        x["shortfall"] = Shortfall.objects.get(indicator=x["uptime"])
    return tenant_a


def guide_url(guide):
    return f"/t/alpha/projects/guides/{guide.pk}/"


def test_the_list_shows_drafts_to_the_lean_office_only(client, data, login):
    guide = data.extra["guide"]
    login(data.lean_office)
    response = client.get("/t/alpha/projects/guides/")
    assert list(response.context["guides"]) == [guide] and 'name="year"' in response.content.decode()
    row = response.context["guides"][0]
    assert (row.direction_count, row.project_count) == (1, 1)
    login(data.employee)
    response = client.get("/t/alpha/projects/guides/")
    assert list(response.context["guides"]) == [] and 'name="year"' not in response.content.decode()
    assert client.get(guide_url(guide)).status_code == 404  # a draft is not found for them
    assert client.post("/t/alpha/projects/guides/", {"year": 2030}).status_code == 403


def test_the_lean_office_creates_a_guide(client, data, login):
    login(data.lean_office)
    response = client.post("/t/alpha/projects/guides/", {"year": 2026, "title": "", "introduction": "围绕年度重点"})
    with tenant_scope(data.tenant):
        guide = Guide.objects.get(year=2026)
    assert response.status_code == 302 and response.url == guide_url(guide)
    assert "2026" in guide.title and guide.introduction == "围绕年度重点" and not guide.is_published
    response = client.post("/t/alpha/projects/guides/", {"year": 2026})
    assert response.status_code == 400 and response.context["form"].non_field_errors()


def test_a_draft_is_edited_then_published_and_read_only(client, data, login):
    x = data.extra
    guide = x["guide"]
    login(data.lean_office)
    body = client.get(guide_url(guide)).content.decode()
    assert 'id="guide-edit"' in body and "/directions/new/" in body and 'value="publish"' in body
    response = client.post(guide_url(guide), {"form": "edit", "title": "2025年精益改善指引", "introduction": "引言"})
    assert response.status_code == 302
    assert client.post(guide_url(guide), {"form": "edit", "title": ""}).status_code == 400
    assert client.post(guide_url(guide), {"form": "publish"}).status_code == 302
    with tenant_scope(data.tenant):
        guide.refresh_from_db()
        assert guide.is_published and guide.title == "2025年精益改善指引" and guide.published_by == data.lean_office
    body = client.get(guide_url(guide)).content.decode()
    assert 'id="guide-edit"' not in body and "/directions/new/" not in body and 'value="publish"' not in body
    assert 'value="delete"' not in body and f"/directions/{x['direction'].pk}/edit/" not in body
    # Every door to a change is closed now.
    response = client.post(guide_url(guide), {"form": "edit", "title": "改名", "introduction": ""})
    assert response.status_code == 400
    assert client.post(guide_url(guide), {"form": "delete", "direction": x["direction"].pk}).status_code == 400
    new = client.get(f"/t/alpha/projects/guides/{guide.pk}/directions/new/")
    assert new.status_code == 302 and new.url == guide_url(guide)
    edit = f"/t/alpha/projects/directions/{x['direction'].pk}/edit/"
    assert client.post(edit, {"code": "D01", "title": "改", "description": "改"}).status_code == 302
    with tenant_scope(data.tenant):
        guide.refresh_from_db()
        assert guide.title == "2025年精益改善指引"
        assert Direction.objects.get(pk=x["direction"].pk).title == "设备可靠性提升"
        assert Direction.objects.filter(guide=guide).count() == 1
    # Published: every member reads it, with its directions, sources and the projects they may see.
    login(data.employee)
    response = client.get(guide_url(guide))
    body = response.content.decode()
    assert response.status_code == 200 and "设备可靠性提升" in body and "A1.1" in body
    assert x["project"].code not in body  # the project of a unit above their team, not theirs to see
    login(data.manager)
    assert x["project"].code in client.get(guide_url(guide)).content.decode()


def test_an_empty_guide_is_not_published(client, data, login):
    with tenant_scope(data.tenant):
        empty = guides.guide_create(actor=data.lean_office, year=2026)
    login(data.lean_office)
    response = client.post(guide_url(empty), {"form": "publish"})
    assert response.status_code == 400
    with tenant_scope(data.tenant):
        empty.refresh_from_db()
        assert not empty.is_published


def test_directions_are_added_and_edited_with_sources_from_the_years_tree(client, data, login):
    x = data.extra
    guide = x["guide"]
    new_url = f"/t/alpha/projects/guides/{guide.pk}/directions/new/"
    login(data.manager)
    assert client.get(new_url).status_code == 403
    login(data.lean_office)
    response = client.get(new_url)
    form = response.context["form"]
    assert form.initial["code"] == "D02"
    assert [n.code for n in form.priorities] == ["P1"]
    assert [n.code for n in form.indicators] == ["A1.1"]  # A1.2 has no open shortfall
    assert "数字化转型" in response.content.decode()
    post = {
        "code": "D02",
        "title": "数字化巡检",
        "description": "以数字化手段提升巡检效率",
        "requirements": "覆盖主要设备",
        "sources": [x["priority"].pk],
    }
    assert client.post(new_url, post).status_code == 302
    assert client.post(new_url, post).status_code == 400  # D02 is taken now
    assert client.post(new_url, {**post, "code": "D03", "sources": [999999]}).status_code == 400
    with tenant_scope(data.tenant):
        direction = Direction.objects.get(guide=guide, code="D02")
        assert list(direction.sources.all()) == [x["priority"]] and direction.requirements == "覆盖主要设备"
    edit_url = f"/t/alpha/projects/directions/{direction.pk}/edit/"
    response = client.get(edit_url)
    assert response.context["form"].initial["sources"] == [x["priority"].pk]
    assert f'value="{x["priority"].pk}" id="src-{x["priority"].pk}" checked' in response.content.decode()
    post.update(title="数字化智能巡检", sources=[x["priority"].pk, x["uptime"].node_id])
    assert client.post(edit_url, post).status_code == 302
    with tenant_scope(data.tenant):
        direction.refresh_from_db()
        assert direction.title == "数字化智能巡检"
        assert {n.pk for n in direction.sources.all()} == {x["priority"].pk, x["uptime"].node_id}
    assert client.get("/t/alpha/projects/directions/999999/edit/").status_code == 404
    body = client.get(guide_url(guide)).content.decode()
    assert "数字化智能巡检" in body and "P1" in body and "A1.1" in body


def test_a_direction_is_removed_from_a_draft(client, data, login):
    with tenant_scope(data.tenant):
        extra = guides.direction_save(
            actor=data.lean_office, guide=data.extra["guide"], code="D09", title="临时", description="临时"
        )
    login(data.lean_office)
    response = client.post(guide_url(data.extra["guide"]), {"form": "delete", "direction": extra.pk})
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        assert not Direction.objects.filter(pk=extra.pk).exists()


def test_a_direction_from_a_shortfall(client, data, login):
    x = data.extra
    shortfall = x["shortfall"]
    url = f"/t/alpha/projects/shortfalls/{shortfall.pk}/direction/"
    login(data.employee)
    assert client.post(url).status_code == 403
    login(data.lean_office)
    assert client.get(url).status_code == 405
    response = client.post(url)
    with tenant_scope(data.tenant):
        direction = Direction.objects.get(from_shortfall=shortfall)
        assert direction.guide == x["guide"] and list(direction.sources.all()) == [x["uptime"].node]
        assert "设备可用率" in direction.title
    assert response.status_code == 302 and response.url == f"/t/alpha/projects/directions/{direction.pk}/edit/"
    assert client.post(url).status_code == 302  # a second one gets the next code
    with tenant_scope(data.tenant):
        assert Direction.objects.filter(from_shortfall=shortfall).count() == 2
    assert client.post("/t/alpha/projects/shortfalls/999999/direction/").status_code == 404


def test_a_direction_from_a_shortfall_creates_the_years_guide(client, tenant_a, login):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        shortfall = Shortfall.objects.get(indicator=tenant_a.extra["uptime"])
    login(tenant_a.lean_office)
    assert client.post(f"/t/alpha/projects/shortfalls/{shortfall.pk}/direction/").status_code == 302
    with tenant_scope(tenant_a.tenant):
        guide = Guide.objects.get(year=2025)
        assert not guide.is_published and guide.directions.get().from_shortfall == shortfall


def test_no_direction_from_a_shortfall_into_a_published_guide(client, data, login):
    x = data.extra
    with tenant_scope(data.tenant):
        guides.guide_publish(actor=data.lean_office, guide=x["guide"])
    login(data.lean_office)
    response = client.post(f"/t/alpha/projects/shortfalls/{x['shortfall'].pk}/direction/")
    assert response.status_code == 302 and response.url == f"/t/alpha/targets/shortfalls/{x['shortfall'].pk}/"
    with tenant_scope(data.tenant):
        assert not Direction.objects.filter(from_shortfall=x["shortfall"]).exists()


def test_another_tenants_shortfall_and_guide_are_not_found(client, two_tenants, login):
    alpha, beta = two_tenants
    with tenant_scope(alpha.tenant):
        shortfall = Shortfall.objects.filter(indicator=alpha.extra["uptime"]).first()
    login(beta.lean_office)
    assert client.post(f"/t/beta/projects/shortfalls/{shortfall.pk}/direction/").status_code == 404
    assert client.get(f"/t/beta/projects/guides/{alpha.extra['guide'].pk}/").status_code == 404
    assert client.get(f"/t/beta/projects/directions/{alpha.extra['direction'].pk}/edit/").status_code == 404


def test_the_shortfall_page_lists_its_projects_and_offers_a_direction(client, data, login):
    x = data.extra
    page = f"/t/alpha/targets/shortfalls/{x['shortfall'].pk}/"
    login(data.lean_office)
    body = client.get(page).content.decode()
    assert x["project"].code in body and f"/t/alpha/projects/{x['project'].pk}/" in body
    assert f"/t/alpha/projects/shortfalls/{x['shortfall'].pk}/direction/" in body
    login(data.manager)
    body = client.get(page).content.decode()
    assert x["project"].code in body and "/direction/" not in body
    with tenant_scope(data.tenant):
        x["project"].shortfall_links.all().delete()
    assert x["project"].code not in client.get(page).content.decode()
