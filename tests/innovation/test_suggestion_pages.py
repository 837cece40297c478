"""Suggestion pages (合理化建议): submitting from a phone, who sees which, the flow through the page
(submit → evaluate → adopt → implement, or not adopted with a reason), refusals and bad input."""

from decimal import Decimal

import pytest

from innovation.models import Contribution, Suggestion
from innovation.services import suggestions
from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from tests.factories import make_member

from .factories import make_innovation

BASE = "/t/alpha/innovation/suggestions/"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world(tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_innovation(ts)
        other = unit_create(name="甲公司二分公司", code="U2", parent=ts.hq)
        ts.extra["other_manager"] = make_member(other, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="U2-UM")
        ts.extra["other_employee"] = make_member(other, [Role.EMPLOYEE], number="U2-EM")
        ts.extra["other_idea"] = suggestions.suggestion_submit(
            actor=ts.extra["other_employee"], title="仓库照明改造", problem="照明不足", proposal="换LED"
        )
    return ts


def url(suggestion, action=""):
    return f"{BASE}{suggestion.pk}/{action + '/' if action else ''}"


def pick(ts, name):
    return getattr(ts, name) if hasattr(ts, name) else ts.extra[name]


def count(ts, model=Suggestion, **filters):
    with tenant_scope(ts.tenant):
        return model.objects.filter(**filters).count()


@pytest.mark.parametrize(
    "role,expected",
    [
        ("employee", {"皮带机加装清扫器"}),
        ("other_employee", {"仓库照明改造"}),
        ("manager", {"皮带机加装清扫器"}),
        ("other_manager", {"仓库照明改造"}),
        ("reviewer", set()),
        ("lean_office", {"皮带机加装清扫器", "仓库照明改造"}),
    ],
)
def test_who_sees_which_suggestions(client, world, login, role, expected):
    login(pick(world, role))
    response = client.get(BASE)
    assert response.status_code == 200
    assert {s.title for s in response.context["page"]} == expected
    manages = role in ("manager", "other_manager", "lean_office")
    assert (response.context["adoption"] is not None) == manages


def test_state_filter_and_htmx(client, world, login):
    login(world.lean_office)
    assert {s.title for s in client.get(BASE, {"state": "submitted"}).context["page"]} == {"仓库照明改造"}
    response = client.get(BASE, {"state": "adopted"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "皮带机加装清扫器" in body and "仓库照明改造" not in body
    assert response.context["adoption"]["total"]["rate"] == 1  # the one adopted of the one decided


@pytest.mark.parametrize(
    "viewer,expected", [("employee", 404), ("manager", 404), ("other_employee", 200), ("lean_office", 200)]
)
def test_who_opens_a_suggestion(client, world, login, viewer, expected):
    login(pick(world, viewer))
    assert client.get(url(world.extra["other_idea"])).status_code == expected


def test_submit_then_evaluate_adopt_and_implement_through_the_pages(client, world, login):
    ts = world
    login(ts.employee)
    assert client.get(f"{BASE}new/").status_code == 200
    response = client.post(
        f"{BASE}new/",
        {"title": "空压机余热回收", "problem": "余热浪费", "proposal": "加装换热器", "expected_benefit": "节能"},
    )
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        idea = Suggestion.objects.get(title="空压机余热回收")
        assert idea.proposer == ts.employee and idea.unit == ts.team
    assert response["Location"] == url(idea)
    page = client.get(url(idea))
    assert page.status_code == 200 and page.context["actions"] == []
    assert client.post(url(idea, "act"), {"action": "evaluate", "evaluation": "自评"}).status_code == 403

    login(ts.manager)
    page = client.get(url(idea))
    assert page.context["actions"] == ["evaluate"]
    # adopting before evaluating is refused and changes nothing
    response = client.post(
        url(idea, "act"),
        {"action": "adopt", "positioning": "general", "breadth": "team", "complexity": "low", "award": "none"},
    )
    assert response.status_code == 400 and "Evaluate the suggestion first" in response.content.decode()
    assert client.post(url(idea, "act"), {"action": "evaluate", "evaluation": ""}).status_code == 400
    assert client.post(url(idea, "act"), {"action": "evaluate", "evaluation": "可行，收益明显"}).status_code == 302
    assert client.get(url(idea)).context["actions"] == ["adopt", "not_adopt", "evaluate"]
    levels = {"positioning": "key", "breadth": "unit", "complexity": "medium", "award": "none"}
    assert client.post(url(idea, "act"), {"action": "adopt", **levels}).status_code == 302
    with tenant_scope(ts.tenant):
        idea.refresh_from_db()
        contribution = Contribution.objects.get(suggestion=idea)
        assert idea.state == Suggestion.State.ADOPTED
        assert contribution.points == Decimal("7.20")  # 5 × 1.2 × 1.0 × 1.2
        assert contribution.credits.get().member == ts.employee
    assert client.post(url(idea, "act"), {"action": "implement", "note": "已投运"}).status_code == 302
    with tenant_scope(ts.tenant):
        idea.refresh_from_db()
        assert idea.state == Suggestion.State.IMPLEMENTED and idea.implementation_note == "已投运"
    page = client.get(url(idea))
    assert page.context["contribution"] == contribution
    assert [step["done"] for step in page.context["flow"]] == [True, True, True, True]

    login(ts.employee)  # the proposer sees the flow and their points
    body = client.get(url(idea)).content.decode()
    assert 'id="suggestion-contribution"' in body and ">7.2 " in body


def test_not_adopted_needs_a_reason(client, world, login):
    ts = world
    idea = ts.extra["other_idea"]
    login(ts.extra["other_manager"])
    client.post(url(idea, "act"), {"action": "evaluate", "evaluation": "成本过高"})
    response = client.post(url(idea, "act"), {"action": "not_adopt", "reason": ""})
    assert response.status_code == 400 and response.context["failed"].errors
    assert count(ts, state=Suggestion.State.NOT_ADOPTED) == 0
    assert client.post(url(idea, "act"), {"action": "not_adopt", "reason": "已有改造计划"}).status_code == 302
    with tenant_scope(ts.tenant):
        idea.refresh_from_db()
        assert idea.state == Suggestion.State.NOT_ADOPTED and idea.decision_reason == "已有改造计划"
        assert not Contribution.objects.filter(suggestion=idea).exists()
    flow = client.get(url(idea)).context["flow"]
    assert [step["key"] for step in flow] == ["submitted", "evaluated", "decided"] and flow[-1]["refused"]


def test_a_manager_of_another_unit_may_not_act(client, world, login):
    login(world.manager)
    assert (
        client.post(url(world.extra["other_idea"], "act"), {"action": "evaluate", "evaluation": "x"}).status_code == 404
    )
    login(world.lean_office)
    response = client.post(url(world.extra["other_idea"], "act"), {"action": "cheer"})
    assert response.status_code == 400
    assert client.post(url(world.extra["other_idea"], "act"), {}).status_code == 400
    assert client.get(url(world.extra["other_idea"], "act")).status_code == 405


def test_bad_suggestion_rerenders_400_and_stores_nothing(client, world, login):
    login(world.employee)
    before = count(world)
    response = client.post(f"{BASE}new/", {"title": "只有标题", "problem": "", "proposal": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"problem", "proposal"}
    assert count(world) == before
