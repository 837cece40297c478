"""Innovation services: rule versions and tuning, recording and verification, re-scoring, closed projects'
points (once), suggestions, listings with objections and finalization, incentives."""

import threading
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from innovation import points
from innovation.models import Contribution, Credit, Incentive, Listing, Objection, Rescore, Suggestion
from innovation.selectors import Period, adoption_rates
from innovation.services import contributions, incentives, listings, scoring, suggestions
from innovation.services.contributions import Levels
from lean.errors import ApplicationError
from lean.models import Notification, Role
from lean.tenancy import tenant_scope
from tests.factories import make_member, populate
from tests.innovation.factories import close_project, kind, make_opl, make_qc

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(tenant_a):
    with tenant_scope(tenant_a.tenant):
        scoring.innovation_setup()
    return tenant_a


def new_rules(**changes):
    rules = {
        k: dict(v) if isinstance(v, dict) else v
        for k, v in scoring.rule_version_for(timezone.localdate()).rules.items()
    }
    rules["base"] = {**rules["base"], **changes}
    return rules


# ---------------------------------------------------------------- rules, versions, tuning


def test_a_new_tenant_starts_with_the_five_types_and_default_rules(a):
    with tenant_scope(a.tenant):
        codes = set(kind("qc").__class__.objects.values_list("code", flat=True))
        assert codes == {"project", "qc", "one_page", "suggestion", "opl"}
        assert scoring.rule_version_for(date(2025, 1, 1)).rules == points.validate_rules(
            points.DEFAULT_RULES, list(codes)
        )


def test_old_contributions_keep_their_points_under_a_new_version(a):
    with tenant_scope(a.tenant):
        before = make_opl(a, day=date(2025, 3, 10))
        assert before.points == D("6.40")  # 8 × general 1.0 × team 0.8 × low 1.0
        version = scoring.rule_version_create(
            actor=a.lean_office, rules=new_rules(opl="10"), effective_from=date(2025, 6, 1), note="2025下半年"
        )
        before.refresh_from_db()
        assert before.points == D("6.40") and before.rule_version.number == 1
        after = make_opl(a, day=date(2025, 6, 2))
        assert after.points == D("8.00") and after.rule_version == version
        earlier_date = make_opl(a, day=date(2025, 5, 31))  # recorded now, scored by the rules of its date
        assert earlier_date.points == D("6.40")


def test_only_the_lean_office_sets_rules_and_bad_rules_list_every_problem(a):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            scoring.rule_version_create(actor=a.manager, rules=new_rules(), effective_from=date(2025, 1, 1))
        assert error.value.code == "permission_denied"
        bad = new_rules(qc="0")
        bad["factors"] = {
            **bad["factors"],
            "breadth": {**bad["factors"]["breadth"], "team": {"value": "2", "min": "0.6", "max": "1.0"}},
        }
        with pytest.raises(ApplicationError) as error:
            scoring.rule_version_create(actor=a.lean_office, rules=bad, effective_from=date(2025, 1, 1))
        assert error.value.code == "invalid_rules"
        assert set(error.value.field_errors) == {"base.qc", "factors.breadth.team.value"}
        assert scoring.rule_version_for(date(2030, 1, 1)).number == 1


def test_unit_tuning_inside_bounds_applies_to_the_unit_and_below(a):
    with tenant_scope(a.tenant):
        scoring.tuning_create(
            actor=a.manager,
            unit=a.unit,
            factors={"breadth": {"team": "1.0"}},
            type_base={},
            effective_from=date(2025, 1, 1),
        )
        tuned = make_opl(a)  # the employee is in a team below the unit
        assert tuned.points == D("8.00") and tuned.tuning is not None
        assert tuned.scoring["factors"]["breadth"]["from"] == "unit"
        hq_member = make_member(a.hq, [Role.EMPLOYEE])
        untuned = make_opl(a, hq_member)
        assert untuned.points == D("6.40") and untuned.tuning is None


def test_unit_tuning_outside_bounds_is_refused_and_nothing_stored(a):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            scoring.tuning_create(
                actor=a.manager,
                unit=a.unit,
                factors={"breadth": {"team": "1.01"}, "complexity": {"low": "0.7"}},
                type_base={},
                effective_from=date(2025, 1, 1),
            )
        assert error.value.code == "outside_bounds"
        assert set(error.value.field_errors) == {"factors.breadth.team", "factors.complexity.low"}
        assert scoring.tuning_for(a.team, date(2025, 6, 1)) is None
        with pytest.raises(ApplicationError) as error:  # another unit's manager may not tune this one
            other = make_member(a.hq, [Role.UNIT_MANAGER])
            scoring.tuning_create(
                actor=other.__class__.objects.get(pk=a.employee.pk),
                unit=a.unit,
                factors={},
                type_base={},
                effective_from=date(2025, 1, 1),
            )
        assert error.value.code == "permission_denied"


def test_a_unit_adds_its_own_type_within_hqs_base_bounds(a):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            scoring.type_create(actor=a.manager, name="隐患随手拍", base=D(51), unit=a.unit)
        assert error.value.code == "outside_bounds"
        assert not kind("qc").__class__.objects.filter(name="隐患随手拍").exists()
        own = scoring.type_create(actor=a.manager, name="隐患随手拍", base=D(4), unit=a.unit)
        assert own in scoring.types_for_unit(a.team) and own not in scoring.types_for_unit(a.hq)
        done = contributions.contribution_record(
            actor=a.employee, kind=own, title="发现皮带跑偏", occurred_on=timezone.localdate(), levels=Levels()
        )
        assert done.points == D("3.20")  # 4 × 1.0 × 0.8 × 1.0
        hq_type = scoring.type_create(actor=a.lean_office, name="精益标杆班组创建", base=D(40))
        assert scoring.rule_version_for(timezone.localdate()).rules["base"][hq_type.code] == "40"


# ---------------------------------------------------------------- recording, verification, re-scoring


def test_an_employee_records_their_own_and_the_manager_verifies(a):
    with tenant_scope(a.tenant):
        opl = make_opl(a)
        assert opl.status == Contribution.Status.SUBMITTED and opl.credits.get().member == a.employee
        with pytest.raises(ApplicationError):
            contributions.contribution_verify(actor=a.employee, contribution=opl)
        contributions.contribution_verify(actor=a.manager, contribution=opl, levels=Levels("key", "unit", "low"))
        opl.refresh_from_db()
        assert opl.status == "verified" and opl.verified_by == a.manager
        assert opl.points == D("9.60") and opl.credits.get().points == D("9.60")
        with pytest.raises(ApplicationError) as error:
            contributions.contribution_reject(actor=a.manager, contribution=opl, reason="重复")
        assert error.value.code == "wrong_state"


def test_qc_circles_are_recorded_by_managers_only(a):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            contributions.contribution_record(
                actor=a.employee, kind=kind("qc"), title="QC", occurred_on=date(2025, 1, 1), levels=Levels()
            )
        assert error.value.code == "permission_denied"
        qc = make_qc(a)
        assert qc.status == "verified"  # the recorder may verify


@pytest.mark.parametrize(
    ("team", "message_part"),
    [
        ([("manager", "60"), ("employee", "30")], "90"),
        ([("manager", "50"), ("manager", "50")], "重复填写"),
        ([("manager", "0"), ("employee", "100")], "须大于 0"),
        ([("manager", "33.333"), ("employee", "66.667")], "最多两位小数"),
        ([], "至少填写一名人员"),
    ],
)
def test_a_bad_team_is_refused_and_nothing_stored(a, team, message_part):
    with tenant_scope(a.tenant):
        count = Contribution.objects.count()
        with pytest.raises(ApplicationError) as error:
            contributions.contribution_record(
                actor=a.manager,
                kind=kind("qc"),
                title="QC",
                occurred_on=date(2025, 1, 1),
                levels=Levels(),
                unit=a.unit,
                team=[(getattr(a, who), D(share)) for who, share in team] or None,
            ) if team else contributions._check_team([])
        assert message_part in str(error.value.message)
        assert Contribution.objects.count() == count


def test_a_team_split_adds_up_exactly_in_the_database(a):
    with tenant_scope(a.tenant):
        third = make_member(a.team, [Role.EMPLOYEE])
        qc = make_qc(
            a,
            team=[(a.manager, D("33.33")), (a.employee, D("33.33")), (third, D("33.34"))],
            levels=Levels("strategic", "cross_unit", "high", "national"),
        )
        assert qc.points == D("60") * D("1.5") * D("1.3") * D("1.5") + 100 == D("275.50")
        parts = list(Credit.objects.filter(contribution=qc).order_by("id").values_list("points", flat=True))
        assert sum(parts) == D("275.50") and parts == [D("91.83"), D("91.82"), D("91.85")]


def test_a_rescore_is_explicit_audited_and_never_touches_final_points(a):
    with tenant_scope(a.tenant):
        qc = make_qc(a)
        assert qc.points == D("96.40")
        scoring.rule_version_create(actor=a.lean_office, rules=new_rules(qc="80"), effective_from=date(2025, 1, 1))
        qc.refresh_from_db()
        assert qc.points == D("96.40")  # a new version changes nothing by itself
        with pytest.raises(ApplicationError) as error:
            contributions.contribution_rescore(actor=a.manager, contribution=qc, reason="新规则")
        assert error.value.code == "permission_denied"
        rescore = contributions.contribution_rescore(actor=a.lean_office, contribution=qc, reason="执行新规则")
        qc.refresh_from_db()
        assert (rescore.before_points, rescore.after_points) == (D("96.40"), D("125.20"))
        assert (rescore.before_version.number, rescore.after_version.number) == (1, 2)
        assert rescore.before["credits"] == {str(a.manager.pk): "57.84", str(a.employee.pk): "38.56"}
        assert rescore.after["credits"] == {str(a.manager.pk): "75.12", str(a.employee.pk): "50.08"}
        assert qc.history.first().history_user == a.lean_office.user
        Contribution.objects.filter(pk=qc.pk).update(final=True)
        with pytest.raises(ApplicationError) as error:
            contributions.contribution_rescore(actor=a.lean_office, contribution=qc, reason="再改")
        assert error.value.code == "final" and Rescore.objects.filter(contribution=qc).count() == 1


# ---------------------------------------------------------------- closed projects


def test_closing_a_project_awards_its_team_once(tenant_a, django_capture_on_commit_callbacks):
    a = populate(tenant_a)
    with tenant_scope(a.tenant), django_capture_on_commit_callbacks(execute=True):
        project = close_project(a)
    with tenant_scope(a.tenant):
        award = Contribution.objects.get(project=project)
        # 1,200,000 CNY signed off → strategic (above the HQ tier's key); one unit → unit breadth; judged
        # medium; excellent → company award: 100×1.5×1.0×1.2+30
        assert award.points == D("210.00") and award.status == "verified"
        assert {c.member_id: c.points for c in award.credits.all()} == {
            a.manager.pk: D("126.00"),
            a.employee.pk: D("84.00"),
        }
        again = contributions.contribution_from_project(project=project)
        assert again == award and Contribution.objects.filter(project=project).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_closing_at_once_award_once(tenant_a):
    a = populate(tenant_a)
    with tenant_scope(a.tenant):
        project = close_project(a)
    with tenant_scope(a.tenant):  # closing committed and awarded; take it back to race two awards
        Contribution.objects.get(project=project).delete()
    barrier = threading.Barrier(2)
    results = []

    def award():
        try:
            with tenant_scope(a.tenant):
                barrier.wait()
                results.append(contributions.contribution_from_project(project=project).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=award) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    with tenant_scope(a.tenant):
        assert Contribution.objects.filter(project=project).count() == 1
        assert Credit.objects.filter(contribution__project=project).count() == 2


def test_a_project_that_is_not_closed_awards_nothing(tenant_a):
    a = populate(tenant_a)
    with tenant_scope(a.tenant):
        assert contributions.contribution_from_project(project=a.extra["project"]) is None


# ---------------------------------------------------------------- suggestions


def test_the_suggestion_flow_and_the_adoption_rate(a):
    with tenant_scope(a.tenant):
        ideas = [
            suggestions.suggestion_submit(actor=a.employee, title=f"建议{i}", problem="问题", proposal="做法")
            for i in range(4)
        ]
        assert Notification.objects.filter(recipient=a.manager, title__contains="建议0").exists()
        with pytest.raises(ApplicationError) as error:
            suggestions.suggestion_decide(actor=a.manager, suggestion=ideas[0], adopt=True)
        assert error.value.code == "wrong_state"  # evaluate first
        with pytest.raises(ApplicationError) as error:
            suggestions.suggestion_evaluate(actor=a.employee, suggestion=ideas[0], evaluation="好")
        assert error.value.code == "permission_denied"
        for idea in ideas[:3]:
            suggestions.suggestion_evaluate(actor=a.manager, suggestion=idea, evaluation="可行性分析")
        suggestions.suggestion_decide(
            actor=a.manager, suggestion=ideas[0], adopt=True, levels=Levels(complexity="medium")
        )
        with pytest.raises(ApplicationError) as error:
            suggestions.suggestion_decide(actor=a.manager, suggestion=ideas[1], adopt=False)
        assert error.value.code == "reason_required"
        suggestions.suggestion_decide(actor=a.manager, suggestion=ideas[1], adopt=False, reason="已有同类措施")
        suggestions.suggestion_decide(actor=a.manager, suggestion=ideas[2], adopt=True)
        suggestions.suggestion_implement(actor=a.manager, suggestion=ideas[2], note="已加装")
        states = [Suggestion.objects.get(pk=i.pk).state for i in ideas]
        assert states == ["adopted", "not_adopted", "implemented", "submitted"]
        award = Contribution.objects.get(suggestion=ideas[0])
        assert award.points == D("4.80") and award.credits.get().member == a.employee  # 5 × 1 × 0.8 × 1.2
        year = timezone.localdate().year
        [row] = adoption_rates(period=Period.year(year))
        assert (row["submitted"], row["decided"], row["adopted"]) == (4, 3, 2) and row["rate"] == D(2) / 3


# ---------------------------------------------------------------- listings


def _listing(a):
    opl = make_opl(a)
    contributions.contribution_verify(actor=a.manager, contribution=opl)
    qc = make_qc(a)
    listing = listings.listing_open(actor=a.lean_office, period_start=date(2025, 1, 1), period_end=date(2025, 6, 30))
    return listing, opl, qc


def test_a_listing_takes_the_verified_unlisted_contributions_and_is_made_once(a):
    with tenant_scope(a.tenant):
        waiting = make_opl(a, title="待审核")
        listing, opl, qc = _listing(a)
        assert set(listing.contributions.all()) == {opl, qc} and waiting.listing is None
        assert listing.closes_at - listing.opened_at == timedelta(days=7)
        again = listings.listing_open(actor=a.lean_office, period_start=date(2025, 1, 1), period_end=date(2025, 6, 30))
        assert again == listing and Listing.objects.count() == 1
        assert Notification.objects.filter(recipient=a.employee, url__contains=f"/listings/{listing.pk}/").exists()
        with pytest.raises(ApplicationError) as error:
            listings.listing_open(actor=a.lean_office, period_start=date(2025, 7, 1), period_end=date(2025, 7, 31))
        assert error.value.code == "nothing_to_list"


def test_objection_resolution_and_finalization_lock_the_points(a):
    with tenant_scope(a.tenant):
        listing, opl, qc = _listing(a)
        first = listings.objection_raise(actor=a.reviewer, contribution=qc, text="分配比例有误")
        second = listings.objection_raise(actor=a.reviewer, contribution=opl, text="非本人完成")
        later = listing.closes_at + timedelta(minutes=1)
        with pytest.raises(ApplicationError) as error:
            listings.listing_finalize(actor=a.lean_office, listing=listing, now=listing.closes_at - timedelta(hours=1))
        assert error.value.code == "window_open"
        with pytest.raises(ApplicationError) as error:
            listings.listing_finalize(actor=a.lean_office, listing=listing, now=later)
        assert error.value.code == "objections_open" and "2" in error.value.message
        listings.objection_resolve(actor=a.lean_office, objection=first, uphold=False, resolution="经核实无误")
        listings.objection_resolve(actor=a.lean_office, objection=second, uphold=True, resolution="确非本人")
        with pytest.raises(ApplicationError):
            listings.objection_resolve(actor=a.lean_office, objection=first, uphold=True, resolution="再议")
        final = listings.listing_finalize(actor=a.lean_office, listing=listing, now=later)
        assert final.state == "final" and final.finalized_by == a.lean_office
        qc.refresh_from_db()
        opl.refresh_from_db()
        assert qc.final and qc.listing == listing
        assert not opl.final and opl.listing is None  # upheld: off the listing, to be corrected
        with pytest.raises(ApplicationError) as error:
            contributions.contribution_rescore(actor=a.lean_office, contribution=qc, reason="改")
        assert error.value.code == "final"
        assert Objection.objects.filter(state="open").count() == 0


def test_objections_only_while_the_window_is_open(a):
    with tenant_scope(a.tenant):
        listing, opl, qc = _listing(a)
        with pytest.raises(ApplicationError) as error:
            listings.objection_raise(actor=a.employee, contribution=qc, text="有误", now=listing.closes_at)
        assert error.value.code == "window_closed"
        unlisted = make_opl(a)
        with pytest.raises(ApplicationError) as error:
            listings.objection_raise(actor=a.employee, contribution=unlisted, text="有误")
        assert error.value.code == "not_listed"


def test_the_objection_window_comes_from_the_tenants_settings(a):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError):
            listings.settings_update(actor=a.lean_office, objection_days=0)
        listings.settings_update(actor=a.lean_office, objection_days=3)
        listing, _opl, _qc = _listing(a)
        assert listing.closes_at - listing.opened_at == timedelta(days=3)


# ---------------------------------------------------------------- incentives


def test_incentives_need_a_reason_and_bonus_points_a_positive_amount(a):
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            incentives.incentive_create(
                actor=a.lean_office,
                member=a.employee,
                kind="bonus",
                name="加分",
                reason="",
                awarded_on=date(2025, 1, 1),
                bonus_points="-1",
            )
        assert set(error.value.field_errors) == {"reason", "bonus_points"}
        with pytest.raises(ApplicationError) as error:
            incentives.incentive_create(
                actor=a.employee, member=a.employee, kind="honour", name="自封", reason="x", awarded_on=date(2025, 1, 1)
            )
        assert error.value.code == "permission_denied"
        made = incentives.incentive_create(
            actor=a.manager,
            member=a.employee,
            kind="bonus",
            name="绩效加分",
            reason="改善之星",
            awarded_on=date(2025, 1, 1),
            bonus_points="2.5",
        )
        assert made.bonus_points == D("2.50") and Incentive.objects.count() == 1


def test_a_sub_units_tuning_keeps_its_parents_types_and_tuned_factors(a):
    with tenant_scope(a.tenant):
        own = scoring.type_create(actor=a.manager, name="隐患随手拍", base=D(4), unit=a.unit)
        scoring.tuning_create(
            actor=a.manager,
            unit=a.unit,
            factors={"breadth": {"team": "1.0"}},
            type_base={own.code: "4"},
            effective_from=date(2025, 1, 1),
        )
        scoring.tuning_create(
            actor=a.manager,
            unit=a.team,
            factors={"complexity": {"low": "1.1"}},
            type_base={},
            effective_from=date(2025, 1, 1),
        )
        done = contributions.contribution_record(
            actor=a.employee, kind=own, title="跑冒滴漏", occurred_on=date(2025, 2, 1), levels=Levels()
        )
        assert done.points == D("4.40")  # 4 (the unit's type) × 1.0 × 1.0 (unit's team) × 1.1 (team's low)
        assert done.tuning.unit == a.team
