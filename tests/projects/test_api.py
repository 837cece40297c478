"""The projects REST API: guides, the project list (filters, who sees what), filing and changing a draft, the
lifecycle over the API (submit → approve → start) and its refusals in the stable error shape, reviews seen only
by their reviewers and organisers, the case library, other tenants, query counts at two sizes, the schema."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lean.models import Notification, Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import guides, services, workflow
from projects.models import Project, Review, State, TeamMember, Tier
from targets.models import Shortfall
from tests.factories import make_member
from tests.projects.factories import make_project, make_projects, panel, sign_off
from tests.targets.factories import make_targets

API = "/t/alpha/api/v1"
P = f"{API}/projects"
ERROR_KEYS = {"code", "message", "field_errors"}


@pytest.fixture
def data(tenant_a):
    """Four projects of 2025:
    - hq: HQ tier, unit U1, in its midterm review (team: manager, employee; panel: reviewer (chair), reviewer2);
    - sibling: unit tier, unit U2, a draft of U2's manager;
    - unit: unit tier, unit U1, a complete draft of U1's manager;
    - team: unit tier, the team U1-T1, a draft of the employee."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        hq = make_projects(a)
        sibling_unit = unit_create(name="二分公司", code="U2", parent=a.hq)
        manager2 = make_member(sibling_unit, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="ALPHA-UM2")
        sibling = services.project_create(
            actor=manager2, title="二分公司库存压降", unit=sibling_unit, problem="备件库存周转慢", year=2025
        )
        unit = make_project(a, tier=Tier.UNIT, title="一分公司班组台账数字化", problem="纸质台账查询慢，数据难以汇总")
        team = services.project_create(
            actor=a.employee, title="班组工具定置管理", unit=a.team, problem="工具找寻耗时", year=2025
        )
        reviewer3 = make_member(a.hq, [Role.REVIEWER], number="ALPHA-RV3")
    a.extra.update(hq=hq, sibling=sibling, unit_project=unit, team_project=team, manager2=manager2, reviewer3=reviewer3)
    return a


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def titles(response):
    assert response.status_code == 200, response.json()
    return sorted(p["title"] for p in response.json()["results"])


def state_of(a, project):
    with tenant_scope(a.tenant):
        return Project.objects.get(pk=project.pk).state


# ---------------------------------------------------------------- guides


def test_guides_with_directions_and_drafts_for_the_lean_office_only(data, login):
    a, guide = data, data.extra["guide"]
    listed = login(a.lean_office).get(f"{P}/guides/").json()["results"]
    assert [(g["year"], g["published"]) for g in listed] == [(2025, False)]
    (direction,) = listed[0]["directions"]
    assert direction["code"] == "D01" and direction["title"] == "设备可靠性提升"
    assert [s["code"] for s in direction["sources"]] == ["A1.1"]

    employee = login(a.employee)
    assert employee.get(f"{P}/guides/").json()["results"] == []
    assert employee.get(f"{P}/guides/{guide.pk}/").status_code == 404
    with tenant_scope(a.tenant):
        guides.guide_publish(actor=a.lean_office, guide=guide)
    body = employee.get(f"{P}/guides/{guide.pk}/").json()
    assert body["published"] and body["published_at"] and len(body["directions"]) == 1
    assert employee.get(f"{P}/guides/", {"year": 2024}).json()["results"] == []


# ---------------------------------------------------------------- the list: who sees what, filters

HQ, SIBLING, UNIT, TEAM = "降低一分公司设备非计划停运", "二分公司库存压降", "一分公司班组台账数字化", "班组工具定置管理"


@pytest.mark.parametrize(
    "who, expected",
    [
        ("lean_office", [HQ, SIBLING, UNIT, TEAM]),
        ("manager", [HQ, UNIT, TEAM]),  # their unit and the team below it
        ("manager2", [SIBLING]),
        ("employee", [HQ, TEAM]),  # on HQ's team; their own team's project
        ("reviewer", [HQ]),  # on its midterm panel
        ("reviewer3", []),
    ],
)
def test_each_role_lists_the_projects_it_may_see(data, login, who, expected):
    member = data.extra[who] if who in data.extra else getattr(data, who)
    client = login(member)
    assert titles(client.get(f"{P}/projects/")) == sorted(expected)
    hidden = {data.extra["hq"]: HQ, data.extra["sibling"]: SIBLING}
    for project, title in hidden.items():
        assert client.get(f"{P}/projects/{project.pk}/").status_code == (200 if title in expected else 404)


def test_project_list_filters(data, login):
    a, x = data, data.extra
    client = login(a.lean_office)

    def listed(**filters):
        return titles(client.get(f"{P}/projects/", filters))

    assert listed(state="midterm") == [HQ]
    assert listed(state="draft") == sorted([SIBLING, UNIT, TEAM])
    assert listed(tier="hq") == [HQ]
    assert listed(unit=a.unit.pk) == sorted([HQ, UNIT, TEAM])  # the unit and the team below it
    assert listed(unit=a.team.pk) == [TEAM]
    assert listed(unit=a.hq.pk) == sorted([HQ, SIBLING, UNIT, TEAM])
    assert listed(year=2025, tier="unit", unit=a.unit.pk) == sorted([UNIT, TEAM])
    assert listed(year=2024) == []
    assert listed(direction=x["direction"].pk) == [HQ]
    assert listed(q="库存") == [SIBLING] and listed(q="台账") == [UNIT] and listed(q=x["hq"].code) == [HQ]

    first = client.get(f"{P}/projects/", {"tier": "hq"}).json()["results"][0]
    assert first["state"] == "midterm" and first["unit"]["code"] == "U1" and first["direction"]["code"] == "D01"
    assert first["leader"]["name"] == a.manager.user.display_name and first["verified_benefit"] is None

    for bad in ({"state": "flying"}, {"unit": 999999}, {"year": "soon"}, {"direction": 999999}):
        response = client.get(f"{P}/projects/", bad)
        assert response.status_code == 400 and set(response.json()) == ERROR_KEYS
        assert set(response.json()["field_errors"]) == set(bad)


def test_the_detail_shows_team_indicators_shortfalls_timeline_and_reviews(data, login):
    a, x = data, data.extra
    body = login(a.manager).get(f"{P}/projects/{x['hq'].pk}/").json()
    assert [(t["name"], t["role"], t["share"]) for t in body["team"]] == [
        (a.manager.user.display_name, "leader", "60.00"),
        (a.employee.user.display_name, "member", "40.00"),
    ]
    (indicator,) = body["indicators"]
    assert (indicator["code"], indicator["baseline"], indicator["goal"], indicator["achieved"]) == (
        "A1.1",
        "90.0000",
        "95.0000",
        None,
    )
    assert [(s["indicator_code"], s["unit_code"], s["period"]) for s in body["shortfalls"]] == [
        ("A1.1", "U1", "2025-01")
    ]
    assert [t["action"] for t in body["transitions"]] == ["submit", "approve", "start", "request_midterm"]
    assert body["transitions"][1]["actor"]["id"] == a.lean_office.pk
    (review,) = body["reviews"]
    assert (review["kind"], review["panel_size"], review["scored"], review["result"]) == ("midterm", 2, 1, None)
    assert review["chair"]["id"] == a.reviewer.pk
    assert [p["code"] for p in body["participants"]] == ["U1"]
    assert body["notes"][0]["text"] == "完成设备点检台账梳理"
    assert body["attachments"][0]["name"] == "方案.pdf"
    assert body["attachments"][0]["url"] == f"/t/alpha/projects/attachments/{body['attachments'][0]['id']}/"
    assert body["actions"] == []  # in its midterm review: the chair decides, through the review

    draft = login(a.manager).get(f"{P}/projects/{x['unit_project'].pk}/").json()
    assert [action["name"] for action in draft["actions"]] == ["submit"]


# ---------------------------------------------------------------- filing and the lifecycle over the API


def test_file_a_project_and_take_it_through_submit_approve_and_start(data, login):
    a = data
    client = login(a.manager)
    body = {
        "title": "降低一分公司单位成本",
        "unit_id": a.unit.pk,
        "tier": "hq",
        "direction_id": a.extra["direction"].pk,
        "problem": "单位成本连续两年高于同类企业",
        "management_base": "成本台账完整",
        "capability": "有财务与生产骨干",
        "expected_effect": "单位成本下降5%",
        "planned_start": "2025-04-01",
        "planned_end": "2025-12-31",
        "estimated_benefit": "800000",
        "team": [
            {"member_id": a.manager.pk, "role": "leader", "share": "70"},
            {"member_id": a.employee.pk, "role": "member", "share": "30"},
        ],
        "indicators": [{"indicator_id": a.extra["cost"].pk, "baseline": "100", "goal": "95"}],
    }
    response = post(client, f"{P}/projects/", body)
    assert response.status_code == 201, response.json()
    project = response.json()
    assert project["state"] == "draft" and project["year"] == 2025 and project["code"].startswith("P2025-")
    assert [t["share"] for t in project["team"]] == ["70.00", "30.00"]
    assert project["indicators"][0]["code"] == "A1.2" and project["actions"][0]["name"] == "submit"
    url = f"{P}/projects/{project['id']}/transitions/"

    submitted = post(client, url, {"action": "submit"})
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == "submitted" and submitted.json()["actions"] == []

    approver = login(a.lean_office)
    assert [x["name"] for x in approver.get(f"{P}/projects/{project['id']}/").json()["actions"]] == [
        "return",
        "reject",
        "merge",
        "approve",
    ]
    assert post(approver, url, {"action": "approve", "reason": "选题契合年度重点"}).json()["state"] == "approved"

    started = post(login(a.manager), url, {"action": "start"}).json()
    assert started["state"] == "in_progress"
    assert [(t["from_state"], t["to_state"]) for t in started["transitions"]] == [
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "in_progress"),
    ]
    assert started["transitions"][1]["reason"] == "选题契合年度重点"
    with tenant_scope(a.tenant):
        assert (
            Notification.objects.filter(recipient=a.employee, url__contains=f"/projects/{project['id']}/").count() == 3
        )


def test_filing_is_all_or_nothing(data, login):
    a = data
    body = {
        "title": "半途而废",
        "problem": "团队份额不对",
        "team": [{"member_id": a.manager.pk, "role": "leader", "share": "60"}],
    }
    response = post(login(a.manager), f"{P}/projects/", body)
    assert response.status_code == 400 and response.json()["code"] == "team"
    assert response.json()["field_errors"]["team"]
    with tenant_scope(a.tenant):
        assert not Project.objects.filter(title="半途而废").exists()
    for wrong in ({"problem": "无题"}, {"title": "无问题"}, {"title": "x", "problem": "y", "tier": "galaxy"}):
        response = post(login(a.manager), f"{P}/projects/", wrong)
        assert response.status_code == 400 and set(response.json()) == ERROR_KEYS


def test_filing_for_another_unit_or_without_the_right_is_403(data, login):
    a = data
    body = {"title": "越权申报", "problem": "不是我的单位", "unit_id": a.extra["sibling"].unit_id}
    response = post(login(a.manager), f"{P}/projects/", body)
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS
    response = post(login(a.employee), f"{P}/projects/", {"title": "班组自己的", "problem": "可以"})
    assert response.status_code == 201 and response.json()["unit"]["code"] == "U1-T1"


@pytest.mark.parametrize(
    "who, project, body, status, code",
    [
        ("manager", "unit_project", {"action": "approve"}, 400, "wrong_state"),  # a draft is not approved
        ("manager", "sibling", {"action": "submit"}, 404, "not_found"),  # not theirs to see
        ("employee", "team_project", {"action": "submit"}, 400, "incomplete"),  # no indicators, dates …
        ("reviewer", "hq", {"action": "request_closing"}, 400, "wrong_state"),
        ("lean_office", "hq", {"action": "midterm_pass"}, 400, "invalid"),  # the chair decides through the review
        ("manager", "unit_project", {"action": "fly"}, 400, "invalid"),
        ("manager", "unit_project", {}, 400, "invalid"),
    ],
)
def test_a_refused_transition_answers_in_the_stable_shape(data, login, who, project, body, status, code):
    a = data
    project = a.extra[project]
    before = state_of(a, project)
    response = post(login(getattr(a, who)), f"{P}/projects/{project.pk}/transitions/", body)
    assert response.status_code == status
    assert set(response.json()) == ERROR_KEYS and response.json()["code"] == code and response.json()["message"]
    assert state_of(a, project) == before


def test_the_wrong_role_is_403_and_a_missing_reason_names_its_field(data, login):
    a, x = data, data.extra
    url = f"{P}/projects/{x['unit_project'].pk}/transitions/"
    assert post(login(a.employee), url, {"action": "submit"}).status_code == 404  # not visible to them
    assert post(login(a.manager), url, {"action": "submit"}).status_code == 200
    # The unit's manager filed this unit-tier proposal, so they may not judge it (issue 14): 403 with the reason.
    # With no other manager of the unit, it went up to the lean office.
    response = post(login(a.manager), url, {"action": "approve"})
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS
    reasons = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            reasons.add(str(workflow.OWN_PROJECT["approver"]))
    assert response.json()["message"] in reasons
    assert post(login(a.employee), url, {"action": "approve"}).status_code == 404  # still not visible to them
    response = post(login(a.lean_office), url, {"action": "return", "reason": "  "})
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert "reason" in response.json()["field_errors"]
    response = post(login(a.manager), url, {"action": "merge", "into": x["sibling"].pk})  # not visible to them
    assert response.status_code == 400 and "into" in response.json()["field_errors"]
    assert state_of(a, x["unit_project"]) == State.SUBMITTED
    response = post(login(a.lean_office), url, {"action": "return", "reason": "补充基线数据"})
    assert response.json()["state"] == "returned"


def test_patch_changes_the_proposal_while_a_draft_and_the_work_until_closed(data, login):
    a, x = data, data.extra
    client = login(a.manager)
    url = f"{P}/projects/{x['unit_project'].pk}/"
    response = patch(client, url, {"title": "一分公司班组台账全面数字化", "pdca_plan": "调研现状"})
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "一分公司班组台账全面数字化" and response.json()["pdca_plan"] == "调研现状"

    # A bad team in the same request: nothing is stored.
    response = patch(
        client, url, {"title": "改了一半", "team": [{"member_id": a.manager.pk, "role": "member", "share": 100}]}
    )
    assert response.status_code == 400 and response.json()["code"] == "team"
    assert client.get(url).json()["title"] == "一分公司班组台账全面数字化"

    post(client, f"{url}transitions/", {"action": "submit"})
    response = patch(client, url, {"title": "提交后改标题"})
    assert response.status_code == 400 and response.json()["code"] == "locked"
    response = patch(client, url, {"pdca_do": "试点两个班组", "planned_end": "2025-10-31"})
    assert response.status_code == 200 and response.json()["planned_end"] == "2025-10-31"
    response = patch(client, url, {"planned_start": "2025-11-30"})
    assert response.status_code == 400 and response.json()["code"] == "dates"

    assert patch(login(a.employee), f"{P}/projects/{x['hq'].pk}/", {"pdca_do": "我只是成员"}).status_code == 403
    assert patch(login(x["manager2"]), url, {"pdca_do": "别人的"}).status_code == 404


def test_patch_moves_a_draft_only_to_a_unit_the_member_may_file_for(data, login):
    a, x = data, data.extra
    url = f"{P}/projects/{x['team_project'].pk}/"
    response = patch(login(a.employee), url, {"unit_id": x["sibling"].unit_id})  # another branch: not theirs
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS
    with tenant_scope(a.tenant):
        assert Project.objects.get(pk=x["team_project"].pk).unit_id == a.team.pk
    response = patch(login(a.employee), url, {"unit_id": a.unit.pk})  # the unit above their team: allowed
    assert response.status_code == 200 and response.json()["unit"]["code"] == a.unit.code


def test_patch_links_only_shortfalls_of_the_projects_units(data, login):
    a, x = data, data.extra
    with tenant_scope(a.tenant):
        (shortfall,) = Shortfall.objects.filter(unit=a.unit)
    response = patch(login(x["manager2"]), f"{P}/projects/{x['sibling'].pk}/", {"shortfall_ids": [shortfall.pk]})
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS
    with tenant_scope(a.tenant):
        assert not Project.objects.filter(pk=x["sibling"].pk, shortfall_links__shortfall=shortfall).exists()
    url = f"{P}/projects/{x['unit_project'].pk}/"
    response = patch(login(a.manager), url, {"shortfall_ids": [shortfall.pk]})
    assert response.status_code == 200 and [s["id"] for s in response.json()["shortfalls"]] == [shortfall.pk]


def test_the_closing_data_is_written_over_the_api_once_the_midterm_is_passed(data, login):
    a, x = data, data.extra
    client = login(a.manager)
    url = f"{P}/projects/{x['hq'].pk}/"
    closing = {
        "verified_benefit": "1150000",
        "verified_hours": "320",
        "verified_quality": "可用率提升2.3个百分点",
        "indicators": [{"indicator_id": x["uptime"].pk, "baseline": "90", "goal": "95", "achieved": "95.3"}],
    }
    response = patch(client, url, closing)  # still in its midterm review
    assert response.status_code == 400 and response.json()["code"] == "locked"
    with tenant_scope(a.tenant):
        scores = {c.pk: D(88) for c in x["criteria"]}
        services.review_submit_scores(actor=x["reviewer2"], review=x["review"], scores=scores)
        services.review_decide(actor=a.reviewer, review=x["review"], result="pass")
    response = patch(client, url, closing)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["verified_benefit"] == "1150000.00" and body["indicators"][0]["achieved"] == "95.3000"
    transitions = f"{url}transitions/"
    assert post(client, transitions, {"action": "request_closing"}).json()["state"] == "closing"


# ---------------------------------------------------------------- reviews


def test_a_reviewer_sees_only_the_reviews_they_sit_on(data, login):
    a, x = data, data.extra
    review = x["review"]

    def listed(member, **filters):
        response = login(member).get(f"{P}/reviews/", filters)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert listed(a.reviewer) == [review.pk] and listed(x["reviewer2"]) == [review.pk]
    assert listed(x["reviewer3"]) == [] and login(x["reviewer3"]).get(f"{P}/reviews/{review.pk}/").status_code == 404
    assert listed(a.lean_office) == [review.pk]  # organiser of HQ-tier reviews
    assert listed(a.manager) == []  # the unit's manager organises unit-tier reviews only
    assert listed(a.lean_office, kind="closing") == [] and listed(a.lean_office, undecided="true") == [review.pk]
    assert listed(a.lean_office, project=x["hq"].pk) == [review.pk]
    assert login(a.employee).get(f"{P}/reviews/").status_code == 403

    mine = login(a.reviewer).get(f"{P}/reviews/{review.pk}/").json()
    assert mine["assigned_to_me"] and mine["project"]["code"] == x["hq"].code and mine["suggested"] == "pass"
    assert [c["code"] for c in mine["criteria"]] == ["coverage", "innovation", "contribution"]
    by_reviewer = {p["reviewer"]["id"]: p for p in mine["panel"]}
    assert len(by_reviewer[a.reviewer.pk]["scores"]) == 3 and by_reviewer[a.reviewer.pk]["comment"] == "思路清晰"

    # Another panel member, not the chair: their own row only.
    other = login(x["reviewer2"]).get(f"{P}/reviews/{review.pk}/").json()
    by_reviewer = {p["reviewer"]["id"]: p for p in other["panel"]}
    assert by_reviewer[a.reviewer.pk]["scores"] is None and by_reviewer[a.reviewer.pk]["comment"] is None
    assert by_reviewer[x["reviewer2"].pk]["scores"] == [] and by_reviewer[x["reviewer2"].pk]["submitted_at"] is None
    organiser = login(a.lean_office).get(f"{P}/reviews/{review.pk}/").json()
    assert not organiser["assigned_to_me"] and all(p["scores"] is not None for p in organiser["panel"])


# ---------------------------------------------------------------- the case library


def close_as_excellent(a, project, review, summary="点检定修经验，可在各发电公司推广"):
    """The midterm passes, the closing data is written, the closing review passes and marks an excellent case."""
    scores = {c.pk: D(90) for c in a.extra["criteria"]}
    with tenant_scope(a.tenant):
        services.review_submit_scores(actor=a.extra["reviewer2"], review=review, scores=scores)
        services.review_decide(actor=a.reviewer, review=review, result="pass")
        project = Project.objects.get(pk=project.pk)
        services.project_update(actor=a.manager, project=project, case_summary=summary, verified_benefit=D(1200000))
        services.indicators_set(
            actor=a.manager,
            project=project,
            rows=[services.IndicatorRow(a.extra["uptime"], D(90), D(95), D("95.5"))],
        )
        services.project_transition(actor=a.manager, project=project, action="request_closing")
        closing = project.reviews.get(kind="closing")
        services.review_setup(actor=a.lean_office, review=closing, reviewers=panel(a), chair=a.reviewer)
        for reviewer in panel(a):
            services.review_submit_scores(actor=reviewer, review=closing, scores=scores)
        sign_off(a, project)
        services.review_decide(actor=a.reviewer, review=closing, result="pass", excellent=True, complexity="high")
    return project


def test_the_case_library_is_open_to_every_member_and_searchable(data, login):
    a, x = data, data.extra
    client = login(x["manager2"])
    assert client.get(f"{P}/cases/").json()["results"] == []
    close_as_excellent(a, x["hq"], x["review"])

    (case,) = client.get(f"{P}/cases/").json()["results"]
    assert case["title"] == HQ and case["state"] == "closed" and case["closing_score"] == "90.00"
    assert case["verified_benefit"] == "1200000.00" and case["closed_at"] and case["leader"]["id"] == a.manager.pk
    assert titles(client.get(f"{P}/projects/")) == sorted([HQ, SIBLING])  # a case is visible to everyone
    assert client.get(f"{P}/projects/{x['hq'].pk}/").status_code == 200

    def found(**filters):
        return [c["title"] for c in client.get(f"{P}/cases/", filters).json()["results"]]

    assert found(q="推广") == [HQ] and found(q="一分公司") == [HQ] and found(q="设备可靠性") == [HQ]
    assert found(q="水务") == [] and found(year=2024) == [] and found(tier="unit") == []
    assert found(unit=a.unit.pk) == [HQ] and found(unit=a.extra["sibling"].unit_id) == []


# ---------------------------------------------------------------- other tenants


def test_another_tenants_rows_are_not_found(two_tenants, login):
    a, b = two_tenants
    project, review, guide = b.extra["project"], b.extra["review"], b.extra["guide"]
    client = login(a.lean_office)
    assert client.get(f"{P}/projects/{project.pk}/").status_code == 404
    assert patch(client, f"{P}/projects/{project.pk}/", {"pdca_do": "x"}).status_code == 404
    assert post(client, f"{P}/projects/{project.pk}/transitions/", {"action": "submit"}).status_code == 404
    assert client.get(f"{P}/reviews/{review.pk}/").status_code == 404
    assert client.get(f"{P}/guides/{guide.pk}/").status_code == 404
    assert client.get(f"{P}/projects/", {"unit": b.unit.pk}).status_code == 400
    assert client.get(f"{P}/reviews/", {"project": project.pk}).status_code == 400
    body = {"title": "跨租户", "problem": "不行", "unit_id": b.unit.pk}
    assert post(client, f"{P}/projects/", body).status_code == 400
    assert client.get(f"/t/beta/api/v1/projects/projects/{project.pk}/").status_code == 404
    assert {p["id"] for p in client.get(f"{P}/projects/").json()["results"]} == {a.extra["project"].pk}


# ---------------------------------------------------------------- query counts


@pytest.fixture
def sized(tenant_a):
    """grow(n) gives the tenant n HQ-tier projects in all, each with a two-person team, a midterm review with a
    panel, and every third one closed as an excellent case; and n guides with two directions each."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        services.criteria_defaults()
        reviewers = panel(a)
    made = []

    def grow(total):
        with tenant_scope(a.tenant):
            for i in range(len(made), total):
                guide = guides.guide_create(actor=a.lean_office, year=2025 - i)
                for code in ("D01", "D02"):
                    guides.direction_save(
                        actor=a.lean_office,
                        guide=guide,
                        code=code,
                        title="方向",
                        description="说明",
                        sources=[a.extra["uptime"].node] if i == 0 else [],
                    )
                project = services.project_create(
                    actor=a.manager, title=f"课题{i}", unit=a.unit, problem="问题", tier=Tier.HQ, year=2025
                )
                services.team_set(
                    actor=a.manager,
                    project=project,
                    rows=[
                        services.TeamRow(a.manager, TeamMember.Role.LEADER, D(50)),
                        services.TeamRow(a.employee, TeamMember.Role.MEMBER, D(50)),
                    ],
                )
                state, excellent = (State.CLOSED, True) if i % 3 == 0 else (State.MIDTERM, False)
                Project.objects.filter(pk=project.pk).update(state=state, excellent=excellent)
                review = Review.objects.create(tenant=a.tenant, project=project, kind=Review.Kind.MIDTERM)
                services.review_setup(actor=a.lean_office, review=review, reviewers=reviewers, chair=a.reviewer)
                made.append(project)

    a.extra.update(grow=grow)
    return a


@pytest.mark.parametrize(
    "who, url, rows",
    [
        ("lean_office", "projects/", lambda n: n),
        ("manager", "projects/?tier=hq&q=课题", lambda n: n),
        ("reviewer", "reviews/", lambda n: n),
        ("employee", "cases/", lambda n: (n + 2) // 3),
        ("lean_office", "guides/", None),
    ],
)
def test_lists_run_the_same_number_of_queries_for_3_and_for_30_rows(sized, login, who, url, rows):
    a = sized
    client = login(getattr(a, who))

    def queries(total):
        a.extra["grow"](total)
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"{P}/{url}")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["count"] if rows else len(body["results"])) == (rows(total) if rows else total)
        return len(context)

    assert queries(3) == queries(30)


def test_the_detail_runs_the_same_number_of_queries_for_a_small_and_a_large_project(data, login):
    a, x = data, data.extra
    client = login(a.lean_office)
    project = x["hq"]

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"{P}/projects/{project.pk}/").status_code == 200
        return len(context)

    small = queries()
    with tenant_scope(a.tenant):
        extra = [make_member(a.unit, [Role.EMPLOYEE]) for _ in range(4)]
        rows = [services.TeamRow(a.manager, "leader", D(20))] + [services.TeamRow(m, "member", D(20)) for m in extra]
        services.team_set(actor=a.manager, project=project, rows=rows)
        for i in range(5):
            services.note_add(actor=a.manager, project=project, text=f"第{i}次周例会")
    assert queries() == small


# ---------------------------------------------------------------- schema


def test_the_schema_lists_the_projects_operations(tenant_a, login):
    response = login(tenant_a.employee).get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    transition = paths["/t/{tenant_slug}/api/v1/projects/projects/{project_id}/transitions/"]["post"]
    assert {"200", "400", "403", "404"} <= set(transition["responses"])
    listed = paths["/t/{tenant_slug}/api/v1/projects/projects/"]["get"]
    assert {"state", "tier", "unit", "year", "direction", "q", "page"} <= {p["name"] for p in listed["parameters"]}
    assert "post" in paths["/t/{tenant_slug}/api/v1/projects/projects/"]
    enums = schema["components"]["schemas"]
    assert enums["ProjectStateEnum"]["enum"] == list(State.values)
    assert "midterm_pass" not in enums["ProjectActionEnum"]["enum"]
    assert {"guides/", "guides/{guide_id}/", "reviews/", "reviews/{review_id}/", "cases/"} <= {
        p.removeprefix("/t/{tenant_slug}/api/v1/projects/") for p in paths
    }


def test_the_planned_dates_are_iso_dates(data, login):
    body = login(data.manager).get(f"{P}/projects/{data.extra['hq'].pk}/").json()
    assert date.fromisoformat(body["planned_start"]) == date(2025, 3, 1)
