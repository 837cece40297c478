"""财务核验: who signs off a project's verified benefits (unit scope, never their own project), the closing decision
refused until they did, a change of the figures voiding the sign-off, the evidence checks, bad input storing
nothing, the queue and the sign-off page and API (query counts at two sizes), and the points of a closed project
following the judged complexity and the band of the signed-off benefit."""

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovation import points
from innovation.models import Contribution, Level, RuleVersion
from innovation.services import contributions, scoring
from lean.errors import ApplicationError
from lean.models import Notification, Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import finance, services
from projects.models import Attachment, BenefitSignoff, Complexity, Project, Review, State
from tests.factories import make_member
from tests.projects.factories import PDF, finance_member, make_project, make_projects, panel, sign_off
from tests.targets.factories import make_targets

P = "/t/alpha/projects"
API = "/t/alpha/api/v1/projects"


@pytest.fixture
def a(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_projects(tenant_a)
    return tenant_a


def pdf(name="核算表.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def to_closing(ts, project=None, benefit=D(1200000)):
    """The make_projects project (or `project`, at its midterm review with a panel) through its midterm, with
    the closing data, into its closing review with a scored panel. Run inside tenant_scope."""
    ids = {c.pk for c in ts.extra["criteria"]}
    if project is None:
        review = ts.extra["review"]
        services.review_submit_scores(actor=ts.extra["reviewer2"], review=review, scores={pk: D(90) for pk in ids})
        services.review_decide(actor=ts.reviewer, review=review, result="pass")
        project = Project.objects.get(pk=review.project_id)
    services.project_update(actor=ts.manager, project=project, verified_benefit=benefit)
    project.indicator_links.update(achieved=D("95.5"))
    services.project_transition(actor=ts.manager, project=project, action="request_closing")
    closing = project.reviews.get(kind=Review.Kind.CLOSING)
    services.review_setup(actor=ts.lean_office, review=closing, reviewers=panel(ts), chair=ts.reviewer)
    for reviewer in panel(ts):
        services.review_submit_scores(actor=reviewer, review=closing, scores={pk: D(85) for pk in ids})
    return Project.objects.get(pk=project.pk), closing


# ---------------------------------------------------------------- who may sign off


def test_who_may_sign_off_follows_the_unit_scope(a):
    """A finance member of HQ (the root) covers every project, one of the project's unit covers it, one of
    another unit or of a team below the project's unit does not; other roles never; and nobody their own team's
    project."""
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        unit2 = unit_create(name="二分公司", code="U2", parent=a.hq)
        cases = [
            (make_member(a.hq, [Role.FINANCE]), True),
            (make_member(a.unit, [Role.FINANCE]), True),
            (make_member(unit2, [Role.FINANCE]), False),
            (make_member(a.team, [Role.FINANCE]), False),
            (a.lean_office, False),
            (a.manager, False),
        ]
        assert [finance.may_sign_off(member, project) for member, _ok in cases] == [ok for _m, ok in cases]
        for member, ok in cases:
            if not ok:
                with pytest.raises(PermissionDenied):
                    sign_off(a, project, actor=member)
        assert not BenefitSignoff.objects.filter(project=project, status="signed").exists()
        # The employee on the team becomes a finance verifier: still not for this project.
        a.employee.roles = [Role.EMPLOYEE, Role.FINANCE]
        a.employee.unit = a.hq
        a.employee.save()
        assert not finance.may_sign_off(a.employee, project)
        with pytest.raises(ApplicationError) as error:
            sign_off(a, project, actor=a.employee)
        assert error.value.code == "own_project"
        signed = sign_off(a, project, actor=cases[1][0])
        assert signed.status == "signed" and signed.amount == D("1200000.00") and signed.evidence.project == project


def test_sign_off_only_from_the_closing_review_on(a):
    with tenant_scope(a.tenant):
        project = a.extra["project"]  # at its midterm review
        with pytest.raises(ApplicationError) as error:
            sign_off(a, project)
        assert error.value.code == "wrong_state"


# ---------------------------------------------------------------- closing gated by the sign-off


def test_closing_is_refused_until_finance_signs_off(a):
    with tenant_scope(a.tenant):
        project, closing = to_closing(a)
        with pytest.raises(ApplicationError) as error:
            services.review_decide(actor=a.reviewer, review=closing, result="pass", complexity="high")
        assert error.value.code == "benefits_not_signed_off"
        closing.refresh_from_db()
        project.refresh_from_db()
        assert closing.result == "" and project.state == State.CLOSING  # nothing half-stored
        sign_off(a, project)
        with pytest.raises(ApplicationError) as error:  # the panel judges the complexity with a pass
            services.review_decide(actor=a.reviewer, review=closing, result="pass")
        assert error.value.code == "complexity_required"
        services.review_decide(actor=a.reviewer, review=closing, result="pass", complexity="high")
        project.refresh_from_db()
        closing.refresh_from_db()
        assert project.state == State.CLOSED and closing.complexity == "high"


def test_a_failed_closing_needs_no_sign_off(a):
    with tenant_scope(a.tenant):
        project, closing = to_closing(a)
        services.review_decide(actor=a.reviewer, review=closing, result="fail", conditions="效果未达目标")
        project.refresh_from_db()
        assert project.state == State.IN_PROGRESS


def test_changing_the_verified_benefit_voids_the_sign_off(a):
    with tenant_scope(a.tenant):
        project, closing = to_closing(a)
        signed = sign_off(a, project)
        services.project_update(actor=a.manager, project=project, verified_benefit=D("1200000.00"))  # same figure
        signed.refresh_from_db()
        assert signed.status == "signed"
        services.project_update(actor=a.manager, project=project, verified_benefit=D(1100000))
        signed.refresh_from_db()
        assert signed.status == "void" and signed.voided_at is not None
        assert signed.history.count() == 2  # signed, then voided: audited
        with pytest.raises(ApplicationError) as error:
            services.review_decide(actor=a.reviewer, review=closing, result="pass", complexity="low")
        assert error.value.code == "benefits_not_signed_off"
        again = sign_off(a, project)
        assert again.amount == D("1100000.00")
        services.review_decide(actor=a.reviewer, review=closing, result="pass", complexity="low")
        assert Project.objects.get(pk=project.pk).state == State.CLOSED


# ---------------------------------------------------------------- the evidence and bad input


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount": D(1)}, "amount"),
        ({"amount": "many"}, "amount"),
        ({"basis": "  "}, "basis"),
        ({"evidence_upload": None}, "evidence"),
        ({"evidence_upload": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, "evidence"),
        ({"evidence_upload": SimpleUploadedFile("a.pdf", b"not a pdf")}, "evidence"),
        ({"evidence_upload": SimpleUploadedFile("a.pdf", b"")}, "evidence"),
    ],
)
def test_bad_input_stores_nothing(a, change, field):
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        signoffs, attachments = BenefitSignoff.objects.count(), Attachment.objects.count()
        arguments = {"amount": project.verified_benefit, "basis": "账面核算", "evidence_upload": pdf(), **change}
        with pytest.raises(ApplicationError) as error:
            finance.benefit_signoff_sign(actor=finance_member(a), project=project, **arguments)
        assert field in error.value.field_errors
        assert BenefitSignoff.objects.count() == signoffs and Attachment.objects.count() == attachments


def test_evidence_is_a_new_file_or_one_of_the_projects_attachments(a):
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        mine = project.attachments.get()  # the plan attached by make_projects
        other = make_project(a, title="另一个课题")
        theirs = services.attachment_add(actor=a.manager, project=other, upload=pdf("其他.pdf"))
        for evidence, upload in [(theirs, None), (mine, pdf())]:  # another project's; both at once
            with pytest.raises(ApplicationError) as error:
                finance.benefit_signoff_sign(
                    actor=finance_member(a),
                    project=project,
                    amount=project.verified_benefit,
                    basis="账面核算",
                    evidence=evidence,
                    evidence_upload=upload,
                )
            assert "evidence" in error.value.field_errors
        signed = finance.benefit_signoff_sign(
            actor=finance_member(a), project=project, amount="1200000", basis="账面核算", evidence=mine
        )
        assert signed.evidence == mine and project.attachments.count() == 1
        with pytest.raises(ApplicationError) as error:
            sign_off(a, project)
        assert error.value.code == "already_signed"


def test_return_for_correction_needs_a_reason_and_tells_the_team(a):
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        with pytest.raises(ApplicationError):
            finance.benefit_signoff_return(actor=finance_member(a), project=project, reason=" ")
        assert not BenefitSignoff.objects.filter(project=project, status="returned").exclude(signed_by=a.lean_office)
        returned = finance.benefit_signoff_return(actor=finance_member(a), project=project, reason="未扣除折旧")
        assert returned.status == "returned" and returned.amount == D("1200000.00")
        told = Notification.objects.filter(recipient=a.manager, body="未扣除折旧")
        assert told.exists()
        # The team corrects the figure during the closing review; finance then signs the new one.
        services.project_update(actor=a.manager, project=project, verified_benefit=D(1000000))
        assert sign_off(a, project).amount == D("1000000.00")


# ---------------------------------------------------------------- pages


def test_the_queue_lists_the_scope_waiting_for_a_sign_off(a, client, login):
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        unit2 = unit_create(name="二分公司", code="U2", parent=a.hq)
        other_finance = make_member(unit2, [Role.FINANCE])
        verifier = finance_member(a)
    login(verifier)
    body = client.get(f"{P}/finance/").content.decode()
    assert project.code in body
    assert f"{P}/{project.pk}/benefits/signoff/" in body
    assert project.code not in client.get(f"{P}/finance/?show=signed").content.decode()
    login(other_finance)
    assert project.code not in client.get(f"{P}/finance/").content.decode()
    assert client.get(f"{P}/{project.pk}/").status_code == 404  # outside their scope: not even visible
    login(a.manager)
    assert client.get(f"{P}/finance/").status_code == 403


def test_signing_off_through_the_page(a, client, login):
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        verifier = finance_member(a)
    url = f"{P}/{project.pk}/benefits/signoff/"
    login(a.manager)  # the applicant sees the page, without the forms, and may not post
    response = client.get(url)
    assert response.status_code == 200 and 'value="sign"' not in response.content.decode()
    assert client.post(url, {"form": "return", "reason": "x"}).status_code == 403
    login(verifier)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, {"form": "sign", "amount": "1000", "basis": "账面核算", "evidence_file": pdf()})
    assert response.status_code == 400
    assert "The amount differs from the project&#x27;s verified benefit" in response.content.decode()
    with tenant_scope(a.tenant):
        assert not BenefitSignoff.objects.filter(project=project, status="signed").exists()
    response = client.post(url, {"form": "sign", "amount": "1200000.00", "basis": "账面核算", "evidence_file": pdf()})
    assert response.status_code == 302
    with tenant_scope(a.tenant):
        assert finance.signoff_current(project).basis == "账面核算"
    assert project.code in client.get(f"{P}/finance/?show=signed").content.decode()
    login(a.manager)
    detail = client.get(f"{P}/{project.pk}/").content.decode()
    assert 'id="signoff"' in detail and "1,200,000.00" in detail


def test_the_closing_decision_page_explains_the_missing_sign_off(a, client, login):
    with tenant_scope(a.tenant):
        project, closing = to_closing(a)
    login(a.reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"{P}/reviews/{closing.pk}/"
    assert 'name="complexity"' in client.get(url).content.decode()
    response = client.post(url, {"form": "decide", "result": "pass", "complexity": "medium"})
    assert response.status_code == 400
    assert "Finance has not signed off the verified benefits yet" in response.content.decode()
    with tenant_scope(a.tenant):
        closing.refresh_from_db()
        assert closing.result == ""


def queue_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def more_closing_projects(ts, n):
    """`n` more projects of ts.unit in their closing review (copies of the first, as rows)."""
    template = Project.objects.get(pk=ts.extra["project"].pk)
    copies = []
    for i in range(n):
        copy = Project.objects.get(pk=template.pk)
        copy.pk, copy.code, copy.state, copy.verified_benefit = None, f"F{n}-{i}", State.CLOSING, D(1000 + i)
        copies.append(copy)
    Project.objects.bulk_create(copies)


def test_the_queue_and_its_api_take_the_same_queries_at_two_sizes(a, client, login):
    with tenant_scope(a.tenant):
        login(finance_member(a))
    counts = []
    for n in (2, 12):
        with tenant_scope(a.tenant):
            more_closing_projects(a, n)
        counts.append((queue_queries(client, f"{P}/finance/"), queue_queries(client, f"{API}/finance/")))
    assert counts[0] == counts[1], counts
    assert len(client.get(f"{API}/finance/").json()["results"]) == 14


# ---------------------------------------------------------------- API


def test_the_api_signs_off_returns_and_lists(a, client, login):
    with tenant_scope(a.tenant):
        project, _closing = to_closing(a)
        attachment = project.attachments.get()
        verifier = finance_member(a)
    url = f"{API}/projects/{project.pk}/signoffs/"
    login(a.manager)
    response = client.post(url, {"amount": "1200000", "basis": "x", "evidence": attachment.pk}, "application/json")
    assert response.status_code == 403
    login(verifier)
    response = client.post(f"{url}return/", {"reason": "请补充发票"}, "application/json")
    assert response.status_code == 201 and response.json()["status"] == "returned"
    response = client.post(url, {"amount": "1", "basis": "账面核算", "evidence": attachment.pk}, "application/json")
    assert response.status_code == 400 and "amount" in response.json()["field_errors"]
    response = client.post(url, {"amount": "1200000.00", "basis": "账面核算", "evidence_file": pdf()})  # multipart
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "signed" and response.json()["evidence_id"] is not None
    listed = client.get(url).json()
    assert [s["status"] for s in listed] == ["signed", "returned", "returned"]  # newest first, with the factory's


# ---------------------------------------------------------------- points from the judged complexity and the band


def close(ts, benefit, complexity, project=None):
    with tenant_scope(ts.tenant):
        project, closing = to_closing(ts, project=project, benefit=benefit)
        sign_off(ts, project)
        services.review_decide(actor=ts.reviewer, review=closing, result="pass", complexity=complexity)
    with tenant_scope(ts.tenant):
        from innovation.services.contributions import contribution_from_project

        return contribution_from_project(project=project)


@pytest.mark.parametrize(
    "benefit, complexity, positioning, expected",
    [
        # HQ tier → at least key (1.2); one unit (1.0); no award. 100 × positioning × 1.0 × complexity.
        (D(50000), "high", "key", D("180.00")),  # below 100k: the tier's key; high 1.5
        (D(500000), "low", "key", D("120.00")),  # 100k–1M: key; low 1.0
        (D(1000000), "medium", "strategic", D("180.00")),  # from 1M: strategic 1.5; medium 1.2
    ],
)
def test_points_follow_the_judged_complexity_and_the_benefit_band(a, benefit, complexity, positioning, expected):
    award = close(a, benefit, complexity)
    with tenant_scope(a.tenant):
        award.refresh_from_db()
        assert (award.positioning, award.complexity, award.breadth, award.award) == (
            positioning,
            complexity,
            "unit",
            "none",
        )
        assert award.points == expected
        assert award.scoring["project"] == {
            "signed_off_benefit": str(benefit.quantize(D("0.01"))),
            "benefit_band": positioning if benefit >= 100000 else "general",
            "judged_complexity": complexity,
        }
        # Reproducible: the recorded rule version gives the same points again.
        again, _breakdown = points.compute(
            award.rule_version.rules, points.Sample("project", positioning, "unit", complexity, "none")
        )
        assert again == award.points


def test_the_bands_are_part_of_the_rule_version(a):
    """A version with lower bands makes the same benefit strategic; the award keeps the version it used."""
    with tenant_scope(a.tenant):
        current = RuleVersion.objects.order_by("-number").first()
        rules = {**current.rules, "benefit_bands": {"key": "10000", "strategic": "40000"}}
        version = scoring.rule_version_create(actor=a.lean_office, rules=rules, effective_from=timezone.localdate())
        assert version.rules["benefit_bands"] == {"key": "10000", "strategic": "40000"}
        with pytest.raises(points.RulesError):  # the strategic band may not start below the key band
            points.validate_rules({**rules, "benefit_bands": {"key": "5", "strategic": "1"}}, ["project"])
    award = close(a, D(50000), "low")
    with tenant_scope(a.tenant):
        award.refresh_from_db()
        assert award.rule_version_id == version.pk
        assert award.positioning == "strategic" and award.points == D("150.00")  # 100 × 1.5 × 1.0 × 1.0


def test_the_judged_complexity_uses_the_points_rules_levels():
    assert [value for value, _label in Complexity.choices] == [level for level, _label in Level.COMPLEXITY]
    assert points.benefit_positioning({}, None) == "general"
    assert points.benefit_positioning({}, D("99999.99")) == "general"
    assert points.benefit_positioning({}, D(100000)) == "key"
    assert points.benefit_positioning({}, D(1000000)) == "strategic"


def test_a_project_awards_once_with_its_band(a):
    award = close(a, D(300000), "medium")
    with tenant_scope(a.tenant):
        assert Contribution.objects.filter(project=award.project).count() == 1
        assert award.scoring["project"]["benefit_band"] == "key"


def test_a_rescore_places_the_project_by_the_bands_in_force(a):
    award = close(a, D(300000), "medium")  # key band: 100 × 1.2 × 1.0 × 1.2
    with tenant_scope(a.tenant):
        award.refresh_from_db()
        assert award.points == D("144.00")
        current = RuleVersion.objects.order_by("-number").first()
        rules = {**current.rules, "benefit_bands": {"key": "10000", "strategic": "200000"}}
        scoring.rule_version_create(actor=a.lean_office, rules=rules, effective_from=award.occurred_on)
        contributions.contribution_rescore(actor=a.lean_office, contribution=award, reason="效益分档调整")
        award.refresh_from_db()
        assert award.positioning == "strategic" and award.points == D("180.00")  # 100 × 1.5 × 1.0 × 1.2
        assert award.scoring["project"]["benefit_band"] == "strategic"
