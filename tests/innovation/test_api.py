"""The innovation REST API: types and rules, the contribution query (who sees what, filters), recording,
verifying and rejecting with their refusals in the stable error shape, suggestions, archives by employee number
and by unit, listings, other tenants, query counts at two sizes, the schema."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovation.models import Contribution, ContributionType, Credit, RuleVersion, Suggestion
from innovation.services import contributions as contribution_services
from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from tests.factories import make_member
from tests.innovation.factories import make_innovation, make_opl

API = "/t/alpha/api/v1"
I = f"{API}/innovation"  # noqa: E741
ERROR_KEYS = {"code", "message", "field_errors"}
BUILTIN = ["project", "qc", "one_page", "suggestion", "opl"]


@pytest.fixture
def data(tenant_a):
    """tenant_a with make_innovation's rows (2025: an OPL of the employee in the team, verified; a QC activity of
    U1 for the manager 60% and the employee 40%, re-scored, listed with an objection; today: the employee's
    adopted suggestion), and a sibling unit U2 with its manager and an employee; a second employee in the team
    with an OPL waiting for verification."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_innovation(a)
        u2 = unit_create(name="二分公司", code="U2", parent=a.hq)
        manager2 = make_member(u2, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="ALPHA-UM2")
        employee2 = make_member(a.team, [Role.EMPLOYEE], number="ALPHA-EM2")
        other_opl = make_opl(a, employee2, title="同事的一点课", day=date(2025, 5, 5))
    a.extra.update(u2=u2, manager2=manager2, employee2=employee2, other_opl=other_opl)
    return a


def member(a, who):
    return a.extra[who] if who in a.extra else getattr(a, who)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def refused(response, status, code=None):
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) == ERROR_KEYS and body["message"]
    if code:
        assert body["code"] == code
    return body


def titles(response):
    return sorted(row["title"] for row in ok(response)["results"])


OPL, QC, IDEA, OTHER = "点检标准化一点课", "降低磨煤机故障率QC小组", "皮带机加装清扫器", "同事的一点课"


# ---------------------------------------------------------------- types and rules


def test_types_list_hq_types_and_a_units_own(data, login):
    a = data
    client = login(a.employee)
    rows = ok(client.get(f"{I}/types/"))["results"]
    assert [r["code"] for r in rows if r["builtin"]] == BUILTIN
    own = next(r for r in rows if not r["builtin"])
    assert own["name"] == "安全隐患随手拍" and own["unit"] == "U1" and own["recorded_by"] == "self"
    assert next(r for r in rows if r["code"] == "qc") == {
        "code": "qc",
        "name": "QC小组活动",
        "description": "",
        "recorded_by": "manager",
        "unit": None,
        "builtin": True,
    }
    assert len(ok(client.get(f"{I}/types/", {"unit": a.team.pk}))["results"]) == 6  # the team is below U1
    assert [r["code"] for r in ok(client.get(f"{I}/types/", {"unit": a.extra["u2"].pk}))["results"]] == BUILTIN
    refused(client.get(f"{I}/types/", {"unit": 999999}), 400, "invalid")


def test_rule_versions_newest_first_with_the_one_in_force(data, login):
    a = data
    with tenant_scope(a.tenant):
        first = RuleVersion.objects.get(number=1)
        rules = {**first.rules, "base": {**first.rules["base"], "opl": "9"}}
        RuleVersion.objects.create(tenant=a.tenant, number=2, effective_from=date(2099, 1, 1), rules=rules, note="将来")
    client = login(a.employee)
    rows = ok(client.get(f"{I}/rules/"))["results"]
    assert [(r["number"], r["in_force"]) for r in rows] == [(2, False), (1, True)]
    assert rows[0]["rules"]["base"]["opl"] == "9" and rows[0]["effective_from"] == "2099-01-01"
    one = ok(client.get(f"{I}/rules/{first.pk}/"))
    assert one["number"] == 1 and one["in_force"]
    assert one["rules"]["factors"]["breadth"]["team"] == {"value": "0.8", "min": "0.6", "max": "1.0"}
    assert one["rules"]["award"]["national"] == "100" and one["rules"]["unit_base"] == {"min": "1", "max": "50"}
    refused(client.get(f"{I}/rules/999999/"), 404, "not_found")


# ---------------------------------------------------------------- the contribution query


@pytest.mark.parametrize(
    "who, expected",
    [
        ("lean_office", [OPL, QC, IDEA, OTHER]),
        ("manager", [OPL, QC, IDEA, OTHER]),  # U1 and the team below it
        ("employee", [OPL, QC, IDEA]),  # those crediting them
        ("employee2", [OTHER]),
        ("manager2", []),
        ("reviewer", []),
    ],
)
def test_each_role_sees_the_contributions_it_may(data, login, who, expected):
    a = data
    client = login(member(a, who))
    assert titles(client.get(f"{I}/contributions/")) == sorted(expected)
    qc = a.extra["qc"]
    assert client.get(f"{I}/contributions/{qc.pk}/").status_code == (200 if QC in expected else 404)


def test_a_contribution_row_has_its_levels_points_and_credits(data, login):
    a, x = data, data.extra
    rows = ok(login(a.employee).get(f"{I}/contributions/", {"type": "qc"}))["results"]
    assert rows == [
        {
            "id": x["qc"].pk,
            "type": {"code": "qc", "name": "QC小组活动"},
            "title": QC,
            "unit": {"id": a.unit.pk, "code": "U1", "name": a.unit.name},
            "occurred_on": "2025-04-20",
            "levels": {"positioning": "key", "breadth": "unit", "complexity": "medium", "award": "unit"},
            "status": "verified",
            "points": "96.40",  # 60 × 1.2 × 1.0 × 1.2 + 10
            "rule_version": 1,
            "listing_id": x["listing"].pk,
            "final": False,
            "credits": [
                {
                    "employee_number": "ALPHA-UM",
                    "name": a.manager.user.display_name,
                    "share": "60.00",
                    "points": "57.84",
                },
                {
                    "employee_number": "ALPHA-EM",
                    "name": a.employee.user.display_name,
                    "share": "40.00",
                    "points": "38.56",
                },
            ],
        }
    ]


def test_contribution_filters(data, login):
    a = data
    client = login(a.lean_office)

    def listed(**filters):
        return titles(client.get(f"{I}/contributions/", filters))

    assert listed(unit=a.team.pk) == sorted([OPL, IDEA, OTHER])
    assert listed(unit=a.unit.pk) == sorted([OPL, QC, IDEA, OTHER])
    assert listed(unit=a.extra["u2"].pk) == []
    assert listed(employee_number="ALPHA-UM") == [QC]
    assert listed(employee_number="ALPHA-EM", type="opl") == [OPL]
    assert listed(type="suggestion") == [IDEA]
    assert listed(date_from="2025-04-01", date_to="2025-12-31") == sorted([QC, OTHER])
    assert listed(date_to="2025-03-31") == [OPL]
    assert listed(date_from="2026-01-01") == ([IDEA] if timezone.localdate().year >= 2026 else [])
    assert listed(status="submitted") == [OTHER]
    assert listed(status="verified", unit=a.team.pk) == sorted([OPL, IDEA])

    for bad, field in [
        ({"type": "nope"}, "type"),
        ({"status": "flying"}, "status"),
        ({"unit": 999999}, "unit"),
        ({"employee_number": "NOBODY"}, "employee_number"),
        ({"date_from": "soon"}, "date_from"),
        ({"date_from": "2025-05-01", "date_to": "2025-04-01"}, "date_to"),
    ]:
        body = refused(client.get(f"{I}/contributions/", bad), 400, "invalid")
        assert field in body["field_errors"], bad


def test_filtering_by_a_person_one_may_not_see_reads_as_unknown(data, login):
    a = data
    body = refused(login(a.employee).get(f"{I}/contributions/", {"employee_number": "ALPHA-UM"}), 400, "invalid")
    assert "employee_number" in body["field_errors"]
    assert titles(login(a.manager).get(f"{I}/contributions/", {"employee_number": "ALPHA-EM2"})) == [OTHER]


def test_the_detail_shows_the_scoring_and_the_rescores(data, login):
    a, x = data, data.extra
    body = ok(login(a.manager).get(f"{I}/contributions/{x['qc'].pk}/"))
    assert body["scoring"]["base"] == "60" and body["scoring"]["base_from"] == "hq"
    assert body["scoring"]["factors"]["positioning"] == {"level": "key", "value": "1.2", "source": "hq"}
    assert body["scoring"]["award"] == {"level": "unit", "bonus": "10"} and body["scoring"]["points"] == "96.40"
    assert body["scoring"]["version"] == 1
    (rescore,) = body["rescores"]
    assert rescore["reason"] == "复核" and rescore["before_points"] == rescore["after_points"] == "96.40"
    assert rescore["before_version"] == rescore["after_version"] == 1
    assert rescore["actor"]["employee_number"] == "ALPHA-LO"
    assert body["recorded_by"]["employee_number"] == "ALPHA-UM" and body["verified_by"]["id"] == a.manager.pk
    assert body["project_id"] is None and body["suggestion_id"] is None and body["rejection_reason"] == ""
    idea = ok(login(a.employee).get(f"{I}/contributions/", {"type": "suggestion"}))["results"][0]
    assert ok(login(a.employee).get(f"{I}/contributions/{idea['id']}/"))["suggestion_id"] == x["suggestion"].pk


# ---------------------------------------------------------------- recording


def contribution_count(a):
    with tenant_scope(a.tenant):
        return Contribution.objects.count(), Credit.objects.count()


def test_an_employee_records_an_opl_that_waits_for_verification(data, login):
    a = data
    body = {
        "type": "opl",
        "title": "  皮带跑偏调整一点课 ",
        "occurred_on": "2025-09-01",
        "levels": {"complexity": "medium"},
    }
    created = ok(post(login(a.employee), f"{I}/contributions/", body), 201)
    assert created["title"] == "皮带跑偏调整一点课" and created["status"] == "submitted"
    assert created["unit"]["code"] == "U1-T1" and created["occurred_on"] == "2025-09-01"
    assert created["levels"] == {"positioning": "general", "breadth": "team", "complexity": "medium", "award": "none"}
    assert created["points"] == "7.68"  # 8 × 1.0 × 0.8 × 1.2
    assert created["credits"] == [
        {"employee_number": "ALPHA-EM", "name": a.employee.user.display_name, "share": "100.00", "points": "7.68"}
    ]
    assert created["recorded_by"]["id"] == a.employee.pk and created["verified_by"] is None


def test_a_manager_records_a_qc_activity_for_a_team_verified_at_once(data, login):
    a = data
    body = {
        "type": "qc",
        "title": "提高化验准确率QC小组",
        "occurred_on": "2025-10-10",
        "unit_id": a.team.pk,
        "levels": {"positioning": "general", "breadth": "unit", "complexity": "low", "award": "none"},
        "team": [
            {"employee_number": "ALPHA-EM", "share": "33.33"},
            {"employee_number": "ALPHA-EM2", "share": "33.33"},
            {"employee_number": "ALPHA-UM", "share": "33.34"},
        ],
    }
    created = ok(post(login(a.manager), f"{I}/contributions/", body), 201)
    assert created["status"] == "verified" and created["points"] == "60.00"
    assert created["verified_by"]["id"] == a.manager.pk
    assert [c["points"] for c in created["credits"]] == ["20.00", "20.00", "20.00"]
    assert sum(D(c["points"]) for c in created["credits"]) == D(created["points"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "无类型", "occurred_on": "2025-09-01"}, "type"),
        ({"type": "nope", "title": "x", "occurred_on": "2025-09-01"}, "type"),
        ({"type": "opl", "occurred_on": "2025-09-01"}, "title"),
        ({"type": "opl", "title": "x"}, "occurred_on"),
        ({"type": "opl", "title": "x", "occurred_on": "yesterday"}, "occurred_on"),
        ({"type": "opl", "title": "x", "occurred_on": "2025-09-01", "levels": {"award": "nobel"}}, "levels"),
        ({"type": "opl", "title": "x", "occurred_on": "2025-09-01", "unit_id": 999999}, "unit_id"),
        (
            {"type": "opl", "title": "x", "occurred_on": "2025-09-01", "team": [{"employee_number": "NOBODY"}]},
            "team",
        ),
    ],
)
def test_bad_input_names_its_field_and_stores_nothing(data, login, body, field):
    a = data
    before = contribution_count(a)
    errors = refused(post(login(a.employee), f"{I}/contributions/", body), 400, "invalid")
    assert field in errors["field_errors"]
    assert contribution_count(a) == before


def test_broken_rules_answer_400_with_a_stable_code_and_a_wrong_role_403(data, login):
    a = data
    before = contribution_count(a)
    client = login(a.employee)
    shares = {
        "type": "opl",
        "title": "分摊不对",
        "occurred_on": "2025-09-01",
        "team": [{"employee_number": "ALPHA-EM", "share": "50"}, {"employee_number": "ALPHA-EM2", "share": "30"}],
    }
    errors = refused(post(client, f"{I}/contributions/", shares), 400, "invalid_team")
    assert errors["field_errors"]["team"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    body = {"type": "opl", "title": "未来", "occurred_on": future}
    assert "occurred_on" in refused(post(client, f"{I}/contributions/", body), 400, "invalid")["field_errors"]
    automatic = {"type": "suggestion", "title": "自动", "occurred_on": "2025-09-01"}
    refused(post(client, f"{I}/contributions/", automatic), 400, "recorded_automatically")
    by_manager = {"type": "qc", "title": "员工不能记录QC", "occurred_on": "2025-09-01"}
    refused(post(client, f"{I}/contributions/", by_manager), 403, "permission_denied")
    elsewhere = {"type": "opl", "title": "别的单位", "occurred_on": "2025-09-01", "unit_id": a.extra["u2"].pk}
    refused(post(client, f"{I}/contributions/", elsewhere), 403, "permission_denied")
    assert contribution_count(a) == before


# ---------------------------------------------------------------- verifying and rejecting


def test_the_units_manager_verifies_with_adjusted_levels_once(data, login):
    a, other = data, data.extra["other_opl"]
    url = f"{I}/contributions/{other.pk}/verify/"
    refused(post(login(a.extra["employee2"]), url), 403, "permission_denied")  # sees it, may not verify it
    refused(post(login(a.extra["manager2"]), url), 404)  # another unit's: not found
    refused(post(login(a.manager), url, {"levels": {"complexity": "extreme"}}), 400, "invalid")
    body = ok(post(login(a.manager), url, {"levels": {"complexity": "high"}}))
    assert body["status"] == "verified" and body["verified_by"]["id"] == a.manager.pk
    assert body["levels"] == {"positioning": "general", "breadth": "team", "complexity": "high", "award": "none"}
    assert body["points"] == "9.60" and body["credits"][0]["points"] == "9.60"  # 8 × 1.0 × 0.8 × 1.5
    refused(post(login(a.lean_office), url), 400, "wrong_state")


def test_verifying_without_levels_keeps_the_points(data, login):
    a, other = data, data.extra["other_opl"]
    body = ok(post(login(a.lean_office), f"{I}/contributions/{other.pk}/verify/"))
    assert body["status"] == "verified" and body["points"] == "6.40"


def test_rejecting_needs_a_reason_and_the_right_role(data, login):
    a, other = data, data.extra["other_opl"]
    url = f"{I}/contributions/{other.pk}/reject/"
    refused(post(login(a.extra["employee2"]), url, {"reason": "我自己"}), 403, "permission_denied")
    refused(post(login(a.reviewer), url, {"reason": "评审专家"}), 404)
    assert "reason" in refused(post(login(a.manager), url, {"reason": "  "}), 400, "invalid")["field_errors"]
    assert "reason" in refused(post(login(a.manager), url), 400, "invalid")["field_errors"]
    body = ok(post(login(a.manager), url, {"reason": "与已有一点课重复"}))
    assert body["status"] == "rejected" and body["rejection_reason"] == "与已有一点课重复"
    refused(post(login(a.lean_office), url, {"reason": "再次"}), 400, "wrong_state")
    refused(post(login(a.lean_office), f"{I}/contributions/{other.pk}/verify/"), 400, "wrong_state")


def test_verify_and_reject_take_post_only(data, login):
    client = login(data.lean_office)
    other = data.extra["other_opl"]
    assert client.get(f"{I}/contributions/{other.pk}/verify/").status_code == 405
    assert client.get(f"{I}/contributions/{other.pk}/reject/").status_code == 405


# ---------------------------------------------------------------- suggestions


def test_suggestions_seen_submitted_and_read(data, login):
    a, x = data, data.extra
    employee = login(a.employee)
    (idea,) = ok(employee.get(f"{I}/suggestions/"))["results"]
    assert idea["title"] == IDEA and idea["state"] == "adopted" and idea["proposer"]["employee_number"] == "ALPHA-EM"
    assert idea["unit"]["code"] == "U1-T1" and idea["decided_at"]

    body = {"title": "  料斗加装振打器 ", "problem": "下料不畅", "proposal": "加装振打器"}
    created = ok(post(employee, f"{I}/suggestions/", body), 201)
    assert created["title"] == "料斗加装振打器" and created["state"] == "submitted"
    assert created["problem"] == "下料不畅" and created["expected_benefit"] == "" and created["evaluation"] == ""
    assert [s["title"] for s in ok(employee.get(f"{I}/suggestions/"))["results"]] == ["料斗加装振打器", IDEA]
    assert [s["title"] for s in ok(employee.get(f"{I}/suggestions/", {"state": "adopted"}))["results"]] == [IDEA]

    detail = ok(login(a.manager).get(f"{I}/suggestions/{x['suggestion'].pk}/"))
    assert detail["evaluation"] == "可行" and detail["proposal"] == "加装"
    assert len(ok(login(a.manager).get(f"{I}/suggestions/"))["results"]) == 2  # their unit's
    assert ok(login(a.extra["manager2"]).get(f"{I}/suggestions/"))["results"] == []
    refused(login(a.extra["manager2"]).get(f"{I}/suggestions/{x['suggestion'].pk}/"), 404)
    refused(login(a.extra["employee2"]).get(f"{I}/suggestions/{x['suggestion'].pk}/"), 404)


def test_a_bad_suggestion_names_its_fields_and_stores_nothing(data, login):
    a = data
    client = login(a.employee)
    errors = refused(post(client, f"{I}/suggestions/", {"title": "只有标题", "problem": " "}), 400, "invalid")
    assert {"problem", "proposal"} <= set(errors["field_errors"])
    refused(client.get(f"{I}/suggestions/", {"state": "flying"}), 400, "invalid")
    with tenant_scope(a.tenant):
        assert Suggestion.objects.count() == 1


# ---------------------------------------------------------------- archives


def archive_url(number):
    return f"{I}/archives/employees/{number}/"


def test_a_persons_archive_by_employee_number(data, login):
    a, x = data, data.extra
    a.tenant.ranking_enabled = True
    a.tenant.save(update_fields=["ranking_enabled"])
    body = ok(login(a.employee).get(archive_url("ALPHA-EM"), {"year": 2025}))
    assert body["employee"]["employee_number"] == "ALPHA-EM" and body["employee"]["unit"]["code"] == "U1-T1"
    assert body["year"] == 2025 and body["total"] == "44.96"  # 6.40 + 38.56
    assert body["final"] == "0.00" and body["rank"] == {"rank": 1, "of": 2}
    assert {(r["type"]["code"], r["count"], r["points"]) for r in body["by_type"]} == {
        ("opl", 1, "6.40"),
        ("qc", 1, "38.56"),
    }
    page = body["contributions"]
    assert page["count"] == 2 and page["next"] is None
    assert [(c["title"], c["share"], c["points"], c["contribution_points"]) for c in page["results"]] == [
        (QC, "40.00", "38.56", "96.40"),
        (OPL, "100.00", "6.40", "6.40"),
    ]
    assert page["results"][0]["listing_id"] == x["listing"].pk and page["results"][0]["status"] == "verified"
    assert {i["kind"] for i in body["incentives"]} == {"studio", "bonus"}

    every_year = ok(login(a.employee).get(archive_url("ALPHA-EM")))
    assert every_year["year"] is None and every_year["total"] == "48.96" and every_year["contributions"]["count"] == 3
    assert {(r["year"], r["points"]) for r in every_year["by_year"]} == {
        (2025, "44.96"),
        (timezone.localdate().year, "4.00"),
    }
    assert ok(login(a.employee).get(archive_url("ALPHA-EM"), {"year": 2024}))["contributions"]["count"] == 0
    refused(login(a.employee).get(archive_url("ALPHA-EM"), {"year": "last"}), 400, "invalid")


@pytest.mark.parametrize(
    "who, number, status",
    [
        ("employee", "ALPHA-EM", 200),  # their own
        ("employee", "ALPHA-EM2", 404),  # a colleague's
        ("employee", "ALPHA-UM", 404),  # their manager's
        ("employee2", "ALPHA-EM", 404),
        ("manager", "ALPHA-EM", 200),  # the manager of the unit above the employee's team
        ("manager", "ALPHA-UM2", 404),
        ("manager2", "ALPHA-EM", 404),  # a manager of another unit
        ("reviewer", "ALPHA-EM", 404),
        ("lean_office", "ALPHA-EM", 200),
        ("lean_office", "NOBODY", 404),
    ],
)
def test_who_may_open_an_archive(data, login, who, number, status):
    response = login(member(data, who)).get(archive_url(number))
    assert response.status_code == status
    if status == 404:
        assert set(response.json()) == ERROR_KEYS


def test_a_units_archive_for_a_year(data, login):
    a = data
    body = ok(login(a.manager).get(f"{I}/archives/units/{a.unit.pk}/", {"year": 2025}))
    assert body["unit"]["code"] == "U1" and body["year"] == 2025
    assert body["people"] == 3 and body["participants"] == 2 and body["participation"] == "0.6667"
    assert body["points"] == "102.80"  # 6.40 + 96.40
    assert {(r["type"]["code"], r["count"], r["points"]) for r in body["by_type"]} == {
        ("opl", 1, "6.40"),
        ("qc", 1, "96.40"),
    }
    # Rankings off (the default): the contributors by employee number.
    assert [(t["employee_number"], t["points"], t["count"]) for t in body["top"]] == [
        ("ALPHA-EM", "44.96", 2),
        ("ALPHA-UM", "57.84", 1),
    ]
    a.tenant.ranking_enabled = True
    a.tenant.save(update_fields=["ranking_enabled"])
    body = ok(login(a.manager).get(f"{I}/archives/units/{a.unit.pk}/", {"year": 2025}))
    assert [(t["employee_number"], t["points"], t["count"]) for t in body["top"]] == [
        ("ALPHA-UM", "57.84", 1),
        ("ALPHA-EM", "44.96", 2),
    ]
    assert body["top"][0]["name"] == a.manager.user.display_name

    this_year = ok(login(a.lean_office).get(f"{I}/archives/units/{a.hq.pk}/"))
    assert this_year["year"] == timezone.localdate().year and this_year["points"] == "4.00"
    assert ok(login(a.manager).get(f"{I}/archives/units/{a.team.pk}/", {"year": 2024}))["participation"] == "0.0000"
    refused(login(a.manager).get(f"{I}/archives/units/{a.unit.pk}/", {"year": "x"}), 400, "invalid")


@pytest.mark.parametrize(
    "who, unit, status",
    [
        ("manager", "unit", 200),
        ("manager", "team", 200),
        ("manager", "hq", 403),
        ("manager2", "unit", 403),
        ("employee", "team", 403),
        ("reviewer", "hq", 403),
        ("lean_office", "team", 200),
    ],
)
def test_who_may_open_a_units_archive(data, login, who, unit, status):
    response = login(member(data, who)).get(f"{I}/archives/units/{getattr(data, unit).pk}/")
    assert response.status_code == status
    if status != 200:
        assert set(response.json()) == ERROR_KEYS


# ---------------------------------------------------------------- listings


def test_every_member_sees_the_listings_with_contributions_and_objections(data, login):
    a, x = data, data.extra
    client = login(a.extra["employee2"])
    (listing,) = ok(client.get(f"{I}/listings/"))["results"]
    assert listing["id"] == x["listing"].pk and listing["state"] == "open"
    assert listing["period_start"] == "2025-01-01" and listing["period_end"] == "2025-06-30"
    assert (listing["contribution_count"], listing["objection_count"], listing["open_objection_count"]) == (2, 1, 1)
    assert ok(client.get(f"{I}/listings/", {"state": "final"}))["results"] == []
    refused(client.get(f"{I}/listings/", {"state": "closed"}), 400, "invalid")

    body = ok(client.get(f"{I}/listings/{x['listing'].pk}/"))
    assert body["title"] == listing["title"] and body["finalized_at"] is None
    page = body["contributions"]
    assert page["count"] == 2
    by_title = {row["title"]: row for row in page["results"]}
    assert by_title[QC]["open_objections"] == 1 and by_title[OPL]["open_objections"] == 0
    assert [c["employee_number"] for c in by_title[QC]["credits"]] == ["ALPHA-UM", "ALPHA-EM"]
    narrowed = ok(client.get(f"{I}/listings/{x['listing'].pk}/", {"unit": a.team.pk}))["contributions"]
    assert [row["title"] for row in narrowed["results"]] == [OPL]
    refused(client.get(f"{I}/listings/{x['listing'].pk}/", {"unit": 999999}), 400, "invalid")
    refused(client.get(f"{I}/listings/999999/"), 404)


# ---------------------------------------------------------------- other tenants


def test_another_tenants_rows_are_not_found(two_tenants, login):
    a, b = two_tenants
    x = b.extra
    client = login(a.lean_office)
    with tenant_scope(b.tenant):
        rule = RuleVersion.objects.first()
    for url in [
        f"{I}/contributions/{x['qc'].pk}/",
        f"{I}/suggestions/{x['suggestion'].pk}/",
        f"{I}/listings/{x['listing'].pk}/",
        f"{I}/rules/{rule.pk}/",
        f"{I}/archives/units/{b.unit.pk}/",
        archive_url(b.employee.employee_number),
    ]:
        refused(client.get(url), 404)
    for action in ("verify", "reject"):
        refused(post(client, f"{I}/contributions/{x['opl'].pk}/{action}/", {"reason": "跨租户"}), 404)
    refused(client.get(f"{I}/contributions/", {"unit": b.unit.pk}), 400)
    refused(client.get(f"{I}/contributions/", {"employee_number": b.employee.employee_number}), 400)
    body = {"type": "opl", "title": "跨租户", "occurred_on": "2025-09-01", "unit_id": b.unit.pk}
    refused(post(client, f"{I}/contributions/", body), 400)
    body = {"type": "qc", "title": "跨租户", "occurred_on": "2025-09-01", "team": [{"employee_number": "BETA-EM"}]}
    refused(post(client, f"{I}/contributions/", body), 400)
    assert client.get(f"/t/beta/api/v1/innovation/contributions/{x['qc'].pk}/").status_code == 404
    ids = {row["id"] for row in ok(client.get(f"{I}/contributions/"))["results"]}
    with tenant_scope(a.tenant):
        assert ids == set(Contribution.objects.values_list("id", flat=True))


# ---------------------------------------------------------------- query counts


@pytest.fixture
def sized(data):
    """grow(n) adds n verified contributions of the team (bulk-created, quickly), each crediting the employee and
    the second employee half and half, in the listing, in 2025."""
    a = data
    with tenant_scope(a.tenant):
        kind = ContributionType.objects.get(code="opl")
        version = RuleVersion.objects.get(number=1)

    def grow(n):
        with tenant_scope(a.tenant):
            rows = Contribution.objects.bulk_create(
                [
                    Contribution(
                        tenant=a.tenant,
                        type=kind,
                        unit=a.team,
                        title=f"批量{i}",
                        occurred_on=date(2025, 1 + i % 6, 1 + i % 28),
                        status=Contribution.Status.VERIFIED,
                        points=D("6.40"),
                        rule_version=version,
                        listing=a.extra["listing"],
                        recorded_by=a.employee,
                    )
                    for i in range(n)
                ]
            )
            Credit.objects.bulk_create(
                [
                    Credit(tenant=a.tenant, contribution=row, member=person, share=D(50), points=D("3.20"))
                    for row in rows
                    for person in (a.employee, a.extra["employee2"])
                ]
            )

    a.extra.update(grow=grow)
    return a


@pytest.mark.parametrize(
    "who, url",
    [
        ("lean_office", "contributions/"),
        ("manager", "contributions/?type=opl&unit={team}&date_from=2025-01-01"),
        ("employee", "contributions/"),
        ("employee", "archives/employees/ALPHA-EM/"),
        ("manager", "archives/employees/ALPHA-EM/?year=2025"),
        ("manager", "archives/units/{unit}/?year=2025"),
        ("employee", "listings/{listing}/"),
        ("lean_office", "listings/{listing}/?unit={team}"),
        ("lean_office", "listings/"),
        ("employee", "suggestions/"),
        ("employee", "types/"),
        ("employee", "rules/"),
    ],
)
def test_lists_run_the_same_number_of_queries_for_few_and_many_rows(sized, login, who, url):
    a = sized
    client = login(member(a, who))
    url = f"{I}/" + url.format(team=a.team.pk, unit=a.unit.pk, listing=a.extra["listing"].pk)

    def queries(grow_to):
        a.extra["grow"](grow_to)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, response.json()
        return len(context), response.json()

    few, small = queries(3)
    many, large = queries(150)
    assert few == many
    if "contributions" in large and isinstance(large["contributions"], dict):
        assert large["contributions"]["count"] > 100 and len(large["contributions"]["results"]) == 100
    if url.endswith("contributions/"):
        assert large["count"] > 100 and len(large["results"]) == 100


def test_the_contribution_detail_runs_the_same_queries_for_many_credits_and_rescores(data, login):
    a, qc = data, data.extra["qc"]
    client = login(a.lean_office)

    def queries():
        with CaptureQueriesContext(connection) as context:
            ok(client.get(f"{I}/contributions/{qc.pk}/"))
        return len(context)

    small = queries()
    with tenant_scope(a.tenant):
        for i in range(3):
            contribution_services.contribution_rescore(actor=a.lean_office, contribution=qc, reason=f"第{i}次复核")
        people = [make_member(a.unit, [Role.EMPLOYEE]) for _ in range(5)]
        Credit.objects.bulk_create(
            [Credit(tenant=a.tenant, contribution=qc, member=p, share=D(1), points=D(0)) for p in people]
        )
    assert queries() == small


# ---------------------------------------------------------------- schema


def test_the_schema_lists_the_innovation_operations(tenant_a, login):
    response = login(tenant_a.employee).get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = {p.removeprefix("/t/{tenant_slug}/api/v1/innovation/"): v for p, v in schema["paths"].items()}
    assert {
        "types/",
        "rules/",
        "rules/{ruleversion_id}/",
        "contributions/",
        "contributions/{contribution_id}/",
        "contributions/{contribution_id}/verify/",
        "contributions/{contribution_id}/reject/",
        "suggestions/",
        "suggestions/{suggestion_id}/",
        "archives/employees/{employee_number}/",
        "archives/units/{unit_id}/",
        "listings/",
        "listings/{listing_id}/",
    } <= set(paths)
    assert {"200", "400", "403", "404"} <= set(paths["contributions/{contribution_id}/verify/"]["post"]["responses"])
    assert {"201", "400", "403"} <= set(paths["contributions/"]["post"]["responses"])
    listed = {p["name"] for p in paths["contributions/"]["get"]["parameters"]}
    assert {"unit", "employee_number", "type", "date_from", "date_to", "status", "page"} <= listed
    enums = schema["components"]["schemas"]
    assert enums["ContributionStatusEnum"]["enum"] == list(Contribution.Status.values)
    assert enums["AwardLevelEnum"]["enum"] == ["none", "unit", "company", "provincial", "national"]
