"""备案 that HQ receives (issue 14): filing a closed unit-tier project tells the lean office; it acknowledges the
filing (who and when kept, the applicant told) or returns it for correction with a required reason (the project is
closed again, the reason on its page; the applicant corrects and files again); the filing package downloads as a
PDF and as a ZIP with the attachments, for those who may see the project only."""

import base64
import io
import re
import threading
import zipfile
import zlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lean.errors import ApplicationError
from lean.models import Notification, Role
from lean.tenancy import tenant_scope
from projects import filings, services
from projects.models import Project, Review, State, Tier, Transition
from tests.factories import make_member
from tests.projects.factories import make_project, panel, sign_off
from tests.targets.factories import make_targets

ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_text(data: bytes) -> str:
    """The text a reportlab PDF shows (its page streams are ASCII85 and Flate encoded, the CID font's strings
    UTF-16): enough to check what the package says without a PDF library."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            content = zlib.decompress(base64.a85decode(raw.strip().removesuffix(b"~>"), adobe=False))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
            text = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: (
                    bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else ESCAPES.get(m.group(1), m.group(1))
                ),
                literal,
                flags=re.S,
            )
            out.append(text.decode("utf-16-be", errors="replace"))
    return "".join(out)


def _review(ts, project, kind, chair, reviewers, criteria, organiser, **decide):
    review = Review.objects.filter(project=project, kind=kind).order_by("-round").first()
    services.review_setup(actor=organiser, review=review, reviewers=reviewers, chair=chair)
    for k, reviewer in enumerate(reviewers):
        scores = {c.pk: Decimal(86 + k) for c in criteria}
        services.review_submit_scores(actor=reviewer, review=review, scores=scores, comment=f"评语{k}")
    services.review_decide(actor=chair, review=review, result=Review.Result.PASS, **decide)
    return review


def closed_unit_project(ts, title="一分公司班组台账数字化"):
    """A unit-tier project of ts.unit filed by its manager (leader 60) with the employee (40), approved by the lean
    office (the manager filed it, U1 has no other manager), reviewed at midterm and closing by HQ's reviewers,
    finance-signed and closed, with an attachment."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.projects.factories import PDF

    criteria = services.criteria_defaults()
    project = make_project(ts, tier=Tier.UNIT, title=title)
    services.team_set(
        actor=ts.manager,
        project=project,
        rows=[
            services.TeamRow(ts.manager, "leader", Decimal(60)),
            services.TeamRow(ts.employee, "member", Decimal(40)),
        ],
    )
    for action, actor in [("submit", ts.manager), ("approve", ts.lean_office), ("start", ts.manager)]:
        project = services.project_transition(actor=actor, project=project, action=action)
    project = services.project_transition(actor=ts.manager, project=project, action="request_midterm")
    reviewers = panel(ts)
    _review(ts, project, Review.Kind.MIDTERM, ts.reviewer, reviewers, criteria, ts.lean_office)
    uptime = ts.extra["uptime"]
    services.indicators_set(
        actor=ts.manager,
        project=project,
        rows=[services.IndicatorRow(uptime, baseline=Decimal(90), goal=Decimal(95), achieved=Decimal(96))],
    )
    services.project_update(actor=ts.manager, project=project, verified_benefit=Decimal("123456.00"))
    services.attachment_add(
        actor=ts.manager,
        project=project,
        upload=SimpleUploadedFile("验收报告.pdf", PDF, content_type="application/pdf"),
    )
    project = services.project_transition(actor=ts.manager, project=project, action="request_closing")
    sign_off(ts, project)
    _review(ts, project, Review.Kind.CLOSING, ts.reviewer, reviewers, criteria, ts.lean_office, complexity="medium")
    project = Project.objects.get(pk=project.pk)
    assert project.state == State.CLOSED
    return project


@pytest.fixture
def data(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        tenant_a.extra["project"] = closed_unit_project(tenant_a)
        tenant_a.extra["office2"] = make_member(tenant_a.hq, [Role.LEAN_OFFICE], number="ALPHA-LO2")
    return tenant_a


def _file(ts, project):
    return services.project_transition(actor=ts.manager, project=project, action="file", reason="报总部备案")


def test_filing_tells_the_lean_office_and_fills_its_inbox(data, login, client):
    ts, project = data, data.extra["project"]
    with tenant_scope(ts.tenant):
        _file(ts, project)
        told = Notification.objects.filter(url__endswith=f"/projects/{project.pk}/", title__contains=project.code)
        assert {ts.lean_office.pk, ts.extra["office2"].pk} <= set(told.values_list("recipient_id", flat=True))
    body = login(ts.lean_office).get("/t/alpha/projects/filings/").content.decode()
    awaiting = body.split('id="awaiting"')[1].split('id="returned"')[0]
    assert project.code in awaiting and 'data-action="acknowledge_filing"' in awaiting
    assert f"/t/alpha/projects/{project.pk}/package.pdf" in awaiting
    assert login(ts.manager).get("/t/alpha/projects/filings/").status_code == 403
    assert login(ts.employee).get("/t/alpha/projects/filings/").status_code == 403


def test_acknowledging_records_who_and_when_tells_the_applicant_and_happens_once(data, login, client):
    ts, project = data, data.extra["project"]
    with tenant_scope(ts.tenant):
        _file(ts, project)
    response = login(ts.lean_office).post(
        f"/t/alpha/projects/{project.pk}/transition/", {"action": "acknowledge_filing", "back": "filings"}
    )
    assert response.status_code == 302 and response["Location"] == "/t/alpha/projects/filings/"
    with tenant_scope(ts.tenant):
        fresh = Project.objects.get(pk=project.pk)
        assert fresh.state == State.FILED and fresh.filing_acknowledged_by == ts.lean_office
        assert fresh.filing_acknowledged_at is not None
        assert fresh.history.first().history_user == ts.lean_office.user  # audited
        step = Transition.objects.filter(project=project).last()
        assert (step.action, step.actor, step.from_state, step.to_state) == (
            "acknowledge_filing",
            ts.lean_office,
            State.FILED,
            State.FILED,
        )
        told = set(
            Notification.objects.filter(title__contains=project.code, url__endswith=f"/{project.pk}/")
            .filter(created_at__gte=step.created_at)
            .values_list("recipient_id", flat=True)
        )
        assert {ts.manager.pk, ts.employee.pk} <= told and ts.lean_office.pk not in told
        with pytest.raises(ApplicationError) as error:
            services.project_transition(actor=ts.extra["office2"], project=project, action="acknowledge_filing")
        assert error.value.code == "already_acknowledged"
        with pytest.raises(ApplicationError):
            services.project_transition(actor=ts.extra["office2"], project=project, action="return_filing", reason="x")
        assert (
            Transition.objects.filter(project=project, action__in=["acknowledge_filing", "return_filing"]).count() == 1
        )
    body = client.get(f"/t/alpha/projects/{project.pk}/").content.decode()
    assert 'id="filing-acknowledged"' in body and 'data-action="acknowledge_filing"' not in body
    body = client.get("/t/alpha/projects/filings/").content.decode()
    assert project.code in body.split('id="acknowledged"')[1]


def test_returning_needs_a_reason_and_the_applicant_corrects_and_files_again(data, login, client):
    ts, project = data, data.extra["project"]
    with tenant_scope(ts.tenant):
        _file(ts, project)
        with pytest.raises(ApplicationError) as error:
            services.project_transition(actor=ts.lean_office, project=project, action="return_filing", reason="  ")
        assert error.value.code == "reason_required"
        fresh = Project.objects.get(pk=project.pk)
        assert fresh.state == State.FILED and fresh.filing_return_reason == ""  # nothing half-stored
    client = login(ts.lean_office)
    client.post(f"/t/alpha/projects/{project.pk}/transition/", {"action": "return_filing", "reason": "缺少验收签字页"})
    with tenant_scope(ts.tenant):
        fresh = Project.objects.get(pk=project.pk)
        assert fresh.state == State.CLOSED and fresh.filing_return_reason == "缺少验收签字页"
        assert Notification.objects.filter(recipient=ts.manager, body="缺少验收签字页").exists()
    body = login(ts.manager).get(f"/t/alpha/projects/{project.pk}/").content.decode()
    assert 'id="filing-returned"' in body and "缺少验收签字页" in body and 'data-action="file"' in body
    assert f"/t/alpha/projects/{project.pk}/plan/" in body  # the plan can be corrected
    response = client.post(f"/t/alpha/projects/{project.pk}/plan/", _plan_form(project, pdca_check="已补充签字页"))
    assert response.status_code == 302
    with tenant_scope(ts.tenant):
        assert Project.objects.get(pk=project.pk).pdca_check == "已补充签字页"
        # the team and the verified benefits stay as reviewed
        with pytest.raises(ApplicationError):
            services.project_update(actor=ts.manager, project=project, verified_benefit=Decimal(1))
        _file(ts, project)
        fresh = Project.objects.get(pk=project.pk)
        assert fresh.state == State.FILED and fresh.filing_return_reason == ""
        services.project_transition(actor=ts.lean_office, project=project, action="acknowledge_filing")
        actions = list(Transition.objects.filter(project=project).values_list("action", flat=True))
        assert actions[-4:] == ["file", "return_filing", "file", "acknowledge_filing"]


def _plan_form(project, **changes):
    from projects.views.filing import PLAN_FIELDS

    values = {name: getattr(project, name) for name in PLAN_FIELDS}
    values.update(changes)
    return {name: "" if value is None else value for name, value in values.items()}


def test_the_api_takes_the_filing_actions_and_shows_the_filing(data, login):
    ts, project = data, data.extra["project"]
    with tenant_scope(ts.tenant):
        _file(ts, project)
    url = f"/t/alpha/api/v1/projects/projects/{project.pk}/"
    client = login(ts.lean_office)
    detail = client.get(url).json()
    assert {"acknowledge_filing", "return_filing"} <= {a["name"] for a in detail["actions"]}
    response = client.post(f"{url}transitions/", {"action": "return_filing"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    response = client.post(f"{url}transitions/", {"action": "acknowledge_filing"}, content_type="application/json")
    assert response.status_code == 200
    filing = response.json()["filing"]
    assert filing["acknowledged_by"]["id"] == ts.lean_office.pk and filing["acknowledged_at"]
    assert filing["package_pdf"] == f"/t/alpha/projects/{project.pk}/package.pdf"
    response = client.post(f"{url}transitions/", {"action": "acknowledge_filing"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "already_acknowledged"


@pytest.mark.django_db(transaction=True)
def test_two_acknowledgements_at_the_same_moment_only_one_wins(tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_targets(ts)
        project = closed_unit_project(ts)
        _file(ts, project)
        second = make_member(ts.hq, [Role.LEAN_OFFICE], number="LO-2")
    barrier = threading.Barrier(2)
    outcomes = []

    def act(actor, action, reason):
        try:
            with tenant_scope(ts.tenant):
                barrier.wait()
                services.project_transition(actor=actor, project=project, action=action, reason=reason)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(ts.lean_office, "acknowledge_filing", "")),
        threading.Thread(target=act, args=(second, "acknowledge_filing", "")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_acknowledged", "ok"]
    with tenant_scope(ts.tenant):
        assert Transition.objects.filter(project=project, action="acknowledge_filing").count() == 1


# ---------------------------------------------------------------- the package


def test_the_pdf_holds_the_application_the_reviews_the_benefits_and_the_attachments(data, login):
    ts, project = data, data.extra["project"]
    response = login(ts.manager).get(f"/t/alpha/projects/{project.pk}/package.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and project.code in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in [
        project.code,
        "一分公司班组台账数字化",  # title
        "设备可用率连续三个月低于目标",  # problem
        "已建立点检制度",  # management base
        "设备可用率",  # indicator
        ts.manager.user.display_name,  # team
        "60",  # share
        ts.employee.user.display_name,
        ts.reviewer.user.display_name,  # panel and chair
        "评语0",  # a reviewer's comment
        "86",  # a score per criterion
        "123456",  # verified benefit
        "按财务账面数据核算",  # the finance sign-off's basis
        "验收报告.pdf",  # the attachment list
    ]:
        assert expected in text, expected


def test_the_zip_holds_the_pdf_and_the_attachment_files(data, login):
    ts, project = data, data.extra["project"]
    response = login(ts.lean_office).get(f"/t/alpha/projects/{project.pk}/package.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert f"{project.code}.pdf" in names and "attachments/验收报告.pdf" in names
    assert archive.read(f"{project.code}.pdf").startswith(b"%PDF")
    assert archive.read("attachments/验收报告.pdf").startswith(b"%PDF")


def test_only_those_who_may_see_the_project_download_it(data, login, tenant_b):
    ts, project = data, data.extra["project"]
    with tenant_scope(ts.tenant):
        from lean.services import unit_create

        other = unit_create(name="二分公司", code="U2", parent=ts.hq)
        stranger = make_member(other, [Role.EMPLOYEE], number="STRANGER")
    for suffix in ("package.pdf", "package.zip"):
        assert login(stranger).get(f"/t/alpha/projects/{project.pk}/{suffix}").status_code == 404
        assert login(ts.employee).get(f"/t/alpha/projects/{project.pk}/{suffix}").status_code == 200
    with tenant_scope(tenant_b.tenant):
        make_targets(tenant_b)
        theirs = make_project(tenant_b, tier=Tier.UNIT)
    for suffix in ("package.pdf", "package.zip"):
        assert login(ts.lean_office).get(f"/t/alpha/projects/{theirs.pk}/{suffix}").status_code == 404


# ---------------------------------------------------------------- the inbox's queries


def _filed(ts, count):
    for k in range(count):
        project = make_project(ts, tier=Tier.UNIT, title=f"备案课题{k}", problem=f"问题{k}")
        Project.objects.filter(pk=project.pk).update(state=State.FILED, midterm_passed=True)
        if k % 3 == 1:
            Project.objects.filter(pk=project.pk).update(filing_acknowledged_at=project.created_at)
        if k % 3 == 2:
            Project.objects.filter(pk=project.pk).update(state=State.CLOSED, filing_return_reason="补充材料")


def test_the_inbox_runs_the_same_queries_at_two_sizes(data, login, client):
    ts = data
    login(ts.lean_office)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/t/alpha/projects/filings/").status_code == 200
        return len(queries)

    with tenant_scope(ts.tenant):
        _filed(ts, 3)
    small = count()
    with tenant_scope(ts.tenant):
        _filed(ts, 9)
        inbox = filings.filing_inbox(viewer=ts.lean_office)
        assert len(inbox.awaiting) == 4 and len(inbox.returned) == 4 and len(inbox.acknowledged) == 4
    assert count() == small
